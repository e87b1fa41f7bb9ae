"""Outbox delivery: the worker that hands queued messages to the providers' APIs.

Replies are written to the ``outbox`` in the same transaction as the answer that caused them
(bot/service.py); this worker delivers them afterwards, so a provider outage never loses an answer
and an HTTP call never runs inside a database transaction.

Rules of this module:

1. Opt-out first. Before claiming, every pending row of an opted-out candidate is cancelled
   (``status = 'cancelled'``, ``last_error = 'opted out'``) unless it is the STOP confirmation
   itself (``purpose = 'opt_out_confirmation'``); the claim checks again, and ``queue_message``
   refuses to queue for an opted-out candidate at all.
2. Claim, send, record: the first and the last in short transactions of their own. A claim leases
   its rows (moves ``next_attempt_at`` a few minutes ahead) instead of holding a lock over the
   HTTP call: on SQLite a transaction held open would stop every webhook, and if the process dies
   mid-send the lease runs out and the row goes again (at least once). PostgreSQL claims with
   ``FOR UPDATE SKIP LOCKED`` so that two workers never claim one row; on SQLite the
   ``BEGIN IMMEDIATE`` of every transaction serialises claims.
3. One message in flight per address, in queue order: a row is claimed only when no earlier row
   for its address is still pending, so a reply waiting for a retry is never overtaken by the
   next question.
4. Retries after 10 s, 30 s, 2 min, 10 min and 1 h for what may pass (5xx, 429, timeouts, lost
   connections), then the row fails; anything else fails at once. ``last_error`` says why, never
   with the text or the number.
5. Only channels with a ``Sender`` are touched: the terminal phone and the simulator deliver their
   own rows (bot/outbox.py), and Telegram plugs a sender in when it comes.
"""

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import (
    Connection,
    Engine,
    Select,
    Update,
    delete,
    exists,
    select,
    true,
    update,
)

from bot.outbox_rows import FAILED, PENDING, SENT, Purpose, cancel_rows, mark_opted_out
from storage import tables, utcnow

__all__ = [
    "DEFAULT_BACKOFF",
    "DEFAULT_LEASE",
    "BackgroundWorker",
    "DeliveryError",
    "OutboxWorker",
    "Sender",
    "Sent",
]

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
#: Longer than any sender's timeout: a row is only claimed again once its sender gave up.
DEFAULT_LEASE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Sent:
    """A message the provider accepted."""

    external_id: str | None
    """The provider's id (Twilio ``SM…``): status callbacks find the message by it."""
    status: str | None = None


class DeliveryError(Exception):
    """A send that did not go through; ``retryable`` says whether trying later may help."""

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool,
        retry_after: timedelta | None = None,
        opted_out: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after
        """The provider asked to wait at least this long (Telegram's 429 ``retry_after``)."""
        self.opted_out = opted_out
        """The recipient refuses our messages (Twilio 21610): the candidate is opted out."""


class Sender(Protocol):
    """Delivers one message on one channel; raises ``DeliveryError`` when it cannot.

    ``payload`` is the row's ``outbox.payload``: what the channel sends beside the text (a
    Telegram keyboard). It is passed only when the row has one, so a sender of a channel without
    extras (SMS) is called with the text alone.
    """

    def send(
        self, address: str, body: str, *, payload: Mapping[str, Any] | None = None
    ) -> Sent: ...


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
    payload: Mapping[str, Any] | None = None


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
    ) -> None:
        self.engine = engine
        self.senders = dict(senders)
        self.clock = clock
        self.batch_size = batch_size
        self.backoff = tuple(backoff)
        self.lease = lease

    # One round ---------------------------------------------------------------------------------
    def run_once(self, stop: threading.Event | None = None) -> int:
        """Cancel what may not go, send one batch of due rows; returns how many were handled."""
        if not self.senders:
            return 0
        channels = sorted(self.senders)
        with self.engine.begin() as connection:
            handled = cancel_rows(connection, _opted_out_rows(channels))
            claimed = self._claim(connection, channels, self.clock())
        for index, row in enumerate(claimed):
            if stop is not None and stop.is_set():
                self._release(claimed[index:])
                break
            self._deliver(row)
            handled += 1
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
            except Exception:
                log.exception("outbox worker: round failed; trying again shortly")
                busy = False
            if not busy:
                stop.wait(poll_interval)

    # Steps ---------------------------------------------------------------------------------------
    def _claim(self, connection: Connection, channels: list[str], now: datetime) -> list[_Claimed]:
        query = _due_rows(channels, self.batch_size, now)
        if connection.dialect.name == "postgresql":
            query = query.with_for_update(of=_outbox, skip_locked=True)
        claimed: list[_Claimed] = []
        refused: list[int] = []
        for row in connection.execute(query):
            if row.opted_out and row.purpose != Purpose.OPT_OUT_CONFIRMATION:
                refused.append(row.id)  # STOP came in since the cancellation above
                continue
            claimed.append(
                _Claimed(
                    row.id,
                    row.candidate_id,
                    row.message_id,
                    row.channel,
                    row.address,
                    row.body,
                    row.attempts,
                    row.payload,
                )
            )
        if refused:
            cancel_rows(connection, update(_outbox).where(_outbox.c.id.in_(refused)))
        if claimed:
            connection.execute(
                update(_outbox)
                .where(_outbox.c.id.in_([row.id for row in claimed]))
                .values(next_attempt_at=now + self.lease)
            )
        return claimed

    def _release(self, rows: list[_Claimed]) -> None:
        """Give back rows claimed but not tried (stopping): they are due again at once."""
        with self.engine.begin() as connection:
            connection.execute(
                update(_outbox)
                .where(_outbox.c.id.in_([row.id for row in rows]), _outbox.c.status == PENDING)
                .values(next_attempt_at=self.clock())
            )

    def _deliver(self, row: _Claimed) -> None:
        sender = self.senders[row.channel]
        try:
            if row.payload is None:
                sent = sender.send(row.address, row.body)
            else:
                sent = sender.send(row.address, row.body, payload=row.payload)
        except DeliveryError as error:
            self._record_failure(row, error)
        except Exception as error:
            log.exception("outbox %d: the %s sender failed unexpectedly", row.id, row.channel)
            self._record_failure(row, DeliveryError(type(error).__name__, retryable=True))
        else:
            self._record_sent(row, sent)

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
                    .values(attempts=attempts, next_attempt_at=now + delay, last_error=reason)
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
                .values(status=FAILED, attempts=attempts, last_error=reason)
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
            _candidates.c.opted_out,
        )
        .select_from(_outbox.outerjoin(_candidates, _candidates.c.id == _outbox.c.candidate_id))
        .where(
            _outbox.c.status == PENDING,
            _outbox.c.next_attempt_at <= now,
            _outbox.c.channel.in_(channels),
            ~waiting_behind,
        )
        .order_by(_outbox.c.id)
        .limit(limit)
    )


class BackgroundWorker:
    """An ``OutboxWorker`` on a daemon thread, started and stopped with ``tremplin serve``."""

    def __init__(self, worker: OutboxWorker, *, poll_interval: float = 1.0) -> None:
        self.worker = worker
        self.poll_interval = poll_interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the worker is already running")
        self._stop.clear()
        self._thread = threading.Thread(
            target=self.worker.run,
            args=(self._stop,),
            kwargs={"poll_interval": self.poll_interval},
            name="tremplin-outbox",
            daemon=True,
        )
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the worker to stop after the message in hand, and wait for it (up to ``timeout``)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
