"""Reminders with a pinned clock, on SQLite and PostgreSQL: when they go, to whom, and only once.

Candidates write through the real service; the reminder job runs as a worker runs it. Time is a
clock the test sets, never a sleep.
"""

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import registry
from bot.channels.contract import Inbound
from bot.channels.sms.render import render_sms
from bot.conversation.service import ConversationService, Handled
from bot.jobs.housekeeping import BackgroundHousekeeping, Housekeeping
from bot.jobs.reminders import find_due, send_due_reminders, send_reminder, sending_time
from bot.runtime.settings import Settings
from conversations.engine import GREETINGS
from conversations.events import TextReceived
from conversations.outputs import Output, Say, msg
from conversations.parsing.normalize import fold
from storage import AuditEvent, Candidate, Conversation, CvDraft, Message, Outbox
from tests.conversations.golden import FLOW, GOLDEN_DIR, parse

Sessions = sessionmaker[Session]
PHONE = "+33612345678"
# Tuesday 24 November 2026, 10:00 in Paris (UTC+1).
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
HAPPY_PATH = parse(GOLDEN_DIR / "fr_happy_path.chat").inputs
UP_TO_LAST_NAME = HAPPY_PATH[:5]  # Bonjour, 1, oui, passer, amina: the last name is asked


class Clock:
    """The time the test says it is."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


Send = Callable[..., Handled]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(migrated_engine: Engine) -> Engine:
    """The engine under the service's sessions, as a worker has it."""
    return migrated_engine


@pytest.fixture
def service(session_factory: Sessions, clock: Clock) -> ConversationService:
    return ConversationService(session_factory, FLOW, clock=clock, renderers=registry.renderers())


@pytest.fixture
def send(service: ConversationService) -> Send:
    counter = iter(range(1_000_000))

    def _send(text: str, phone: str = PHONE, channel: str = "sms") -> Handled:
        return service.handle(
            Inbound(channel, phone, TextReceived(text), external_id=f"SM{next(counter):032d}")
        )

    return _send


def reminders(session_factory: Sessions, phone: str = PHONE) -> list[str]:
    with session_factory() as session:
        return list(
            session.scalars(
                select(Outbox.body)
                .where(Outbox.address == phone, Outbox.purpose == "reminder")
                .order_by(Outbox.id)
            )
        )


def run_job(db: Engine, at: datetime) -> int:
    return send_due_reminders(db, now=at, courier=registry.courier(Settings()))


def test_first_after_two_days_last_after_seven_never_a_third(
    send: Send, clock: Clock, db: Engine, session_factory: Sessions
) -> None:
    for line in UP_TO_LAST_NAME:
        send(line)
    assert run_job(db, T0 + timedelta(days=2) - timedelta(minutes=1)) == 0
    assert run_job(db, T0 + timedelta(days=2)) == 1
    assert run_job(db, T0 + timedelta(days=2, minutes=1)) == 0  # not twice
    assert reminders(session_factory) == [
        "Bonjour Amina ! Ton CV t'attend sur Tremplin, tes réponses sont gardées. "
        "Pour continuer, réponds BONJOUR."
    ]
    assert run_job(db, T0 + timedelta(days=7) - timedelta(minutes=1)) == 0
    assert run_job(db, T0 + timedelta(days=7)) == 1
    second = reminders(session_factory)[1]
    assert second.startswith("Bonjour Amina ! Dernier rappel")
    for days in (8, 14, 30, 365):
        assert run_job(db, T0 + timedelta(days=days)) == 0
    assert len(reminders(session_factory)) == 2
    with session_factory() as session:
        candidate = session.scalars(select(Candidate)).one()
        assert (candidate.reminders_sent, candidate.next_reminder_at) == (2, None)


def test_without_a_first_name_the_reminder_still_greets(
    send: Send, db: Engine, session_factory: Sessions
) -> None:
    for line in HAPPY_PATH[:4]:  # consent given, the first name not yet
        send(line)
    run_job(db, T0 + timedelta(days=2))
    assert reminders(session_factory) == [
        "Bonjour ! Ton CV t'attend sur Tremplin, tes réponses sont gardées. "
        "Pour continuer, réponds BONJOUR."
    ]


def test_each_message_from_the_candidate_pushes_the_reminder_back(
    send: Send, clock: Clock, db: Engine, session_factory: Sessions
) -> None:
    for line in UP_TO_LAST_NAME:
        send(line)
    clock.now = T0 + timedelta(days=1, hours=3)
    send("Diallo")
    assert run_job(db, T0 + timedelta(days=2, hours=1)) == 0
    assert run_job(db, clock.now + timedelta(days=2)) == 1
    assert reminders(session_factory)[0].startswith("Bonjour Amina !")


def test_replying_as_the_reminder_says_resumes_at_the_same_question(
    send: Send, clock: Clock, db: Engine, session_factory: Sessions
) -> None:
    for line in UP_TO_LAST_NAME:
        send(line)
    clock.now = T0 + timedelta(days=2)
    run_job(db, clock.now)
    clock.now += timedelta(hours=2)
    handled = send("BONJOUR")
    assert handled.step == "last_name"
    assert handled.replies[0].text.startswith("Re-bonjour ! On reprend")
    assert "nom de famille" in handled.replies[-1].text


@pytest.mark.parametrize("locale", ["en", "ar", "fa_AF", "ps", "uk", "ti"])
def test_every_language_gets_its_reminder_and_the_greeting_it_asks_for_works(
    locale: str, send: Send, clock: Clock, db: Engine, session_factory: Sessions
) -> None:
    for line in parse(GOLDEN_DIR / f"{locale}_same_cv.chat").inputs[:5]:
        send(line)
    clock.now = T0 + timedelta(days=2)
    assert run_job(db, clock.now) == 1
    (text,) = reminders(session_factory)
    assert "Amina" in text and "Bonjour" not in text
    # The reminder names a greeting word; sending it back resumes the conversation.
    greeting = next(word for word in text.replace(":", " ").split() if fold(word) in GREETINGS)
    clock.now += timedelta(hours=1)
    handled = send(greeting)
    welcome_back: list[Output] = [
        Say(msg("welcome_back", part=1)),
        Say(msg("ask_last_name"), step="last_name"),
    ]
    assert handled.step == "last_name"
    assert [reply.text for reply in handled.replies] == [
        reply.text for reply in render_sms(welcome_back, locale)
    ]


@pytest.mark.parametrize(
    ("last_message", "due"),
    [
        # 22:30 in Paris: two days later it is night; 9:00 Paris is 8:00 UTC in winter.
        (datetime(2026, 11, 24, 21, 30, tzinfo=UTC), datetime(2026, 11, 27, 8, 0, tzinfo=UTC)),
        # 7:00 in Paris on Friday 26 March 2027; on Sunday the clocks go forward at 2:00, so
        # 6:00 UTC is 8:00 and the reminder waits for 9:00 summer time, 7:00 UTC.
        (datetime(2027, 3, 26, 6, 0, tzinfo=UTC), datetime(2027, 3, 28, 7, 0, tzinfo=UTC)),
        # 19:30 in Paris on Friday 23 October 2026 (summer time): on Sunday the clocks went back,
        # so 17:30 UTC is 18:30, within the hours: it goes at once.
        (datetime(2026, 10, 23, 17, 30, tzinfo=UTC), datetime(2026, 10, 25, 17, 30, tzinfo=UTC)),
        # 18:30 in Paris in summer: two days later 18:30, still within the hours.
        (datetime(2026, 7, 1, 16, 30, tzinfo=UTC), datetime(2026, 7, 3, 16, 30, tzinfo=UTC)),
    ],
)
def test_a_reminder_due_at_night_waits_for_nine_in_paris_whatever_the_season(
    last_message: datetime,
    due: datetime,
    send: Send,
    clock: Clock,
    db: Engine,
    session_factory: Sessions,
) -> None:
    clock.now = last_message
    for line in UP_TO_LAST_NAME:
        send(line)
    with session_factory() as session:
        assert session.scalars(select(Candidate.next_reminder_at)).one() == due
    assert run_job(db, due - timedelta(minutes=1)) == 0
    assert run_job(db, due) == 1


def test_sending_time_keeps_the_hours_and_skips_the_night() -> None:
    assert sending_time(datetime(2026, 11, 24, 8, 0, tzinfo=UTC)) == datetime(
        2026, 11, 24, 8, 0, tzinfo=UTC
    )  # 9:00 in Paris: open
    assert sending_time(datetime(2026, 11, 24, 17, 59, tzinfo=UTC)) == datetime(
        2026, 11, 24, 17, 59, tzinfo=UTC
    )  # 18:59: still open
    assert sending_time(datetime(2026, 11, 24, 18, 0, tzinfo=UTC)) == datetime(
        2026, 11, 25, 8, 0, tzinfo=UTC
    )  # 19:00: closed until tomorrow 9:00
    assert sending_time(datetime(2026, 6, 24, 6, 59, tzinfo=UTC)) == datetime(
        2026, 6, 24, 7, 0, tzinfo=UTC
    )  # 8:59 summer time: wait a minute


def test_nothing_after_stop(
    send: Send, clock: Clock, db: Engine, session_factory: Sessions
) -> None:
    for line in UP_TO_LAST_NAME:
        send(line)
    send("STOP")
    for days in (2, 7, 30):
        assert run_job(db, T0 + timedelta(days=days)) == 0
    assert reminders(session_factory) == []


def test_nothing_after_delete(
    send: Send, clock: Clock, db: Engine, session_factory: Sessions
) -> None:
    for line in UP_TO_LAST_NAME:
        send(line)
    send("SUPPRIMER")
    send("1")
    for days in (2, 7):
        assert run_job(db, T0 + timedelta(days=days)) == 0
    assert reminders(session_factory) == []


def test_nothing_once_submitted(
    send: Send, clock: Clock, db: Engine, session_factory: Sessions
) -> None:
    for line in HAPPY_PATH:
        send(line)
    with session_factory() as session:
        assert session.scalars(select(Candidate.status)).one() == "submitted"
    for days in (2, 7, 30):
        assert run_job(db, T0 + timedelta(days=days)) == 0
    assert reminders(session_factory) == []


def test_nothing_without_consent(
    send: Send, clock: Clock, db: Engine, session_factory: Sessions
) -> None:
    send("Bonjour")
    send("1")
    send("2")  # no, thank you
    send("Bonjour", phone="+33600000001")  # and one who never answered the consent question
    for days in (2, 7):
        assert run_job(db, T0 + timedelta(days=days)) == 0
    assert reminders(session_factory) == []
    assert reminders(session_factory, "+33600000001") == []


def test_consent_refused_after_going_back_keeps_nothing_and_never_reminds(
    send: Send, db: Engine, session_factory: Sessions
) -> None:
    for line in ("Bonjour", "1", "1", "PASSER", "Nadia", "Khalil"):
        send(line)
    for _ in range(4):  # back from the town to the consent question
        send("RETOUR")
    refused = send("2")
    assert refused.replies[0].text.startswith("D'accord, je ne garde rien.")
    with session_factory() as session:
        candidate = session.scalars(select(Candidate)).one()
        draft = session.scalars(select(CvDraft)).one()
        conversation = session.scalars(select(Conversation)).one()
        bodies = session.scalars(select(Message.body).where(Message.direction == "in")).all()
        assert candidate.consent_at is None and candidate.status == "in_progress"
        assert draft.document["candidate"]["first_name"] is None
        assert draft.document["candidate"]["last_name"] is None
        assert "Nadia" not in str(conversation.state) and "Khalil" not in str(draft.document)
        assert bodies and all(body is None for body in bodies)
        actions = session.scalars(select(AuditEvent.action)).all()
        assert "consent_declined" in actions
    for days in (2, 7, 30):
        assert run_job(db, T0 + timedelta(days=days)) == 0
    assert reminders(session_factory) == []
    again = send("Bonjour")  # coming back later starts from the consent question
    assert again.step == "consent"


def test_the_reminder_goes_to_the_channel_the_candidate_writes_on(
    send: Send, clock: Clock, db: Engine, session_factory: Sessions
) -> None:
    for line in UP_TO_LAST_NAME:
        send(line, channel="simulator")
    run_job(db, T0 + timedelta(days=2))
    with session_factory() as session:
        row = session.scalars(select(Outbox).where(Outbox.purpose == "reminder")).one()
        assert (row.channel, row.address, row.status) == ("simulator", PHONE, "pending")


def _candidates(send: Send, count: int) -> list[str]:
    phones = [f"+336{index:08d}" for index in range(count)]
    for phone in phones:
        for line in UP_TO_LAST_NAME:
            send(line, phone=phone)
    return phones


def test_two_workers_racing_send_each_reminder_once(
    send: Send, db: Engine, session_factory: Sessions
) -> None:
    phones = _candidates(send, 12)
    at = T0 + timedelta(days=2)
    counts: list[int] = []
    start = threading.Barrier(2)

    def worker() -> None:
        start.wait()
        counts.append(
            send_due_reminders(db, now=at, batch_size=3, courier=registry.courier(Settings()))
        )

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(counts) == len(phones)
    for phone in phones:
        assert len(reminders(session_factory, phone)) == 1


def test_a_worker_holding_a_stale_list_sends_nothing_twice(
    send: Send, db: Engine, session_factory: Sessions
) -> None:
    phones = _candidates(send, 3)
    at = T0 + timedelta(days=2)
    seen_by_slow_worker = find_due(db, now=at, limit=10)
    assert len(seen_by_slow_worker) == 3
    assert (
        send_due_reminders(db, now=at, courier=registry.courier(Settings())) == 3
    )  # the fast worker
    for due in seen_by_slow_worker:
        assert not send_reminder(
            db, due.candidate_id, due.sent, now=at, courier=registry.courier(Settings())
        )
    assert [len(reminders(session_factory, phone)) for phone in phones] == [1, 1, 1]


def test_the_worker_housekeeping_queues_due_reminders(
    send: Send, db: Engine, session_factory: Sessions
) -> None:
    for line in UP_TO_LAST_NAME:
        send(line)
    job_clock = Clock(T0 + timedelta(days=2))
    background = BackgroundHousekeeping(
        Housekeeping(db, retention_days=365, clock=job_clock, courier=registry.courier(Settings())),
        poll_interval=0.05,
    )
    background.start()
    try:
        for _ in range(200):
            if reminders(session_factory):
                break
            threading.Event().wait(0.05)
    finally:
        background.stop()
    assert not background.running
    assert len(reminders(session_factory)) == 1
