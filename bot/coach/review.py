"""The coach's review actions: comments per part, asking for changes, taking a candidate.

Asking for changes writes the comment (``reviews``), steps the conversation with
``conversations.coach.request_changes`` under the conversation's lock, and queues the coach's
words and the part's first question for the candidate's channel (``queue_message``, purpose
``coach``), all in one transaction: either the candidate is asked and the draft reopened, or
nothing happened.
"""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.coach.state_store import lock_state, queue_outputs, save_state
from bot.privacy.audit import audit
from conversations.coach import request_changes
from conversations.parsing.places import is_latin
from conversations.questions import PARTS
from storage import Review, tables

if TYPE_CHECKING:  # the runtime builds this: only its type is needed here
    from bot.runtime.root import Runtime

__all__ = ["MAX_COMMENT_LENGTH", "ReviewError", "add_comment", "ask_for_changes", "take"]

MAX_COMMENT_LENGTH = 300
"""Two SMS segments of the coach's words at most: short requests are the ones people act on."""

_candidates = tables.candidates

READS_IN = {"ar": "arabe", "fa_AF": "dari", "ps": "pachto", "uk": "ukrainien", "ti": "tigrigna"}
"""The conversation languages written in another script than French, named in French."""


class ReviewError(ValueError):
    """The action cannot be done; the message says why, in French."""


def _checked(part: int, comment: str) -> str:
    if part not in PARTS:
        raise ReviewError("Choisissez une partie du CV.")
    words = comment.strip()
    if not words:
        raise ReviewError("Écrivez votre commentaire.")
    if len(words) > MAX_COMMENT_LENGTH:
        raise ReviewError(f"Commentaire trop long : {MAX_COMMENT_LENGTH} signes au plus.")
    return words


def _other_script(locale: str | None, words: str) -> bool:
    """French (Latin letters) sent to a person whose language is written in another script."""
    if (locale or "fr") not in READS_IN:
        return False
    return any(char.isalpha() for char in words) and is_latin(words)


def _record_review(
    session: Session,
    candidate_id: str,
    coach_id: str,
    part: int,
    words: str,
    action: str,
    now: datetime,
) -> None:
    """Keep the coach's words on ``part`` (``reviews``) and audit ``action`` without them."""
    session.add(
        Review(
            candidate_id=candidate_id,
            coach_id=coach_id,
            part=str(part),
            comment=words,
            created_at=now,
        )
    )
    audit(session, candidate_id, coach_id, action, {"part": part}, now)


def add_comment(
    session: Session, candidate_id: str, coach_id: str, part: int, comment: str, *, now: datetime
) -> None:
    """A note on one part, for the coaches (the candidate does not receive it)."""
    words = _checked(part, comment)
    _record_review(session, candidate_id, coach_id, part, words, "commented", now)


def ask_for_changes(
    runtime: "Runtime",
    candidate_id: str,
    coach_id: str,
    part: int,
    comment: str,
    *,
    now: datetime,
    translation_follows: bool = False,
) -> int:
    """Send the coach's words to the candidate and reopen ``part``; returns messages queued.

    Words in Latin letters to a person who reads another script are refused unless the coach
    says a translation follows: the SMS would otherwise mix scripts without a word of warning.
    """
    words = _checked(part, comment)
    with runtime.sessions.begin() as session:
        locked = lock_state(session, candidate_id)
        if locked is None:
            raise ReviewError("Cette personne n'existe plus.")
        if locked.opted_out or locked.state.opted_out:
            raise ReviewError(
                "Cette personne a envoyé STOP : aucun message ne peut lui être envoyé. "
                "Elle peut reprendre en envoyant START."
            )
        locale = locked.state.locale or locked.locale
        if not translation_follows and _other_script(locale, words):
            name = READS_IN[locale or "fr"]
            raise ReviewError(
                f"Cette personne lit en {name} : écrivez la demande en {name}, ou cochez "
                "« Écrit en français, une traduction suivra » pour qu'elle en soit prévenue."
            )
        state, outputs = request_changes(
            runtime.service.flow,
            locked.state,
            part,
            words,
            now=now,
            translation_follows=translation_follows,
        )
        if not outputs:
            raise ReviewError("Cette personne n'a pas encore accepté de faire son CV.")
        save_state(session, locked, state, now=now)
        locale = state.locale or locked.locale
        queued = queue_outputs(session, candidate_id, outputs, locale, runtime.courier, now=now)
        if queued.count + queued.held == 0:
            raise ReviewError("Cette personne n'a plus de canal pour recevoir un message.")
        _record_review(session, candidate_id, coach_id, part, words, "changes_requested", now)
    return queued.count + queued.held


def take(
    session: Session,
    candidate_id: str,
    coach_id: str,
    organisation_id: str | None,
    *,
    now: datetime,
) -> bool:
    """Take a candidate from the unassigned queue; False when someone took them first."""
    taken = session.connection().execute(
        update(_candidates)
        .where(
            _candidates.c.id == candidate_id,
            _candidates.c.coach_id.is_(None),
            _candidates.c.organisation_id.is_(None),
        )
        .values(coach_id=coach_id, organisation_id=organisation_id)
    )
    if taken.rowcount != 1:
        return False
    audit(session, candidate_id, coach_id, "taken", None, now)
    return True
