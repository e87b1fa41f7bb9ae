"""Outbox rows outside the delivery loop: why a row exists, queueing a message, opting out.

The service, the channels and (later) the coach workspace and reminders change outbox rows through
these functions, so that the opt-out rule lives in one place: nothing is queued for, and nothing
still waiting is sent to, a person who sent STOP, except the confirmation of that STOP.
"""

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Update, insert, or_, select, update
from sqlalchemy.orm import Session

from bot.channels.text import measure
from storage import tables, utcnow

__all__ = [
    "CANCELLED",
    "FAILED",
    "HELD",
    "OPTED_OUT",
    "PENDING",
    "SENT",
    "Purpose",
    "cancel_pending",
    "cancel_rows",
    "mark_opted_out",
    "queue_message",
    "record_delivery_status",
    "release_held",
]

log = logging.getLogger(__name__)

_outbox = tables.outbox
_messages = tables.messages
_candidates = tables.candidates
_conversations = tables.conversations
_audit = tables.audit_events


class Purpose(StrEnum):
    """Why an outbox row exists (``outbox.purpose``)."""

    REPLY = "reply"
    OPT_OUT_CONFIRMATION = "opt_out_confirmation"
    """The answer to STOP: queued with the opt-out, the only message an opted-out person gets."""
    COACH = "coach"
    REMINDER = "reminder"
    PUBLISHED = "published"
    """The link to a newly published CV (a coach's doing, told apart for WhatsApp's templates)."""


PENDING = "pending"
SENT = "sent"
FAILED = "failed"
CANCELLED = "cancelled"
HELD = "held"
OPTED_OUT = "opted out"

# How far a message has gone: a status callback never moves a message back (they can arrive
# out of order: "sent" after "delivered"). Our own statuses sit among the provider's.
_STATUS_RANK = {
    "queued": 1,
    "accepted": 1,
    "scheduled": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "canceled": 4,
    CANCELLED: 4,
    "read": 5,
}


def _connection_of(session_or_connection: Session | Connection) -> Connection:
    if isinstance(session_or_connection, Session):
        return session_or_connection.connection()
    return session_or_connection


def queue_message(
    session_or_connection: Session | Connection,
    candidate_id: str,
    channel: str,
    address: str,
    body: str,
    purpose: str = Purpose.COACH,
    *,
    now: datetime | None = None,
    payload: Mapping[str, Any] | None = None,
    held: str | None = None,
) -> int | None:
    """Queue a message to a candidate outside a conversation turn (a coach's words, a reminder).

    ``payload`` is what the channel sends beside the text (a Telegram keyboard), as a reply has
    it (``Outgoing.payload``). ``held`` queues it to wait, with that reason, until the person
    writes on the channel (``release_held``): WhatsApp's window is closed. Returns the outbox id,
    or None when the candidate opted out (or no longer exists): after STOP nothing is queued. It
    joins the caller's transaction; the worker sends after commit.
    """
    connection = _connection_of(session_or_connection)
    opted_out = connection.execute(
        select(_candidates.c.opted_out).where(_candidates.c.id == candidate_id)
    ).scalar_one_or_none()
    if opted_out is None or opted_out:
        return None
    when = now or utcnow()
    message_id = connection.execute(
        insert(_messages).returning(_messages.c.id),
        {
            "candidate_id": candidate_id,
            "direction": "out",
            "channel": channel,
            "body": body,
            "segments": measure(body).segments if channel == "sms" else None,
            "status": "queued",
            "created_at": when,
        },
    ).scalar_one()
    outbox_id: int = connection.execute(
        insert(_outbox).returning(_outbox.c.id),
        {
            "candidate_id": candidate_id,
            "message_id": message_id,
            "channel": channel,
            "address": address,
            "body": body,
            "payload": dict(payload) if payload is not None else None,
            "purpose": str(purpose),
            "status": PENDING if held is None else HELD,
            "last_error": held,
            "attempts": 0,
            "next_attempt_at": when,
            "created_at": when,
        },
    ).scalar_one()
    return outbox_id


def release_held(connection: Connection, channel: str, address: str, *, now: datetime) -> int:
    """The person wrote on ``channel``: what waited for them there goes now, in its order."""
    released = connection.execute(
        update(_outbox)
        .where(_outbox.c.channel == channel, _outbox.c.address == address)
        .where(_outbox.c.status == HELD)
        .values(status=PENDING, next_attempt_at=now, last_error=None)
    )
    return int(released.rowcount or 0)


def cancel_pending(
    connection: Connection, candidate_id: str, *, channels: Sequence[str] | None = None
) -> int:
    """Cancel what is still waiting for an opted-out candidate, except the STOP confirmation.

    The service may call it in the STOP transaction, so that a reply queued before STOP cannot
    go out after a quick START either. Returns how many rows were cancelled.
    """
    query = update(_outbox).where(
        _outbox.c.candidate_id == candidate_id,
        _outbox.c.status.in_((PENDING, HELD)),
        _outbox.c.purpose != Purpose.OPT_OUT_CONFIRMATION.value,
    )
    if channels is not None:
        query = query.where(_outbox.c.channel.in_(channels))
    return cancel_rows(connection, query)


def cancel_rows(connection: Connection, query: Update) -> int:
    """Run an ``UPDATE outbox`` that cancels rows, and mark their logged messages alike."""
    message_ids = [
        message_id
        for message_id in connection.execute(
            query.values(status=CANCELLED, last_error=OPTED_OUT).returning(_outbox.c.message_id)
        ).scalars()
    ]
    linked = [message_id for message_id in message_ids if message_id is not None]
    if linked:
        connection.execute(
            update(_messages).where(_messages.c.id.in_(linked)).values(status=CANCELLED)
        )
    return len(message_ids)


def mark_opted_out(
    connection: Connection, candidate_id: str, *, now: datetime, source: str
) -> bool:
    """Opt a candidate out on a provider's word (Twilio 21610: they texted STOP to the carrier).

    The conversation state says so too, as if they had sent STOP to us: the engine then stays
    silent until START, and the service, which copies the state's flag to the candidate row at
    every message, does not switch it back. Locks in the service's order (conversation first).
    Said again (a second 21610), it only cancels. False when the candidate no longer exists.
    """
    query = select(_conversations.c.id, _conversations.c.state, _conversations.c.version).where(
        _conversations.c.candidate_id == candidate_id
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    conversation = connection.execute(query).first()
    already = connection.execute(
        select(_candidates.c.opted_out).where(_candidates.c.id == candidate_id)
    ).scalar_one_or_none()
    if already is None:
        return False
    if not already:
        connection.execute(
            update(_candidates).where(_candidates.c.id == candidate_id).values(opted_out=True)
        )
        connection.execute(
            insert(_audit).values(
                candidate_id=candidate_id, action="opted_out", detail={"by": source}, created_at=now
            )
        )
    if conversation is not None and not conversation.state.get("opted_out"):
        connection.execute(
            update(_conversations)
            .where(_conversations.c.id == conversation.id)
            .values(
                state={**conversation.state, "opted_out": True},
                version=conversation.version + 1,
                updated_at=now,
            )
        )
    cancel_pending(connection, candidate_id)
    return True


def record_delivery_status(
    connection: Connection,
    channel: str,
    external_id: str,
    status: str,
    *,
    error_code: str | None = None,
    opted_out: bool = False,
    now: datetime,
) -> bool:
    """Record a provider's delivery report on the outbound message with that id.

    A report never moves a message back (they arrive out of order). ``opted_out`` (Twilio 21610)
    opts the candidate out as well. False when no outbound message has that id.
    """
    where = (
        _messages.c.channel == channel,
        _messages.c.direction == "out",
        _messages.c.external_id == external_id,
    )
    candidate_id = connection.execute(select(_messages.c.candidate_id).where(*where)).first()
    if candidate_id is None:
        return False
    if opted_out and candidate_id[0] is not None:
        # Before touching the message: the service locks the conversation first, and so do we.
        mark_opted_out(connection, candidate_id[0], now=now, source=f"{channel} {error_code}")
    rank = _STATUS_RANK.get(status)
    if rank is None:
        log.debug("unknown delivery status %r ignored", status)
        return True
    behind = [name for name, known in _STATUS_RANK.items() if known < rank]
    values: dict[str, Any] = {"status": status}
    if error_code:
        values["error_code"] = error_code[:16]
    connection.execute(
        update(_messages)
        .where(*where)
        .where(or_(_messages.c.status.is_(None), _messages.c.status.in_(behind)))
        .values(values)
    )
    return True
