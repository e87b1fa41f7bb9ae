"""A periodic loop on a daemon thread, started and stopped with the process that owns it.

The outbox worker (bot/delivery/worker.py) and the periodic jobs (bot/jobs/housekeeping.py) run
this way
beside ``tremplin serve`` and ``tremplin worker``: one thread each, asked to stop through an event
so that the work in hand finishes first.
"""

import threading
from typing import Protocol

__all__ = ["BackgroundLoop", "Loop"]


class Loop(Protocol):
    """Runs until ``stop`` is set, waiting ``poll_interval`` seconds between rounds."""

    def __call__(self, stop: threading.Event, *, poll_interval: float) -> None: ...


class BackgroundLoop:
    """Runs ``loop`` on a daemon thread named ``thread_name`` between ``start()`` and ``stop()``."""

    def __init__(
        self, loop: Loop, *, poll_interval: float, thread_name: str, already_running: str
    ) -> None:
        self.poll_interval = poll_interval
        self._loop = loop
        self._thread_name = thread_name
        self._already_running = already_running
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(self._already_running)
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._loop,
            args=(self._stop,),
            kwargs={"poll_interval": self.poll_interval},
            name=self._thread_name,
            daemon=True,
        )
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the loop to stop after the round in hand, and wait for it (up to ``timeout``)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
