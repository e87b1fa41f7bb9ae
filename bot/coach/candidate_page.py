"""What the candidate page shows, read in one transaction: the candidate's facts, the draft by
part, comments, the transcript, the history of coach actions and the versions."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.coach.auth import Authenticated
from bot.coach.dashboard import STATUS_LABELS
from bot.coach.deliveries import delivery_problems, in_words
from bot.coach.draft_view import draft_parts
from bot.coach.review import READS_IN
from bot.coach.scope import can_change, visible_candidate
from bot.coach.voice_answers import voice_facts
from bot.cv.publishing import free_texts, untranslated_texts
from bot.i18n import text_direction
from bot.public_cv.privacy import hidden_in
from bot.public_cv.published import public_facts
from bot.runtime.settings import Settings
from conversations.state import State
from conversations.vocabulary.lists import LOCALE_NAMES
from storage import (
    AuditEvent,
    ChannelIdentity,
    Coach,
    Conversation,
    CvDraft,
    CvVersion,
    Message,
    Review,
)

__all__ = ["ACTION_LABELS", "candidate_context"]

ACTION_LABELS = {
    "submitted": "Envoyé au coach par le candidat",
    "edited": "Brouillon modifié",
    "commented": "Note ajoutée",
    "changes_requested": "Modification demandée au candidat",
    "published": "Publié",
    "unpublished": "Publication retirée",
    "taken": "Pris en charge",
    "opted_out": "STOP reçu",
    "consent_declined": "Consentement refusé",
    "delivery_fallback": "Message envoyé par un autre canal",
}
_VERSION_KINDS = {
    "submitted": "envoyée par le candidat",
    "edit": "modifiée",
    "published": "publiée",
}
_TRANSCRIPT_LIMIT = 400


@dataclass(frozen=True, slots=True)
class _Comment:
    comment: str
    author: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class _Event:
    label: str
    coach: str
    detail: str
    created_at: datetime


_HIDDEN_KINDS = {
    "email": "adresse e-mail",
    "phone": "numéro de téléphone",
    "address": "adresse postale",
    "last_name": "nom de famille (remplacé par l'initiale)",
}


def hidden_on_public_page(cv: dict[str, Any], last_name: str | None) -> list[dict[str, str]]:
    """What the public page will not show of the texts it publishes, and why: the coach sees
    it before publishing, and can rewrite the sentence if what is left reads badly."""
    hidden = []
    for name, value in free_texts(cv):
        shown = value.get("fr") or value["text"]
        for part in hidden_in(shown, last_name=last_name):
            hidden.append({"field": name, "text": part.text, "why": _HIDDEN_KINDS[part.kind]})
    return hidden


def _detail(action: str, detail: dict[str, Any] | None) -> str:
    if not detail:
        return ""
    bits = []
    if "part" in detail:
        bits.append(f"partie {detail['part']}")
    if "version" in detail and detail["version"] is not None:
        bits.append(f"version {detail['version']}")
    if action == "edited" and detail.get("fields"):
        bits.append(", ".join(detail["fields"]))
    if action == "delivery_fallback":
        bits.append(f"{detail.get('from')} → {detail.get('to')} : {in_words(detail.get('reason'))}")
    return " · ".join(bits)


def candidate_context(
    session: Session, me: Authenticated, candidate_id: str, settings: Settings
) -> dict[str, Any] | None:
    """Everything the page needs, or None when this coach may not see the candidate."""
    candidate = visible_candidate(session, me, candidate_id)
    if candidate is None:
        return None
    draft = session.scalar(select(CvDraft).where(CvDraft.candidate_id == candidate.id))
    conversation = session.scalar(
        select(Conversation).where(Conversation.candidate_id == candidate.id)
    )
    state = State.from_parts(
        conversation.state if conversation else None, draft.document if draft else None
    )
    coaches = {c.id: c.name for c in session.scalars(select(Coach))}
    person = state.person
    initial = (person.get("last_name") or "")[:1]
    first = person.get("first_name") or "(sans prénom)"
    channels = session.scalars(
        select(ChannelIdentity.channel).where(ChannelIdentity.candidate_id == candidate.id)
    ).all()
    locale = candidate.locale
    published = candidate.published_version is not None
    facts = {
        "id": candidate.id,
        "name": f"{first} {initial}." if initial else first,
        "status": candidate.status,
        "status_label": STATUS_LABELS.get(candidate.status, candidate.status),
        "progress": draft.progress if draft else 0,
        "step": candidate.current_step or state.step,
        "channel": ", ".join(sorted(channels)),
        "coach_name": coaches.get(candidate.coach_id or ""),
        "invite_code": candidate.invite_code,
        "opted_out": candidate.opted_out,
        "locale": locale,
        "locale_name": LOCALE_NAMES.get(locale, locale),
        "reads_other_script": locale in READS_IN,
        "reads_name": {"fr": "français", "en": "anglais", **READS_IN}.get(locale, locale),
        "lang": locale.replace("_", "-"),
        "dir": text_direction(locale),
        "published_version": candidate.published_version,
        "public_url": f"{settings.public_url}/cv/{candidate.slug}" if published else None,
        "public": public_facts(candidate),
    }
    comments: dict[int, list[_Comment]] = {}
    for review in session.scalars(
        select(Review).where(Review.candidate_id == candidate.id).order_by(Review.created_at)
    ):
        author = coaches.get(review.coach_id or "", "un coach")
        comments.setdefault(int(review.part), []).append(
            _Comment(review.comment, author, review.created_at)
        )
    messages = list(
        session.scalars(
            select(Message)
            .where(Message.candidate_id == candidate.id)
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(_TRANSCRIPT_LIMIT)
        )
    )
    messages.reverse()
    history = [
        _Event(
            ACTION_LABELS.get(event.action, event.action),
            coaches.get(event.coach_id or "", ""),
            _detail(event.action, event.detail),
            event.created_at,
        )
        for event in session.scalars(
            select(AuditEvent)
            .where(AuditEvent.candidate_id == candidate.id)
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        )
    ]
    versions = [
        {
            "number": v.number,
            "kind_label": _VERSION_KINDS.get(v.kind, v.kind),
            "created_at": v.created_at,
        }
        for v in session.scalars(
            select(CvVersion)
            .where(CvVersion.candidate_id == candidate.id)
            .order_by(CvVersion.number.desc())
        )
    ]
    changeable = can_change(session, me, candidate.id)
    return {
        "c": facts,
        "can_change": changeable,
        "can_take": not changeable
        and candidate.coach_id is None
        and candidate.organisation_id is None,
        "parts": draft_parts(state),
        "untranslated": untranslated_texts(state.cv, person),
        "hidden": hidden_on_public_page(state.cv, person.get("last_name")),
        "comments": comments,
        "version": conversation.version if conversation else 0,
        "messages": messages,
        "undelivered": delivery_problems(session, candidate.id),
        "voice": voice_facts(session, candidate.id),
        "history": history,
        "versions": versions,
    }
