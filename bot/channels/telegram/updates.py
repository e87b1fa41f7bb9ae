"""Telegram updates as the engine's events: what a chat message means, without any I/O.

Rules of this module:

- Only new messages in private chats with a person are conversations. Edited messages, channel
  posts, group chats, other bots and every other kind of update are ignored (``None``): the
  webhook answers 200 and stores nothing, so Telegram does not send them again.
- ``update_id`` is the message's external id: a webhook Telegram retries is deduplicated by the
  service, and gets no second reply.
- The chat id is the address; ``language_code`` of a supported locale is the locale hint that
  skips the language menu of a new conversation.
- Commands: ``/start`` keeps its payload (an invitation code, read by the engine at the start and
  by the intercept later on); ``/help``, ``/cv``, ``/edit``, ``/link``… become the command words.
- A photo (or an image sent as a file) and a voice note name a file to fetch
  (``Received.fetch``); the webhook fetches it before the transaction. A forwarded message is
  not the candidate's answer; stickers, locations, documents, polls… get the engine's kind reply.
"""

from dataclasses import dataclass

from telegram import Message, Update

from bot.channels.contract import Inbound
from bot.runtime.settings import Settings
from conversations.events import (
    Capabilities,
    ContactShared,
    Event,
    MediaReceived,
    TextReceived,
)

__all__ = [
    "CHANNEL",
    "TELEGRAM_CAPABILITIES",
    "TELEGRAM_OFF_MESSAGE",
    "WEBHOOK_PATH",
    "FileToFetch",
    "Received",
    "locale_of",
    "telegram_enabled",
    "to_inbound",
]

CHANNEL = "telegram"
WEBHOOK_PATH = "/webhooks/telegram"
TELEGRAM_CAPABILITIES = Capabilities(
    share_contact=True, send_photo=True, buttons=True, knows_phone=False
)
TELEGRAM_OFF_MESSAGE = (
    "Telegram is off: set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET to turn it on "
    "(until then /webhooks/telegram answers 503)."
)

# Telegram's language_code is an IETF tag ("fr", "en-GB", "uk"); Dari has no code of its own
# in Telegram's apps, which give Persian ("fa"), read in Afghanistan as Dari.
_LOCALE_OF_LANGUAGE = {
    "fr": "fr",
    "en": "en",
    "ar": "ar",
    "fa": "fa_AF",
    "prs": "fa_AF",
    "ps": "ps",
    "uk": "uk",
    "ti": "ti",
}
# Bot menu commands and the command word each one is.
_COMMANDS = {
    "help": "help",
    "cv": "view",
    "edit": "edit",
    "link": "link",
    "language": "language",
    "back": "back",
    "skip": "skip",
    "send": "send",
    "stop": "stop",
    "delete": "delete",
}
# What else a message may carry, in the order looked at; the engine answers each kindly.
_OTHER_KINDS = (
    "sticker",
    "animation",
    "video",
    "video_note",
    "audio",
    "document",
    "location",
    "venue",
    "poll",
    "dice",
    "game",
)


def telegram_enabled(settings: Settings) -> bool:
    """Telegram is on with a bot token and the secret Telegram sends back with every update."""
    return bool(settings.telegram_bot_token and settings.telegram_webhook_secret)


def locale_of(language_code: str | None) -> str | None:
    if not language_code:
        return None
    return _LOCALE_OF_LANGUAGE.get(language_code.replace("_", "-").split("-")[0].lower())


@dataclass(frozen=True, slots=True)
class FileToFetch:
    kind: str
    """``photo`` or ``voice``."""
    file_id: str
    size: int | None
    content_type: str


@dataclass(frozen=True, slots=True)
class Received:
    """A chat message as the service will get it, and the file to fetch first, if any.

    With a file, ``inbound.event`` is what to answer if it cannot be used (``MediaReceived``).
    """

    inbound: Inbound
    fetch: FileToFetch | None = None


def to_inbound(update: Update) -> Received | None:
    """The conversation message of an update, or None when it is none (ignored safely)."""
    message = update.message
    if message is None or message.chat.type != "private":
        return None
    user = message.from_user
    if user is None or user.is_bot:
        return None
    event, fetch = _event(message, user.id)
    inbound = Inbound(
        channel=CHANNEL,
        address=str(message.chat.id),
        event=event,
        external_id=str(update.update_id),
        locale_hint=locale_of(user.language_code),
    )
    return Received(inbound, fetch)


def _event(message: Message, user_id: int) -> tuple[Event, FileToFetch | None]:
    caps = TELEGRAM_CAPABILITIES
    if message.forward_origin is not None:
        return MediaReceived("forward", caps), None
    if message.text is not None:
        return TextReceived(_command_text(message.text), caps), None
    if message.contact is not None:
        if message.contact.user_id not in (None, user_id):
            return MediaReceived("contact", caps), None  # someone else's card
        return ContactShared(message.contact.phone_number, caps), None
    if message.photo:
        largest = max(message.photo, key=lambda size: size.width * size.height)
        fetch = FileToFetch("photo", largest.file_id, largest.file_size, "image/jpeg")
        return MediaReceived("photo", caps), fetch
    document = message.document
    if document is not None and (document.mime_type or "").startswith("image/"):
        fetch = FileToFetch("photo", document.file_id, document.file_size, document.mime_type or "")
        return MediaReceived("photo", caps), fetch
    if message.voice is not None:
        voice = message.voice
        fetch = FileToFetch("voice", voice.file_id, voice.file_size, voice.mime_type or "audio/ogg")
        return MediaReceived("audio", caps), fetch
    kind = next((kind for kind in _OTHER_KINDS if getattr(message, kind, None)), "media")
    return MediaReceived(kind, caps), None


def _command_text(text: str) -> str:
    """``/help@TremplinBot`` → ``help``; ``/start CODE`` stays (the intercept reads it)."""
    if not text.startswith("/"):
        return text
    head, _, rest = text.partition(" ")
    name = head[1:].split("@", 1)[0].lower()
    if name == "start":
        return f"/start {rest.strip()}".strip()
    return _COMMANDS.get(name, text)
