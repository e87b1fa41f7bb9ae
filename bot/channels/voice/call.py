"""A phone call, turn by turn: Twilio's requests in, the conversation service, TwiML out.

The engine does not know it is on a call. Between it and Twilio, this module keeps what only a
call needs, in ``voice_calls`` (one row a call):

- **Keys.** ``#`` says the question again, ``*`` goes back (the engine's BACK), ``0`` names the
  keys and asks the engine's HELP. A key that is no choice says so and asks again.
- **Read back.** A spoken answer (or digits typed for a free answer) is not given to the engine
  at once: the call says "You said: …. Press 1 to keep it, 2 to say it again." and only ``1``
  hands it over, committed before the next question is said. A doubtful transcription says so.
- **Silence.** No answer: "I heard nothing" and the question again; the third silence in a row
  says a kind goodbye and hangs up (the answers are kept: calling back resumes).
- **Languages.** The language menu's keys go to the engine, except one for a language no voice
  here speaks (Pashto, Tigrinya): the call says so in the nearest languages, offers those, and
  the call's row keeps the language wanted, for the coach's call-back.
- **Recording.** Asked once a call, after the language, by keypad; only ``1`` starts one.
- **Retries.** Each answer carries its turn (``?turn=N``); a retried request of a turn already
  answered gets the same TwiML and changes nothing, and the engine's inbound dedupe (``CallSid``
  and turn) holds even if the call's row was not saved.

Nothing here logs what the caller said or their number.
"""

import dataclasses
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.channels.contract import Inbound
from bot.channels.render import renderer
from bot.channels.voice.readback import read_back_text
from bot.channels.voice.render import Segment, spoken
from bot.channels.voice.twiml import Listen, Speaker, build
from bot.channels.voice.voices import NEAREST, speaks
from bot.conversation.service import ChannelTurn, Handled
from bot.conversation.statements import HotCursor
from conversations.events import Event, Resumed, TextReceived
from conversations.outputs import Msg, Raw, Term, msg
from storage import new_id

__all__ = ["CallTurn", "CallTurns"]

log = logging.getLogger(__name__)

UNSURE = 0.6
"""Below this confidence Twilio's transcription is read back as a doubt."""
SILENCES = 3
"""Silences in a row before the call says goodbye."""
_DIGITS = re.compile(r"[0-9]+")
# The engine's commands by their French words, which work in every language (FLOW.md).
_HELP, _BACK = "AIDE", "RETOUR"
_ENDED = ("submitted", "declined")
# Steps whose answer may come in several parts (FLOW.md: the story, until DONE).
_GOES_ON = ("story",)
# Steps before the person agreed to build a CV: recording is asked after the consent.
_BEFORE_CV = ("start", "language", "consent", "declined")


@dataclass(frozen=True, slots=True)
class CallTurn:
    """One of Twilio's requests about a call, as the routes read it."""

    call_sid: str
    address: str
    turn: int | None = None
    """None: the call begins (the incoming-call webhook)."""
    digits: str = ""
    speech: str = ""
    confidence: float | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        fields = (self.call_sid, self.address, self.turn, self.digits, self.speech)
        return (CallTurn, (*fields, self.confidence))


@dataclass(slots=True)
class _Call:
    id: str
    call_sid: str
    turn: int
    state: dict[str, Any]
    last_response: str | None
    recording_consent: bool | None
    candidate_id: str | None
    new: bool = False
    wanted_locale: str | None = None
    answers: list[dict[str, Any]] = field(default_factory=list)


# What a retried request gets when its call left no answer to repeat (it was erased).
_HANG_UP = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup /></Response>'


class CallTurns:
    """The calls of one channel (``voice``, or the simulator's ``sim_voice``): the conversation
    service's turn handler for it, run in each request's transaction (``ChannelTurn``)."""

    def __init__(
        self,
        speaker: Speaker,
        *,
        channel: str,
        answer_url: str,
        recording_callback: str | None,
        captions: bool = False,
    ) -> None:
        self.speaker = speaker
        self.captions = captions
        """Keep each answer's words on the call's row, for the simulator's captions."""
        self.channel = channel
        self.answer_url = answer_url
        self.recording_callback = recording_callback
        """Where Twilio reports a recording; None: this channel never records (the simulator)."""

    def turn(self, turn: ChannelTurn) -> Handled:
        request = turn.inbound.request
        if not isinstance(request, CallTurn):
            raise TypeError("a call's request is a CallTurn")
        work = _Work(self, turn)
        answer = work.respond(request)
        handled = work.handled or Handled(False, turn.candidate_id, turn.state.step)
        return dataclasses.replace(handled, answer=answer)

    def replay(self, hot: HotCursor, inbound: Inbound) -> Handled:
        request = inbound.request
        row = hot.load_call(request.call_sid) if isinstance(request, CallTurn) else None
        return Handled(duplicate=True, answer=(row[3] if row else None) or _HANG_UP)


class _Work:
    """One request of a call: the state machine of the module's docstring."""

    def __init__(self, calls: CallTurns, turn: ChannelTurn) -> None:
        self.speaker = calls.speaker
        self.channel = calls.channel
        self.answer_url = calls.answer_url
        self.recording_callback = calls.recording_callback
        self.captions = calls.captions
        self.turn = turn
        self.hot = turn.hot
        self.handled: Handled | None = None
        """What the engine said, when it ran."""
        self.erased = False

    def respond(self, turn: CallTurn) -> str:
        """The TwiML answering one of Twilio's requests."""
        # A retried request never gets here: the service's dedupe (CallSid and turn) replays it.
        call = self._load(turn.call_sid)
        if call is None:
            candidate_id = self.turn.candidate_id
            call = _Call(new_id(), turn.call_sid, 0, {}, None, None, candidate_id, new=True)
            return self._begin(call, turn)
        return self._answer(call, turn)

    # A call begins ------------------------------------------------------------------------------
    def _begin(self, call: _Call, turn: CallTurn) -> str:
        handled = self._engine(call, Resumed())
        if handled is None:
            return self._finish(call, [], question=None, hangup=True)
        locale = handled.locale
        before: list[Segment] = []
        if locale is not None:
            before += self._welcome(locale)
            call.state["welcomed"] = True
        return self._speak_replies(call, handled, before, locale)

    # Each answer --------------------------------------------------------------------------------
    def _answer(self, call: _Call, turn: CallTurn) -> str:
        state = call.state
        locale: str = state.get("locale") or "fr"
        digits, speech = turn.digits.strip(), turn.speech.strip()
        if not digits and not speech:
            state["silences"] = state.get("silences", 0) + 1
            if state["silences"] >= SILENCES:
                goodbye = self._say(locale, "voice_goodbye_silence")
                return self._finish(call, goodbye, question=None, hangup=True)
            return self._again(call, self._say(locale, "voice_silence"))
        state["silences"] = 0
        phase = state.get("phase", "question")
        if phase == "confirm" and speech and not digits:
            state["phase"] = "question"  # said again without waiting: the new words are read back
        elif phase == "confirm":
            return self._confirm(call, turn, digits)
        if phase == "recording":
            return self._recording(call, digits)
        if phase == "second_language":
            return self._second_language(call, turn, digits)
        question = state.get("question") or {}
        if digits == "#":
            return self._again(call, [])
        if digits == "*":
            return self._to_engine(call, turn, _BACK)
        if digits == "0":
            return self._to_engine(call, turn, _HELP, before=self._welcome(locale))
        if question.get("gather") == "choice" and digits:
            number = int(digits) if _DIGITS.fullmatch(digits) else 0
            if not 1 <= number <= question.get("choices", 0):
                return self._again(call, self._say(locale, "voice_wrong_key"))
            codes = question.get("codes")
            if codes and not speaks(codes[number - 1]):
                return self._offer_second_language(call, codes, codes[number - 1])
            return self._to_engine(call, turn, str(number))
        # A free answer, spoken or typed: read back before it is kept.
        source = "speech" if speech else "keypad"
        text = speech or " ".join(digits.replace("#", "").replace("*", ""))
        if not text.strip():
            return self._again(call, self._say(locale, "voice_wrong_key"))
        state["pending"] = {
            "text": speech or digits.replace("#", "").replace("*", ""),
            "confidence": turn.confidence if speech else None,
            "source": source,
            "step": question.get("step"),
        }
        state["phase"] = "confirm"
        unsure = speech and turn.confidence is not None and turn.confidence < UNSURE
        said = read_back_text(state["pending"], locale, self.turn.now.date())
        return self._confirm_prompt(call, locale, said, unsure=bool(unsure))

    def _confirm(self, call: _Call, turn: CallTurn, digits: str) -> str:
        state = call.state
        locale = state.get("locale") or "fr"
        pending = state.get("pending") or {}
        if digits == "1" and pending:
            state.pop("pending", None)
            state["phase"] = "question"
            call.answers.append(pending)
            return self._to_engine(call, turn, pending["text"])
        if digits in ("2", "*"):
            state.pop("pending", None)
            state["phase"] = "question"
            return self._again(call, self._say(locale, "voice_say_again"))
        said = read_back_text(pending, locale, self.turn.now.date())
        if digits == "#":
            return self._confirm_prompt(call, locale, said, unsure=False)
        wrong = self._say(locale, "voice_wrong_key")
        return self._confirm_prompt(call, locale, said, unsure=False, before=wrong)

    def _confirm_prompt(
        self,
        call: _Call,
        locale: str,
        text: str,
        *,
        unsure: bool,
        before: list[Segment] | None = None,
    ) -> str:
        message = msg("voice_read_back_unsure" if unsure else "voice_read_back", answer=Raw(text))
        prompt = {"speak": spoken(message, locale), "gather": "choice", "choices": 2}
        call.state["prompt"] = prompt
        return self._finish(call, before or [], question=prompt)

    # Languages and recording --------------------------------------------------------------------
    def _offer_second_language(self, call: _Call, codes: list[str], wanted: str) -> str:
        """A language no voice here speaks: say so in the nearest ones, and offer those."""
        offered = [code for code in NEAREST.get(wanted, ()) if speaks(code) and code in codes]
        offered = offered or [code for code in codes if speaks(code)][:3]
        call.wanted_locale = wanted
        segments: list[Segment] = []
        for code in offered:
            name = renderer(code).term(Term("language", wanted.partition("_")[0]))
            segments += spoken(msg("voice_no_voice", language=Raw(name)), code)
        for number, code in enumerate(offered, start=1):
            label = renderer(code).term(Term("locale", code))
            segments += spoken(msg("voice_press", label=Raw(label), number=number), code)
        call.state.update(
            phase="second_language",
            offered=offered,
            menu=codes,
            prompt={
                "speak": [list(s) for s in segments],
                "gather": "choice",
                "choices": len(offered),
            },
        )
        return self._finish(call, [], question=call.state["prompt"])

    def _second_language(self, call: _Call, turn: CallTurn, digits: str) -> str:
        state = call.state
        offered: list[str] = state.get("offered", [])
        number = int(digits) if _DIGITS.fullmatch(digits) else 0
        if not 1 <= number <= len(offered):
            return self._again(call, self._say(offered[0] if offered else "en", "voice_wrong_key"))
        chosen = offered[number - 1]
        key = state["menu"].index(chosen) + 1
        for name in ("offered", "menu", "prompt"):
            state.pop(name, None)
        state["phase"] = "question"
        return self._to_engine(call, turn, str(key))

    def _recording(self, call: _Call, digits: str) -> str:
        state = call.state
        locale = state.get("locale") or "fr"
        if digits not in ("1", "2"):
            return self._again(call, self._say(locale, "voice_wrong_key"))
        call.recording_consent = digits == "1"
        state["phase"] = "question"
        state.pop("prompt", None)
        record = call.recording_consent and self.recording_callback is not None
        return self._finish(call, [], question=state.get("question"), record=record)

    # The engine ---------------------------------------------------------------------------------
    def _engine(self, call: _Call, event: Event) -> "_Heard | None":
        """The engine on ``event``, once a request (the request's dedupe was the service's)."""
        handled = self.turn.run(event)
        self.handled = handled
        if handled.candidate_id is None:
            self.erased = True  # DELETE confirmed on the call: nothing of it is kept
            return None
        call.candidate_id = handled.candidate_id
        locale = _locale_of(handled)
        if locale is not None:
            call.state["locale"] = locale
        asked_help = isinstance(event, TextReceived) and event.text == _HELP
        return _Heard(handled, locale or call.state.get("locale"), asked_help)

    def _to_engine(
        self,
        call: _Call,
        turn: CallTurn,
        text: str,
        *,
        before: list[Segment] | None = None,
    ) -> str:
        heard = self._engine(call, TextReceived(text))
        if heard is None:  # erased (DELETE): the goodbye was the engine's last word
            return self._finish(call, before or [], question=None, hangup=True)
        segments = list(before or [])
        locale = heard.locale
        if locale is not None and not call.state.get("welcomed"):
            segments += self._welcome(locale)
            call.state["welcomed"] = True
        return self._speak_replies(call, heard, segments, locale)

    def _speak_replies(
        self, call: _Call, heard: "_Heard", before: list[Segment], locale: str | None
    ) -> str:
        replies = heard.handled.replies
        plans = [reply.payload or {} for reply in replies]
        asking = [plan for plan in plans if plan.get("gather")]
        question = asking[-1] if asking else None
        said: list[Segment] = list(before)
        for plan in plans:
            if plan is not question:
                said += [(s[0], s[1]) for s in plan.get("speak", [])]
        previous = call.state.get("question") or {}
        if question is None and heard.handled.step == previous.get("step") in _GOES_ON:
            # A story is told in several answers: the step listens on, without asking again.
            return self._finish(call, said, question={**previous, "speak": []})
        if question is None:
            if not heard.asked_help or heard.handled.step in _ENDED:
                # Nothing more to ask on this call (sent to the coach, "later", STOP…).
                said += self._say(locale or "fr", "voice_goodbye")
                return self._finish(call, said, question=None, hangup=True)
            question = call.state.get("question")  # HELP said its words: the question again
        else:
            call.state["question"] = question
        if question is not None:
            question = {**question, "step": question.get("step") or heard.handled.step}
            call.state["question"] = question
        if (
            locale is not None
            and call.recording_consent is None
            and self.recording_callback is not None
            and call.state.get("phase", "question") == "question"
            and heard.handled.step not in _BEFORE_CV
        ):
            # Once a call, before its first question: may it be recorded? Nothing is until 1.
            prompt = {
                "speak": spoken(Msg("voice_recording"), locale),
                "gather": "choice",
                "choices": 2,
            }
            call.state.update(phase="recording", prompt=prompt)
            return self._finish(call, said, question=prompt)
        return self._finish(call, said, question=question)

    # Saying it ----------------------------------------------------------------------------------
    def _again(self, call: _Call, before: list[Segment]) -> str:
        """``before``, then what the call is waiting for again (the question, or a prompt)."""
        state = call.state
        phase = state.get("phase", "question")
        waiting = state.get("prompt") if phase != "question" else state.get("question")
        return self._finish(call, before, question=waiting)

    def _finish(
        self,
        call: _Call,
        before: list[Segment] | list[tuple[Any, ...]],
        *,
        question: Mapping[str, Any] | None,
        hangup: bool = False,
        record: bool = False,
    ) -> str:
        """Build the TwiML, save the call's row with it, and return it."""
        next_turn = call.turn + 1
        listen = None
        if question is not None and not hangup:
            listen = Listen(
                kind=question.get("gather") or "text",
                choices=int(question.get("choices") or 0),
                locale=call.state.get("locale") or "fr",
                action=f"{self.answer_url}?turn={next_turn}",
            )
        recording = None
        if record and self.recording_callback is not None:
            recording = {
                "recording_status_callback": self.recording_callback,
                "recording_status_callback_event": "completed",
                "recording_status_callback_method": "POST",
            }
        speak = [tuple(s) for s in (question or {}).get("speak", [])] if listen else []
        if hangup:
            call.state["phase"] = "ended"
        if self.captions:
            # What this answer says, as words: the simulator's captions (the TwiML of a language
            # spoken by clips holds only their addresses).
            call.state["said"] = [list(segment) for segment in [*before, *speak]]

        twiml = build(self.speaker, before, speak, listen, hangup=hangup, record=recording)
        if not self.erased:
            self._save(call, next_turn, twiml)
        return twiml

    def _welcome(self, locale: str) -> list[Segment]:
        return self._say(locale, "voice_welcome") + self._say(locale, "voice_speak")

    @staticmethod
    def _say(locale: str, message_id: str) -> list[Segment]:
        return spoken(Msg(message_id), locale)

    # The call's row -----------------------------------------------------------------------------
    def _load(self, call_sid: str) -> _Call | None:
        row = self.hot.load_call(call_sid)
        if row is None:
            return None
        call_id, turn, state, last_response, consent, wanted = row
        return _Call(
            call_id,
            call_sid,
            turn,
            dict(state),
            last_response,
            consent,
            self.turn.candidate_id,
            wanted_locale=wanted,
        )

    def _save(self, call: _Call, turn: int, twiml: str) -> None:
        now = self.turn.now
        self.hot.save_call(
            {
                "id": call.id,
                "call_sid": call.call_sid,
                "channel": self.channel,
                "candidate_id": call.candidate_id,
                "turn": turn,
                "state": call.state,
                "last_response": twiml,
                "wanted_locale": call.wanted_locale,
                "recording_consent": call.recording_consent,
                "now": now,
                "ended_at": now if call.state.get("phase") == "ended" else None,
            },
            new=call.new,
        )
        call.new = False
        for answer in call.answers if call.candidate_id is not None else ():
            self.hot.insert_voice_answer(
                {
                    "id": new_id(),
                    "candidate_id": call.candidate_id,
                    "call_sid": call.call_sid,
                    "step": (answer.get("step") or "?")[:40],
                    "transcript": answer["text"],
                    "confidence": answer.get("confidence"),
                    "source": answer["source"],
                    "now": now,
                }
            )
        call.answers.clear()
        call.turn = turn


@dataclass(frozen=True, slots=True)
class _Heard:
    handled: Handled
    locale: str | None
    asked_help: bool = False


def _locale_of(handled: Handled) -> str | None:
    """The conversation's language, as its replies were rendered (None before it is chosen)."""
    for reply in handled.replies:
        locale = (reply.payload or {}).get("locale")
        if locale:
            return str(locale)
    return None
