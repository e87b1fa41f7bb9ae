"""Privacy operations: everything about a person as JSON, erasure for real, old message text purged.

The stable interface (the DELETE command, ``tremplin privacy`` and the coach workspace use it)::

    erase_candidate(connection, candidate_id, *, now, actor) -> Erased | None

* ``connection``: a SQLAlchemy ``Connection`` inside the caller's transaction; the erasure is made
  when the caller commits, together with whatever else that transaction does (the DELETE command
  queues its goodbye in it).
* ``candidate_id``: ``candidates.id``. ``now``: an aware datetime (the caller's clock).
* ``actor``: who asked, for the anonymous record: ``"candidate"`` (DELETE by SMS or Telegram),
  ``"operator"`` (the command line) or ``"coach:<coach id>"`` (the workspace).
* Returns what was removed (:class:`Erased`: rows per table), or None when no such candidate.

What erasure does, in one transaction:

1. Locks the person's conversation, then the candidate, in the service's order (PostgreSQL row
   locks; SQLite's ``BEGIN IMMEDIATE`` already serialises writers), so that a message being
   handled at that moment is either saved before and erased, or handled after, as a newcomer.
2. Deletes every row of every table that has a ``candidate_id`` (found from the models, so a table
   added later is covered): identities, conversation, draft, versions, reviews, messages, outbox,
   media, link codes, contact messages, renders… then the candidate.
3. Deletes the delivered or abandoned outbox rows without a candidate that went to the person's
   addresses. Such rows exist only briefly: the goodbye after DELETE is queued without a candidate
   (the person is gone) and the delivery code deletes it once it is sent or has failed; a pending
   one is left to be delivered, and :func:`purge_old_bodies` removes any left behind.
4. Audit events about the person stay as anonymous facts (the action and its time): their link
   to the person and their detail are removed. One event ``candidate_erased`` records who asked and
   non-identifying counts only (status, furthest step, ISO week of creation, message counts…).

:func:`export_candidate` returns the same rows as JSON-ready data (bytes and secrets withheld);
:func:`purge_old_bodies` is the retention job (``TREMPLIN_RETENTION_DAYS``).
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    LargeBinary,
    Table,
    and_,
    delete,
    func,
    insert,
    select,
    tuple_,
    update,
)

from bot.delivery.rows import CANCELLED, FAILED, PENDING, SENT
from storage import Base, tables

__all__ = [
    "GOODBYE_GRACE",
    "RECORDING_DELETED",
    "RECORDING_TO_DELETE",
    "Erased",
    "Purged",
    "erase_candidate",
    "export_candidate",
    "forget_recordings",
    "purge_old_bodies",
]

log = logging.getLogger(__name__)

GOODBYE_GRACE = timedelta(days=2)
"""How long an outbox row without a candidate (the goodbye after DELETE) may wait: far beyond
every retry of the delivery; after it the purge deletes the row, delivered or not."""

_candidates = tables.candidates
_conversations = tables.conversations
_identities = tables.channel_identities
_messages = tables.messages
_outbox = tables.outbox
_audit = tables.audit_events

# Every table holding rows about one candidate, children before parents (outbox before messages).
_PERSONAL: tuple[Table, ...] = tuple(
    table
    for table in reversed(Base.metadata.sorted_tables)
    if "candidate_id" in table.c and table is not _audit
)
# Never exported: they would let someone act as the person (a link code's hash).
_WITHHELD = frozenset({("link_codes", "code_hash")})
_DONE = (SENT, FAILED, CANCELLED)


@dataclass(frozen=True, slots=True)
class Erased:
    """What an erasure removed: rows per table (the candidate included)."""

    candidate_id: str
    rows: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Purged:
    """What a retention run blanked or removed."""

    message_bodies: int
    outbox_bodies: int
    goodbyes: int


# Erasure ---------------------------------------------------------------------------------------
RECORDING_TO_DELETE = "recording_to_delete"
RECORDING_DELETED = "recording_deleted"


def forget_recordings(connection: Connection, candidate_id: str, *, now: datetime) -> int:
    """Ask for the deletion, at Twilio, of every call recording of the candidate (the rows here
    go with the candidate, or are emptied after a refusal). Each becomes an anonymous event that
    the worker's housekeeping carries out and marks done (bot/channels/voice/recordings.py);
    how many."""
    calls = tables.voice_calls
    sids = (
        connection.execute(
            select(calls.c.recording_sid).where(
                calls.c.candidate_id == candidate_id, calls.c.recording_sid.is_not(None)
            )
        )
        .scalars()
        .all()
    )
    for sid in sids:
        connection.execute(
            insert(_audit).values(
                candidate_id=None,
                action=RECORDING_TO_DELETE,
                detail={"recording_sid": sid},
                created_at=now,
            )
        )
    return len(sids)


def erase_candidate(
    connection: Connection, candidate_id: str, *, now: datetime, actor: str
) -> Erased | None:
    """Remove every datum about the candidate, keeping anonymous counts (see the module)."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            select(_conversations.c.id)
            .where(_conversations.c.candidate_id == candidate_id)
            .with_for_update()
        ).all()
    query = select(_candidates).where(_candidates.c.id == candidate_id)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    candidate = connection.execute(query).first()
    if candidate is None:
        return None
    detail = _anonymous_counts(connection, candidate._mapping, actor)
    addresses = connection.execute(
        select(_identities.c.channel, _identities.c.address).where(
            _identities.c.candidate_id == candidate_id
        )
    ).all()

    forget_recordings(connection, candidate_id, now=now)
    rows: dict[str, int] = {}
    # The events stay as anonymous facts; their detail may quote the person, so it goes.
    connection.execute(
        update(_audit)
        .where(_audit.c.candidate_id == candidate_id)
        .values(candidate_id=None, detail=None)
    )
    for table in _PERSONAL:
        removed = connection.execute(delete(table).where(table.c.candidate_id == candidate_id))
        rows[table.name] = removed.rowcount
    if addresses:
        removed = connection.execute(
            delete(_outbox).where(
                _outbox.c.candidate_id.is_(None),
                _outbox.c.status != PENDING,
                tuple_(_outbox.c.channel, _outbox.c.address).in_(
                    [(channel, address) for channel, address in addresses]
                ),
            )
        )
        rows["outbox"] = rows.get("outbox", 0) + removed.rowcount
    rows["candidates"] = connection.execute(
        delete(_candidates).where(_candidates.c.id == candidate_id)
    ).rowcount
    coach_id = actor.removeprefix("coach:") if actor.startswith("coach:") else None
    connection.execute(
        insert(_audit).values(
            candidate_id=None,
            coach_id=coach_id,
            action="candidate_erased",
            detail=detail,
            created_at=now,
        )
    )
    log.info("candidate %s erased (asked by %s)", candidate_id, actor.split(":", 1)[0])
    return Erased(candidate_id, rows)


def _anonymous_counts(
    connection: Connection, candidate: Any, actor: str
) -> dict[str, str | int | bool | list[str] | None]:
    """What analytics may keep about an erased person: nothing that tells who they were."""
    candidate_id = candidate["id"]
    by_direction: dict[str, int] = {
        row[0]: row[1]
        for row in connection.execute(
            select(_messages.c.direction, func.count())
            .where(_messages.c.candidate_id == candidate_id)
            .group_by(_messages.c.direction)
        )
    }
    channels = connection.execute(
        select(_identities.c.channel)
        .where(_identities.c.candidate_id == candidate_id)
        .distinct()
        .order_by(_identities.c.channel)
    ).scalars()
    created: date = candidate["created_at"].date()
    year, week, _ = created.isocalendar()
    return {
        "by": actor.split(":", 1)[0],
        "status": candidate["status"],
        "locale": candidate["locale"],
        "furthest_step": candidate["furthest_step"],
        "created_week": f"{year}-W{week:02d}",
        "consented": candidate["consent_at"] is not None,
        "submitted": candidate["submitted_at"] is not None,
        "published": candidate["published_version"] is not None,
        "reminders_sent": candidate["reminders_sent"],
        "messages_in": by_direction.get("in", 0),
        "messages_out": by_direction.get("out", 0),
        "channels": list(channels),
    }


# Export ----------------------------------------------------------------------------------------
def export_candidate(
    connection: Connection, candidate_id: str, *, now: datetime
) -> dict[str, Any] | None:
    """Every row about the candidate, table by table, as JSON-ready values; None if unknown.

    Binary contents (photos, PDFs) are described by their other columns (kind, type, size), not
    included; secrets (a link code's hash) are left out.
    """
    candidate = connection.execute(
        select(_candidates).where(_candidates.c.id == candidate_id)
    ).first()
    if candidate is None:
        return None
    export: dict[str, Any] = {
        "exported_at": now.isoformat(),
        "candidate": _json_row(_candidates, candidate._mapping),
    }
    for table in reversed((*_PERSONAL, _audit)):
        rows = connection.execute(
            select(table).where(table.c.candidate_id == candidate_id).order_by(*table.primary_key)
        ).all()
        export[table.name] = [_json_row(table, row._mapping) for row in rows]
    addresses = [(item["channel"], item["address"]) for item in export["channel_identities"]]
    if addresses:
        # A goodbye still on its way to one of their addresses (queued without a candidate).
        orphans = connection.execute(
            select(_outbox)
            .where(
                _outbox.c.candidate_id.is_(None),
                tuple_(_outbox.c.channel, _outbox.c.address).in_(addresses),
            )
            .order_by(_outbox.c.id)
        ).all()
        export["outbox"] += [_json_row(_outbox, row._mapping) for row in orphans]
    return export


def _json_row(table: Table, row: Any) -> dict[str, Any]:
    return {
        column.name: _json_value(row[column.name])
        for column in table.columns
        if not _withheld(table, column)
    }


def _withheld(table: Table, column: Column[Any]) -> bool:
    return isinstance(column.type, LargeBinary) or (table.name, column.name) in _WITHHELD


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


# Retention -------------------------------------------------------------------------------------
def purge_old_bodies(
    engine: Engine,
    *,
    now: datetime,
    retention_days: int,
    since: datetime | None = None,
    batch_size: int = 1000,
) -> Purged:
    """Blank the text of messages older than ``retention_days`` (the rows stay, for counts).

    ``messages.body`` becomes NULL, and so do the words of old phone calls (the transcripts the
    coach saw, the call's last answer); the body of an outbox row that is no longer waiting (sent,
    failed, cancelled) becomes empty once its last attempt is that old (a text delivered late was
    in use until then); outbox rows without a candidate older than
    :data:`GOODBYE_GRACE` are deleted. ``retention_days <= 0`` keeps text forever (the goodbyes
    still go). ``since`` skips rows older than an earlier run's cutoff (already purged). Works in
    batches of short transactions, so the webhooks never wait long behind it.
    """
    goodbyes = _in_batches(
        engine,
        _outbox,
        and_(_outbox.c.candidate_id.is_(None), _outbox.c.created_at < now - GOODBYE_GRACE),
        None,
        batch_size,
    )
    if retention_days <= 0:
        return Purged(0, 0, goodbyes)
    cutoff = now - timedelta(days=retention_days)
    old_messages = [_messages.c.created_at < cutoff, _messages.c.body.is_not(None)]
    # ``next_attempt_at`` starts at ``created_at`` and only moves later: the (status,
    # next_attempt_at) index finds the old rows that are no longer waiting.
    old_outbox = [
        _outbox.c.status.in_(_DONE),
        _outbox.c.next_attempt_at < cutoff,
        _outbox.c.body != "",
    ]
    if since is not None:
        old_messages.append(_messages.c.created_at >= since)
        old_outbox.append(_outbox.c.next_attempt_at >= since)
    messages = _in_batches(engine, _messages, and_(*old_messages), {"body": None}, batch_size)
    outbox = _in_batches(engine, _outbox, and_(*old_outbox), {"body": ""}, batch_size)
    # Phone calls: what was heard, and the words a call's row kept, go with the message texts.
    calls, heard = tables.voice_calls, tables.voice_answers
    _in_batches(
        engine,
        calls,
        and_(calls.c.updated_at < cutoff, calls.c.last_response.is_not(None)),
        {"state": {}, "last_response": None},
        batch_size,
    )
    _in_batches(
        engine,
        heard,
        and_(heard.c.created_at < cutoff, heard.c.transcript != ""),
        {"transcript": ""},
        batch_size,
    )
    if messages or outbox or goodbyes:
        log.info(
            "retention: %d message texts, %d outbox texts, %d goodbyes purged",
            messages,
            outbox,
            goodbyes,
        )
    return Purged(messages, outbox, goodbyes)


def _in_batches(
    engine: Engine,
    table: Table,
    where: Any,
    values: dict[str, Any] | None,
    batch_size: int,
) -> int:
    """``UPDATE`` (or ``DELETE`` when ``values`` is None) the matching rows, a batch at a time."""
    total = 0
    while True:
        ids = select(table.c.id).where(where).order_by(table.c.id).limit(batch_size)
        with engine.begin() as connection:
            chosen = list(connection.execute(ids).scalars())
            if not chosen:
                return total
            statement = (
                delete(table).where(table.c.id.in_(chosen), where)
                if values is None
                else update(table).where(table.c.id.in_(chosen), where).values(values)
            )
            total += connection.execute(statement).rowcount
        if len(chosen) < batch_size:
            return total
