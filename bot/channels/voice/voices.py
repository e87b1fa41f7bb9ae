"""Who speaks each language on a call, and in which language a call listens.

Three engines, in order of preference for a locale:

- Twilio's own text-to-speech (``<Say voice=…>``): French, English, Arabic, Ukrainian;
- espeak-ng, offline (``<Play>`` of a clip this server made, bot/channels/voice/clips.py): Dari,
  spoken with espeak-ng's Persian voice, the one Twilio lacks;
- none: Pashto and Tigrinya have no voice here. A caller who picks one hears so, in the languages
  nearest to it, picks a second language for the call, and the coach's page asks for a call-back
  in their language. Never silence, and never another language's voice passed off as theirs.

The README's language table says the same; tests check that it does.
"""

from dataclasses import dataclass

__all__ = [
    "CLIP_VOICES",
    "NEAREST",
    "SAY_VOICES",
    "SPEECH_LANGUAGES",
    "SayVoice",
    "engine_of",
    "speaks",
]


@dataclass(frozen=True, slots=True)
class SayVoice:
    name: str
    """Twilio's voice name (``Google.fr-FR-Standard-A``)."""
    language: str
    """The ``language`` attribute of ``<Say>``."""


SAY_VOICES: dict[str, SayVoice] = {
    "fr": SayVoice("Google.fr-FR-Standard-A", "fr-FR"),
    "en": SayVoice("Google.en-GB-Standard-A", "en-GB"),
    "ar": SayVoice("Google.ar-XA-Standard-A", "ar-XA"),
    "uk": SayVoice("Google.uk-UA-Standard-A", "uk-UA"),
}

CLIP_VOICES: dict[str, str] = {"fa_AF": "fa"}
"""espeak-ng's voice for each locale spoken by clips."""

SPEECH_LANGUAGES: dict[str, str] = {
    "fr": "fr-FR",
    "en": "en-GB",
    "ar": "ar-SA",
    "uk": "uk-UA",
    # Twilio's recognition has Persian of Iran, not Dari: the nearest it hears; answers are read
    # back, so a word it heard wrong is said again rather than saved.
    "fa_AF": "fa-IR",
}

NEAREST: dict[str, tuple[str, ...]] = {
    "ps": ("fa_AF", "ar", "en"),
    "ti": ("ar", "en", "fa_AF"),
}
"""For a language no engine speaks: the languages a call offers instead, nearest first."""


def speaks(locale: str) -> bool:
    return locale in SAY_VOICES or locale in CLIP_VOICES


def engine_of(locale: str) -> str:
    """``twilio``, ``espeak-ng`` or ``none``: who speaks the locale on a call."""
    if locale in SAY_VOICES:
        return "twilio"
    if locale in CLIP_VOICES:
        return "espeak-ng"
    return "none"
