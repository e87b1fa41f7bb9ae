"""What can happen to a conversation: the events the engine receives.

Channels translate their own payloads into these (``to_inbound``); the engine never sees a channel
name, only what the channel can do (``Capabilities``).
"""

from dataclasses import dataclass, field

__all__ = [
    "SMS_CAPABILITIES",
    "Capabilities",
    "ContactShared",
    "Event",
    "Invitations",
    "MediaReceived",
    "PhotoReceived",
    "Repeated",
    "Resumed",
    "TextReceived",
]


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What the candidate's current channel lets them do."""

    share_contact: bool = False
    send_photo: bool = False
    buttons: bool = False
    knows_phone: bool = True
    """The channel itself carries the phone number (SMS), so there is no need to ask for it."""


SMS_CAPABILITIES = Capabilities()


Invitations = tuple[tuple[str, str], ...]
"""Coaches' codes a message may mean, each with the organisation to name to the candidate."""


@dataclass(frozen=True, slots=True)
class TextReceived:
    text: str
    caps: Capabilities = field(default=SMS_CAPABILITIES)
    invitations: Invitations | None = None
    """Set by the service when the conversation waits for a coach's code: the known codes that
    the text names or nearly names (one keystroke away). None: not looked up, and any code of
    the right shape is taken as it is (a conversation with no database behind it)."""

    def __reduce__(self) -> tuple[object, ...]:
        # Every message crosses a process boundary as a pickle: a tuple is the cheap form.
        return (TextReceived, (self.text, self.caps, self.invitations))


@dataclass(frozen=True, slots=True)
class ContactShared:
    phone: str
    caps: Capabilities = field(default=SMS_CAPABILITIES)


@dataclass(frozen=True, slots=True)
class PhotoReceived:
    """A photo the channel has already stored; ``ref`` is the storage reference."""

    ref: str
    caps: Capabilities = field(default=SMS_CAPABILITIES)


@dataclass(frozen=True, slots=True)
class MediaReceived:
    """Anything else that is not text: voice, sticker, document, location…"""

    kind: str
    caps: Capabilities = field(default=SMS_CAPABILITIES)


@dataclass(frozen=True, slots=True)
class Resumed:
    """The person opened the conversation again without a word yet: a phone call began. The
    engine greets them (by first name when it knows it) and asks where they stand, or opens
    with the language menu for someone new. Nothing about the draft changes."""

    caps: Capabilities = field(default=SMS_CAPABILITIES)


@dataclass(frozen=True, slots=True)
class Repeated:
    """The person asked to hear the current question again (a call's ``#`` key)."""

    caps: Capabilities = field(default=SMS_CAPABILITIES)


Event = TextReceived | ContactShared | PhotoReceived | MediaReceived | Resumed | Repeated
