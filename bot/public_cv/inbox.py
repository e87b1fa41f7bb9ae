"""The coach's inbox: messages sent from public CV pages (for the coach workspace to list).

A coach sees the messages about their own candidates; an admin (``coach_id=None``) sees all,
including those about a candidate who has no coach yet.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from bot.public_cv.privacy import public_name
from storage.models import Candidate, ContactMessage, CvDraft

__all__ = ["InboxMessage", "inbox_messages", "mark_read", "unread_count"]


@dataclass(frozen=True, slots=True)
class InboxMessage:
    id: str
    candidate_id: str
    candidate_name: str
    """The candidate as the page names them ("Amina D."): the coach knows the rest."""
    slug: str
    sender_name: str
    sender_email: str
    organisation: str | None
    body: str
    created_at: datetime
    read_at: datetime | None


def _mine(coach_id: str | None) -> list[ColumnElement[bool]]:
    """The condition "about this coach's candidates" (none for an admin, who sees all)."""
    return [] if coach_id is None else [ContactMessage.coach_id == coach_id]


def inbox_messages(
    session: Session, coach_id: str | None, *, unread_only: bool = False, limit: int = 200
) -> list[InboxMessage]:
    """Newest first."""
    query = (
        select(ContactMessage, Candidate.slug, CvDraft.document)
        .join(Candidate, Candidate.id == ContactMessage.candidate_id)
        .outerjoin(CvDraft, CvDraft.candidate_id == Candidate.id)
        .where(*_mine(coach_id))
        .order_by(ContactMessage.created_at.desc())
        .limit(limit)
    )
    if unread_only:
        query = query.where(ContactMessage.read_at.is_(None))
    result = []
    for message, slug, document in session.execute(query).all():
        person = (document or {}).get("candidate") or {}
        result.append(
            InboxMessage(
                id=message.id,
                candidate_id=message.candidate_id,
                candidate_name=public_name(person.get("first_name"), person.get("last_name")),
                slug=slug,
                sender_name=message.sender_name,
                sender_email=message.sender_email,
                organisation=message.organisation,
                body=message.body,
                created_at=message.created_at,
                read_at=message.read_at,
            )
        )
    return result


def unread_count(session: Session, coach_id: str | None) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(ContactMessage)
        .where(ContactMessage.read_at.is_(None), *_mine(coach_id))
    )
    return int(count or 0)


def mark_read(session: Session, message_id: str, coach_id: str | None, *, now: datetime) -> bool:
    """Mark one message read; False when it is not this coach's (or does not exist)."""
    result = session.execute(
        update(ContactMessage)
        .where(ContactMessage.id == message_id, *_mine(coach_id))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
