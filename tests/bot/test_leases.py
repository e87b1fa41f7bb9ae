"""Worker leases: a worker that dies mid-send loses nothing, an overtaken one sends nothing twice.

The worker sends with the real twilio client to the fake Twilio on loopback; time is a clock the
test moves. A worker "dies" through its sender (the seam): the sender raises an exception no
``except Exception`` catches, so the worker stops dead between the send and its record, exactly
where a ``kill -9`` hurts. tests/faults/ kills real ``tremplin worker`` processes.
"""

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.contract import Sent
from bot.channels.sms.twilio import TwilioSender
from bot.delivery.worker import DEFAULT_LEASE, OutboxWorker
from bot.runtime.root import Runtime
from bot.web.app import create_app
from storage import SQLITE_PRAGMAS, Outbox, make_engine, make_session_factory, upgrade
from tests.bot.fake_twilio import SMS_SETTINGS, FakeTwilioApi, TestClient, Webhooks, sms_runtime

Sessions = sessionmaker[Session]
PHONES = [f"+3365000000{n}" for n in range(4)]
LEASE = DEFAULT_LEASE


class Killed(BaseException):
    """What a ``kill -9`` looks like from inside: nothing after it runs."""


class FrozenClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def api() -> Iterator[FakeTwilioApi]:
    with FakeTwilioApi().running() as fake:
        yield fake


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


def _runtime(sessions: Sessions, api: FakeTwilioApi, clock: FrozenClock) -> Runtime:
    return sms_runtime(
        sessions, replace(SMS_SETTINGS, twilio_api_base_url=api.base_url), clock=clock
    )


@pytest.fixture
def runtime(session_factory: Sessions, api: FakeTwilioApi, clock: FrozenClock) -> Runtime:
    return _runtime(session_factory, api, clock)


def _twilio_worker(
    runtime: Runtime, clock: FrozenClock, engine: Engine | None = None
) -> OutboxWorker:
    sender = TwilioSender(runtime.settings, timeout=5.0)
    return OutboxWorker(engine or runtime.engine, {"sms": sender}, clock=clock, lease=LEASE)


def _text_everyone(runtime: Runtime) -> None:
    phone = Webhooks(TestClient(create_app(runtime)))
    for number in PHONES:
        assert phone.text("Bonjour", phone=number).status_code == 200


def _rows(sessions: Sessions) -> list[Outbox]:
    with sessions() as session:
        return list(session.scalars(select(Outbox).order_by(Outbox.id)))


def _sent_count(api: FakeTwilioApi) -> dict[str, int]:
    counts: dict[str, int] = {}
    for request in api.sent:
        counts[request.to] = counts.get(request.to, 0) + 1
    return counts


def test_a_worker_killed_mid_send_leaves_its_rows_to_the_next_once_the_lease_runs_out(
    runtime: Runtime, api: FakeTwilioApi, clock: FrozenClock, session_factory: Sessions
) -> None:
    _text_everyone(runtime)

    class DyingSender:
        def send(self, address: str, body: str) -> Sent:
            raise Killed

    dying = OutboxWorker(runtime.engine, {"sms": DyingSender()}, clock=clock, lease=LEASE)
    with pytest.raises(Killed):
        dying.run_once()
    survivor = _twilio_worker(runtime, clock)

    assert survivor.run_once() == 0  # the dead worker's lease still runs: nobody sends yet
    assert all(row.status == "pending" and row.claimed_until for row in _rows(session_factory))
    clock.now += LEASE - timedelta(seconds=1)
    assert survivor.run_once() == 0
    clock.now += timedelta(seconds=1)
    survivor.drain()

    assert _sent_count(api) == dict.fromkeys(PHONES, 1)  # nothing lost, nothing twice
    rows = _rows(session_factory)
    assert {row.status for row in rows} == {"sent"}
    assert all(row.external_id and row.claimed_until is None for row in rows)


def test_a_worker_overtaken_after_its_lease_never_sends_the_row_again(
    runtime: Runtime, api: FakeTwilioApi, clock: FrozenClock
) -> None:
    """Slow sends (each well within its lease) make the last claimed row outlive its lease; another
    worker takes it over and sends it; the first, reaching it at last, leaves it alone."""
    _text_everyone(runtime)
    other = _twilio_worker(runtime, clock)
    twilio = TwilioSender(runtime.settings, timeout=5.0)
    slow_sends = 0

    class SlowSender:
        def send(self, address: str, body: str) -> Sent:
            nonlocal slow_sends
            slow_sends += 1
            clock.now += LEASE * 0.4  # a send as slow as its timeout allows
            if slow_sends == 3:  # the fourth row's lease (from the claim) has now run out
                assert other.run_once() == 1
            sent: Sent = twilio.send(address, body)
            return sent

    slow = OutboxWorker(runtime.engine, {"sms": SlowSender()}, clock=clock, lease=LEASE)

    assert slow.run_once() == 3  # the fourth was no longer its own

    assert slow_sends == 3
    assert _sent_count(api) == dict.fromkeys(PHONES, 1)


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "tremplin.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def test_a_send_the_database_could_not_record_is_recorded_when_it_is_back_not_sent_again(
    sqlite_file: Path, api: FakeTwilioApi, clock: FrozenClock
) -> None:
    """The database goes away (here: locked by another process) between a send and its record:
    the outcome is recorded once it is back, even after the lease ran out, and the rows the worker
    had not tried yet go at once rather than when their lease runs out."""
    url = f"sqlite:///{sqlite_file}"
    web = make_engine(url)
    runtime = _runtime(make_session_factory(web), api, clock)
    _text_everyone(runtime)
    impatient = make_engine(url, sqlite_pragmas={**SQLITE_PRAGMAS, "busy_timeout": 50})
    twilio = TwilioSender(runtime.settings, timeout=5.0)
    blocker = sqlite3.connect(sqlite_file, isolation_level=None)

    class SenderThenOutage:
        def send(self, address: str, body: str) -> Sent:
            sent: Sent = twilio.send(address, body)
            if len(api.sent) == 1:
                blocker.execute("BEGIN IMMEDIATE")  # nobody else may write from now on
            return sent

    worker = OutboxWorker(impatient, {"sms": SenderThenOutage()}, clock=clock, lease=LEASE)
    try:
        with pytest.raises(Exception, match="database is locked"):
            worker.run_once()
        blocker.execute("ROLLBACK")  # the database is back
        clock.now += LEASE * 2  # even long after: the outcome kept in memory wins
        worker.drain()
    finally:
        blocker.close()
        impatient.dispose()
        runtime.close()

    assert _sent_count(api) == dict.fromkeys(PHONES, 1)
    rows = _rows(make_session_factory(web))
    assert [row.external_id for row in rows] == [request.sid for request in api.sent]
    web.dispose()


def test_rows_left_untried_by_an_outage_go_as_soon_as_the_database_is_back(
    sqlite_file: Path, api: FakeTwilioApi, clock: FrozenClock
) -> None:
    url = f"sqlite:///{sqlite_file}"
    web = make_engine(url)
    runtime = _runtime(make_session_factory(web), api, clock)
    _text_everyone(runtime)
    impatient = make_engine(url, sqlite_pragmas={**SQLITE_PRAGMAS, "busy_timeout": 50})
    twilio = TwilioSender(runtime.settings, timeout=5.0)
    blocker = sqlite3.connect(sqlite_file, isolation_level=None)

    class SenderThenOutage:
        def send(self, address: str, body: str) -> Sent:
            sent: Sent = twilio.send(address, body)
            blocker.execute("BEGIN IMMEDIATE")
            return sent

    worker = OutboxWorker(impatient, {"sms": SenderThenOutage()}, clock=clock, lease=LEASE)
    try:
        with pytest.raises(Exception, match="database is locked"):
            worker.run_once()
        blocker.execute("ROLLBACK")
        worker.senders = {"sms": twilio}
        worker.drain()  # the clock has not moved: no lease ran out
    finally:
        blocker.close()
        impatient.dispose()
        runtime.close()

    assert _sent_count(api) == dict.fromkeys(PHONES, 1)
    web.dispose()
