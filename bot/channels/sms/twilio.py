"""SMS over Twilio: signed webhooks in, REST API deliveries out (through the outbox worker).

Rules of this module:

- A webhook is believed only when its ``X-Twilio-Signature`` matches, computed by the twilio
  library over ``TREMPLIN_PUBLIC_URL`` + path (+ query) and every posted parameter. Never over
  ``request.url``: behind a proxy or a tunnel the app sees another scheme, host or port than the
  URL Twilio called and signed. Nothing is stored before that check: a bad signature is a 403.
- Without credentials SMS is off: the webhooks answer 503 and ``tremplin serve`` says so once.
- Replies never go in the TwiML answer, which stays an empty ``<Response/>``: they are already in
  the outbox, saved with the answer, and the worker sends them with retries and opt-out checks.
  A retried webhook (same ``MessageSid``) is deduplicated by the service and gets the same answer.
- Bodies and phone numbers are personal data: nothing here logs them above debug level.
"""

import hmac
import logging
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse

from bot.channels.contract import DeliveryError, Inbound, Sent
from bot.delivery.rows import record_delivery_status
from bot.runtime.settings import Settings
from bot.web.request_body import FORM_TYPE, media_type, read_limited_body
from conversations.events import Event, MediaReceived, TextReceived
from conversations.parsing.phones import to_e164
from storage import utcnow

if TYPE_CHECKING:  # the runtime builds the channels: only its type is needed here
    from bot.runtime.root import Runtime

__all__ = [
    "CHANNEL",
    "SMS_OFF_MESSAGE",
    "SMS_PATH",
    "STATUS_PATH",
    "TWILIO_API_URL",
    "UNSUBSCRIBED_ERROR",
    "TwilioForm",
    "TwilioSender",
    "public_url_warning",
    "sms_enabled",
    "to_inbound",
    "twilio_routes",
]

log = logging.getLogger(__name__)

CHANNEL = "sms"
SMS_PATH = "/webhooks/twilio/sms"
STATUS_PATH = "/webhooks/twilio/status"
TWILIO_API_URL = "https://api.twilio.com"
#: Twilio error "Attempt to send to unsubscribed recipient": the person texted STOP to the carrier.
UNSUBSCRIBED_ERROR = "21610"
SMS_OFF_MESSAGE = (
    "SMS is off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM or "
    "TWILIO_MESSAGING_SERVICE_SID to turn it on (until then /webhooks/twilio/* answer 503)."
)
# A Twilio form is a few hundred bytes, plus a body of at most 1,600 characters.
_MAX_FORM_BYTES = 64 * 1024
# Twilio ids are two letters and 32 hex digits (SM…, MM…); error codes are numbers.
_SID = re.compile(r"[A-Za-z0-9]{2,64}")
_ERROR_CODE = re.compile(r"[0-9A-Za-z]{1,16}")
_MAX_ADDRESS = 128  # channel_identities.address
_TWIML = "text/xml"
# The answer to every inbound SMS (replies go through the outbox): built once, not per request.
_EMPTY_TWIML = str(MessagingResponse())


def sms_enabled(settings: Settings) -> bool:
    """SMS is on when Twilio credentials and a sender (a number or a messaging service) are set."""
    return bool(
        settings.twilio_account_sid
        and settings.twilio_auth_token
        and (settings.twilio_from or settings.twilio_messaging_service_sid)
    )


# Inbound ---------------------------------------------------------------------------------------
def to_inbound(form: Mapping[str, str]) -> Inbound:
    """The ``Inbound`` of a Twilio SMS/MMS webhook form. Pure: no I/O, no settings.

    Text is the answer; media alone (an MMS photo, a voice note) becomes ``MediaReceived`` with
    its main type, which the engine answers kindly; media sent with text is left aside: the text
    wins. The sender is put in E.164 form when it is a phone number (the same person must be
    found whatever form Twilio gives), kept as it came otherwise (a short code, ``whatsapp:…``).
    Raises ``ValueError`` when the form names no sender, or a sender or id Twilio never sends.
    """
    sender = form.get("From", "").strip()
    if not sender:
        raise ValueError("the form has no From")
    # Never from Twilio, but a forged or broken form must not reach the database as a 500:
    # PostgreSQL text holds no NUL, and addresses and ids have bounded columns.
    if len(sender) > _MAX_ADDRESS or not sender.isprintable():
        raise ValueError("the From is not an address")
    sid = form.get("MessageSid") or None
    if sid is not None and not _SID.fullmatch(sid):
        raise ValueError("the MessageSid is not a Twilio id")
    body = form.get("Body", "")
    media = _count(form.get("NumMedia"))
    event: Event
    if media and not body.strip():
        kind = form.get("MediaContentType0", "").partition("/")[0].strip().lower()
        event = MediaReceived(kind=kind or "media")
    else:
        if media:
            log.debug("an SMS came with %d media: the text is kept, the media left aside", media)
        event = TextReceived(body)
    # "whatsapp:+33…" and other channel addresses stay whole: a reply must go back the same way.
    address = sender if ":" in sender else _e164(sender)
    return Inbound(
        channel=CHANNEL,
        address=address,
        event=event,
        external_id=sid,
    )


@lru_cache(maxsize=4096)
def _e164(sender: str) -> str:
    # Parsing a number costs more than the rest of the request; the same people write again.
    return to_e164(sender) or sender


def _count(value: str | None) -> int:
    try:
        return max(int(value or 0), 0)
    except ValueError:
        return 0


def twilio_routes(runtime: "Runtime") -> list[BaseRoute]:
    """The two webhooks: inbound messages and delivery status callbacks."""
    settings = runtime.settings
    validator = RequestValidator(settings.twilio_auth_token) if sms_enabled(settings) else None

    async def signed_form(request: Request) -> "TwilioForm | Response":
        """The posted parameters if SMS is on and Twilio signed them; else the error to answer."""
        if validator is None:
            return PlainTextResponse("SMS is not configured on this server.", 503)
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
        url = settings.public_url + scope.get("root_path", "") + scope["path"]
        if scope["query_string"]:
            url += "?" + scope["query_string"].decode("latin-1")
        # The exact URL first (one HMAC, the common case); the library's full check, which also
        # tries the URL with and without a port, only when that fails.
        exact = hmac.compare_digest(validator.compute_signature(url, form), signature)
        if not exact and not validator.validate(url, form, signature):
            log.warning("Twilio webhook with a bad signature refused (%s)", request.url.path)
            return PlainTextResponse("Invalid signature.", 403)
        return form

    async def sms(request: Request) -> Response:
        form = await signed_form(request)
        if isinstance(form, Response):
            return form
        try:
            inbound = to_inbound(form)
        except ValueError:
            return PlainTextResponse("No sender, or a malformed one.", 400)
        handled = await runtime.inbox.handle(inbound)
        log.info(
            "SMS %s handled: %s",
            inbound.external_id,
            "duplicate" if handled.duplicate else f"{len(handled.outbox_ids)} replies queued",
        )
        return Response(_EMPTY_TWIML, media_type=_TWIML)

    async def status(request: Request) -> Response:
        form = await signed_form(request)
        if isinstance(form, Response):
            return form
        sid = form.get("MessageSid") or form.get("SmsSid")
        state = form.get("MessageStatus") or form.get("SmsStatus")
        if sid and state and _SID.fullmatch(sid):
            error_code = form.get("ErrorCode") or None
            if error_code is not None and not _ERROR_CODE.fullmatch(error_code):
                error_code = None
            known = await run_in_threadpool(_record_status, runtime, sid, state.lower(), error_code)
            log.info("SMS %s status %s%s", sid, state, "" if known else " (unknown message)")
        return Response(status_code=204)

    return [
        Route(SMS_PATH, sms, methods=["POST"]),
        Route(STATUS_PATH, status, methods=["POST"]),
    ]


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


def _record_status(runtime: "Runtime", sid: str, state: str, error_code: str | None) -> bool:
    with runtime.engine.begin() as connection:
        return record_delivery_status(
            connection,
            CHANNEL,
            sid,
            state,
            error_code=error_code,
            opted_out=error_code == UNSUBSCRIBED_ERROR,
            now=utcnow(),
        )


# Outbound --------------------------------------------------------------------------------------
class _RebasedHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """Twilio's HTTP client, sending to ``base_url`` instead of https://api.twilio.com.

    ``TWILIO_API_BASE_URL`` points it at a local fake in tests (or a recording proxy); the real
    client code, request encoding and error parsing all still run.
    """

    def __init__(self, base_url: str | None, *, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self._base_url = base_url.rstrip("/") if base_url else None

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if self._base_url is not None and url.startswith(TWILIO_API_URL):
            url = self._base_url + url[len(TWILIO_API_URL) :]
        return super().request(method, url, *args, **kwargs)


class TwilioSender:
    """Sends one SMS with the Twilio REST API: the ``sms`` sender of the outbox worker.

    The message goes from the messaging service when one is set (Twilio then picks the number),
    else from ``TWILIO_FROM``; Twilio reports its delivery to our status webhook.
    """

    def __init__(self, settings: Settings, *, timeout: float = 15.0) -> None:
        if not sms_enabled(settings):
            raise ValueError(SMS_OFF_MESSAGE)
        http_client = _RebasedHttpClient(settings.twilio_api_base_url, timeout=timeout)
        self._client = Client(
            settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client
        )
        self._origin: dict[str, str] = (
            {"messaging_service_sid": settings.twilio_messaging_service_sid}
            if settings.twilio_messaging_service_sid
            else {"from_": settings.twilio_from or ""}
        )
        self._status_callback = settings.public_url + STATUS_PATH

    def send(self, address: str, body: str, *, payload: Mapping[str, Any] | None = None) -> Sent:
        del payload  # an SMS is its text
        try:
            message = self._client.messages.create(
                to=address, body=body, status_callback=self._status_callback, **self._origin
            )
        except TwilioException as error:
            raise _delivery_error(error) from None
        except OSError as error:  # requests' timeouts and connection errors are OSErrors
            raise DeliveryError(
                f"twilio unreachable: {type(error).__name__}", retryable=True
            ) from None
        return Sent(external_id=message.sid, status=message.status)


def _delivery_error(error: Any) -> DeliveryError:
    """Sort a Twilio error: worth a retry (5xx, 429) or final (4xx); 21610 opts the person out.

    The reason keeps the status and the Twilio code, not the message, which may quote the number.
    """
    status = getattr(error, "status", None)
    code = getattr(error, "code", None)
    reason = f"twilio {status} error {code}"
    if not isinstance(status, int):
        return DeliveryError(f"twilio error {type(error).__name__}", retryable=True)
    return DeliveryError(
        reason,
        retryable=status >= 500 or status == 429,
        opted_out=str(code) == UNSUBSCRIBED_ERROR,
    )


def public_url_warning(settings: Settings) -> str | None:
    """A hint when SMS is on but the public URL is a loopback one Twilio cannot have called."""
    host = urlsplit(settings.public_url).hostname or ""
    if sms_enabled(settings) and host in ("127.0.0.1", "localhost", "::1"):
        return (
            f"TREMPLIN_PUBLIC_URL is {settings.public_url}: Twilio signs the URL it calls, so set "
            "it to the public address of this server (a tunnel's, say) or every webhook gets 403."
        )
    return None
