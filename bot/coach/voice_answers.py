"""What the coach sees of a candidate's phone calls: each answer as it was heard, with Twilio's
confidence, and whether the person wants a call-back in a language no voice here speaks."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.channels.voice.call import UNSURE
from bot.coach.review import READS_IN
from conversations.vocabulary.lists import LOCALE_NAMES
from storage import VoiceAnswer, VoiceCall

__all__ = ["HeardAnswer", "VoiceFacts", "voice_facts"]


@dataclass(frozen=True, slots=True)
class HeardAnswer:
    step: str
    transcript: str
    confidence: int | None
    """In percent; None for keys typed."""
    by_keypad: bool
    doubtful: bool
    when: datetime


@dataclass(frozen=True, slots=True)
class VoiceFacts:
    calls: int
    answers: list[HeardAnswer]
    call_back_in: str | None
    """A language the person chose on a call that no voice here speaks: call them back in it."""
    recorded_calls: int


def voice_facts(session: Session, candidate_id: str) -> VoiceFacts | None:
    """None when the person never called."""
    calls = session.scalar(
        select(func.count()).select_from(VoiceCall).where(VoiceCall.candidate_id == candidate_id)
    )
    if not calls:
        return None
    wanted = session.scalar(
        select(VoiceCall.wanted_locale)
        .where(VoiceCall.candidate_id == candidate_id, VoiceCall.wanted_locale.is_not(None))
        .order_by(VoiceCall.created_at.desc())
        .limit(1)
    )
    recorded = session.scalar(
        select(func.count())
        .select_from(VoiceCall)
        .where(VoiceCall.candidate_id == candidate_id, VoiceCall.recording_sid.is_not(None))
    )
    answers = [
        HeardAnswer(
            step=answer.step,
            transcript=answer.transcript,
            confidence=None if answer.confidence is None else round(answer.confidence * 100),
            by_keypad=answer.source == "keypad",
            doubtful=answer.confidence is not None and answer.confidence < UNSURE,
            when=answer.created_at,
        )
        for answer in session.scalars(
            select(VoiceAnswer)
            .where(VoiceAnswer.candidate_id == candidate_id)
            .order_by(VoiceAnswer.created_at, VoiceAnswer.id)
        )
    ]
    call_back = READS_IN.get(wanted, LOCALE_NAMES.get(wanted, wanted)) if wanted else None
    return VoiceFacts(int(calls), answers, call_back, int(recorded or 0))
