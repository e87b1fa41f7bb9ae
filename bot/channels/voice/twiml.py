"""What a call hears next, as TwiML built with twilio's ``VoiceResponse`` (never by formatting
strings): segments said with ``<Say>`` in Twilio's voice for the locale, or ``<Play>`` of an
espeak-ng clip; then, for a question, a ``<Gather>`` that listens for a key or for speech and
posts to the answer webhook, with the turn number that makes a retried request recognisable.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from twilio.twiml.voice_response import Gather, VoiceResponse

from bot.channels.voice.clips import ClipError
from bot.channels.voice.voices import CLIP_VOICES, SAY_VOICES, SPEECH_LANGUAGES

__all__ = ["Listen", "Speaker", "build"]

log = logging.getLogger(__name__)

# Seconds Twilio waits for a first key or word; then it posts an empty answer (a silence).
_TIMEOUT = 6
# The sentence Twilio's English voice says when a clip cannot be made: never silence.
_NO_CLIP = "Sorry, this message cannot be played. Please call again later."


@dataclass(frozen=True, slots=True)
class Listen:
    """What the call listens for after the words: ``choice`` (one key among ``choices``) or
    ``text`` (speech in ``locale``, or keys typed)."""

    kind: str
    choices: int
    locale: str
    action: str
    """The answer webhook's full URL, with the turn."""


ClipUrl = Callable[[str, str], str]
"""``(locale, text)`` → the URL of a clip saying it (bot/channels/voice/clips.py)."""


class Speaker:
    """Says a segment in the locale's voice: Twilio's, else a clip; never in another voice."""

    def __init__(self, clip_url: ClipUrl) -> None:
        self._clip_url = clip_url

    def say(self, verb: VoiceResponse | Gather, locale: str, text: str) -> None:
        voice = SAY_VOICES.get(locale)
        if voice is not None:
            verb.say(text, voice=voice.name, language=voice.language)
            return
        if locale in CLIP_VOICES:
            try:
                verb.play(self._clip_url(locale, text))
                return
            except ClipError:
                log.exception("a %s clip could not be made", locale)
        verb.say(_NO_CLIP, voice=SAY_VOICES["en"].name, language=SAY_VOICES["en"].language)


def build(
    speaker: Speaker,
    before: Sequence[Sequence[str]],
    question: Sequence[Sequence[str]] = (),
    listen: Listen | None = None,
    *,
    hangup: bool = False,
    record: dict[str, Any] | None = None,
) -> str:
    """The TwiML: ``before`` said first, then ``question`` inside the ``<Gather>`` (a caller
    who knows the answer may key it or say it before the end), then the redirect that posts
    an empty answer should the gather end without one, or ``<Hangup>``."""
    response = VoiceResponse()
    if record is not None:  # the caller agreed to keep a recording of the call
        response.start().recording(**record)
    for locale, text in _runs(before):
        speaker.say(response, locale, text)
    if listen is None:
        for locale, text in _runs(question):
            speaker.say(response, locale, text)
        if hangup:
            response.hangup()
        return str(response)
    gather = _gather(listen)
    for locale, text in _runs(question):
        speaker.say(gather, locale, text)
    response.append(gather)
    response.redirect(listen.action, method="POST")
    return str(response)


def _runs(segments: Sequence[Sequence[str]]) -> list[tuple[str, str]]:
    """Consecutive segments in one Twilio voice as one ``<Say>``: one breath, not a pause
    between each sentence (and a smaller document). Clips stay one a segment: each catalogue
    text has its own, made offline."""
    runs: list[tuple[str, str]] = []
    for locale, text in segments:
        if runs and runs[-1][0] == locale and locale in SAY_VOICES:
            runs[-1] = (locale, f"{runs[-1][1]} {text}")
        else:
            runs.append((locale, text))
    return runs


def _gather(listen: Listen) -> Gather:
    options: dict[str, Any] = {
        "action": listen.action,
        "method": "POST",
        "timeout": _TIMEOUT,
        "action_on_empty_result": True,
        # No key ends the input: # and * are keys of their own (repeat, back).
        "finish_on_key": "",
    }
    if listen.kind == "choice" and listen.choices <= 9:
        return Gather(input="dtmf", num_digits=1, **options)
    speech = SPEECH_LANGUAGES.get(listen.locale, "en-GB")
    return Gather(
        input="dtmf speech",
        language=speech,
        speech_timeout="auto",
        profanity_filter=False,
        **options,
    )
