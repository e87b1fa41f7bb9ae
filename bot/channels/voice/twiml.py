"""What a call hears next, as TwiML built with twilio's ``VoiceResponse`` (never by formatting
strings): segments said with ``<Say>`` in Twilio's voice for the locale, or ``<Play>`` of an
espeak-ng clip; then, for a question, a ``<Gather>`` that listens for a key or for speech and
posts to the answer webhook, with the turn number that makes a retried request recognisable.

Every caller in a language hears the same questions, and serialising a ``VoiceResponse`` costs
more than the rest of a call's turn in the writer: so the document of each distinct answer is
built once, with a stand-in for the turn, and kept (``_document``, least recently used). What
is kept is exactly what ``VoiceResponse`` wrote; each answer puts its own action URL in the two
places the stand-in holds, and an answer that would not come out byte for byte the same (the
stand-in found elsewhere, a URL that XML would escape) is built afresh.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
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
# Stands for the answer's action URL in a kept document: in the <Gather> and the <Redirect>.
_ACTION = "tremplin-answer-action"
_ACTION_PLACES = 2
# Characters XML escapes in an attribute or a text: an action holding one is never substituted.
_ESCAPED = frozenset('&<>"\n\r\t')
_KEPT_DOCUMENTS = 4096

Verb = tuple[str, ...]
"""A resolved ``<Say>`` (``"say", text, voice, language``) or ``<Play>`` (``"play", url``)."""


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

    def verb(self, locale: str, text: str) -> Verb:
        """How ``text`` is said in ``locale``; a clip is made (or found) now."""
        voice = SAY_VOICES.get(locale)
        if voice is not None:
            return ("say", text, voice.name, voice.language)
        if locale in CLIP_VOICES:
            try:
                return ("play", self._clip_url(locale, text))
            except ClipError:
                log.exception("a %s clip could not be made", locale)
        english = SAY_VOICES["en"]
        return ("say", _NO_CLIP, english.name, english.language)


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
    said = tuple(speaker.verb(locale, text) for locale, text in _runs(before))
    asked = tuple(speaker.verb(locale, text) for locale, text in _runs(question))
    recording = tuple(sorted(record.items())) if record is not None else None
    if listen is None:
        return _document(said, asked, None, hangup, recording)
    shape = (listen.kind, listen.choices, listen.locale)
    action = listen.action
    if not _ESCAPED.intersection(action):
        parts = _document(said, asked, shape, hangup, recording).split(_ACTION)
        if len(parts) == _ACTION_PLACES + 1:
            return action.join(parts)
    return _serialise(said, asked, (*shape, action), hangup, recording)


@lru_cache(maxsize=_KEPT_DOCUMENTS)
def _document(
    said: tuple[Verb, ...],
    asked: tuple[Verb, ...],
    shape: tuple[str, int, str] | None,
    hangup: bool,
    recording: tuple[tuple[str, Any], ...] | None,
) -> str:
    """The document of an answer, its action the stand-in: kept, as the same answer comes
    to every caller who reaches the same question."""
    listening = (*shape, _ACTION) if shape is not None else None
    return _serialise(said, asked, listening, hangup, recording)


def _serialise(
    said: tuple[Verb, ...],
    asked: tuple[Verb, ...],
    listening: tuple[str, int, str, str] | None,
    hangup: bool,
    recording: tuple[tuple[str, Any], ...] | None,
) -> str:
    response = VoiceResponse()
    if recording is not None:  # the caller agreed to keep a recording of the call
        response.start().recording(**dict(recording))
    for verb in said:
        _append(response, verb)
    if listening is None:
        for verb in asked:
            _append(response, verb)
        if hangup:
            response.hangup()
        return str(response)
    kind, choices, locale, action = listening
    gather = _gather(kind, choices, locale, action)
    for verb in asked:
        _append(gather, verb)
    response.append(gather)
    response.redirect(action, method="POST")
    return str(response)


def _append(parent: VoiceResponse | Gather, verb: Verb) -> None:
    if verb[0] == "play":
        parent.play(verb[1])
    else:
        _, text, voice, language = verb
        parent.say(text, voice=voice, language=language)


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


def _gather(kind: str, choices: int, locale: str, action: str) -> Gather:
    options: dict[str, Any] = {
        "action": action,
        "method": "POST",
        "timeout": _TIMEOUT,
        "action_on_empty_result": True,
        # No key ends the input: # and * are keys of their own (repeat, back).
        "finish_on_key": "",
    }
    if kind == "choice" and choices <= 9:
        return Gather(input="dtmf", num_digits=1, **options)
    speech = SPEECH_LANGUAGES.get(locale, "en-GB")
    return Gather(
        input="dtmf speech",
        language=speech,
        speech_timeout="auto",
        profanity_filter=False,
        **options,
    )
