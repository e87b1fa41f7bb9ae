"""Audio clips for the languages Twilio cannot speak, made offline by espeak-ng.

A clip is named by the hash of what makes it (the espeak-ng voice, its rate and the words), so a
changed text is a new clip and an unchanged one is never made twice. Two kinds:

- *catalogue clips*: every catalogue message without parameters, in each locale spoken by clips
  (Dari), made by ``tremplin voice clips`` and checked in under ``locales/voice/`` (GSM 6.10 at
  8 kHz, what a phone line carries: about 1.6 KB a second), with ``clips.json``, the manifest of
  which message each clip says. ``tremplin voice clips --check`` fails, in CI too, when a
  catalogue text changed and its clip was not made again.
- *spoken-once clips*: a message with the candidate's own words in it ("You said: …") is made
  during the call, into a cache directory, under a name keyed with a secret of this process (the
  words are personal: nobody can guess the address of a clip), and removed after a day.

Twilio fetches clips from ``GET /voice/clips/<name>`` (bot/channels/voice/twilio.py).
"""

import hashlib
import hmac
import json
import logging
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.channels.render import renderer
from bot.channels.voice.voices import CLIP_VOICES
from conversations.messages import MESSAGES
from conversations.outputs import Msg
from locales import LOCALES_DIR

__all__ = [
    "CATALOGUE_DIR",
    "CLIP_NAME",
    "ClipError",
    "ClipStore",
    "Staleness",
    "catalogue_texts",
    "check_catalogue",
    "clip_key",
    "make_catalogue",
    "synthesize",
]

log = logging.getLogger(__name__)

CATALOGUE_DIR = LOCALES_DIR / "voice"
MANIFEST = CATALOGUE_DIR / "clips.json"
RATE = 150
"""espeak-ng's words a minute: a little slower than its default (175), for a phone line."""
CLIP_NAME = re.compile(r"[0-9a-f]{32}\.(gsm|wav)")
_SPOKEN_ONCE_HOURS = 24


class ClipError(RuntimeError):
    """espeak-ng (or sox) is missing or failed: the clip could not be made."""


def clip_key(voice: str, text: str) -> str:
    return hashlib.sha256(f"espeak-ng|{voice}|{RATE}|{text}".encode()).hexdigest()[:32]


def synthesize(voice: str, text: str, target: Path) -> None:
    """Make ``target`` (``.wav``, or ``.gsm`` through sox) saying ``text`` with espeak-ng."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise ClipError("espeak-ng is not installed (Debian package espeak-ng)")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        wav = Path(work) / "clip.wav"
        try:
            # The words on stdin, never on the command line: another user's ``ps`` shows that.
            subprocess.run(  # noqa: S603 - our own arguments; the words go on stdin
                [espeak, "-v", voice, "-s", str(RATE), "--stdin", "-w", str(wav)],
                input=text.encode(),
                check=True,
                capture_output=True,
                timeout=30,
            )
            if target.suffix == ".gsm":
                sox = shutil.which("sox")
                if sox is None:
                    raise ClipError("sox is not installed (Debian package sox)")
                made = Path(work) / "clip.gsm"
                subprocess.run(  # noqa: S603 - our own arguments and file names
                    [sox, str(wav), "-r", "8000", "-c", "1", str(made)],
                    check=True,
                    capture_output=True,
                    timeout=30,
                )
                wav = made
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
            raise ClipError(f"espeak-ng could not make a clip: {error}") from None
        shutil.move(str(wav), target)


# Catalogue clips ------------------------------------------------------------------------------
def catalogue_texts(locale: str) -> Iterator[tuple[str, str]]:
    """``(message id, text)`` of every catalogue message said without parameters."""
    r = renderer(locale)
    for message_id in MESSAGES:
        text = r.message(Msg(message_id))
        if "{" not in text and text.strip():
            yield message_id, text


def _wanted() -> dict[str, dict[str, str]]:
    return {
        locale: {message_id: clip_key(voice, text) for message_id, text in catalogue_texts(locale)}
        for locale, voice in sorted(CLIP_VOICES.items())
    }


@dataclass(frozen=True, slots=True)
class Staleness:
    stale: list[str]
    """``locale:message`` whose text changed since its clip was made, or that has none."""
    orphans: list[str]
    """Clip files no message says any more."""

    @property
    def ok(self) -> bool:
        return not self.stale and not self.orphans


def check_catalogue(directory: Path = CATALOGUE_DIR) -> Staleness:
    manifest_path = directory / MANIFEST.name
    made = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    stale, keys = [], set()
    for locale, wanted in _wanted().items():
        for message_id, key in wanted.items():
            keys.add(key)
            if (
                made.get(locale, {}).get(message_id) != key
                or not (directory / f"{key}.gsm").is_file()
            ):
                stale.append(f"{locale}:{message_id}")
    orphans = sorted(p.name for p in directory.glob("*.gsm") if p.stem not in keys)
    return Staleness(stale, orphans)


def make_catalogue(directory: Path = CATALOGUE_DIR) -> tuple[int, int]:
    """Make every missing catalogue clip, remove the orphans, write the manifest; returns
    ``(made, removed)``."""
    wanted = _wanted()
    made = removed = 0
    keys = set()
    for locale, messages in wanted.items():
        voice = CLIP_VOICES[locale]
        texts = dict(catalogue_texts(locale))
        for message_id, key in messages.items():
            keys.add(key)
            path = directory / f"{key}.gsm"
            if not path.is_file():
                synthesize(voice, texts[message_id], path)
                made += 1
    for path in directory.glob("*.gsm"):
        if path.stem not in keys:
            path.unlink()
            removed += 1
    (directory / MANIFEST.name).write_text(
        json.dumps(wanted, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    )
    return made, removed


# The store a call uses ------------------------------------------------------------------------
class ClipStore:
    """Where a call's clips come from: the catalogue's, else made now into ``cache_dir``."""

    def __init__(self, cache_dir: Path | None = None, catalogue: Path = CATALOGUE_DIR) -> None:
        self.catalogue = catalogue
        self.cache_dir = cache_dir or Path(tempfile.gettempdir()) / "tremplin-voice-clips"
        self._secret = secrets.token_bytes(16)

    def clip(self, locale: str, text: str) -> str:
        """The name of a clip saying ``text`` in ``locale``'s espeak-ng voice, made if needed.
        Raises ``ClipError`` when it cannot be made."""
        voice = CLIP_VOICES[locale]
        key = clip_key(voice, text)
        if (self.catalogue / f"{key}.gsm").is_file():
            return f"{key}.gsm"
        keyed = hmac.new(self._secret, f"{voice}|{text}".encode(), hashlib.sha256)
        name = f"{keyed.hexdigest()[:32]}.wav"
        path = self.cache_dir / name
        if not path.is_file():
            synthesize(voice, text, path)
        return name

    def path(self, name: str) -> Path | None:
        """The file of a clip name (from the catalogue or the cache), None if there is none."""
        if not CLIP_NAME.fullmatch(name):
            return None
        for directory in (self.catalogue, self.cache_dir):
            candidate = directory / name
            if candidate.is_file():
                return candidate
        return None

    def prune(self, *, now: float | None = None) -> int:
        """Remove spoken-once clips older than a day; how many went."""
        limit = (now or time.time()) - _SPOKEN_ONCE_HOURS * 3600
        removed = 0
        for path in self.cache_dir.glob("*.wav") if self.cache_dir.is_dir() else ():
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
