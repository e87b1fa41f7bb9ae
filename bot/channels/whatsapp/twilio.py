"""WhatsApp over Twilio's Messages API: signed webhooks in, the outbox and the REST API out.

Rules of this module (those of SMS, bot/channels/sms/twilio.py, plus WhatsApp's own):

- A webhook is believed only when its ``X-Twilio-Signature`` matches, over
  ``TREMPLIN_PUBLIC_URL`` + path; nothing is stored before. Without settings WhatsApp is off:
  its webhooks answer 503 and ``tremplin serve`` says so once.
- ``From`` is ``whatsapp:+E164``: the address kept is the bare E.164 number, the same as the
  person's SMS number, so that both are one candidate (the service's ``network`` rule).
- A button or list row pressed comes as ``ButtonPayload``/``ListId``: the number it stands for.
- A photo is fetched from Twilio with the account's credentials (only from Twilio's API, never
  from an address the form names elsewhere), at the photo question only, then checked, made a
  new JPEG without EXIF, and stored in the message's transaction (bot/conversation/media.py).
  A voice note is fetched and kept for the coach. Twilio unreachable: 503, Twilio retries.
- Replies go through the outbox; the sender adds ``whatsapp:`` to both numbers, sends buttons
  and lists as Content templates when their Content sid is configured (numbered text otherwise),
  and templates outside the 24-hour window (bot/channels/whatsapp/templates.py).
- Status callbacks are signed and recorded; a refusal is sorted (``delivery_error``) and taken
  over by the courier (bot/delivery/courier.py).
- Bodies and phone numbers are personal data: nothing here logs them above debug level.
"""

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from twilio.base.exceptions import TwilioException
from twilio.twiml.messaging_response import MessagingResponse

from bot.channels.contract import DeliveryError, Inbound, Sent
from bot.channels.twilio.rest import (
    TWILIO_API_URL,
    UNSUBSCRIBED_ERROR,
    delivery_error,
    rest_client,
    unreachable,
)
from bot.channels.twilio.webhooks import SID, SignedWebhooks, e164, media_count
from bot.conversation.media import (
    MAX_PHOTO_BYTES,
    UnusablePhotoError,
    current_step,
    prepare_photo,
    voice_note,
)
from bot.delivery.rows import record_delivery_status
from bot.runtime.settings import Settings
from conversations.events import Capabilities, Event, MediaReceived, PhotoReceived, TextReceived
from storage import tables

if TYPE_CHECKING:  # the runtime builds the channels: only its type is needed here
    from bot.runtime.root import Runtime

__all__ = [
    "CHANNEL",
    "OUTSIDE_WINDOW_ERROR",
    "RATE_ERROR",
    "STATUS_PATH",
    "UNREACHABLE_ERRORS",
    "WHATSAPP_CAPABILITIES",
    "WHATSAPP_OFF_MESSAGE",
    "WHATSAPP_PATH",
    "MediaToFetch",
    "WhatsAppSender",
    "sort_error",
    "to_inbound",
    "whatsapp_enabled",
    "whatsapp_routes",
]

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
WHATSAPP_PATH = "/webhooks/twilio/whatsapp"
STATUS_PATH = "/webhooks/twilio/whatsapp/status"
WHATSAPP_OFF_MESSAGE = (
    "WhatsApp is off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_WHATSAPP_FROM or "
    "TWILIO_WHATSAPP_MESSAGING_SERVICE_SID to turn it on (docs/whatsapp.md; until then "
    f"{WHATSAPP_PATH} answers 503)."
)
WHATSAPP_CAPABILITIES = Capabilities(send_photo=True, buttons=True, knows_phone=True)
#: Twilio's WhatsApp errors the product acts on (docs/whatsapp.md).
OUTSIDE_WINDOW_ERROR = "63016"
UNREACHABLE_ERRORS = frozenset({"63003", "63024"})
RATE_ERROR = "63018"
_RATE_WAIT = timedelta(seconds=30)
_PREFIX = "whatsapp:"
SMS_CHANNEL = "sms"
_MAX_ADDRESS = 128
_MAX_VOICE_BYTES = 16 * 1024 * 1024  # WhatsApp's own limit on audio
_PHOTO_STEP = "photo"
_EMPTY_TWIML = str(MessagingResponse())
_TWIML = "text/xml"


def whatsapp_enabled(settings: Settings) -> bool:
    return bool(
        settings.twilio_account_sid
        and settings.twilio_auth_token
        and (settings.twilio_whatsapp_from or settings.twilio_whatsapp_messaging_service_sid)
    )


# Inbound ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MediaToFetch:
    kind: str
    """``photo`` or ``voice``."""
    url: str
    content_type: str


def to_inbound(form: Mapping[str, str]) -> tuple[Inbound, MediaToFetch | None]:
    """The ``Inbound`` of a Twilio WhatsApp webhook form, and the file to fetch with it.

    Pure: no I/O. Raises ``ValueError`` for a form no WhatsApp message makes (no ``From``, a
    ``From`` without ``whatsapp:``, an id Twilio never sends).
    """
    sender = form.get("From", "").strip()
    if not sender.lower().startswith(_PREFIX):
        raise ValueError("the From is not a WhatsApp address")
    number = sender[len(_PREFIX) :].strip()
    if not number or len(number) > _MAX_ADDRESS or not number.isprintable():
        raise ValueError("the From is not an address")
    sid = form.get("MessageSid") or None
    if sid is not None and not SID.fullmatch(sid):
        raise ValueError("the MessageSid is not a Twilio id")
    caps = WHATSAPP_CAPABILITIES
    # A button or a list row pressed: its id is the choice's number (render.py).
    pressed = (form.get("ButtonPayload") or form.get("ListId") or "").strip()
    body = pressed if pressed.isdigit() else form.get("Body", "")
    event: Event = TextReceived(body, caps)
    fetch: MediaToFetch | None = None
    if media_count(form.get("NumMedia")) and not body.strip():
        content_type = form.get("MediaContentType0", "").strip().lower()
        kind = content_type.partition("/")[0] or "media"
        url = form.get("MediaUrl0", "")
        event = MediaReceived("photo" if kind == "image" else kind, caps)
        if kind == "image" and url:
            fetch = MediaToFetch("photo", url, content_type)
        elif kind == "audio" and url:
            event = MediaReceived("voice", caps)
            fetch = MediaToFetch("voice", url, content_type)
    return Inbound(channel=CHANNEL, address=e164(number), event=event, external_id=sid), fetch


class MediaFetchError(RuntimeError):
    """Twilio could not give us the file just now: the webhook is to come again."""


def _fetch_media(settings: Settings, url: str, limit: int) -> bytes | None:
    """A file Twilio holds for us, with the account's credentials; None when refused or too
    large; raises ``MediaFetchError`` when Twilio cannot be reached."""
    base = (settings.twilio_api_base_url or TWILIO_API_URL).rstrip("/")
    if url.startswith(TWILIO_API_URL) and base != TWILIO_API_URL:
        url = base + url[len(TWILIO_API_URL) :]
    if not url.startswith(base + "/"):
        log.warning("a WhatsApp media URL outside Twilio's API was not fetched")
        return None
    auth = (settings.twilio_account_sid or "", settings.twilio_auth_token or "")
    try:
        with (
            httpx.Client(auth=auth, follow_redirects=True, timeout=15.0) as client,
            client.stream("GET", url) as answer,
        ):
            if answer.status_code >= 500:
                raise MediaFetchError(f"twilio {answer.status_code}")
            if answer.status_code != 200:
                log.info("twilio refused a media file: %s", answer.status_code)
                return None
            data = bytearray()
            for chunk in answer.iter_bytes():
                data += chunk
                if len(data) > limit:
                    return None
    except httpx.HTTPError as error:
        raise MediaFetchError(type(error).__name__) from None
    return bytes(data)


async def _with_media(runtime: "Runtime", inbound: Inbound, fetch: MediaToFetch | None) -> Inbound:
    if fetch is None:
        return inbound
    settings = runtime.settings
    if fetch.kind == "voice":
        data = await run_in_threadpool(_fetch_media, settings, fetch.url, _MAX_VOICE_BYTES)
        if data is None:
            return inbound
        return replace(inbound, media=voice_note(data, fetch.content_type))
    # Before its first WhatsApp message, a person who started by SMS is known by SMS only.
    channels = (CHANNEL, SMS_CHANNEL)
    step = await run_in_threadpool(current_step, runtime.engine, channels, inbound.address)
    if step != _PHOTO_STEP:
        return inbound  # not asked for: not downloaded; the engine says so kindly
    data = await run_in_threadpool(_fetch_media, settings, fetch.url, MAX_PHOTO_BYTES)
    if data is None:
        return inbound
    try:
        photo = await run_in_threadpool(prepare_photo, data)
    except UnusablePhotoError as refused:
        log.info("a WhatsApp photo was refused: %s", refused)
        return inbound
    return replace(inbound, event=PhotoReceived(photo.id, WHATSAPP_CAPABILITIES), media=photo)


def whatsapp_routes(runtime: "Runtime") -> list[BaseRoute]:
    """The WhatsApp webhook and its status callbacks."""
    webhooks = SignedWebhooks(
        runtime.settings,
        enabled=whatsapp_enabled(runtime.settings),
        off_reason="WhatsApp is not configured on this server.",
    )

    async def message(request: Request) -> Response:
        form = await webhooks.form(request)
        if isinstance(form, Response):
            return form
        try:
            inbound, fetch = to_inbound(form)
        except ValueError:
            return PlainTextResponse("No WhatsApp sender, or a malformed one.", 400)
        try:
            inbound = await _with_media(runtime, inbound, fetch)
        except MediaFetchError as error:
            log.warning("whatsapp %s: media unavailable (%s)", inbound.external_id, error)
            return PlainTextResponse("Media unavailable; try again.", 503)
        handled = await runtime.inbox.handle(inbound)
        log.info(
            "whatsapp %s handled: %s",
            inbound.external_id,
            "duplicate" if handled.duplicate else f"{len(handled.outbox_ids)} replies queued",
        )
        return Response(_EMPTY_TWIML, media_type=_TWIML)

    async def status(request: Request) -> Response:
        form = await webhooks.form(request)
        if isinstance(form, Response):
            return form
        sid = form.get("MessageSid") or ""
        state = (form.get("MessageStatus") or "").lower()
        code = (form.get("ErrorCode") or "").strip() or None
        if SID.fullmatch(sid) and state:
            if code is not None and not code.isdigit():
                code = None
            outcome = await run_in_threadpool(_record_status, runtime, sid, state, code)
            log.info("whatsapp message %s status %s (%s)", sid, state, outcome)
        return Response(status_code=204)

    return [
        Route(WHATSAPP_PATH, message, methods=["POST"]),
        Route(STATUS_PATH, status, methods=["POST"]),
    ]


_messages = tables.messages
_outbox = tables.outbox
_candidates = tables.candidates


def _record_status(runtime: "Runtime", sid: str, state: str, code: str | None) -> str:
    """Record a status callback; a refusal is taken over by the courier. What happened, for
    the log (no personal data)."""
    now = runtime.service.clock()
    with runtime.engine.begin() as connection:
        known = record_delivery_status(
            connection,
            CHANNEL,
            sid,
            state,
            error_code=code,
            opted_out=code == UNSUBSCRIBED_ERROR,
            now=now,
        )
        if not known or state not in ("failed", "undelivered") or code is None:
            return "recorded" if known else "unknown message"
        row = connection.execute(
            select(_outbox.c.id, _outbox.c.attempts, _candidates.c.locale)
            .join(_candidates, _candidates.c.id == _outbox.c.candidate_id)
            .where(_outbox.c.channel == CHANNEL, _outbox.c.external_id == sid)
        ).first()
        if row is None:
            return "recorded"
        error = sort_error(code)
        if error.window_closed or error.unusable:
            return runtime.courier.reroute(
                connection,
                row.id,
                window_closed=error.window_closed,
                reason=f"whatsapp {code}",
                locale=row.locale,
                now=now,
            )
        if code == RATE_ERROR:
            # Accepted, then refused for the pace: the same row goes again after a wait.
            wait = _RATE_WAIT * (2 ** min(row.attempts, 5))
            connection.execute(
                _outbox.update()
                .where(_outbox.c.id == row.id)
                .values(
                    status="pending",
                    external_id=None,
                    attempts=row.attempts + 1,
                    next_attempt_at=now + wait,
                    last_error=f"whatsapp {code}",
                )
            )
            return f"retry in {wait}"
        connection.execute(
            _outbox.update()
            .where(_outbox.c.id == row.id)
            .values(status="failed", last_error=f"whatsapp {code}")
        )
        return "failed"


# Outbound --------------------------------------------------------------------------------------
def sort_error(code: str | None, *, status: int | None = None) -> DeliveryError:
    """What a WhatsApp error code means for the outbox."""
    reason = f"whatsapp {code}" if status is None else f"twilio {status} error {code}"
    if code == OUTSIDE_WINDOW_ERROR:
        return DeliveryError(reason, retryable=False, code=code, window_closed=True)
    if code in UNREACHABLE_ERRORS:
        return DeliveryError(reason, retryable=False, code=code, unusable=True)
    if code == RATE_ERROR:
        return DeliveryError(reason, retryable=True, code=code, retry_after=_RATE_WAIT)
    if code == UNSUBSCRIBED_ERROR:
        return DeliveryError(reason, retryable=False, code=code, opted_out=True)
    retryable = status is None or status >= 500 or status == 429
    return DeliveryError(reason, retryable=retryable, code=code)


class WhatsAppSender:
    """Sends one WhatsApp message with the Twilio REST API: the ``whatsapp`` sender of the
    outbox worker."""

    def __init__(self, settings: Settings, *, timeout: float = 15.0) -> None:
        if not whatsapp_enabled(settings):
            raise ValueError(WHATSAPP_OFF_MESSAGE)
        self._client = rest_client(settings, timeout=timeout)
        self._origin: dict[str, str] = (
            {"messaging_service_sid": settings.twilio_whatsapp_messaging_service_sid}
            if settings.twilio_whatsapp_messaging_service_sid
            else {"from_": _PREFIX + (settings.twilio_whatsapp_from or "").removeprefix(_PREFIX)}
        )
        self._content = dict(settings.twilio_whatsapp_content_sids)
        self._status_callback = settings.public_url + STATUS_PATH

    def content(self, body: str, payload: Mapping[str, Any] | None) -> dict[str, Any]:
        """The message's parameters: a template, an interactive Content template, or a body."""
        template = (payload or {}).get("template")
        if template:
            return {
                "content_sid": template["content_sid"],
                "content_variables": json.dumps(template.get("variables") or {}),
            }
        interactive = (payload or {}).get("interactive")
        if interactive:
            options = interactive["options"]
            sid = self._content.get(f"{interactive['kind']}_{len(options)}")
            if sid is not None:
                variables = {"1": interactive["body"]}
                offset = 2
                if interactive["kind"] == "list":
                    variables["2"] = interactive["button"]
                    offset = 3
                for index, option in enumerate(options):
                    variables[str(index + offset)] = option["title"]
                return {"content_sid": sid, "content_variables": json.dumps(variables)}
        return {"body": body}

    def send(self, address: str, body: str, *, payload: Mapping[str, Any] | None = None) -> Sent:
        try:
            message = self._client.messages.create(
                to=_PREFIX + address,
                status_callback=self._status_callback,
                **self._origin,
                **self.content(body, payload),
            )
        except TwilioException as error:
            code = getattr(error, "code", None)
            status = getattr(error, "status", None)
            if isinstance(status, int) and code is not None:
                raise sort_error(str(code), status=status) from None
            raise delivery_error(error) from None
        except OSError as error:
            raise unreachable(error) from None
        return Sent(external_id=message.sid, status=message.status)
