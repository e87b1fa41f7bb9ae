"""The outbox worker against a fake Twilio REST API on loopback, with a clock the test moves.

Candidates text in through the real signed webhook; the worker sends with the real twilio client,
pointed at the fake through ``TWILIO_API_BASE_URL``. No test sleeps: time is the injected clock.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.sms.twilio import TwilioSender
from bot.delivery.rows import Purpose, queue_message
from bot.delivery.worker import DEFAULT_BACKOFF, BackgroundWorker, OutboxWorker
from bot.runtime.root import Runtime
from bot.runtime.server import run_worker, senders_for
from bot.runtime.settings import Settings
from bot.web.app import create_app
from storage import AuditEvent, Candidate, Conversation, Message, Outbox, utcnow
from tests.bot.conftest import Send
from tests.bot.fake_twilio import (
    FROM_NUMBER,
    PUBLIC_URL,
    SMS_SETTINGS,
    FakeTwilioApi,
    Reply,
    TestClient,
    Webhooks,
    sms_runtime,
)

Sessions = sessionmaker[Session]
PHONE = "+33612345678"
OTHER = "+33698765432"
STOPPED = "Tu ne recevras plus de messages. Pour reprendre, envoie START."


class FrozenClock:
    """Time stands still until the test moves it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def api() -> Iterator[FakeTwilioApi]:
    with FakeTwilioApi().running() as fake:
        yield fake


@pytest.fixture
def frozen() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def settings(api: FakeTwilioApi) -> Settings:
    return replace(SMS_SETTINGS, twilio_api_base_url=api.base_url)


@pytest.fixture
def runtime(session_factory: Sessions, settings: Settings, frozen: FrozenClock) -> Runtime:
    return sms_runtime(session_factory, settings, clock=frozen)


@pytest.fixture
def phone(runtime: Runtime) -> Webhooks:
    return Webhooks(TestClient(create_app(runtime)))


def make_worker(runtime: Runtime, clock: Callable[[], datetime], **kwargs: float) -> OutboxWorker:
    sender = TwilioSender(runtime.settings, timeout=kwargs.pop("timeout", 5.0))
    return OutboxWorker(runtime.engine, {"sms": sender}, clock=clock)


@pytest.fixture
def worker(runtime: Runtime, frozen: FrozenClock) -> OutboxWorker:
    return make_worker(runtime, frozen)


def _rows(sessions: Sessions) -> list[Outbox]:
    with sessions() as session:
        return list(session.scalars(select(Outbox).order_by(Outbox.id)))


def _candidate(sessions: Sessions, phone: str = PHONE) -> Candidate:
    with sessions() as session:
        candidates = session.scalars(select(Candidate)).all()
        [candidate] = [c for c in candidates if any(i.address == phone for i in c.identities)]
        return candidate


def _queue(
    sessions: Sessions, body: str, *, phone: str = PHONE, purpose: str = "coach", now: datetime
) -> int:
    candidate_id = _candidate(sessions, phone).id
    with sessions.begin() as session:
        queued = queue_message(session, candidate_id, "sms", phone, body, purpose, now=now)
    assert queued is not None
    return queued


# Delivery -----------------------------------------------------------------------------------------
def test_a_reply_is_sent_with_the_number_and_status_callback_and_its_sid_is_kept(
    phone: Webhooks,
    worker: OutboxWorker,
    api: FakeTwilioApi,
    session_factory: Sessions,
    caplog: pytest.LogCaptureFixture,
) -> None:
    phone.text("Bonjour")

    with caplog.at_level(logging.INFO):
        assert worker.drain() == 1

    assert "sent on sms" in caplog.text
    assert PHONE not in caplog.text and "Bonjour" not in caplog.text

    [request] = api.sent
    assert request.to == PHONE and request.from_ == FROM_NUMBER
    assert request.messaging_service_sid is None
    assert request.status_callback == PUBLIC_URL + "/webhooks/twilio/status"
    assert request.body.startswith("Bonjour / Hello ! Choisis ta langue")
    [row] = _rows(session_factory)
    assert (row.status, row.attempts, row.external_id) == ("sent", 1, request.sid)
    assert row.sent_at is not None and row.last_error is None
    with session_factory() as session:
        message = session.get(Message, row.message_id)
        assert message is not None
        assert (message.status, message.external_id) == ("sent", request.sid)


def test_a_messaging_service_sends_instead_of_a_number(
    session_factory: Sessions, settings: Settings, frozen: FrozenClock, api: FakeTwilioApi
) -> None:
    service_sid = "MG" + "1" * 32
    settings = replace(settings, twilio_from=None, twilio_messaging_service_sid=service_sid)
    runtime = sms_runtime(session_factory, settings, clock=frozen)
    Webhooks(TestClient(create_app(runtime))).text("Bonjour")

    make_worker(runtime, frozen).drain()

    [request] = api.sent
    assert request.messaging_service_sid == service_sid and request.from_ is None


def test_nothing_is_sent_before_it_is_due(
    phone: Webhooks, worker: OutboxWorker, api: FakeTwilioApi, frozen: FrozenClock
) -> None:
    phone.text("Bonjour")
    frozen.advance(-timedelta(seconds=1))
    assert worker.drain() == 0 and api.requests == []
    frozen.advance(timedelta(seconds=1))
    assert worker.drain() == 1


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(500), "twilio 500 error 500"),
        (Reply(503, code=30001), "twilio 503 error 30001"),
        (Reply(429, code=20429), "twilio 429 error 20429"),
    ],
)
def test_a_server_error_or_throttling_is_retried_after_the_backoff(
    phone: Webhooks,
    worker: OutboxWorker,
    api: FakeTwilioApi,
    frozen: FrozenClock,
    session_factory: Sessions,
    reply: Reply,
    error: str,
) -> None:
    api.script(reply)
    phone.text("Bonjour")

    worker.drain()

    [row] = _rows(session_factory)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, error)
    assert row.next_attempt_at == frozen.now + DEFAULT_BACKOFF[0]
    frozen.advance(DEFAULT_BACKOFF[0] - timedelta(seconds=1))
    assert worker.drain() == 0  # not yet
    frozen.advance(timedelta(seconds=1))
    assert worker.drain() == 1
    assert [r.answered for r in api.requests] == [reply.status, 201]
    [row] = _rows(session_factory)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)


def test_a_timeout_is_retried(
    phone: Webhooks,
    runtime: Runtime,
    api: FakeTwilioApi,
    frozen: FrozenClock,
    session_factory: Sessions,
) -> None:
    worker = make_worker(runtime, frozen, timeout=0.05)
    api.script(Reply(503, delay=0.3))  # the answer comes too late for the client
    phone.text("Bonjour")

    worker.drain()

    [row] = _rows(session_factory)
    assert row.status == "pending" and row.last_error == "twilio unreachable: ReadTimeout"
    frozen.advance(DEFAULT_BACKOFF[0])
    worker.drain()
    assert [row.status for row in _rows(session_factory)] == ["sent"]
    assert len(api.sent) == 1


def test_an_unreachable_api_is_retried(
    phone: Webhooks, runtime: Runtime, frozen: FrozenClock, session_factory: Sessions
) -> None:
    with FakeTwilioApi().running() as gone:
        closed = gone.base_url  # a port nobody listens on once the fake stops
    settings = replace(runtime.settings, twilio_api_base_url=closed)
    worker = make_worker(replace(runtime, settings=settings), frozen)
    phone.text("Bonjour")

    worker.drain()

    [row] = _rows(session_factory)
    assert row.status == "pending" and row.last_error == "twilio unreachable: ConnectionError"


def test_a_client_error_is_not_retried(
    phone: Webhooks,
    worker: OutboxWorker,
    api: FakeTwilioApi,
    frozen: FrozenClock,
    session_factory: Sessions,
) -> None:
    api.script(Reply(400, code=21211))
    phone.text("Bonjour")

    worker.drain()
    frozen.advance(timedelta(days=1))
    worker.drain()

    assert len(api.requests) == 1
    [row] = _rows(session_factory)
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "twilio 400 error 21211")
    with session_factory() as session:
        assert session.scalars(select(Message.status).where(Message.direction == "out")).one() == (
            "failed"
        )


def test_after_the_last_backoff_the_row_fails(
    phone: Webhooks,
    worker: OutboxWorker,
    api: FakeTwilioApi,
    frozen: FrozenClock,
    session_factory: Sessions,
) -> None:
    api.script(*[Reply(500)] * (len(DEFAULT_BACKOFF) + 1))
    phone.text("Bonjour")

    worker.drain()
    for delay in DEFAULT_BACKOFF:
        frozen.advance(delay)
        worker.drain()
    frozen.advance(timedelta(days=1))
    worker.drain()

    assert len(api.requests) == len(DEFAULT_BACKOFF) + 1
    [row] = _rows(session_factory)
    assert (row.status, row.attempts) == ("failed", len(DEFAULT_BACKOFF) + 1)


def test_one_message_at_a_time_per_number_in_order(
    phone: Webhooks,
    worker: OutboxWorker,
    api: FakeTwilioApi,
    frozen: FrozenClock,
    session_factory: Sessions,
) -> None:
    phone.text("Bonjour")
    phone.text("Bonjour", phone=OTHER)
    worker.drain()
    api.script(Reply(500))
    _queue(session_factory, "premier", now=frozen.now)
    _queue(session_factory, "second", now=frozen.now)
    _queue(session_factory, "pour l'autre", phone=OTHER, now=frozen.now)

    worker.drain()

    # The second waits behind the first, which waits for its retry; the other number goes on.
    assert api.bodies_to(PHONE)[1:] == [] and api.bodies_to(OTHER)[1:] == ["pour l'autre"]
    frozen.advance(DEFAULT_BACKOFF[0])
    worker.drain()
    assert api.bodies_to(PHONE)[1:] == ["premier", "second"]


def test_other_channels_are_left_to_their_own_delivery(
    worker: OutboxWorker, api: FakeTwilioApi, session_factory: Sessions, frozen: FrozenClock
) -> None:
    with session_factory.begin() as session:
        session.add(Outbox(channel="console", address=PHONE, body="hi", next_attempt_at=frozen.now))
        session.add(Outbox(channel="telegram", address="42", body="hi", next_attempt_at=frozen.now))

    assert worker.drain() == 0

    assert api.requests == []
    assert [row.status for row in _rows(session_factory)] == ["pending", "pending"]


def test_the_goodbye_after_delete_leaves_no_trace_once_sent(
    worker: OutboxWorker, api: FakeTwilioApi, session_factory: Sessions, frozen: FrozenClock
) -> None:
    with session_factory.begin() as session:
        session.add(Outbox(channel="sms", address=PHONE, body="Adieu", next_attempt_at=frozen.now))

    worker.drain()

    assert api.bodies_to(PHONE) == ["Adieu"]
    assert _rows(session_factory) == []


def test_two_workers_never_send_one_row_twice(
    runtime: Runtime, api: FakeTwilioApi, frozen: FrozenClock, session_factory: Sessions
) -> None:
    numbers = [f"+336000000{index:02d}" for index in range(24)]
    with session_factory.begin() as session:
        for number in numbers:
            session.add(
                Outbox(channel="sms", address=number, body="hi", next_attempt_at=frozen.now)
            )
    workers = [make_worker(runtime, frozen) for _ in range(2)]
    threads = [threading.Thread(target=worker.drain) for worker in workers]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(request.to for request in api.requests) == numbers


# Status callbacks ---------------------------------------------------------------------------------
def _sent_sid(api: FakeTwilioApi) -> str:
    sid = api.sent[-1].sid
    assert sid is not None
    return sid


def _message_status(sessions: Sessions, sid: str) -> tuple[str | None, str | None]:
    with sessions() as session:
        message = session.scalars(select(Message).where(Message.external_id == sid)).one()
        return message.status, message.error_code


def test_status_callbacks_record_delivery_and_never_go_back(
    phone: Webhooks, worker: OutboxWorker, api: FakeTwilioApi, session_factory: Sessions
) -> None:
    phone.text("Bonjour")
    worker.drain()
    sid = _sent_sid(api)

    assert phone.status(sid, "sent").status_code == 204
    assert _message_status(session_factory, sid) == ("sent", None)
    phone.status(sid, "delivered")
    assert _message_status(session_factory, sid) == ("delivered", None)
    phone.status(sid, "sent")  # late and out of order
    assert _message_status(session_factory, sid) == ("delivered", None)


def test_an_undelivered_message_keeps_its_error_code(
    phone: Webhooks, worker: OutboxWorker, api: FakeTwilioApi, session_factory: Sessions
) -> None:
    phone.text("Bonjour")
    worker.drain()
    sid = _sent_sid(api)

    phone.status(sid, "undelivered", error_code="30003")

    assert _message_status(session_factory, sid) == ("undelivered", "30003")
    assert not _candidate(session_factory).opted_out


def test_an_unknown_sid_or_an_unsigned_callback_changes_nothing(
    phone: Webhooks, worker: OutboxWorker, api: FakeTwilioApi, session_factory: Sessions
) -> None:
    phone.text("Bonjour")
    worker.drain()
    sid = _sent_sid(api)

    assert phone.status("SM" + "f" * 32, "delivered").status_code == 204
    forged = phone.client.post("/webhooks/twilio/status", data={"MessageSid": sid})
    assert forged.status_code == 403

    assert _message_status(session_factory, sid) == ("sent", None)


def _opted_out_everywhere(sessions: Sessions) -> bool:
    with sessions() as session:
        candidate = session.scalars(select(Candidate)).one()
        conversation = session.scalars(select(Conversation)).one()
        return candidate.opted_out and conversation.state["opted_out"] is True


def test_error_21610_in_a_status_callback_opts_the_candidate_out(
    phone: Webhooks,
    worker: OutboxWorker,
    api: FakeTwilioApi,
    session_factory: Sessions,
) -> None:
    phone.text("Bonjour")
    worker.drain()
    sid = _sent_sid(api)
    phone.text("1")  # its answer waits in the outbox

    phone.status(sid, "failed", error_code="21610")
    phone.status(sid, "failed", error_code="21610")  # said twice, recorded once

    assert _message_status(session_factory, sid) == ("failed", "21610")
    assert _opted_out_everywhere(session_factory)
    assert [(r.status, r.last_error) for r in _rows(session_factory)][-1] == (
        "cancelled",
        "opted out",
    )
    # The conversation knows too: a later message gets no answer, until START.
    phone.text("Bonjour")
    worker.drain()
    assert len(api.sent) == 1
    with session_factory() as session:
        event = session.scalars(select(AuditEvent)).one()
        assert (event.action, event.detail) == ("opted_out", {"by": "sms 21610"})


def test_error_21610_when_sending_opts_the_candidate_out(
    phone: Webhooks, worker: OutboxWorker, api: FakeTwilioApi, session_factory: Sessions
) -> None:
    api.script(Reply(400, code=21610))
    phone.text("Bonjour")

    worker.drain()

    assert _rows(session_factory)[0].status == "failed"
    assert _opted_out_everywhere(session_factory)


# Opt-out first ------------------------------------------------------------------------------------
def _mark_stop_confirmation(sessions: Sessions, after_id: int) -> None:
    """What bot/conversation/service.py does in the STOP transaction (tested below), by hand."""
    with sessions.begin() as session:
        for row in session.scalars(select(Outbox).where(Outbox.id > after_id)):
            row.purpose = Purpose.OPT_OUT_CONFIRMATION


def _last_id(sessions: Sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.max(Outbox.id))) or 0


def test_after_stop_nothing_reaches_twilio_but_the_confirmation_until_start(
    phone: Webhooks,
    worker: OutboxWorker,
    api: FakeTwilioApi,
    frozen: FrozenClock,
    session_factory: Sessions,
) -> None:
    phone.text("Bonjour")
    worker.drain()
    before_answer = _last_id(session_factory)
    phone.text("1")  # its answer (the consent question) is queued, not yet sent
    before_stop = _last_id(session_factory)
    phone.text("STOP")
    _mark_stop_confirmation(session_factory, before_stop)
    candidate_id = _candidate(session_factory).id
    with session_factory.begin() as session:
        # A coach's message is refused outright…
        assert queue_message(session, candidate_id, "sms", PHONE, "Un mot du coach") is None
        # …and a reminder queued by code that did not ask is stopped by the worker.
        session.add(
            Outbox(
                candidate_id=candidate_id,
                channel="sms",
                address=PHONE,
                body="Ton CV t'attend",
                purpose=Purpose.REMINDER,
                next_attempt_at=frozen.now,
            )
        )
    sent_before = len(api.sent)

    worker.drain()
    phone.text("Bonjour")  # silence while opted out
    frozen.advance(timedelta(days=3))
    worker.drain()

    assert [r.body for r in api.sent[sent_before:]] == [STOPPED]
    cancelled = [r for r in _rows(session_factory) if r.status == "cancelled"]
    assert {r.last_error for r in cancelled} == {"opted out"}
    assert [r.id for r in cancelled][:-1] == list(range(before_answer + 1, before_stop + 1))
    assert cancelled[-1].body == "Ton CV t'attend"
    with session_factory() as session:
        statuses = session.scalars(select(Message.status).where(Message.direction == "out"))
        assert "cancelled" in set(statuses)

    phone.text("START")
    worker.drain()

    resumed = api.bodies_to(PHONE)[sent_before + 1 :]
    assert resumed and resumed[0].startswith("Content de te revoir ! On reprend.")
    assert "Tu es d'accord ?" in "\n".join(resumed)  # back at the consent question
    assert _queue(session_factory, "Un mot du coach", now=frozen.now) > 0
    worker.drain()
    assert api.bodies_to(PHONE)[-1] == "Un mot du coach"


def test_queue_message_logs_the_message_and_refuses_unknown_candidates(
    phone: Webhooks,
    worker: OutboxWorker,
    api: FakeTwilioApi,
    frozen: FrozenClock,
    session_factory: Sessions,
) -> None:
    phone.text("Bonjour")
    outbox_id = _queue(session_factory, "Bravo pour ton CV", purpose=Purpose.COACH, now=frozen.now)
    with session_factory.begin() as session:
        assert queue_message(session, "no-such-candidate", "sms", PHONE, "x") is None
        row = session.get(Outbox, outbox_id)
        assert row is not None and row.purpose == "coach"
        message = session.get(Message, row.message_id)
        assert message is not None
        assert (message.direction, message.status, message.segments) == ("out", "queued", 1)

    worker.drain()

    assert api.bodies_to(PHONE)[-1] == "Bravo pour ton CV"


def test_the_service_marks_the_stop_confirmation(send: Send, session_factory: Sessions) -> None:
    send("Bonjour")
    handled = send("STOP")
    with session_factory() as session:
        purposes = {session.get(Outbox, i).purpose for i in handled.outbox_ids}  # type: ignore[union-attr]
    assert purposes == {Purpose.OPT_OUT_CONFIRMATION}


# Running ------------------------------------------------------------------------------------------
def test_the_background_worker_delivers_until_stopped(
    phone: Webhooks, runtime: Runtime, api: FakeTwilioApi
) -> None:
    background = BackgroundWorker(make_worker(runtime, utcnow), poll_interval=0.01)
    background.start()
    try:
        phone.text("Bonjour")
        deadline = time.monotonic() + 10
        while not api.sent and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        background.stop()
    assert len(api.sent) == 1 and not background.running


def test_senders_exist_only_for_configured_channels(settings: Settings) -> None:
    assert set(senders_for(settings)) == {"sms"}
    assert senders_for(Settings()) == {}


def test_the_worker_command_says_when_there_is_nothing_to_deliver(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_worker(Settings(database_url=f"sqlite:///{tmp_path / 't.db'}")) == 1
    assert "SMS is off" in capsys.readouterr().err
