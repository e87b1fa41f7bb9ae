"""Telegram updates in: the webhook, and the handling it shares with long polling.

Rules of this module:

- An update is believed only when its ``X-Telegram-Bot-Api-Secret-Token`` header equals
  ``TELEGRAM_WEBHOOK_SECRET`` (``hmac.compare_digest``): anything else is a 403 and nothing is
  stored. Without Telegram settings the webhook answers 503 (``tremplin serve`` says why once).
- Updates are parsed by python-telegram-bot (``Update.de_json``); what is not a conversation
  message is answered 200 and forgotten, so Telegram does not retry it.
- A photo at the photo question is fetched (``getFile`` then the download) and prepared before
  the message's transaction, never inside it; elsewhere it is not even downloaded. A voice note
  is fetched to be kept for the coach. If Telegram cannot be reached for the file, the webhook
  answers 503 and Telegram sends the update again later: nothing is lost.
- Replies are not in the webhook's answer: they are in the outbox, saved with the answer, and
  the worker sends them at Telegram's pace.
- Chat ids and texts are personal data: only update ids are logged above debug level.
"""

import hmac
import json
import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Update
from telegram.error import BadRequest, TelegramError

from bot.channels.contract import Inbound
from bot.channels.telegram.api import MAX_DOWNLOAD_BYTES, open_bot
from bot.channels.telegram.updates import (
    CHANNEL,
    TELEGRAM_CAPABILITIES,
    WEBHOOK_PATH,
    FileToFetch,
    Received,
    telegram_enabled,
    to_inbound,
)
from bot.conversation.media import (
    MAX_PHOTO_BYTES,
    UnusablePhotoError,
    current_step,
    prepare_photo,
    voice_note,
)
from bot.runtime.settings import Settings
from bot.web.request_body import read_limited_body
from conversations.events import MediaReceived, PhotoReceived

if TYPE_CHECKING:  # the runtime builds the channels: only its type is needed here
    from bot.runtime.root import Runtime

__all__ = [
    "SECRET_HEADER",
    "FileFetchError",
    "handle_update",
    "telegram_routes",
]

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
# An update is a few kilobytes; a long text with its entities stays far below this.
_MAX_BODY_BYTES = 1024 * 1024
_PHOTO_STEP = "photo"


class FileFetchError(RuntimeError):
    """Telegram could not give us a file just now: the update is to be handled again later."""


async def handle_update(runtime: "Runtime", update: Update) -> str:
    """Handle one update end to end; returns ``ignored``, ``duplicate`` or ``handled``.

    The webhook and ``tremplin telegram poll`` both come here. Raises ``FileFetchError``.
    """
    received = to_inbound(update)
    if received is None:
        log.debug("update %s ignored (not a private chat message)", update.update_id)
        return "ignored"
    inbound = await _with_file(runtime, received)
    handled = await runtime.inbox.handle(inbound)
    log.info(
        "telegram update %s handled: %s",
        update.update_id,
        "duplicate" if handled.duplicate else f"{len(handled.outbox_ids)} replies queued",
    )
    return "duplicate" if handled.duplicate else "handled"


async def _with_file(runtime: "Runtime", received: Received) -> Inbound:
    inbound, fetch = received.inbound, received.fetch
    if fetch is None:
        return inbound
    caps = TELEGRAM_CAPABILITIES
    if fetch.kind == "voice":
        data = await _fetch(runtime.settings, fetch, MAX_DOWNLOAD_BYTES)
        if data is None:
            return inbound
        media = voice_note(data, fetch.content_type)
        return replace(inbound, event=MediaReceived("voice", caps), media=media)
    step = await run_in_threadpool(current_step, runtime.engine, (CHANNEL,), inbound.address)
    if step != _PHOTO_STEP:
        return inbound  # not asked for: not downloaded, not kept; the engine says so kindly
    data = await _fetch(runtime.settings, fetch, MAX_PHOTO_BYTES)
    if data is None:
        return inbound
    try:
        photo = await run_in_threadpool(prepare_photo, data)
    except UnusablePhotoError as refused:
        log.info("a photo was refused: %s", refused)
        return inbound
    return replace(inbound, event=PhotoReceived(photo.id, caps), media=photo)


async def _fetch(settings: Settings, fetch: FileToFetch, limit: int) -> bytes | None:
    """The file's bytes; None when it is too large or Telegram refuses it; raises
    ``FileFetchError`` when Telegram cannot be reached (the update will come again)."""
    if fetch.size is not None and fetch.size > limit:
        return None
    try:
        async with open_bot(settings) as bot:
            file = await bot.get_file(fetch.file_id)
            if file.file_size is not None and file.file_size > limit:
                return None
            data = bytes(await file.download_as_bytearray())
    except BadRequest as error:  # "file is too big", an unknown file id
        log.info("telegram refused a %s: %s", fetch.kind, error.message)
        return None
    except (TelegramError, OSError) as error:
        raise FileFetchError(type(error).__name__) from None
    return data if len(data) <= limit else None


def telegram_routes(runtime: "Runtime") -> list[BaseRoute]:
    settings = runtime.settings
    secret = (settings.telegram_webhook_secret or "").encode()

    async def webhook(request: Request) -> Response:
        if not telegram_enabled(settings):
            return PlainTextResponse("Telegram is not configured on this server.", 503)
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, secret):
            log.warning("Telegram webhook with a wrong secret token refused")
            return PlainTextResponse("Invalid secret token.", 403)
        body = await read_limited_body(request, _MAX_BODY_BYTES)
        if body is None:
            return PlainTextResponse("Request too large.", 413)
        try:
            data = json.loads(body)
            update = Update.de_json(data, None) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError):
            update = None
        if update is None:
            return PlainTextResponse("Not a Telegram update.", 400)
        try:
            outcome = await handle_update(runtime, update)
        except FileFetchError as error:
            log.warning("telegram update %s: file unavailable (%s)", update.update_id, error)
            return PlainTextResponse("Telegram file unavailable; try again.", 503)
        return JSONResponse({"ok": True, "outcome": outcome})

    return [Route(WEBHOOK_PATH, webhook, methods=["POST"])]
