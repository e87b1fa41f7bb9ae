"""Group commit for the web: concurrent webhooks share one transaction and one fsync.

Under load, messages arrive faster than one durable commit each can keep up with, and on SQLite
only one writer may work at a time anyway. One thread therefore takes every message waiting when
it is free, handles them in order in one transaction (``ConversationService.handle_many``), commits
once, and only then answers each request. Nothing is acknowledged before it is on disk; a quiet
server handles a lone message at once, without waiting for company.

The answers go back to the event loop in one call per batch, not one per message: waking a loop
from another thread is a system call, and settling each request through a chained
``concurrent.futures.Future`` costs more than the request's own routing.
"""

import asyncio
import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol

from bot.channels.contract import Inbound
from bot.conversation.service import ConversationService, Handled

__all__ = ["Inbox", "MessageInbox"]

log = logging.getLogger(__name__)

_Waiter = asyncio.Future[Handled]
_Item = tuple[Inbound, asyncio.AbstractEventLoop, _Waiter]


class MessageInbox(Protocol):
    """The web's way in: this thread's ``Inbox``, or ``writer_process.WriterProcess``."""

    async def handle(self, inbound: Inbound) -> Handled: ...

    def close(self) -> None: ...


class Inbox:
    def __init__(self, service: ConversationService, *, max_batch: int = 64) -> None:
        self.service = service
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    async def handle(self, inbound: Inbound) -> Handled:
        """Handle one message; returns once it and its replies are committed."""
        self._start()
        loop = asyncio.get_running_loop()
        waiter: _Waiter = loop.create_future()
        self._queue.put((inbound, loop, waiter))
        return await waiter

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=10)

    def _start(self) -> None:
        if self._thread is not None:  # started: no lock on the way of every message
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="inbox", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)  # finish this batch, then stop
                    break
                batch.append(item)
            self._deliver(batch)

    def _deliver(self, batch: list[_Item]) -> None:
        outcomes: Sequence[Handled | BaseException]
        try:
            outcomes = self.service.handle_many([inbound for inbound, _, _ in batch])
        except Exception as error:  # noqa: BLE001 - the commit failed: every caller hears it
            outcomes = [error] * len(batch)
        # Usually one loop (one web process, one thread); tests may drive several.
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Waiter, Handled | BaseException]]]
        by_loop = defaultdict(list)
        for (_, loop, waiter), outcome in zip(batch, outcomes, strict=True):
            by_loop[loop].append((waiter, outcome))
        for loop, settled in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, settled)
            except RuntimeError:  # the loop was closed meanwhile: nobody is waiting any more
                log.debug("an event loop closed before its %d answers came back", len(settled))


def _settle(settled: list[tuple[_Waiter, Handled | BaseException]]) -> None:
    """On the event loop: give each waiting request its outcome (unless it gave up waiting)."""
    for waiter, outcome in settled:
        if waiter.done():  # cancelled: the client went away; its message is stored all the same
            continue
        if isinstance(outcome, BaseException):
            waiter.set_exception(outcome)
        else:
            waiter.set_result(outcome)
