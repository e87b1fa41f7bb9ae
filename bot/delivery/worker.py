"""Outbox delivery: the worker that hands queued messages to the providers' APIs.

Replies are written to the ``outbox`` in the same transaction as the answer that caused them
(bot/conversation/service.py); this worker delivers them afterwards, so a provider outage never
loses an answer
and an HTTP call never runs inside a database transaction.

Rules of this module:

1. Opt-out first. Before claiming, every pending row of an opted-out candidate is cancelled
   (``status = 'cancelled'``, ``last_error = 'opted out'``) unless it is the STOP confirmation
   itself (``purpose = 'opt_out_confirmation'``); the claim checks again, and ``queue_message``
   refuses to queue for an opted-out candidate at all.
2. Claim, send, record: each in a short transaction of its own, never a transaction held over the
   HTTP call (on SQLite it would stop every webhook). A claim leases its rows: ``claimed_until``
   is set a lease ahead, and other workers skip a row while its lease runs. Just before the send
   the worker renews the row's lease, and only if the lease is still the one it wrote (a fencing
   check): a worker that was too slow and got overtaken never sends a row another one has taken.
   PostgreSQL claims with ``FOR UPDATE SKIP LOCKED`` so that two workers never claim one row; on
   SQLite the ``BEGIN IMMEDIATE`` of every transaction serialises claims.
   Delivery is **at least once**. A worker killed between the provider's answer and the record
   leaves a row whose lease runs out; the next worker takes it over and sends it again (a message
   is never lost, and in that one window it may arrive twice: Twilio has no idempotency key for
   sending). A row that has the provider's id is never sent again. When only the record fails
   (the database went away after the send), the outcome is kept in memory and recorded first
   when the database is back, so the lease does not run out on a message that did go.
   The lease must outlast one send: senders time out at a third of it (``send_timeout``).
3. One message in flight per address, in queue order: a row is claimed only when no earlier row
   for its address is still pending, so a reply waiting for a retry is never overtaken by the
   next question.
4. Retries after 10 s, 30 s, 2 min, 10 min and 1 h for what may pass (5xx, 429, timeouts, lost
   connections), then the row fails; anything else fails at once. ``last_error`` says why, never
   with the text or the number.
5. Only channels with a ``Sender`` are touched: the terminal phone and the simulator deliver their
   own rows (bot/delivery/outbox.py), and Telegram plugs a sender in when it comes.
"""

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Select,
    Update,
    delete,
    exists,
    or_,
    select,
    true,
    update,
)

from bot.channels.contract import DeliveryError, Sender, Sent
from bot.delivery.background import BackgroundLoop
from bot.delivery.courier import Courier
from bot.delivery.rows import FAILED, PENDING, SENT, Purpose, cancel_rows, mark_opted_out
from storage import tables, utcnow
from storage.faults import is_unavailable

__all__ = ["DEFAULT_BACKOFF", "DEFAULT_LEASE", "BackgroundWorker", "OutboxWorker", "send_timeout"]

log = logging.getLogger(__name__)

_outbox = tables.outbox
_messages = tables.messages
_candidates = tables.candidates


DEFAULT_BACKOFF: tuple[timedelta, ...] = (
    timedelta(seconds=10),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
)
#: How long a claimed row is a worker's: also how long a killed worker's message waits to be
#: taken over. Senders time out well within it (``send_timeout``).
DEFAULT_LEASE = timedelta(minutes=2)
#: A send never takes longer than this, however long the lease.
MAX_SEND_TIMEOUT = 15.0


def send_timeout(lease: timedelta) -> float:
    """The HTTP timeout of one send under ``lease``: a third of it, at most 15 s.

    A send that ends (or times out) well within its lease is never taken over while it runs, so
    a slow provider does not make two workers send one row.
    """
    return min(MAX_SEND_TIMEOUT, lease.total_seconds() / 3)


Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class _Claimed:
    id: int
    candidate_id: str | None
    message_id: int | None
    channel: str
    address: str
    body: str
    attempts: int
    lease: datetime
    """The ``claimed_until`` this worker wrote: the row is still ours while it is unchanged."""
    payload: Mapping[str, Any] | None = None


_Outcome = Sent | DeliveryError


class OutboxWorker:
    """Claims due outbox rows of the channels it has senders for, sends them, records the result.

    ``clock`` is injected so tests drive the backoff without sleeping.
    """

    def __init__(
        self,
        engine: Engine,
        senders: Mapping[str, Sender],
        *,
        clock: Clock = utcnow,
        batch_size: int = 10,
        backoff: Sequence[timedelta] = DEFAULT_BACKOFF,
        lease: timedelta = DEFAULT_LEASE,
        courier: Courier | None = None,
    ) -> None:
        self.engine = engine
        self.courier = courier
        """Takes over a row the provider refused for its channel (WhatsApp's window, not a
        WhatsApp user): bot/delivery/courier.py."""
        self.senders = dict(senders)
        self.clock = clock
        self.batch_size = batch_size
        self.backoff = tuple(backoff)
        self.lease = lease
        # What the database could not take when it went away: recorded or released first.
        self._unrecorded: list[tuple[_Claimed, _Outcome]] = []
        self._untried: list[_Claimed] = []

    # One round ---------------------------------------------------------------------------------
    def run_once(self, stop: threading.Event | None = None) -> int:
        """Cancel what may not go, send one batch of due rows; returns how many were handled."""
        if not self.senders:
            return 0
        self._settle()
        channels = sorted(self.senders)
        with self.engine.begin() as connection:
            handled = cancel_rows(connection, _opted_out_rows(channels))
            claimed = self._claim(connection, channels, self.clock())
        for index, row in enumerate(claimed):
            if stop is not None and stop.is_set():
                self._release(claimed[index:])
                break
            try:
                handled += self._deliver(row)
            except Exception:
                # The database went away: what was not tried is given back once it is here again.
                self._untried.extend(claimed[index + 1 :])
                raise
        return handled

    def drain(self, *, max_rounds: int = 1000) -> int:
        """Run rounds until nothing is due (rows waiting for a retry stay); returns the count."""
        total = 0
        for _ in range(max_rounds):
            handled = self.run_once()
            if not handled:
                break
            total += handled
        return total

    def run(self, stop: threading.Event, *, poll_interval: float = 1.0) -> None:
        """Deliver until ``stop`` is set, resting ``poll_interval`` seconds when idle.

        A failing database (a restart, a full disk) is logged and tried again: the worker must
        outlive what it cannot fix, and rows wait safely in the outbox meanwhile.
        """
        while not stop.is_set():
            try:
                busy = self.run_once(stop) > 0
            except Exception as error:
                if is_unavailable(error):
                    log.warning("outbox worker: database unavailable (%s)", type(error).__name__)
                else:
                    log.exception("outbox worker: round failed; trying again shortly")
                busy = False
            if not busy:
                stop.wait(poll_interval)

    # Steps ---------------------------------------------------------------------------------------
    def _claim(self, connection: Connection, channels: list[str], now: datetime) -> list[_Claimed]:
        query = _due_rows(channels, self.batch_size, now)
        if connection.dialect.name == "postgresql":
            query = query.with_for_update(of=_outbox, skip_locked=True)
        lease = now + self.lease
        claimed: list[_Claimed] = []
        refused: list[int] = []
        for row in connection.execute(query):
            if row.opted_out and row.purpose != Purpose.OPT_OUT_CONFIRMATION:
                refused.append(row.id)  # STOP came in since the cancellation above
                continue
            if row.claimed_until is not None:
                log.warning(
                    "outbox %d: a worker's lease ran out before it recorded the send; sending "
                    "again (at least once: it may arrive twice)",
                    row.id,
                )
            claimed.append(
                _Claimed(
                    row.id,
                    row.candidate_id,
                    row.message_id,
                    row.channel,
                    row.address,
                    row.body,
                    row.attempts,
                    lease,
                    row.payload,
                )
            )
        if refused:
            cancel_rows(connection, update(_outbox).where(_outbox.c.id.in_(refused)))
        if claimed:
            connection.execute(
                update(_outbox)
                .where(_outbox.c.id.in_([row.id for row in claimed]))
                .values(claimed_until=lease)
            )
        return claimed

    def _release(self, rows: list[_Claimed]) -> None:
        """Give back rows claimed but not tried (stopping): they are due again at once."""
        with self.engine.begin() as connection:
            for row in rows:
                connection.execute(
                    update(_outbox)
                    .where(_outbox.c.id == row.id, _outbox.c.claimed_until == row.lease)
                    .values(claimed_until=None)
                )

    def _settle(self) -> None:
        """Record the outcomes kept while the database was away, give back untried rows."""
        while self._unrecorded:
            row, outcome = self._unrecorded[0]
            self._record(row, outcome)
            self._unrecorded.pop(0)
        if self._untried:
            self._release(self._untried)
            self._untried.clear()

    def _renew(self, row: _Claimed) -> _Claimed | None:
        """Extend the row's lease for its send, if it is still ours (None: another worker's)."""
        lease = self.clock() + self.lease
        with self.engine.begin() as connection:
            renewed = connection.execute(
                update(_outbox)
                .where(
                    _outbox.c.id == row.id,
                    _outbox.c.status == PENDING,
                    _outbox.c.claimed_until == row.lease,
                )
                .values(claimed_until=lease)
            )
        if renewed.rowcount != 1:
            log.warning("outbox %d: no longer ours (lease ran out or row settled); skipped", row.id)
            return None
        return replace(row, lease=lease)

    def _deliver(self, claimed: _Claimed) -> int:
        """Send one claimed row and record the outcome; 0 when the row was no longer ours."""
        try:
            row = self._renew(claimed)
        except Exception:
            self._untried.append(claimed)  # not sent: give it back rather than wait for the lease
            raise
        if row is None:
            return 0
        sender = self.senders[row.channel]
        outcome: _Outcome
        try:
            # Plain-text channels keep their two-argument send; only rows with extras pass them.
            if row.payload is None:
                outcome = sender.send(row.address, row.body)
            else:
                outcome = sender.send(row.address, row.body, payload=row.payload)
        except DeliveryError as error:
            outcome = error
        except Exception as error:
            log.exception("outbox %d: the %s sender failed unexpectedly", row.id, row.channel)
            outcome = DeliveryError(type(error).__name__, retryable=True)
        try:
            self._record(row, outcome)
        except Exception as error:
            if is_unavailable(error):
                self._unrecorded.append((row, outcome))
            raise
        return 1

    def _record(self, row: _Claimed, outcome: _Outcome) -> None:
        if isinstance(outcome, Sent):
            self._record_sent(row, outcome)
        else:
            self._record_failure(row, outcome)

    def _record_sent(self, row: _Claimed, sent: Sent) -> None:
        now = self.clock()
        with self.engine.begin() as connection:
            if row.candidate_id is None:
                # The goodbye after DELETE: once delivered, the address is the last trace to go.
                connection.execute(delete(_outbox).where(_outbox.c.id == row.id))
                return
            # Sent even if cancelled meanwhile: the record says what happened, not what was meant.
            connection.execute(
                update(_outbox)
                .where(_outbox.c.id == row.id)
                .values(
                    status=SENT,
                    attempts=row.attempts + 1,
                    sent_at=now,
                    external_id=sent.external_id,
                    last_error=None,
                    claimed_until=None,
                    # The time of the last attempt once done: the retention purge goes by it.
                    next_attempt_at=now,
                )
            )
            if row.message_id is not None:
                connection.execute(
                    update(_messages)
                    .where(_messages.c.id == row.message_id)
                    .values(status=SENT, external_id=sent.external_id)
                )
        log.info("outbox %d sent on %s", row.id, row.channel)

    def _record_failure(self, row: _Claimed, error: DeliveryError) -> None:
        now = self.clock()
        rerouted = error.window_closed or error.unusable
        if rerouted and self.courier is not None and row.candidate_id is not None:
            with self.engine.begin() as connection:
                locale = connection.execute(
                    select(_candidates.c.locale).where(_candidates.c.id == row.candidate_id)
                ).scalar()
                outcome = self.courier.reroute(
                    connection,
                    row.id,
                    window_closed=error.window_closed,
                    reason=error.reason,
                    locale=locale,
                    now=now,
                )
            log.info("outbox %d: %s; %s", row.id, error.reason, outcome)
            return
        attempts = row.attempts + 1
        reason = error.reason[:500]
        pending = (_outbox.c.id == row.id, _outbox.c.status == PENDING)
        with self.engine.begin() as connection:
            if error.retryable and attempts <= len(self.backoff):
                delay = self.backoff[attempts - 1]
                if error.retry_after is not None:
                    delay = max(delay, error.retry_after)
                connection.execute(
                    update(_outbox)
                    .where(*pending)
                    .values(
                        attempts=attempts,
                        next_attempt_at=now + delay,
                        last_error=reason,
                        claimed_until=None,
                    )
                )
                log.warning("outbox %d: %s; trying again in %s", row.id, reason, delay)
                return
            log.warning("outbox %d failed after %d attempt(s): %s", row.id, attempts, reason)
            if row.candidate_id is None:
                connection.execute(delete(_outbox).where(_outbox.c.id == row.id))
                return
            connection.execute(
                update(_outbox)
                .where(*pending)
                .values(
                    status=FAILED,
                    attempts=attempts,
                    last_error=reason,
                    claimed_until=None,
                    next_attempt_at=now,
                )
            )
            if row.message_id is not None:
                connection.execute(
                    update(_messages).where(_messages.c.id == row.message_id).values(status=FAILED)
                )
            if error.opted_out:
                mark_opted_out(connection, row.candidate_id, now=now, source=reason)


def _opted_out_rows(channels: list[str]) -> Update:
    """``UPDATE`` of the pending rows of opted-out candidates, the STOP confirmation excepted."""
    return update(_outbox).where(
        _outbox.c.status == PENDING,
        _outbox.c.channel.in_(channels),
        _outbox.c.purpose != Purpose.OPT_OUT_CONFIRMATION.value,
        exists().where(
            _candidates.c.id == _outbox.c.candidate_id, _candidates.c.opted_out == true()
        ),
    )


def _due_rows(channels: list[str], limit: int, now: datetime) -> Select[Any]:
    """Due rows, oldest first, each the earliest still pending for its address."""
    earlier = _outbox.alias("earlier")
    waiting_behind = exists().where(
        earlier.c.channel == _outbox.c.channel,
        earlier.c.address == _outbox.c.address,
        earlier.c.status == PENDING,
        earlier.c.id < _outbox.c.id,
    )
    return (
        select(
            _outbox.c.id,
            _outbox.c.candidate_id,
            _outbox.c.message_id,
            _outbox.c.channel,
            _outbox.c.address,
            _outbox.c.body,
            _outbox.c.attempts,
            _outbox.c.payload,
            _outbox.c.purpose,
            _outbox.c.claimed_until,
            _candidates.c.opted_out,
        )
        .select_from(_outbox.outerjoin(_candidates, _candidates.c.id == _outbox.c.candidate_id))
        .where(
            _outbox.c.status == PENDING,
            _outbox.c.next_attempt_at <= now,
            or_(_outbox.c.claimed_until.is_(None), _outbox.c.claimed_until <= now),
            _outbox.c.external_id.is_(None),  # the provider has it already: never again
            _outbox.c.channel.in_(channels),
            ~waiting_behind,
        )
        .order_by(_outbox.c.id)
        .limit(limit)
    )


class BackgroundWorker(BackgroundLoop):
    """An ``OutboxWorker`` on a daemon thread, started and stopped with ``tremplin serve``."""

    def __init__(self, worker: OutboxWorker, *, poll_interval: float = 1.0) -> None:
        super().__init__(
            worker.run,
            poll_interval=poll_interval,
            thread_name="tremplin-outbox",
            already_running="the worker is already running",
        )
        self.worker = worker
