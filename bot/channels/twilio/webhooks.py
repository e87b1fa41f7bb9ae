"""Twilio's webhooks: a request is believed only when its ``X-Twilio-Signature`` matches.

The signature is computed by the twilio library over ``TREMPLIN_PUBLIC_URL`` + path (+ query)
and every posted parameter, never over ``request.url``: behind a proxy or a tunnel the app sees
another scheme, host or port than the URL Twilio called and signed. Nothing is stored before
that check: a bad signature is a 403, a channel without credentials answers 503. Status
callbacks (one route for every Twilio channel) record what became of each message we sent.
"""

import hmac
import logging
import re
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from bot.channels.twilio.rest import UNSUBSCRIBED_ERROR
from bot.delivery.rows import record_delivery_status
from bot.runtime.settings import Settings
from bot.web.request_body import FORM_TYPE, media_type, read_limited_body
from conversations.parsing.phones import to_e164
from storage import utcnow

if TYPE_CHECKING:  # the runtime builds the channels: only its type is needed here
    from bot.runtime.root import Runtime

__all__ = [
    "SID",
    "STATUS_PATH",
    "SignedWebhooks",
    "TwilioForm",
    "e164",
    "media_count",
    "status_route",
]

log = logging.getLogger(__name__)

STATUS_PATH = "/webhooks/twilio/status"
# A Twilio form is a few hundred bytes, plus a body of at most 1,600 characters.
_MAX_FORM_BYTES = 64 * 1024
# Twilio ids are two letters and 32 hex digits (SM…, MM…, CA…); error codes are numbers.
SID = re.compile(r"[A-Za-z0-9]{2,64}")
_ERROR_CODE = re.compile(r"[0-9A-Za-z]{1,16}")


@lru_cache(maxsize=4096)
def e164(number: str) -> str:
    """A sender in E.164 form, as it came when it is not a phone number (a short code).

    Cached: parsing a number costs more than the rest of the request, and the same people write
    again. The same person must be found whatever form Twilio gives, by SMS or WhatsApp."""
    return to_e164(number) or number


def media_count(value: str | None) -> int:
    """A form's ``NumMedia``; 0 when it is missing or not a number."""
    try:
        return max(int(value or 0), 0)
    except ValueError:
        return 0


class TwilioForm(dict[str, str]):
    """A webhook's posted parameters: the last value of each name, as a mapping, and every value
    of repeated names through ``getall`` (the multi-dict protocol that twilio's
    ``RequestValidator`` asks first, so that each value enters the signature)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__(pairs)
        self._pairs = pairs

    def getall(self, name: str) -> list[str]:
        if len(self._pairs) == len(self):  # no name repeated: the common case
            return [self[name]]
        return [value for key, value in self._pairs if key == name]


async def _read_form(request: Request) -> TwilioForm | None:
    """The url-encoded parameters (every value of repeated ones), or None when too large.

    Parsed here rather than with ``request.form()``, which needs python-multipart for nothing
    more than this. Another content type gives no parameters, so its signature cannot match.
    """
    body = await read_limited_body(request, _MAX_FORM_BYTES)
    if body is None:
        return None
    if media_type(request) != FORM_TYPE:
        return TwilioForm([])
    text = body.decode("ascii", errors="replace")
    return TwilioForm(parse_qsl(text, keep_blank_values=True))


class SignedWebhooks:
    """Checks a Twilio webhook and reads its form; ``None`` validator: the channel is off."""

    def __init__(self, settings: Settings, *, enabled: bool, off_reason: str) -> None:
        self.public_url = settings.public_url
        self.validator = RequestValidator(settings.twilio_auth_token) if enabled else None
        self.off_reason = off_reason

    async def form(self, request: Request) -> TwilioForm | Response:
        """The posted parameters if the channel is on and Twilio signed them; else the answer."""
        if self.validator is None:
            return PlainTextResponse(self.off_reason, 503)
        signature = request.headers.get("X-Twilio-Signature")
        if not signature:
            return PlainTextResponse("Missing signature.", 403)
        if not signature.isascii():  # a signature is base64; compare_digest refuses non-ASCII
            return PlainTextResponse("Invalid signature.", 403)
        form = await _read_form(request)
        if form is None:
            return PlainTextResponse("Request too large.", 413)
        # From the ASGI scope rather than ``request.url``, which parses a whole URL to get there.
        scope = request.scope
        url = self.public_url + scope.get("root_path", "") + scope["path"]
        if scope["query_string"]:
            url += "?" + scope["query_string"].decode("latin-1")
        # The exact URL first (one HMAC, the common case); the library's full check, which also
        # tries the URL with and without a port, only when that fails.
        exact = hmac.compare_digest(self.validator.compute_signature(url, form), signature)
        if not exact and not self.validator.validate(url, form, signature):
            log.warning("Twilio webhook with a bad signature refused (%s)", request.url.path)
            return PlainTextResponse("Invalid signature.", 403)
        return form


def status_route(runtime: "Runtime", webhooks: SignedWebhooks, channel: str) -> Route:
    """``POST /webhooks/twilio/status``: a message's delivery status, recorded on its row."""

    def record(sid: str, state: str, error_code: str | None) -> bool:
        with runtime.engine.begin() as connection:
            return record_delivery_status(
                connection,
                channel,
                sid,
                state,
                error_code=error_code,
                opted_out=error_code == UNSUBSCRIBED_ERROR,
                now=utcnow(),
            )

    async def status(request: Request) -> Response:
        form = await webhooks.form(request)
        if isinstance(form, Response):
            return form
        sid = form.get("MessageSid") or form.get("SmsSid")
        state = form.get("MessageStatus") or form.get("SmsStatus")
        if sid and state and SID.fullmatch(sid):
            error_code = form.get("ErrorCode") or None
            if error_code is not None and not _ERROR_CODE.fullmatch(error_code):
                error_code = None
            known = await run_in_threadpool(record, sid, state.lower(), error_code)
            log.info("message %s status %s%s", sid, state, "" if known else " (unknown message)")
        return Response(status_code=204)

    handler: Callable[[Request], Awaitable[Response]] = status
    return Route(STATUS_PATH, handler, methods=["POST"])
