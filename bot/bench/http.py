"""``tremplin bench http``: signed Twilio webhooks at concurrency 16, beside a bare endpoint.

The product is measured end to end as Twilio drives it: a real ``tremplin serve`` process (its
own SQLite file, SMS settings with a benchmark token, the delivery worker off so that only the
webhook path is timed) receives form posts signed with the twilio library, from many phones, each
phone walking through the conversation. In the same run and with the same client, payloads and
concurrency, a bare Starlette endpoint on uvicorn — no signature check, no database — gives the
ceiling of the HTTP stack on this machine. ``--channel whatsapp`` posts WhatsApp's webhooks
(``From: whatsapp:+33…``) to ``/webhooks/twilio/whatsapp`` instead. ``--channel voice`` drives
phone calls: each phone calls (``/webhooks/twilio/voice``), then keys and "says" its answers, each
posted to ``/webhooks/twilio/voice/answer?turn=N`` as Twilio's ``<Gather>`` does, and every
answer is TwiML built for it. Targets: for SMS (its issue) at least 30 % of the bare rate and p99
under 100 ms; for WhatsApp and for calls at least 40 % and under 50 ms.
"""

import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
from rich.console import Console
from rich.table import Table
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

__all__ = [
    "MAX_P99_MS",
    "MIN_VS_BARE_PERCENT",
    "PATH",
    "SID",
    "TOKEN",
    "bare_app",
    "drive",
    "free_port",
    "latency_figures",
    "payloads",
    "run_http_bench",
    "signed_requests",
    "start_process",
    "wait_until_healthy",
]

MIN_VS_BARE_PERCENT = 30.0
MAX_P99_MS = 100.0
PATH = "/webhooks/twilio/sms"
CHANNELS: dict[str, dict[str, Any]] = {
    "sms": {"path": PATH, "prefix": "", "min_vs_bare": 30.0, "max_p99_ms": 100.0},
    "whatsapp": {
        "path": "/webhooks/twilio/whatsapp",
        "prefix": "whatsapp:",
        "min_vs_bare": 40.0,
        "max_p99_ms": 50.0,
    },
    "voice": {
        "path": "/webhooks/twilio/voice",
        "prefix": "",
        "min_vs_bare": 40.0,
        "max_p99_ms": 50.0,
    },
}
"""Each channel's webhook, its address form and the targets its issue set."""
TOKEN = "bench-auth-token"  # noqa: S105 - a throwaway token for a local benchmark server
SID = "AC" + "0" * 32
_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'
_SCRIPT = (
    "Bonjour",
    "1",
    "oui",
    "PASSER",
    "Amina",
    "Diallo",
    "Paris 75011",
    "PASSER",
    "1",
    "cuisine",
    "1",
    "2",
    "1 3",
    "1",
    "1",
    "2",
    "PASSER",
    "1",
    "2",
)


def bare_app() -> Starlette:
    """The same route on a bare Starlette app: the ceiling of the HTTP stack (the route of the
    channel measured, from ``TREMPLIN_BENCH_PATH``)."""
    path = os.environ.get("TREMPLIN_BENCH_PATH", PATH)

    async def webhook(request: Request) -> Response:
        # Read and parse the form as the product does, so the comparison is like for like.
        dict(parse_qsl((await request.body()).decode()))
        return Response(_EMPTY_TWIML, media_type="text/xml")

    async def health(request: Request) -> PlainTextResponse:
        del request
        return PlainTextResponse("ok")

    routes = [Route(path, webhook, methods=["POST"]), Route("/healthz", health)]
    if path == CHANNELS["voice"]["path"]:  # a call's answers come to their own route
        routes.append(Route(path + "/answer", webhook, methods=["POST"]))
    return Starlette(routes=routes)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server at {url} stopped (exit {process.returncode})")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"the server at {url} did not start in {timeout:.0f} s")


def payloads(messages: int, phones: int, prefix: str, *, address: str = "") -> list[dict[str, str]]:
    """Messages in rounds: each phone sends its next line once per round, phones interleaved;
    ``address`` comes before the numbers (``whatsapp:``)."""
    forms = []
    for n in range(messages):
        phone, turn = n % phones, n // phones
        forms.append(
            {
                "AccountSid": SID,
                "MessageSid": f"SM{prefix}{n:030d}"[:34],
                "From": f"{address}+33639{phone:06d}",
                "To": f"{address}+33600000000",
                "Body": _SCRIPT[turn % len(_SCRIPT)],
                "NumMedia": "0",
            }
        )
    return forms


# A caller's keys and words, in order, after the call begins (French: Twilio's own voice). A
# free answer is said, then kept with 1, as the read-back asks.
_CALL_SCRIPT: tuple[tuple[str, str], ...] = (
    ("Digits", "1"),
    ("Digits", "1"),
    ("Digits", "2"),
    ("SpeechResult", "passer"),
    ("Digits", "1"),
    ("SpeechResult", "Amina"),
    ("Digits", "1"),
    ("SpeechResult", "Diallo"),
    ("Digits", "1"),
    ("SpeechResult", "Paris 75011"),
    ("Digits", "1"),
    ("SpeechResult", "passer"),
    ("Digits", "1"),
    ("Digits", "1"),
    ("SpeechResult", "cuisine"),
    ("Digits", "1"),
    ("Digits", "1"),
    ("Digits", "#"),
    ("Digits", "2"),
)


def call_payloads(messages: int, phones: int, prefix: str) -> list[dict[str, str]]:
    """Requests of calls in rounds, phones interleaved as in ``payloads``: each phone's first is
    the incoming call, then its answers, each to the turn the previous TwiML named (``_path``)."""
    forms = []
    for n in range(messages):
        phone, turn = n % phones, n // phones
        form = {
            "AccountSid": SID,
            "CallSid": f"CA{prefix}{phone:031d}"[:34],
            "From": f"+33639{phone:06d}",
            "To": "+33600000000",
            "CallStatus": "in-progress",
            "_path": "/webhooks/twilio/voice",
        }
        if turn:
            step = (turn - 1) % len(_CALL_SCRIPT)
            name, value = _CALL_SCRIPT[step]
            form[name] = value
            if name == "SpeechResult":
                form["Confidence"] = "0.9"
            form["_path"] = f"/webhooks/twilio/voice/answer?turn={turn}"
        forms.append(form)
    return forms


def signed_requests(url: str, forms: Sequence[dict[str, str]], path: str = PATH) -> list[bytes]:
    """HTTP/1.1 requests signed for the public ``url``, built before the clock starts: the client
    must cost little. A form's ``_path`` (a call's answer and its turn) replaces ``path``."""
    validator = RequestValidator(TOKEN)
    host = urlsplit(url).netloc
    built = []
    for form in forms:
        form = dict(form)
        path = form.pop("_path", path)
        body = urlencode(form).encode()
        signature = validator.compute_signature(url + path, form)
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"X-Twilio-Signature: {signature}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        built.append(head.encode() + body)
    return built


async def drive(urls: Sequence[str], requests: Sequence[bytes], concurrency: int) -> list[float]:
    """Send the requests over ``concurrency`` keep-alive connections, spread over the servers at
    ``urls`` in turn (as a proxy in front of several processes would); the latency of each."""
    pending = iter(requests)
    latencies: list[float] = []

    async def connection(url: str) -> None:
        parts = urlsplit(url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            for request in pending:
                started = time.perf_counter()
                writer.write(request)
                await writer.drain()
                status = (await reader.readline()).split(b" ", 2)[1]
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                if status != b"200":
                    raise RuntimeError(f"{url} answered {status.decode()}")
        finally:
            writer.close()

    await asyncio.gather(*(connection(urls[n % len(urls)]) for n in range(concurrency)))
    return latencies


_ROUNDS = 5


def _measure_interleaved(
    servers: dict[str, tuple[str, int]],
    messages: int,
    phones: int,
    concurrency: int,
    channel: str = "sms",
) -> dict[str, dict[str, float]]:
    """Each server's figures, measured in rounds that alternate between the servers, so that load
    from elsewhere on the machine falls on both alike rather than on one.

    Each phone's messages keep their order across rounds (its conversation goes on). Beside the
    rates, the CPU time each server process used per message (Linux ``/proc``): unlike rates and
    latencies, it hardly moves when other programs load the machine.
    """
    path, address = CHANNELS[channel]["path"], CHANNELS[channel]["prefix"]
    if channel == "voice":
        # Calls of their own for the warm-up: a call's turns cannot be played twice.
        warmup = call_payloads(min(200, messages), phones, "9")
        forms = {name: call_payloads(messages, phones, str(i)) for i, name in enumerate(servers)}
    else:
        warmup = payloads(min(200, messages), phones, "w", address=address)
        forms = {name: payloads(messages, phones, name[0], address=address) for name in servers}
    latencies: dict[str, list[float]] = {name: [] for name in servers}
    elapsed = dict.fromkeys(servers, 0.0)
    cpu = dict.fromkeys(servers, 0.0)
    for url, _ in servers.values():
        asyncio.run(drive([url], signed_requests(url, warmup, path), concurrency))
    share = -(-messages // _ROUNDS)
    for number in range(_ROUNDS):
        for name, (url, pid) in servers.items():
            share_forms = forms[name][number * share : (number + 1) * share]
            requests = signed_requests(url, share_forms, path)
            cpu_before, started = _cpu_seconds(pid), time.perf_counter()
            latencies[name] += asyncio.run(drive([url], requests, concurrency))
            elapsed[name] += time.perf_counter() - started
            cpu[name] += _cpu_seconds(pid) - cpu_before
    figures = {}
    for name in servers:
        figures[name] = latency_figures(latencies[name], elapsed[name])
        if cpu[name] > 0:
            figures[name]["server_cpu_us_per_message"] = round(cpu[name] * 1e6 / messages)
    return figures


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its children (``serve``'s conversation
    writer is one: bot/conversation/writer_process.py), 0 where there is no /proc."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except OSError:  # gone meanwhile, or no /proc
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def latency_figures(latencies: Sequence[float], elapsed: float) -> dict[str, float]:
    """Messages per second over ``elapsed`` seconds, and the p50 and p99 latencies."""
    ordered = sorted(latencies)
    return {
        "messages": len(latencies),
        "messages_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000, 2),
    }


def start_process(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as handle:
        # Our own interpreter running our own module: no untrusted input.
        return subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT)  # noqa: S603


def run_http_bench(
    *, messages: int, concurrency: int, phones: int, channel: str = "sms"
) -> dict[str, Any]:
    """Start both servers, drive them in alternating rounds, print and return the figures."""
    targets = CHANNELS[channel]
    err = Console(stderr=True)
    with TemporaryDirectory(prefix="tremplin-http-") as tmp:
        where = Path(tmp)
        port, bare_port = free_port(), free_port()
        url, bare_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
        env = {
            **os.environ,
            "TREMPLIN_DATABASE_URL": f"sqlite:///{where / 'bench.db'}",
            "TREMPLIN_PUBLIC_URL": url,
            "TWILIO_ACCOUNT_SID": SID,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "TWILIO_FROM": "+33600000000",
            "TWILIO_WHATSAPP_FROM": "+33600000000",
            "TWILIO_VOICE_NUMBER": "+33600000000",
            "TREMPLIN_VOICE_CLIPS_DIR": str(where / "clips"),
            "TREMPLIN_BENCH_PATH": targets["path"],
            "TWILIO_API_BASE_URL": "http://127.0.0.1:9",  # nothing is sent: the worker is off
        }
        serve = [sys.executable, "-m", "bot", "serve", "--port", str(port), "--no-worker"]
        bare = [
            sys.executable,
            "-m",
            "uvicorn",
            "bot.bench.http:bare_app",
            "--factory",
            "--port",
            str(bare_port),
            "--log-level",
            "warning",
        ]
        processes = [
            start_process(serve, env, where / "serve.log"),
            start_process(bare, env, where / "bare.log"),
        ]
        try:
            wait_until_healthy(url, processes[0])
            wait_until_healthy(bare_url, processes[1])
            err.print(
                f"{messages:,} signed {channel} webhooks from {phones} phones at concurrency "
                f"{concurrency}, "
                f"in {_ROUNDS} rounds alternating between the two servers…"
            )
            product, ceiling = _measure_interleaved(
                {"service": (url, processes[0].pid), "bare": (bare_url, processes[1].pid)},
                messages,
                phones,
                concurrency,
                channel,
            ).values()
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=20)
    ratio = round(100 * product["messages_per_second"] / ceiling["messages_per_second"], 1)
    report: dict[str, Any] = {
        "benchmark": "http",
        "channel": channel,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
        },
        "database": "sqlite",
        "concurrency": concurrency,
        "phones": phones,
        "service": product,
        "bare_starlette": ceiling,
        "service_vs_bare_percent": ratio,
        "targets": {
            "min_vs_bare_percent": targets["min_vs_bare"],
            "vs_bare_met": ratio >= targets["min_vs_bare"],
            "max_p99_ms": targets["max_p99_ms"],
            "p99_met": product["p99_ms"] < targets["max_p99_ms"],
        },
    }
    _print(report)
    return report


def _print(report: dict[str, Any]) -> None:
    table = Table(
        "endpoint",
        "msg/s",
        "p50 ms",
        "p99 ms",
        "server CPU µs/msg",
        title=f"Signed Twilio webhooks ({report['channel']})",
    )
    for name, key in (("tremplin serve", "service"), ("bare Starlette", "bare_starlette")):
        figures = report[key]
        table.add_row(
            name,
            f"{figures['messages_per_second']:,}",
            str(figures["p50_ms"]),
            str(figures["p99_ms"]),
            str(figures.get("server_cpu_us_per_message", "?")),
        )
    console = Console()
    console.print(table)
    targets = report["targets"]
    rate_met = "met" if targets["vs_bare_met"] else "NOT met"
    p99_met = "met" if targets["p99_met"] else "NOT met"
    console.print(
        f"Service at {report['service_vs_bare_percent']} % of the bare endpoint "
        f"(target ≥ {targets['min_vs_bare_percent']:.0f} %): {rate_met}; "
        f"p99 {report['service']['p99_ms']} ms (target < {targets['max_p99_ms']:.0f} ms): "
        f"{p99_met}."
    )
