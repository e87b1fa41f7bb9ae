"""Group commit for the web: concurrent webhooks share one transaction and one fsync.

Under load, messages arrive faster than one durable commit each can keep up with, and on SQLite
only one writer may work at a time anyway. One thread therefore takes every message waiting when
it is free, handles them in order in one transaction (``ConversationService.handle_many``), commits
once, and only then answers each request. Nothing is acknowledged before it is on disk; a quiet
server handles a lone message at once, without waiting for company.
"""

import asyncio
import queue
import threading
from concurrent.futures import Future

from bot.service import ConversationService, Handled, Inbound

__all__ = ["Inbox"]

_Item = tuple[Inbound, "Future[Handled]"]


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
        future: Future[Handled] = Future()
        self._queue.put((inbound, future))
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=10)

    def _start(self) -> None:
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
        try:
            results = self.service.handle_many([inbound for inbound, _ in batch])
        except Exception as error:  # noqa: BLE001 - the commit failed: every caller hears it
            for _, future in batch:
                future.set_exception(error)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)
