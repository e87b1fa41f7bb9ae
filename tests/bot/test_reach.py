"""One rule for where a candidate is reached outside a turn (bot/reach.py), and what reaches
them there: a coach's request and a reminder on Telegram keep their keyboard."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.contract import Inbound
from bot.coach.review import ask_for_changes
from bot.conversation.service import ConversationService
from bot.delivery.reach import reach
from bot.jobs.reminders import send_due_reminders
from conversations.events import TextReceived
from storage import Candidate, ChannelIdentity, Coach, Outbox, new_id, utcnow
from tests.bot.conftest import Send
from tests.bot.fake_telegram import Telegram

PHONE = "+33612345678"
Sessions = sessionmaker[Session]


def _candidate_id(sessions: Sessions) -> str:
    with sessions() as session:
        return session.scalars(select(Candidate.id)).one()


def _where(sessions: Sessions) -> tuple[str, str] | None:
    candidate_id = _candidate_id(sessions)
    with sessions() as session:
        found = reach(session.connection(), candidate_id)
        return (found.channel, found.address) if found else None


def test_the_last_channel_written_from_is_the_one_reached(
    send: Send, service: ConversationService, session_factory: Sessions
) -> None:
    send("Bonjour", phone=PHONE)
    assert _where(session_factory) == ("sms", PHONE)
    candidate_id = _candidate_id(session_factory)
    with session_factory.begin() as session:
        session.add(ChannelIdentity(candidate_id=candidate_id, channel="simulator", address=PHONE))
    assert _where(session_factory) == ("sms", PHONE)  # never written from: not before the SMS
    service.handle(Inbound("simulator", PHONE, TextReceived("1"), external_id="sim-1"))
    assert _where(session_factory) == ("simulator", PHONE)
    send("oui", phone=PHONE)
    assert _where(session_factory) == ("sms", PHONE)


def test_a_coach_request_and_a_reminder_reach_telegram_with_their_keyboard(
    telegram: Telegram,
) -> None:
    for text in ("/start", "1", "passer", "Amina", "Diallo", "Lyon", "passer"):
        telegram.say(text, language_code="fr")
    runtime = telegram.runtime
    with runtime.sessions.begin() as session:
        coach = Coach(id=new_id(), email="c@example.org", name="Coach", password_hash="x")
        session.add(coach)
        candidate_id = session.scalars(select(Candidate.id)).one()
    ask_for_changes(runtime, candidate_id, coach.id, 3, "As-tu déjà travaillé ?", now=utcnow())
    with runtime.sessions() as session:
        rows = session.scalars(
            select(Outbox).where(Outbox.purpose == "coach").order_by(Outbox.id)
        ).all()
    assert rows and rows[-1].channel == "telegram"
    keyboard = rows[-1].payload["reply_markup"]["keyboard"]
    assert [button["text"] for row in keyboard for button in row] == ["1. Oui", "2. Non"]
    telegram.worker.drain()
    sent = telegram.api.sent()[-1]
    assert sent["reply_markup"]["keyboard"][0][0] == {"text": "1. Oui"}  # no request_contact

    later = utcnow() + timedelta(days=3)
    send_due_reminders(runtime.engine, now=later.replace(hour=10), courier=runtime.courier)
    with runtime.sessions() as session:
        reminder = session.scalars(select(Outbox).where(Outbox.purpose == "reminder")).one()
    assert reminder.channel == "telegram"
    assert reminder.payload == {"reply_markup": {"remove_keyboard": True}}
