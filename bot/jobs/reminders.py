"""Reminders: an unfinished draft gets at most two, after 2 then 7 days of silence
(docs/conversation.md).

How it is scheduled, from the database only (nothing lives in a process):

* ``candidates.next_reminder_at`` says when the next reminder is due. The service sets it with
  every message the candidate sends (:data:`NEXT_REMINDER_AT` and :func:`schedule_params`, its one
  hook in bot/conversation/service.py): 2 days after that message while no reminder went out,
  7 days after it
  once the first did, already moved into the sending hours; ``NULL`` once both went out. The
  count ``reminders_sent`` is never reset: two reminders per draft, ever.
* :func:`send_due_reminders` (the worker runs it about once a minute) takes the candidates whose
  time has come and, for each one in a short transaction of its own, checks again that a reminder
  may go, claims it with a compare-and-set ``UPDATE candidates … WHERE reminders_sent = k`` and
  queues the message (``outbox_rows.queue_message``, purpose ``reminder``) in that same
  transaction. Two workers racing: the loser's ``UPDATE`` matches no row (PostgreSQL re-reads the
  row after the winner commits; SQLite runs them one after the other) and it queues nothing.
* Never after STOP (``opted_out``), after DELETE (the row is gone), before consent or after a
  refusal (``consent_at`` is NULL), nor to a draft that is not unfinished (submitted, published):
  such candidates leave the due set (``next_reminder_at = NULL``) and cost nothing afterwards;
  their next message schedules again (START, or an edit that brings a draft back in progress).
* Sending hours are 9:00 to 19:00 in Paris (``zoneinfo``, so daylight saving time is handled):
  at night nothing is sent and what is due waits for 9:00.

The text names the person when their first name is known and says how to resume: the greeting it
asks for is one the engine answers with "welcome back" and the question where they stopped.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, bindparam, case, false, insert, null, select, update
from sqlalchemy.sql.elements import ColumnElement

from bot.channels.contract import Outgoing
from bot.delivery.courier import Courier
from bot.delivery.reach import reach
from bot.delivery.rows import Purpose
from conversations.outputs import Msg, Output, Raw, Say
from storage import CandidateStatus, UtcDateTime, tables

__all__ = [
    "CLOSES",
    "DELAYS",
    "NEXT_REMINDER_AT",
    "OPENS",
    "PARIS",
    "UNFINISHED",
    "due_at",
    "schedule_params",
    "send_due_reminders",
    "send_reminder",
    "sending_time",
    "within_sending_hours",
]

log = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
OPENS = time(9, 0)
CLOSES = time(19, 0)
DELAYS: tuple[timedelta, ...] = (timedelta(days=2), timedelta(days=7))
"""Silence before each reminder, counted from the candidate's last message."""
UNFINISHED: tuple[str, ...] = (
    CandidateStatus.IN_PROGRESS.value,
    CandidateStatus.CHANGES_REQUESTED.value,
)
"""Statuses of a draft still being written: the only ones that get reminders."""

Render = Callable[[list[Output], str | None], list[Outgoing]]

_candidates = tables.candidates
_drafts = tables.cv_drafts
_identities = tables.channel_identities
_messages = tables.messages
_audit = tables.audit_events


def within_sending_hours(moment: datetime) -> bool:
    """True between 9:00 (included) and 19:00 (excluded), Paris time."""
    return OPENS <= moment.astimezone(PARIS).time() < CLOSES


def sending_time(moment: datetime) -> datetime:
    """``moment`` itself within the sending hours, otherwise the next 9:00 in Paris (in UTC)."""
    local = moment.astimezone(PARIS)
    if local.time() < OPENS:
        day = local.date()
    elif local.time() < CLOSES:
        return moment
    else:
        day = local.date() + timedelta(days=1)
    # 9:00 exists on every day (the clocks change at 2:00 or 3:00) and has one offset.
    return datetime.combine(day, OPENS, tzinfo=PARIS).astimezone(UTC)


def due_at(last_activity: datetime, sent: int) -> datetime | None:
    """When reminder number ``sent + 1`` is due after this last message; None after the last."""
    if sent >= len(DELAYS):
        return None
    return sending_time(last_activity + DELAYS[sent])


# The service's hook: in the UPDATE that saves the candidate after each of their messages.
NEXT_REMINDER_AT: ColumnElement[Any] = case(
    (_candidates.c.reminders_sent == 0, bindparam("b_first_reminder", type_=UtcDateTime())),
    (_candidates.c.reminders_sent == 1, bindparam("b_second_reminder", type_=UtcDateTime())),
    else_=null(),
)


def schedule_params(now: datetime) -> dict[str, datetime | None]:
    """The parameters of :data:`NEXT_REMINDER_AT` for a message received at ``now``."""
    return {"b_first_reminder": due_at(now, 0), "b_second_reminder": due_at(now, 1)}


@dataclass(frozen=True, slots=True)
class _Due:
    candidate_id: str
    sent: int


def send_due_reminders(
    engine: Engine,
    *,
    now: datetime,
    courier: Courier,
    batch_size: int = 200,
) -> int:
    """Queue every reminder due at ``now``; returns how many were queued.

    Safe to run from several workers at once (each reminder is claimed by one of them). Outside
    the sending hours it does nothing: what is due stays due until 9:00.
    """
    if not within_sending_hours(now):
        return 0
    queued = 0
    while True:
        due = find_due(engine, now=now, limit=batch_size)
        for candidate in due:
            try:
                queued += send_reminder(
                    engine, candidate.candidate_id, candidate.sent, now=now, courier=courier
                )
            except Exception:
                # One candidate's problem must not stop the others' reminders; this one stays
                # due and is tried again at the next round.
                log.exception("reminder for candidate %s failed", candidate.candidate_id)
        if len(due) < batch_size:
            return queued


def find_due(engine: Engine, *, now: datetime, limit: int) -> list[_Due]:
    """Candidates whose next reminder is due, oldest first (without locking them)."""
    with engine.begin() as connection:
        rows = connection.execute(
            select(_candidates.c.id, _candidates.c.reminders_sent)
            .where(_candidates.c.next_reminder_at <= now)
            .order_by(_candidates.c.next_reminder_at, _candidates.c.id)
            .limit(limit)
        ).all()
    return [_Due(row.id, row.reminders_sent) for row in rows]


def send_reminder(
    engine: Engine,
    candidate_id: str,
    sent: int,
    *,
    now: datetime,
    courier: Courier,
) -> bool:
    """Send reminder number ``sent + 1`` to this candidate if it is (still) due; True if queued.

    ``sent`` is the count the caller saw: if another worker sent it meanwhile, nothing happens.
    """
    with engine.begin() as connection:
        row = connection.execute(
            select(
                _candidates.c.status,
                _candidates.c.opted_out,
                _candidates.c.consent_at,
                _candidates.c.erased_at,
                _candidates.c.locale,
                _candidates.c.last_activity_at,
                _candidates.c.reminders_sent,
                _drafts.c.document,
            )
            .select_from(_candidates.outerjoin(_drafts, _drafts.c.candidate_id == _candidates.c.id))
            .where(_candidates.c.id == candidate_id)
        ).first()
        if row is None or row.reminders_sent != sent:
            return False  # erased, or another worker sent this one
        still_sent = (_candidates.c.id == candidate_id, _candidates.c.reminders_sent == sent)
        recipient = reach(connection, candidate_id)
        may_remind = (
            row.status in UNFINISHED
            and not row.opted_out
            and row.consent_at is not None
            and row.erased_at is None
            and recipient is not None
        )
        due = due_at(row.last_activity_at, sent)
        if not may_remind or due is None:
            _reschedule(connection, still_sent, None)
            return False
        if due > now:
            _reschedule(connection, still_sent, due)  # they wrote since it was scheduled
            return False
        assert recipient is not None
        claimed = connection.execute(
            update(_candidates)
            .where(
                *still_sent,
                _candidates.c.next_reminder_at <= now,
                _candidates.c.last_activity_at <= now - DELAYS[sent],
                _candidates.c.opted_out == false(),
                _candidates.c.status.in_(UNFINISHED),
            )
            .values(
                reminders_sent=sent + 1, next_reminder_at=due_at(row.last_activity_at, sent + 1)
            )
        )
        if claimed.rowcount != 1:
            return False  # another worker, a message or STOP got there first
        # By the channel last written from, or as a WhatsApp template once its window closed.
        outputs: list[Output] = [_reminder(sent, row.document)]
        courier.queue(connection, candidate_id, outputs, row.locale, Purpose.REMINDER, now=now)
        connection.execute(
            insert(_audit).values(
                candidate_id=candidate_id,
                action="reminder_sent",
                detail={"number": sent + 1},
                created_at=now,
            )
        )
    log.info("reminder %d queued for candidate %s", sent + 1, candidate_id)
    return True


def _reschedule(connection: Connection, still_sent: tuple[Any, ...], when: datetime | None) -> None:
    connection.execute(update(_candidates).where(*still_sent).values(next_reminder_at=when))


def _reminder(sent: int, document: dict[str, Any] | None) -> Say:
    """The first or the last reminder, with the first name when the candidate gave it."""
    kind = "reminder_last" if sent + 1 >= len(DELAYS) else "reminder_first"
    person = (document or {}).get("candidate") or {}
    first_name = person.get("first_name")
    if isinstance(first_name, str) and first_name.strip():
        return Say(Msg(f"{kind}_named", (("first_name", Raw(first_name.strip())),)))
    return Say(Msg(kind))
