"""The Telegram Bot API through python-telegram-bot's ``Bot``: sending, and fetching files.

Rules of this module:

- ``TELEGRAM_API_BASE_URL`` points the ``Bot`` at a local Bot API server or a test fake: the real
  client code (request encoding, error parsing, 429 ``retry_after``) always runs.
- Sending goes through the outbox worker (``TelegramSender``), at Telegram's pace: at most one
  message a second to a chat and 30 a second in all (``Pacer``). A 429 is retried after the
  ``retry_after`` Telegram gave; "bot was blocked by the user" (and a deleted account) is final
  and opts the candidate out; timeouts and 5xx are retried by the worker's backoff.
- The reason kept in ``outbox.last_error`` names the error kind, never the text or the chat.
- ``Bot`` is asynchronous: the sender owns one event loop, on which its HTTP connections stay
  open between messages; a file is fetched with a client made and closed for it, in the caller's
  loop (photos are rare; connections must not outlive the loop that opened them).
"""

import asyncio
import logging
import os
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

# python-telegram-bot 22 warns on every duration read as a number unless told to use timedeltas,
# which this code does; opting in also keeps its constructor of RetryAfter quiet.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from telegram import Bot, KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest

from bot.channels.contract import DeliveryError, Sent
from bot.runtime.settings import Settings

__all__ = [
    "MAX_DOWNLOAD_BYTES",
    "TELEGRAM_API_URL",
    "Pacer",
    "TelegramSender",
    "delivery_error",
    "open_bot",
    "reply_markup",
]

log = logging.getLogger(__name__)

TELEGRAM_API_URL = "https://api.telegram.org"
#: The Bot API serves files of at most 20 MB to bots.
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024


def _build(
    settings: Settings, timeout: float, poll_timeout: float
) -> tuple[Bot, tuple[HTTPXRequest, HTTPXRequest]]:
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    base = (settings.telegram_api_base_url or TELEGRAM_API_URL).rstrip("/")
    requests = (
        HTTPXRequest(connect_timeout=timeout, read_timeout=timeout, write_timeout=timeout),
        HTTPXRequest(
            connect_timeout=timeout, read_timeout=poll_timeout + timeout, write_timeout=timeout
        ),
    )
    bot = Bot(
        settings.telegram_bot_token,
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=requests[0],
        get_updates_request=requests[1],
    )
    return bot, requests


@asynccontextmanager
async def open_bot(
    settings: Settings, *, timeout: float = 15.0, poll_timeout: float = 0.0
) -> AsyncIterator[Bot]:
    """A ``Bot`` whose connections are opened and closed in the current event loop.

    ``Bot.initialize`` would also call ``getMe``; the requests are opened without it.
    """
    bot, requests = _build(settings, timeout, poll_timeout)
    for request in requests:
        await request.initialize()
    try:
        yield bot
    finally:
        for request in requests:
            await request.shutdown()


def reply_markup(payload: Mapping[str, Any] | None) -> ReplyKeyboardMarkup | ReplyKeyboardRemove:
    """The keyboard an outbox payload describes (telegram_render.py), as python-telegram-bot's."""
    markup = (payload or {}).get("reply_markup") or {"remove_keyboard": True}
    if "keyboard" not in markup:
        return ReplyKeyboardRemove()
    rows = [
        [
            # Only the sharing button says request_contact: the others send no false flag.
            KeyboardButton(button["text"], request_contact=True)
            if button.get("request_contact")
            else KeyboardButton(button["text"])
            for button in row
        ]
        for row in markup["keyboard"]
    ]
    return ReplyKeyboardMarkup(
        rows,
        resize_keyboard=bool(markup.get("resize_keyboard")),
        one_time_keyboard=bool(markup.get("one_time_keyboard")),
    )


class Pacer:
    """Telegram's pace: ``per_chat`` seconds between two messages to one chat, and at most
    ``per_second`` messages in any second. ``clock`` and ``sleep`` are injected for tests."""

    def __init__(
        self,
        *,
        per_chat: float = 1.0,
        per_second: int = 30,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.per_chat = per_chat
        self.per_second = per_second
        self.clock = clock
        self.sleep = sleep
        self._last: dict[str, float] = {}
        self._recent: deque[float] = deque()
        self._lock = threading.Lock()

    def wait(self, chat: str) -> float:
        """Wait until a message may go to ``chat``, and count it; returns the seconds waited."""
        with self._lock:
            now = self.clock()
            while self._recent and self._recent[0] <= now - 1.0:
                self._recent.popleft()
            ready = now
            if chat in self._last:
                ready = max(ready, self._last[chat] + self.per_chat)
            if len(self._recent) >= self.per_second:
                ready = max(ready, self._recent[-self.per_second] + 1.0)
            waited = max(ready - now, 0.0)
            if waited:
                self.sleep(waited)
            self._last[chat] = ready
            self._recent.append(ready)
            if len(self._last) > 10_000:  # forget chats that are past their pause
                self._last = {c: t for c, t in self._last.items() if t > ready - self.per_chat}
            return waited


def delivery_error(error: TelegramError) -> DeliveryError:
    """Sort a Bot API error for the outbox worker."""
    if isinstance(error, RetryAfter):
        wait = error.retry_after
        delay = wait if isinstance(wait, timedelta) else timedelta(seconds=float(wait))
        return DeliveryError("telegram 429 flood control", retryable=True, retry_after=delay)
    if isinstance(error, Forbidden):
        text = error.message.lower()
        gone = "blocked" in text or "deactivated" in text
        reason = "telegram 403 blocked by the user" if gone else "telegram 403 forbidden"
        return DeliveryError(reason, retryable=False, opted_out=gone)
    if isinstance(error, InvalidToken):
        return DeliveryError("telegram token refused", retryable=True)
    if isinstance(error, BadRequest):
        return DeliveryError("telegram 400 bad request", retryable=False)
    if isinstance(error, NetworkError):  # timeouts, 5xx, lost connections
        return DeliveryError(f"telegram {type(error).__name__}", retryable=True)
    return DeliveryError(f"telegram {type(error).__name__}", retryable=False)


class TelegramSender:
    """Sends one message with ``sendMessage``: the ``telegram`` sender of the outbox worker.

    Texts go as plain text (no ``parse_mode``), with the keyboard the payload describes.
    """

    def __init__(
        self, settings: Settings, *, pacer: Pacer | None = None, timeout: float = 15.0
    ) -> None:
        # ``timeout`` stays within the worker's lease, so a hung send never outlives its claim.
        self._bot, self._requests = _build(settings, timeout, 0.0)
        self._pacer = pacer or Pacer()
        self._loop = asyncio.new_event_loop()
        self._lock = threading.Lock()

    def send(self, address: str, body: str, *, payload: Mapping[str, Any] | None = None) -> Sent:
        with self._lock:  # one loop, one message at a time
            self._pacer.wait(address)
            try:
                message = self._loop.run_until_complete(
                    self._bot.send_message(
                        chat_id=int(address), text=body, reply_markup=reply_markup(payload)
                    )
                )
            except TelegramError as error:
                raise delivery_error(error) from None
        return Sent(external_id=str(message.message_id), status="sent")

    def close(self) -> None:
        with self._lock:
            if self._loop.is_closed():
                return
            for request in self._requests:
                self._loop.run_until_complete(request.shutdown())
            self._loop.close()
