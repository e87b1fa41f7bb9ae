"""Privacy operations on SQLite and PostgreSQL: export, erasure that leaves no trace, retention.

"No trace" is checked the hard way: every column of every table of the models, cast to text, is
searched for the person's phone number, names, e-mail and Telegram id.
"""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, LargeBinary, Text, cast, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import registry
from bot.channels.contract import Inbound, Sent
from bot.conversation.service import ConversationService, Handled
from bot.delivery.rows import queue_message
from bot.delivery.worker import OutboxWorker
from bot.jobs.reminders import send_due_reminders
from bot.privacy.records import Purged, erase_candidate, export_candidate, purge_old_bodies
from bot.runtime.settings import Settings
from conversations.events import TextReceived
from storage import AuditEvent, Base, Candidate, ChannelIdentity, Message, Outbox
from storage.models import ContactMessage, CvRender, LinkCode, Media, Review
from tests.bot.test_cli import tremplin
from tests.conversations.golden import FLOW, GOLDEN_DIR, parse

Sessions = sessionmaker[Session]
PHONE = "+33612345678"
OTHER_PHONE = "+33698765432"
TELEGRAM_ID = "987654321"
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
HAPPY_PATH = parse(GOLDEN_DIR / "fr_happy_path.chat").inputs
# What would tell who the person was, in the forms it was typed or stored.
PRIVATE = ("612345678", "amina", "diallo", TELEGRAM_ID)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class RecordingSender:
    """The SMS provider, as far as the worker can tell: it accepts and remembers."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, address: str, body: str) -> Sent:
        self.sent.append((address, body))
        return Sent(external_id=f"SM{len(self.sent):032x}")


Send = Callable[..., Handled]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def send(session_factory: Sessions, clock: Clock) -> Send:
    service = ConversationService(
        session_factory, FLOW, clock=clock, renderers=registry.renderers()
    )
    counter = iter(range(1_000_000))

    def _send(text: str, phone: str = PHONE) -> Handled:
        clock.now += timedelta(minutes=1)
        return service.handle(
            Inbound("sms", phone, TextReceived(text), external_id=f"SM{next(counter):032d}")
        )

    return _send


def deliver(engine: Engine, sender: RecordingSender, at: datetime) -> None:
    OutboxWorker(engine, {"sms": sender}, clock=lambda: at).drain()


def traces(engine: Engine, needle: str) -> list[str]:
    """``table.column`` of every stored value containing ``needle`` (case-insensitive)."""
    found = []
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                as_text: Any = cast(column, Text)
                if isinstance(column.type, LargeBinary) and engine.dialect.name == "postgresql":
                    as_text = func.encode(column, "escape")
                hits = connection.execute(
                    select(func.count())
                    .select_from(table)
                    .where(func.lower(as_text).like(f"%{needle.lower()}%"))
                ).scalar_one()
                if hits:
                    found.append(f"{table.name}.{column.name}")
    return found


def candidate_id(session_factory: Sessions, phone: str = PHONE) -> str:
    with session_factory() as session:
        return session.scalars(
            select(ChannelIdentity.candidate_id).where(ChannelIdentity.address == phone)
        ).one()


def everything_a_person_leaves(
    send: Send, clock: Clock, engine: Engine, session_factory: Sessions, sender: RecordingSender
) -> str:
    """A whole life in Tremplin: SMS conversation, a reminder, a coach, media, a link code,
    an employer's message, a rendered PDF. Returns the candidate id."""
    for line in HAPPY_PATH[:12]:
        send(line)
    clock.now += timedelta(days=2)
    assert send_due_reminders(engine, now=clock.now, courier=registry.courier(Settings())) == 1
    for line in HAPPY_PATH[12:]:
        send(line)
    deliver(engine, sender, clock.now)
    person = candidate_id(session_factory)
    with session_factory.begin() as session:
        queue_message(session, person, "sms", PHONE, "Amina, ton coach a lu ton CV.", now=clock.now)
        session.add_all(
            [
                ChannelIdentity(candidate_id=person, channel="telegram", address=TELEGRAM_ID),
                Review(candidate_id=person, part="story", comment="Amina, peux-tu préciser ?"),
                Media(
                    candidate_id=person,
                    kind="photo",
                    content_type="image/jpeg",
                    data=b"\xff\xd8 Amina Diallo \xff\xd9",
                    size=18,
                ),
                LinkCode(
                    candidate_id=person,
                    channel="telegram",
                    address=TELEGRAM_ID,
                    code_hash="0" * 64,
                    expires_at=clock.now + timedelta(minutes=10),
                ),
                ContactMessage(
                    candidate_id=person,
                    sender_name="Boulangerie Martin",
                    sender_email="martin@example.org",
                    body="Nous aimerions rencontrer Amina Diallo.",
                ),
                CvRender(
                    candidate_id=person,
                    version_number=1,
                    kind="pdf",
                    content_type="application/pdf",
                    data=b"%PDF-1.7 Amina Diallo",
                ),
                AuditEvent(
                    candidate_id=person, action="published", detail={"name": "Amina Diallo"}
                ),
            ]
        )
    deliver(engine, sender, clock.now)
    return person


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


def test_delete_by_sms_leaves_no_trace_in_any_table(
    send: Send,
    clock: Clock,
    migrated_engine: Engine,
    session_factory: Sessions,
    sender: RecordingSender,
) -> None:
    everything_a_person_leaves(send, clock, migrated_engine, session_factory, sender)
    for line in ("Bonjour", "1", "oui", "passer", "Fatou"):
        send(line, phone=OTHER_PHONE)  # someone else, who must keep everything
    for needle in PRIVATE:
        assert traces(migrated_engine, needle), needle  # the search does find them
    send("SUPPRIMER")
    send("1")
    deliver(migrated_engine, sender, clock.now)
    to_the_person = [body for address, body in sender.sent if address == PHONE]
    assert to_the_person[-1] == "C'est fait, tout est effacé. Au revoir et bonne chance !"
    for needle in PRIVATE:
        assert traces(migrated_engine, needle) == [], needle
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Candidate)) == 1
        erased = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "candidate_erased")
        ).one()
        assert erased.candidate_id is None and erased.detail is not None
        assert erased.detail["by"] == "candidate"
        assert erased.detail["status"] == "submitted"
        assert erased.detail["created_week"] == "2026-W48"
        assert erased.detail["reminders_sent"] == 1
        assert erased.detail["messages_in"] > 30
        # The facts stay, anonymous: a submission happened, a CV was published.
        facts = session.execute(
            select(AuditEvent.action, AuditEvent.candidate_id, AuditEvent.detail).where(
                AuditEvent.action.in_(("submitted", "published", "reminder_sent"))
            )
        ).all()
        assert sorted(action for action, _, _ in facts) == [
            "published",
            "reminder_sent",
            "submitted",
        ]
        assert all(who is None and detail is None for _, who, detail in facts)
    # Fatou's conversation goes on as before.
    assert send("Ndiaye", phone=OTHER_PHONE).step == "location"


def test_export_holds_everything_about_the_person_and_nobody_else(
    send: Send,
    clock: Clock,
    migrated_engine: Engine,
    session_factory: Sessions,
    sender: RecordingSender,
) -> None:
    person = everything_a_person_leaves(send, clock, migrated_engine, session_factory, sender)
    send("Bonjour", phone=OTHER_PHONE)
    with migrated_engine.begin() as connection:
        export = export_candidate(connection, person, now=clock.now)
    assert export is not None
    text = json.dumps(export, ensure_ascii=False)  # plain JSON: no custom encoder needed
    for needle in PRIVATE:
        assert needle in text.lower(), needle
    assert OTHER_PHONE not in text
    assert export["candidate"]["status"] == "submitted"
    assert {identity["address"] for identity in export["channel_identities"]} == {
        PHONE,
        TELEGRAM_ID,
    }
    (draft,) = export["cv_drafts"]
    assert draft["document"]["candidate"]["last_name"] == "Diallo"
    assert export["conversations"][0]["state"]["step"] == "submitted"
    assert [version["kind"] for version in export["cv_versions"]] == ["submitted"]
    assert export["reviews"][0]["comment"] == "Amina, peux-tu préciser ?"
    assert "amina" in [m["body"] for m in export["messages"] if m["direction"] == "in"]
    assert any(row["purpose"] == "reminder" for row in export["outbox"])
    assert export["media"] == [
        {key: value for key, value in export["media"][0].items() if key != "data"}
    ]
    assert export["media"][0]["size"] == 18 and "data" not in export["media"][0]
    assert "code_hash" not in export["link_codes"][0]
    assert export["contact_messages"][0]["body"] == "Nous aimerions rencontrer Amina Diallo."
    assert export["cv_renders"][0]["kind"] == "pdf" and "data" not in export["cv_renders"][0]
    assert {event["action"] for event in export["audit_events"]} >= {
        "submitted",
        "reminder_sent",
        "published",
    }


def test_an_erasure_from_the_workspace_is_recorded_with_the_coach_and_only_counts(
    send: Send, migrated_engine: Engine, session_factory: Sessions
) -> None:
    for line in HAPPY_PATH[:8]:
        send(line)
    person = candidate_id(session_factory)
    with session_factory() as session:
        logged = session.scalar(select(func.count()).select_from(Message))
    with migrated_engine.begin() as connection:
        erased = erase_candidate(connection, person, now=T0, actor="coach:c0ach-1d")
        again = erase_candidate(connection, person, now=T0, actor="coach:c0ach-1d")
    assert erased is not None and erased.rows["candidates"] == 1
    assert erased.rows["messages"] == logged and erased.rows["channel_identities"] == 1
    assert again is None
    with session_factory() as session:
        event = session.scalars(select(AuditEvent)).one()
        assert (event.action, event.coach_id, event.candidate_id) == (
            "candidate_erased",
            "c0ach-1d",
            None,
        )
        assert event.detail is not None and event.detail["by"] == "coach"
        assert event.detail["furthest_step"] > 0 and event.detail["channels"] == ["sms"]
    for needle in PRIVATE:
        assert traces(migrated_engine, needle) == [], needle


def test_retention_purges_only_old_texts(
    send: Send,
    clock: Clock,
    migrated_engine: Engine,
    session_factory: Sessions,
    sender: RecordingSender,
) -> None:
    for line in HAPPY_PATH[:6]:
        send(line)
    deliver(migrated_engine, sender, clock.now)
    send("Saint-Denis 93200")  # its answer stays pending: never delivered
    old = clock.now
    # A year and a bit later, the person comes back; someone else's goodbye has waited 3 days.
    clock.now = old + timedelta(days=400)
    send("Bonjour")
    deliver(migrated_engine, sender, clock.now)
    with session_factory.begin() as session:
        session.add(
            Outbox(
                candidate_id=None,
                channel="simulator",
                address=OTHER_PHONE,
                body="C'est fait, tout est effacé.",
                created_at=clock.now - timedelta(days=3),
                next_attempt_at=clock.now - timedelta(days=3),
            )
        )
        old_texts = session.execute(
            select(func.count()).select_from(Message).where(Message.created_at <= old)
        ).scalar_one()
        old_sent = session.execute(
            select(func.count())
            .select_from(Outbox)
            .where(Outbox.status == "sent", Outbox.sent_at <= old)
        ).scalar_one()
        pending_before = session.scalars(
            select(Outbox.body).where(Outbox.status == "pending", Outbox.candidate_id.is_not(None))
        ).all()
    purged = purge_old_bodies(migrated_engine, now=clock.now, retention_days=365)
    assert purged == Purged(message_bodies=old_texts, outbox_bodies=old_sent, goodbyes=1)
    with session_factory() as session:
        messages = session.scalars(select(Message).order_by(Message.id)).all()
        old_ones = [m for m in messages if m.created_at <= old]
        new_ones = [m for m in messages if m.created_at > old]
        assert old_ones and all(m.body is None for m in old_ones)
        assert new_ones and all(m.body for m in new_ones)
        assert "Re-bonjour" in " ".join(m.body or "" for m in new_ones)
        sent_old = session.scalars(
            select(Outbox.body).where(Outbox.status == "sent", Outbox.sent_at <= old)
        ).all()
        assert sent_old and all(body == "" for body in sent_old)
        # The old answer that waited until today was sent today: its text is recent use.
        late = session.scalars(
            select(Outbox.body).where(Outbox.created_at <= old, Outbox.sent_at > old)
        ).one()
        assert late.startswith("As-tu une adresse e-mail")
        # What still waits to be delivered keeps its text, however old.
        assert (
            session.scalars(
                select(Outbox.body).where(
                    Outbox.status == "pending", Outbox.candidate_id.is_not(None)
                )
            ).all()
            == pending_before
        )
        assert (
            session.scalar(
                select(func.count()).select_from(Outbox).where(Outbox.candidate_id.is_(None))
            )
            == 0
        )
    # The CV itself is not a message: it stays whole.
    assert "Diallo" in "\n".join(reply.text for reply in send("VOIR").replies)
    again = purge_old_bodies(
        migrated_engine, now=clock.now, retention_days=365, since=clock.now - timedelta(days=365)
    )
    assert again == Purged(0, 0, 0)


def test_retention_off_keeps_every_text(
    send: Send, clock: Clock, migrated_engine: Engine, session_factory: Sessions
) -> None:
    for line in HAPPY_PATH[:3]:
        send(line)
    purged = purge_old_bodies(
        migrated_engine, now=clock.now + timedelta(days=999), retention_days=0
    )
    assert (purged.message_bodies, purged.outbox_bodies) == (0, 0)
    with session_factory() as session:
        assert all(session.scalars(select(Message.body)).all())


@pytest.mark.slow
def test_privacy_from_the_command_line(database_url: str) -> None:
    chat = "".join(f"{line}\n" for line in HAPPY_PATH[:8])
    tremplin(database_url, "chat", "--phone", "06 12 34 56 78", stdin=chat)
    exported = json.loads(tremplin(database_url, "privacy", "export", "06 12 34 56 78").stdout)
    assert exported["cv_drafts"][0]["document"]["candidate"]["last_name"] == "Diallo"
    refused = tremplin(database_url, "privacy", "erase", PHONE, stdin="non\n", check=False)
    assert refused.returncode == 1 and "Nothing was erased." in refused.stdout
    kept = json.loads(tremplin(database_url, "privacy", "export", PHONE).stdout)
    assert kept["messages"] == exported["messages"]  # nothing erased without a yes
    erased = tremplin(database_url, "privacy", "erase", PHONE, stdin="yes\n")
    assert "Erased:" in erased.stdout
    gone = tremplin(database_url, "privacy", "export", PHONE, check=False)
    assert gone.returncode == 1 and "No candidate found" in gone.stdout
    purge = tremplin(database_url, "privacy", "purge", "--days", "30")
    assert "Retention 30 days" in purge.stdout
