"""Delivering queued replies for channels that deliver in-process (the terminal phone, the
simulator's phones).

Replies are rows of the outbox written in the same transaction as the answer; a deliverer takes the
pending rows of one address in order, hands them over, and marks them sent. The provider channels'
worker (bot/delivery/worker.py) follows the same shape with retries. Held rows (WhatsApp's window
closed) stay until the person writes.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage import Message, Outbox

__all__ = ["Delivered", "deliver_pending", "take_pending"]


@dataclass(frozen=True, slots=True)
class Delivered:
    text: str
    step: str | None
    """The step whose question it asks (``--trace``)."""
    payload: dict[str, Any] | None
    """What the channel shows beside the text (WhatsApp's buttons, a template's name)."""


def take_pending(sessions: sessionmaker[Session], channel: str, address: str) -> list[Delivered]:
    """Every pending message for one address, oldest first, marked sent as it is taken."""
    delivered: list[Delivered] = []
    with sessions.begin() as session:
        rows = session.scalars(
            select(Outbox)
            .where(Outbox.channel == channel, Outbox.address == address, Outbox.status == "pending")
            .order_by(Outbox.id)
        ).all()
        now = datetime.now(UTC)
        for row in rows:
            message = session.get(Message, row.message_id) if row.message_id is not None else None
            delivered.append(
                Delivered(row.body, message.step if message is not None else None, row.payload)
            )
            row.status = "sent"
            row.attempts += 1
            row.sent_at = now
            if message is not None:
                message.status = "sent"
            if row.candidate_id is None:
                # The goodbye after DELETE: once delivered, the address is the last trace to go.
                session.delete(row)
    return delivered


def deliver_pending(
    sessions: sessionmaker[Session],
    channel: str,
    address: str,
    send: Callable[[str, str | None], None],
) -> int:
    """Send every pending message for one address, oldest first; returns how many were sent.

    ``send`` receives the text and the step whose question it asks (for ``--trace``).
    """
    delivered = take_pending(sessions, channel, address)
    for message in delivered:
        send(message.text, message.step)
    return len(delivered)
