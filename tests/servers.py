"""Real ``tremplin serve`` processes on loopback, for the tests that go through HTTP as users do."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

__all__ = ["free_port", "serving_in_thread", "tremplin_serve"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def tremplin_serve(
    database_url: str, log_path: Path, *args: str, env: Mapping[str, str] | None = None
) -> Iterator[str]:
    """``python -m bot serve`` on a free loopback port (``env`` added to its environment);
    yields its base URL once healthy."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, **(env or {}), "TREMPLIN_DATABASE_URL": database_url}
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port), *args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                        assert json.loads(response.read())["status"] == "ok"
                        break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise
                    time.sleep(0.2)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=10)


@contextlib.contextmanager
def serving_in_thread(handler: type[BaseHTTPRequestHandler]) -> Iterator[ThreadingHTTPServer]:
    """A loopback HTTP server for a fake provider (Twilio, Telegram) on a free port, in a thread;
    stopped and closed on exit."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
