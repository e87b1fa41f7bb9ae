"""The coach's inbox: messages sent from public CV pages, listed in the coach workspace.

Who sees which message follows who sees which candidate: the caller passes that condition
(``bot.coach.scope``), so a message follows its candidate when they change coach.
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


def inbox_messages(
    session: Session,
    scope: ColumnElement[bool],
    *,
    unread_only: bool = False,
    limit: int = 200,
) -> list[InboxMessage]:
    """Messages about the candidates ``scope`` (a condition on ``Candidate``) selects, newest
    first."""
    query = (
        select(ContactMessage, Candidate.slug, CvDraft.document)
        .join(Candidate, Candidate.id == ContactMessage.candidate_id)
        .outerjoin(CvDraft, CvDraft.candidate_id == Candidate.id)
        .where(scope)
        .order_by(ContactMessage.created_at.desc(), ContactMessage.id)
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


def _in(scope: ColumnElement[bool]) -> ColumnElement[bool]:
    return ContactMessage.candidate_id.in_(select(Candidate.id).where(scope).scalar_subquery())


def unread_count(session: Session, scope: ColumnElement[bool]) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(ContactMessage)
        .where(ContactMessage.read_at.is_(None), _in(scope))
    )
    return int(count or 0)


def mark_read(
    session: Session, message_id: str, scope: ColumnElement[bool], *, now: datetime
) -> bool:
    """Mark one message read; False when it is not in scope (or does not exist)."""
    result = session.execute(
        update(ContactMessage)
        .where(ContactMessage.id == message_id, _in(scope))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
