"""Real Tremplin processes for the fault tests, and phones that text them as Twilio would.

``Fleet`` starts ``tremplin serve --no-worker``, ``tremplin serve`` and ``tremplin worker`` as
subprocesses on loopback, all on one database and one fake Twilio, and can ``kill -9`` any of them
and start it again. ``Phone`` posts signed SMS webhooks over HTTP and, like Twilio with retries on
(docs/deployment.md), sends a message again (same ``MessageSid``) until it gets a 2xx.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.channels.sms.twilio import SMS_PATH
from tests.bot.fake_twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    FROM_NUMBER,
    PUBLIC_URL,
    FakeTwilioApi,
    sign,
)
from tests.servers import free_port

__all__ = ["Fleet", "Phone", "Process", "wait_until"]


def wait_until(
    condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.1
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        time.sleep(interval)


@dataclass
class Process:
    """One ``python -m bot …`` subprocess, restartable (a server keeps its port)."""

    args: list[str]
    env: dict[str, str]
    log_path: Path
    cwd: Path
    port: int | None = None
    popen: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def base_url(self) -> str:
        assert self.port is not None
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, wait: bool = True) -> Process:
        self.starts += 1
        args = [*self.args, "--port", str(self.port)] if self.port is not None else self.args
        with self.log_path.open("a") as log:
            log.write(f"--- start {self.starts} ---\n")
            log.flush()
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "bot", *args],
                env=self.env,
                cwd=self.cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if wait:
            self.wait_ready()
        return self

    def kill(self) -> None:
        """``kill -9``: no handler, no cleanup, no last commit."""
        assert self.popen is not None
        os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(10)

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def wait_ready(self) -> None:
        def ready() -> bool:
            assert self.popen is not None
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.args[0]} exited: see {self.log_path}")
            if self.port is None:  # a worker says so once its loop runs
                started = self.log_path.read_text().rpartition(f"--- start {self.starts} ---")[2]
                return "Delivering the outbox" in started
            try:
                return httpx.get(f"{self.base_url}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(ready, 60, f"{self.args[0]} to be ready", interval=0.05)


@dataclass
class Fleet:
    """Every process of one test, on one database and one fake Twilio; all stopped at the end."""

    database_url: str
    api: FakeTwilioApi
    folder: Path
    lease_seconds: float = 3.0
    processes: list[Process] = field(default_factory=list)

    @classmethod
    @contextmanager
    def of(cls, database_url: str, api: FakeTwilioApi, folder: Path) -> Iterator[Fleet]:
        fleet = cls(database_url, api, folder)
        try:
            yield fleet
        finally:
            for process in fleet.processes:
                process.stop()

    def server(self, *, worker: bool = False) -> Process:
        args = ["serve"] if worker else ["serve", "--no-worker"]
        return self._add(args, port=free_port())

    def worker(self) -> Process:
        return self._add(["worker"], port=None)

    def _add(self, args: list[str], *, port: int | None) -> Process:
        env = {
            **os.environ,
            "TREMPLIN_DATABASE_URL": self.database_url,
            "TREMPLIN_PUBLIC_URL": PUBLIC_URL,
            "TREMPLIN_WORKER_LEASE_SECONDS": str(self.lease_seconds),
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM": FROM_NUMBER,
            "TWILIO_API_BASE_URL": self.api.base_url,
        }
        name = f"{args[0]}-{len(self.processes)}"
        process = Process(args, env, self.folder / f"{name}.log", self.folder, port)
        self.processes.append(process)
        return process.start(wait=False)

    def ready(self) -> None:
        """Wait for every process started so far (they start in parallel)."""
        for process in self.processes:
            process.wait_ready()


_sids = itertools.count(1)
_sids_lock = threading.Lock()


def next_sid() -> str:
    with _sids_lock:
        return f"SM{os.getpid():08x}{next(_sids):024x}"


@dataclass
class Phone:
    """A person texting through Twilio: each message signed, retried until a 2xx."""

    number: str
    answers: Counter[int] = field(default_factory=Counter)
    acknowledged: list[tuple[str, str]] = field(default_factory=list)
    """(MessageSid, body) of each message a server answered with a 2xx."""

    def text(self, servers: list[Process], body: str, *, give_up_after: float = 60.0) -> str:
        """Send ``body`` to the first server, then (after a failure) the next, until a 2xx."""
        sid = next_sid()
        form = {
            "ToCountry": "FR",
            "SmsMessageSid": sid,
            "SmsSid": sid,
            "MessageSid": sid,
            "NumMedia": "0",
            "From": self.number,
            "To": FROM_NUMBER,
            "Body": body,
            "NumSegments": "1",
            "AccountSid": ACCOUNT_SID,
            "ApiVersion": "2010-04-01",
        }
        headers = {"X-Twilio-Signature": sign(PUBLIC_URL + SMS_PATH, form)}
        deadline = time.monotonic() + give_up_after
        for attempt in itertools.count():
            server = servers[attempt % len(servers)]
            try:
                status = httpx.post(
                    server.base_url + SMS_PATH, data=form, headers=headers, timeout=10
                ).status_code
            except httpx.HTTPError:
                status = 0  # refused, reset, timed out: Twilio's "connection failure"
            self.answers[status] += 1
            if 200 <= status < 300:
                self.acknowledged.append((sid, body))
                return sid
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.number}: no 2xx for {sid} (last {status})")
            time.sleep(min(1.0, 0.1 * (attempt + 1)))  # backing off, as Twilio does
        raise AssertionError("unreachable")
