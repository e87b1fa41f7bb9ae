"""Where to reach a candidate outside a conversation turn: one rule for reminders, a coach's
words and the link to a published CV.

The rule: the channel the person last wrote from, since that is the one they are reading (the
terminal phone too: it shows what waits for it when it is opened again); a channel they never
wrote from comes after every channel they did, oldest first. None when they have no channel.
An address the provider called unreachable (``unusable_at``: not a WhatsApp user) is skipped,
unless the person wrote from it since.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select

from storage import tables

__all__ = ["Reach", "reach"]

_identities = tables.channel_identities
_messages = tables.messages


@dataclass(frozen=True, slots=True)
class Reach:
    channel: str
    address: str


def reach(connection: Connection, candidate_id: str) -> Reach | None:
    """The channel and address to write to (see the module's rule), or None."""
    last_in = (
        select(
            _messages.c.channel,
            func.max(_messages.c.id).label("last_id"),
            func.max(_messages.c.created_at).label("last_at"),
        )
        .where(_messages.c.candidate_id == candidate_id, _messages.c.direction == "in")
        .group_by(_messages.c.channel)
        .subquery()
    )
    rows = connection.execute(
        select(
            _identities.c.channel,
            _identities.c.address,
            _identities.c.unusable_at,
            last_in.c.last_id,
            last_in.c.last_at,
        )
        .outerjoin(last_in, last_in.c.channel == _identities.c.channel)
        .where(_identities.c.candidate_id == candidate_id)
        .order_by(_identities.c.created_at, _identities.c.id)
    ).all()
    rows = [row for row in rows if _usable(row.unusable_at, row.last_at)]
    if not rows:
        return None
    written = sorted((row for row in rows if row.last_id is not None), key=lambda r: -r.last_id)
    best = written[0] if written else rows[0]
    return Reach(best.channel, best.address)


def _usable(unusable_at: datetime | None, last_in: datetime | None) -> bool:
    if unusable_at is None:
        return True
    return last_in is not None and _utc(last_in) > _utc(unusable_at)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
