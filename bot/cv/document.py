"""The CV document of cv.schema.json, built from a candidate's rows (``tremplin cv show``).

The draft keeps work in progress as it is (a language not yet rated, an experience without
dates); the document shows what is complete enough to be read, and always validates.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.channels import registry
from bot.runtime.settings import Settings
from conversations.draft import progress
from conversations.parsing.phones import to_e164
from conversations.state import State
from storage import Candidate, ChannelIdentity, Coach, Conversation, CvDraft

__all__ = ["cv_document", "document_from_state", "find_candidate"]


def find_candidate(session: Session, key: str) -> Candidate | None:
    """A candidate by id, public slug, or any of their channel addresses (a phone number)."""
    candidate = session.get(Candidate, key) or session.scalar(
        select(Candidate).where(Candidate.slug == key)
    )
    if candidate is not None:
        return candidate
    addresses = {key, to_e164(key) or key}
    identity = session.scalar(
        select(ChannelIdentity).where(ChannelIdentity.address.in_(addresses)).limit(1)
    )
    return identity.candidate if identity is not None else None


def _cv_part(cv: dict[str, Any]) -> dict[str, Any]:
    part = dict(cv)
    part["languages"] = [lang for lang in cv["languages"] if lang.get("level")]
    part["experiences"] = [item for item in cv["experiences"] if item.get("title")]
    part["trainings"] = [item for item in cv["trainings"] if item.get("title")]
    return part


def document_from_state(
    state: State, *, candidate: dict[str, Any], status: str, locale: str
) -> dict[str, Any]:
    """The document for a conversation state; ``candidate`` adds id, channels, coach, url."""
    person = state.person
    return {
        "schema_version": 1,
        "status": status,
        "locale": locale,
        "progress": progress(state),
        "candidate": {
            "first_name": person.get("first_name"),
            "last_name": person.get("last_name"),
            "email": person.get("email"),
            "phone": person.get("phone"),
            "step": state.step,
            **candidate,
        },
        "cv": _cv_part(state.cv),
    }


def cv_document(session: Session, candidate: Candidate, settings: Settings) -> dict[str, Any]:
    draft = session.scalar(select(CvDraft).where(CvDraft.candidate_id == candidate.id))
    conversation = session.scalar(
        select(Conversation).where(Conversation.candidate_id == candidate.id)
    )
    state = State.from_parts(
        conversation.state if conversation else None, draft.document if draft else None
    )
    person = state.person
    channels = [{"channel": i.channel, "address": i.address} for i in candidate.identities]
    phone = person.get("phone") or next(
        (
            i.address
            for i in candidate.identities
            if registry.channel(i.channel).carries_phone and i.address.startswith("+")
        ),
        None,
    )
    coach = session.get(Coach, candidate.coach_id) if candidate.coach_id else None
    published = candidate.status == "published"
    return document_from_state(
        state,
        status=candidate.status,
        locale=candidate.locale,
        candidate={
            "id": candidate.id,
            "phone": phone,
            "channels": channels,
            "coach": {"id": coach.id, "name": coach.name} if coach else None,
            "public_url": f"{settings.public_url}/cv/{candidate.slug}" if published else None,
            "invite_code": candidate.invite_code,
        },
    )
