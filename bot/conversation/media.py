"""Files candidates send: a photo for the CV, a voice note kept for the coach.

Rules of this module:

- A photo is believed only once Pillow has decoded it: the type comes from its content, never
  from the name or the MIME type a client claims. JPEG, PNG and WebP are taken, 5 MB at most,
  and never more than ``MAX_PIXELS`` (a small file can claim a huge image: a decompression bomb).
- What is stored is a new JPEG made from the pixels: turned upright as the camera said, then
  without EXIF (GPS position, phone model, date), at most ``MAX_SIDE`` pixels a side.
- Bytes live in the ``media`` table with their owner, so erasure takes them
  (``ON DELETE CASCADE``). A photo is kept only when the conversation took it (the draft's
  ``cv.photo`` names it), and then replaces the previous one; a voice note is kept for the coach.
- Processing happens before the message's transaction (it is slow); storing happens inside it.
"""

import io
import warnings
from datetime import datetime

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import Connection, Engine, delete, insert, select

from bot.channels.contract import IncomingMedia
from conversations.state import State
from storage import new_id, tables

__all__ = [
    "MAX_PHOTO_BYTES",
    "MAX_PIXELS",
    "MAX_SIDE",
    "UnusablePhotoError",
    "current_step",
    "keep_media",
    "prepare_photo",
    "voice_note",
]

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 1024
_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "MPO"})  # MPO: what some phones call their JPEGs
_JPEG_QUALITY = 85

_media = tables.media
_conversations = tables.conversations
_identities = tables.channel_identities


class UnusablePhotoError(ValueError):
    """The file is not a photo we can use (too large, not an image, an unknown format)."""


def prepare_photo(data: bytes) -> IncomingMedia:
    """Check a photo and make the JPEG to store; raises ``UnusablePhotoError`` if unusable."""
    if len(data) > MAX_PHOTO_BYTES:
        raise UnusablePhotoError(f"{len(data)} bytes, more than {MAX_PHOTO_BYTES}")
    try:
        with warnings.catch_warnings():
            # Pillow warns before it refuses a huge image; the size is checked here instead.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
        if image.format not in _FORMATS:
            raise UnusablePhotoError(f"format {image.format}")
        width, height = image.size
        if width * height > MAX_PIXELS or min(width, height) < 1:
            raise UnusablePhotoError(f"{width}x{height} pixels")
        image.load()
        upright = ImageOps.exif_transpose(image) or image
        picture = upright.convert("RGB")  # drops transparency, palettes and every metadata block
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as error:
        raise UnusablePhotoError(type(error).__name__) from None
    picture.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    picture.save(output, "JPEG", quality=_JPEG_QUALITY, optimize=True)
    return IncomingMedia(
        id=new_id(),
        kind="photo",
        content_type="image/jpeg",
        data=output.getvalue(),
        width=picture.width,
        height=picture.height,
    )


def voice_note(data: bytes, content_type: str) -> IncomingMedia:
    """A voice note as it came (Telegram's are OGG/Opus): the coach listens to it."""
    return IncomingMedia(id=new_id(), kind="voice", content_type=content_type[:64], data=data)


def keep_media(
    connection: Connection, candidate_id: str, media: IncomingMedia, state: State, now: datetime
) -> bool:
    """Store ``media`` for the candidate if the conversation took it; True when stored.

    Called by the service after the engine's step, with the new state: a photo sent at another
    step than the photo question, or after STOP, is not kept.
    """
    if state.opted_out:
        return False
    if media.kind == "photo":
        if state.cv.get("photo") != {"ref": media.id}:
            return False
        # One photo per CV: the one it shows now replaces any earlier one.
        connection.execute(
            delete(_media).where(_media.c.candidate_id == candidate_id, _media.c.kind == "photo")
        )
    connection.execute(
        insert(_media).values(
            id=media.id,
            candidate_id=candidate_id,
            kind=media.kind,
            content_type=media.content_type,
            data=media.data,
            size=len(media.data),
            width=media.width,
            height=media.height,
            created_at=now,
        )
    )
    return True


def current_step(engine: Engine, channels: tuple[str, ...], address: str) -> str | None:
    """Where the conversation of this address stands, on the first of ``channels`` that knows
    it, read without a transaction of its own: a channel asks it before fetching a photo (only
    the photo question's is downloaded)."""
    with engine.connect() as connection:
        state = connection.execute(
            select(_conversations.c.state)
            .join(_identities, _identities.c.candidate_id == _conversations.c.candidate_id)
            .where(_identities.c.channel.in_(channels), _identities.c.address == address)
            .order_by(_identities.c.created_at)
            .limit(1)
        ).scalar()
    return state.get("step") if isinstance(state, dict) else None
