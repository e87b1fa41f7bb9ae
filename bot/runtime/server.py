"""The long-running processes: ``tremplin serve`` (web app + in-process delivery) and
``tremplin worker`` (delivery alone, for deployments that run web and worker apart).

Both migrate the schema first (``open_runtime``) and build the same sender registry, so a message
goes out the same way whichever process sends it.
"""

import ipaddress
import signal
import sys
import threading
from collections.abc import Callable
from datetime import timedelta
from types import FrameType

import uvicorn

from bot.channels import registry
from bot.channels.contract import Sender
from bot.channels.sms.twilio import public_url_warning
from bot.channels.voice.recordings import delete_forgotten_recordings
from bot.coach.setup import prepare_workspace
from bot.delivery.worker import BackgroundWorker, OutboxWorker, send_timeout
from bot.jobs.housekeeping import start_housekeeping
from bot.public_cv.pdf import pdf_support
from bot.runtime.root import Runtime, open_runtime
from bot.runtime.settings import DEFAULT_PUBLIC_URL, Settings
from bot.web.app import create_app

__all__ = ["is_loopback", "run_worker", "senders_for", "serve", "worker_lease"]


def senders_for(settings: Settings) -> dict[str, Sender]:
    """The channels the outbox worker delivers, each with its sender (only those configured)."""
    return registry.senders(settings, timeout=send_timeout(worker_lease(settings)))


def worker_lease(settings: Settings) -> timedelta:
    """How long a claimed outbox row belongs to its worker (``TREMPLIN_WORKER_LEASE_SECONDS``)."""
    return timedelta(seconds=settings.worker_lease_seconds)


def _announce_channels(settings: Settings) -> None:
    """Say once, at start, which channels are off and why (docs/deployment.md: settings)."""
    for message in registry.off_messages(settings):
        print(message, flush=True)
    warning = public_url_warning(settings)
    if warning is not None:
        print(warning, flush=True)
    missing = pdf_support()
    if missing is not None:
        print(f"Public CVs are served without their PDF. {missing}", flush=True)


def is_loopback(host: str) -> bool:
    """The simulator is on by itself only where nobody else can reach it."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    settings: Settings,
    *,
    host: str,
    port: int,
    worker: bool,
    simulator: bool = False,
    demo: bool = False,
) -> int:
    # The conversation writer in a process of its own: the web's event loop and the engine do
    # not share one interpreter lock (bot/conversation/writer_process.py).
    runtime = open_runtime(settings, writer_process=True)
    # Without a public URL of its own, the address to print is the one this server listens on.
    local = f"http://{host}:{port}"
    base_url = local if settings.public_url == DEFAULT_PUBLIC_URL else settings.public_url
    for line in prepare_workspace(runtime, demo=demo, base_url=base_url):
        print(line, flush=True)
    simulator = simulator or is_loopback(host)
    _announce_channels(settings)
    senders = senders_for(settings)
    background = None
    # Reminders and the retention purge run where delivery runs (bot/jobs/housekeeping.py).
    housekeeping = start_housekeeping(runtime, recordings=_recordings(runtime)) if worker else None
    if worker and senders:
        lease = worker_lease(settings)
        background = BackgroundWorker(
            OutboxWorker(runtime.engine, senders, lease=lease, courier=runtime.courier)
        )
        background.start()
    elif not worker and senders:
        print("Outbox delivery is off here (--no-worker): run `tremplin worker` too.", flush=True)
    print(f"Tremplin is listening on http://{host}:{port}  (health: /healthz)", flush=True)
    if simulator:
        print(f"Phone simulator: http://{host}:{port}/simulator", flush=True)
    app = create_app(runtime, simulator=simulator)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        if background is not None:
            background.stop()
        if housekeeping is not None:
            housekeeping.stop()
        runtime.close()
    return 0


def run_worker(settings: Settings, *, poll_interval: float = 1.0) -> int:
    """Deliver the outbox in the foreground until Ctrl-C (or SIGTERM), then stop cleanly.

    The signals only ask the loop to stop, so the message in hand is sent and recorded first.
    """
    runtime = open_runtime(settings)
    try:
        senders = senders_for(settings)
        if not senders:
            why = " ".join(registry.off_messages(settings))
            print(f"Nothing to deliver. {why}", file=sys.stderr)
            return 1
        warning = public_url_warning(settings)
        if warning is not None:
            print(warning, file=sys.stderr)
        stop = threading.Event()
        restore = _stop_on_signals(stop)
        print(f"Delivering the outbox ({', '.join(sorted(senders))}). Ctrl-C to stop.", flush=True)
        # Reminders, retention and recordings to delete, beside delivery.
        housekeeping = start_housekeeping(runtime, recordings=_recordings(runtime))
        try:
            worker = OutboxWorker(
                runtime.engine, senders, lease=worker_lease(settings), courier=runtime.courier
            )
            worker.run(stop, poll_interval=poll_interval)
        finally:
            restore()
            housekeeping.stop()
        print("Stopped.", flush=True)
        return 0
    finally:
        runtime.close()


def _stop_on_signals(stop: threading.Event) -> Callable[[], None]:
    """Make SIGINT and SIGTERM set ``stop``; returns what puts the previous handlers back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # signals can only be handled on the main thread

    def handler(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


def _recordings(runtime: Runtime) -> Callable[[], int]:
    """The job deleting at Twilio the call recordings of people erased (bot/channels/voice)."""

    def delete() -> int:
        return delete_forgotten_recordings(runtime.engine, runtime.settings)

    return delete
