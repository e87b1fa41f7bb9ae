"""Changing a candidate's conversation from outside a message: the coach's edits and decisions.

The same discipline as the service (docs/architecture.md, the path of one message): lock the
conversation row first
(``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the transaction's ``BEGIN IMMEDIATE`` already
holds the write lock), read state and draft, change them together, bump ``conversations.version``
(a service turn that read the old version then fails its optimistic check and starts again),
queue what the candidate must receive in the same transaction. Nothing is sent before commit.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.conversation.service import ConflictError
from bot.delivery.courier import Courier, Queued
from bot.delivery.rows import Purpose
from conversations.draft import progress
from conversations.outputs import Output
from conversations.state import State
from storage import tables

__all__ = ["Locked", "lock_state", "queue_outputs", "save_state"]

_candidates = tables.candidates
_conversations = tables.conversations
_drafts = tables.cv_drafts
_identities = tables.channel_identities
_messages = tables.messages


@dataclass(frozen=True, slots=True)
class Locked:
    """A candidate's conversation, read under its lock."""

    candidate_id: str
    conversation_id: str
    version: int
    state: State
    locale: str
    status: str
    opted_out: bool
    slug: str
    published_version: int | None


def lock_state(session: Session, candidate_id: str) -> Locked | None:
    connection = session.connection()
    query = (
        select(
            _conversations.c.id,
            _conversations.c.state,
            _conversations.c.version,
            _drafts.c.document,
            _candidates.c.locale,
            _candidates.c.status,
            _candidates.c.opted_out,
            _candidates.c.slug,
            _candidates.c.published_version,
        )
        .join(_candidates, _candidates.c.id == _conversations.c.candidate_id)
        .join(_drafts, _drafts.c.candidate_id == _conversations.c.candidate_id)
        .where(_conversations.c.candidate_id == candidate_id)
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(of=_conversations)
    row = connection.execute(query).first()
    if row is None:
        return None
    return Locked(
        candidate_id=candidate_id,
        conversation_id=row.id,
        version=row.version,
        state=State.from_parts(row.state, row.document),
        locale=row.locale,
        status=row.status,
        opted_out=row.opted_out,
        slug=row.slug,
        published_version=row.published_version,
    )


def save_state(
    session: Session,
    locked: Locked,
    state: State,
    *,
    now: datetime,
    candidate_values: dict[str, Any] | None = None,
) -> None:
    """Write state, draft and status together; the candidate row gets ``candidate_values`` too."""
    connection = session.connection()
    saved = connection.execute(
        update(_conversations)
        .where(_conversations.c.id == locked.conversation_id)
        .where(_conversations.c.version == locked.version)
        .values(state=state.conversation_json(), version=locked.version + 1, updated_at=now)
    )
    if saved.rowcount != 1:
        raise ConflictError(locked.conversation_id)
    locations, jobs = state.cv["locations"], state.cv["target_jobs"]
    connection.execute(
        update(_drafts)
        .where(_drafts.c.candidate_id == locked.candidate_id)
        .values(
            document=state.draft,
            status=state.status,
            progress=progress(state),
            department=locations[0].get("department") if locations else None,
            first_job=(jobs[0].get("code") or jobs[0]["text"])[:200] if jobs else None,
            updated_at=now,
        )
    )
    connection.execute(
        update(_candidates)
        .where(_candidates.c.id == locked.candidate_id)
        .values(status=state.status, current_step=state.step, **(candidate_values or {}))
    )


def queue_outputs(
    session: Session,
    candidate_id: str,
    outputs: list[Output],
    locale: str,
    courier: Courier,
    *,
    now: datetime,
    purpose: Purpose = Purpose.COACH,
) -> Queued:
    """Render outputs for the candidate's channel and queue them (by the courier's rules:
    WhatsApp's window, a template, the SMS fallback, or held until the person writes).

    ``count + held`` is 0 when the candidate cannot be reached (no channel, or STOP), which the
    caller tells the coach.
    """
    return courier.queue(session.connection(), candidate_id, outputs, locale, purpose, now=now)
