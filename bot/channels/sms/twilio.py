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

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from twilio.base.exceptions import TwilioException
from twilio.twiml.messaging_response import MessagingResponse

from bot.channels.contract import Inbound, Sent
from bot.channels.twilio.rest import (
    TWILIO_API_URL,
    UNSUBSCRIBED_ERROR,
    delivery_error,
    rest_client,
    unreachable,
)
from bot.channels.twilio.rest import public_url_warning as _url_warning
from bot.channels.twilio.webhooks import (
    SID,
    STATUS_PATH,
    SignedWebhooks,
    TwilioForm,
    e164,
    media_count,
    status_route,
)
from bot.runtime.settings import Settings
from conversations.events import Event, MediaReceived, TextReceived

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
SMS_OFF_MESSAGE = (
    "SMS is off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM or "
    "TWILIO_MESSAGING_SERVICE_SID to turn it on (until then /webhooks/twilio/* answer 503)."
)
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


def public_url_warning(settings: Settings) -> str | None:
    return _url_warning(settings, enabled=sms_enabled(settings))


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
    if sid is not None and not SID.fullmatch(sid):
        raise ValueError("the MessageSid is not a Twilio id")
    body = form.get("Body", "")
    media = media_count(form.get("NumMedia"))
    event: Event
    if media and not body.strip():
        kind = form.get("MediaContentType0", "").partition("/")[0].strip().lower()
        event = MediaReceived(kind=kind or "media")
    else:
        if media:
            log.debug("an SMS came with %d media: the text is kept, the media left aside", media)
        event = TextReceived(body)
    # "whatsapp:+33…" and other channel addresses stay whole: a reply must go back the same way.
    address = sender if ":" in sender else e164(sender)
    return Inbound(
        channel=CHANNEL,
        address=address,
        event=event,
        external_id=sid,
    )


def twilio_routes(runtime: "Runtime") -> list[BaseRoute]:
    """The SMS webhook, and the status callbacks of what Twilio delivered for us."""
    webhooks = SignedWebhooks(
        runtime.settings,
        enabled=sms_enabled(runtime.settings),
        off_reason="SMS is not configured on this server.",
    )

    async def sms(request: Request) -> Response:
        form = await webhooks.form(request)
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

    return [Route(SMS_PATH, sms, methods=["POST"]), status_route(runtime, webhooks, CHANNEL)]


# Outbound --------------------------------------------------------------------------------------
class TwilioSender:
    """Sends one SMS with the Twilio REST API: the ``sms`` sender of the outbox worker.

    The message goes from the messaging service when one is set (Twilio then picks the number),
    else from ``TWILIO_FROM``; Twilio reports its delivery to our status webhook.
    """

    def __init__(self, settings: Settings, *, timeout: float = 15.0) -> None:
        if not sms_enabled(settings):
            raise ValueError(SMS_OFF_MESSAGE)
        self._client = rest_client(settings, timeout=timeout)
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
            raise delivery_error(error) from None
        except OSError as error:  # requests' timeouts and connection errors are OSErrors
            raise unreachable(error) from None
        return Sent(external_id=message.sid, status=message.status)
