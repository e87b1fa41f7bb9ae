"""The channel contract: the types every channel adapter speaks, and the record of one channel.

A channel turns its provider's requests into an :class:`Inbound` for the conversation service,
turns the engine's outputs into :class:`Outgoing` messages (its renderer), and delivers them:
through the outbox, by a :class:`Sender` the worker calls with retries (SMS, Telegram), or inline
in the answer to the provider's request (a phone call's TwiML). :class:`Channel` says all of that
about one channel; ``bot.channels.registry`` lists them, and everything else that needs to know
the channels (the runtime, the server, the web app, the CV document) asks the registry.

How to add a channel: docs/architecture.md, "Adding a channel".
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol

from bot.channels.text import SmsInfo, measure
from conversations.events import Capabilities, Event
from conversations.outputs import Output

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from bot.runtime.settings import Settings

__all__ = [
    "Channel",
    "Delivery",
    "DeliveryError",
    "Inbound",
    "IncomingMedia",
    "Outgoing",
    "OutsideWindow",
    "Render",
    "RenderedChoice",
    "Sender",
    "Sent",
]


# Inbound ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class IncomingMedia:
    """A file ready to store: ``id`` is known before the transaction, so the engine's
    ``PhotoReceived(ref)`` can name it."""

    id: str
    kind: str
    """``photo`` (for the CV) or ``voice`` (kept for the coach)."""
    content_type: str
    data: bytes
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a candidate, as a channel adapter hands it over (``to_inbound``)."""

    channel: str
    address: str
    event: Event
    external_id: str | None = None
    """The provider's id of the message: a retried delivery of it is handled once."""
    locale_hint: str | None = None
    """A language the channel knows reliably (Telegram ``language_code``, ``chat --lang``)."""
    media: IncomingMedia | None = None
    """A file the channel fetched with the message (a photo, a voice note): stored with the
    candidate in the same transaction when the conversation takes it (bot/conversation/media.py)."""
    request: Any = None
    """What the provider's request said beyond a message, for a channel that answers it itself
    in the service's transaction (a call's keys, speech and turn: bot/channels/voice/call.py)."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled for every message to the writer process (bot/conversation/writer_process.py):
        # a tuple costs a fraction of a slotted dataclass's field-by-field state.
        fields = (self.channel, self.address, self.event, self.external_id, self.locale_hint)
        return (Inbound, (*fields, self.media, self.request))


# Outbound ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RenderedChoice:
    number: int
    label: str


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send, as a channel's renderer wrote it."""

    text: str
    step: str | None
    """The step whose question this message asks, if any (``--trace``)."""
    choices: tuple[RenderedChoice, ...] = ()
    expects: str = "text"
    joinable: bool = True
    """False for a summary page: it keeps its own SMS and its "SUITE" line last."""
    payload: dict[str, Any] | None = None
    """What the channel sends beside the text (Telegram's keyboard), kept in ``outbox.payload``."""

    @property
    def sms(self) -> SmsInfo:
        """What the text costs as an SMS (encoding, segments): the message log keeps it."""
        return measure(self.text)


Render = Callable[[list[Output], str | None], list[Outgoing]]
"""A channel's renderer: the engine's outputs in a locale, as that channel's messages."""


@dataclass(frozen=True, slots=True)
class Sent:
    """A message the provider accepted."""

    external_id: str | None
    """The provider's id (Twilio ``SM…``): status callbacks find the message by it."""
    status: str | None = None


class DeliveryError(Exception):
    """A send that did not go through; ``retryable`` says whether trying later may help."""

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool,
        retry_after: timedelta | None = None,
        opted_out: bool = False,
        code: str | None = None,
        window_closed: bool = False,
        unusable: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after
        """The provider asked to wait at least this long (Telegram's 429 ``retry_after``)."""
        self.opted_out = opted_out
        """The recipient refuses our messages (Twilio 21610): the candidate is opted out."""
        self.code = code
        """The provider's error code (Twilio ``63016``), for the coach's page."""
        self.window_closed = window_closed
        """Too long since the person last wrote for a free-form message (WhatsApp 63016): the
        message goes another way (bot/delivery/courier.py), it is not a failure."""
        self.unusable = unusable
        """This channel cannot reach the person at all (not a WhatsApp user, 63003/63024)."""


class Sender(Protocol):
    """Delivers one message on one channel; raises ``DeliveryError`` when it cannot.

    ``payload`` is the row's ``outbox.payload``: what the channel sends beside the text (a
    Telegram keyboard). It is passed only when the row has one, so a sender of a channel without
    extras (SMS) is called with the text alone.
    """

    def send(
        self, address: str, body: str, *, payload: Mapping[str, Any] | None = None
    ) -> Sent: ...


OutsideWindow = Callable[[str, list[Output], str], tuple["Outgoing | None", bool, "str | None"]]
"""What a channel with a window sends once it has closed, for ``(purpose, outputs, locale)``:
``(template message or None, whether the outputs wait for the person's answer, why there is no
template)``; see bot/channels/whatsapp/templates.py."""


Delivery = Literal["outbox", "inline"]
"""``outbox``: replies are queued with the answer and a sender delivers them; ``inline``: the
reply is the answer to the provider's own request (a call's TwiML), and nothing is queued."""


# The record -------------------------------------------------------------------------------------
def _never(settings: "Settings") -> bool:
    del settings
    return False


@dataclass(frozen=True, slots=True)
class Channel:
    """Everything the rest of the product needs to know about one channel.

    ``routes`` builds its webhooks from the runtime (``None``: it has none); ``sender`` builds
    what delivers its outbox rows, for a deployment where ``enabled`` is true; ``intercept``
    builds what runs in the message's transaction before the engine (Telegram's buttons and
    account linking). ``carries_phone``: the address is the person's phone number, so the CV
    document can show it to the coach.
    """

    name: str
    capabilities: Capabilities
    render: Render
    delivery: Delivery = "outbox"
    routes: Callable[[Any], "list[BaseRoute]"] | None = None
    enabled: Callable[["Settings"], bool] = _never
    sender: Callable[["Settings", float], Sender] | None = None
    off_message: str | None = None
    """Said once at start when the channel is not configured (why, and which settings)."""
    intercept: Callable[[Any], Any] | None = None
    carries_phone: bool = False
    local_only: bool = False
    """Its routes are mounted only where the phone simulator is on (loopback, ``--simulator``)."""
    network: str | None = None
    """Channels of one network are one person per address: a number that wrote by SMS and then
    on WhatsApp is one candidate with one draft (``phone``; the simulator's phones share
    ``simulator``). None: an address of its own kind (a Telegram chat)."""
    window: timedelta | None = None
    """Free-form messages may go only this long after the person last wrote on the channel
    (WhatsApp: 24 hours); after it, ``outside_window`` says what may go."""
    outside_window: Callable[["Settings"], OutsideWindow] | None = None
    turns: Callable[["Settings"], Any] | None = None
    """For a channel that answers each request itself (``delivery="inline"``, a phone call):
    the conversation service's turn handler for it (bot/conversation/service.py, TurnHandler)."""
