"""Delivering queued replies for channels that deliver in-process (the terminal phone).

Replies are rows of the outbox written in the same transaction as the answer; a deliverer takes the
pending rows of one address in order, hands them over, and marks them sent. The SMS and Telegram
workers follow the same shape with retries (their own issues).
"""

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage import Message, Outbox

__all__ = ["deliver_pending"]


def deliver_pending(
    sessions: sessionmaker[Session],
    channel: str,
    address: str,
    send: Callable[[str, str | None], None],
) -> int:
    """Send every pending message for one address, oldest first; returns how many were sent.

    ``send`` receives the text and the step whose question it asks (for ``--trace``).
    """
    with sessions.begin() as session:
        rows = session.scalars(
            select(Outbox)
            .where(Outbox.channel == channel, Outbox.address == address, Outbox.status == "pending")
            .order_by(Outbox.id)
        ).all()
        now = datetime.now(UTC)
        for row in rows:
            message = session.get(Message, row.message_id) if row.message_id is not None else None
            send(row.body, message.step if message is not None else None)
            row.status = "sent"
            row.attempts += 1
            row.sent_at = now
            if message is not None:
                message.status = "sent"
            if row.candidate_id is None:
                # The goodbye after DELETE: once delivered, the address is the last trace to go.
                session.delete(row)
        return len(rows)
