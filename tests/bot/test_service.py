"""The service: one message, one transaction, on SQLite and PostgreSQL."""

import json
import re
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import registry
from bot.conversation.service import ConversationService
from bot.conversation.statements import HotPath
from bot.cv.document import cv_document, find_candidate
from bot.delivery.outbox import deliver_pending
from bot.runtime.settings import Settings
from conversations.flow import DEFAULT_FLOW
from conversations.state import State, empty_draft
from storage import (
    Candidate,
    ChannelIdentity,
    Conversation,
    CvDraft,
    CvVersion,
    Message,
    Outbox,
    new_id,
    tables,
    utcnow,
)
from tests.bot.conftest import Send
from tests.conversations.golden import GOLDEN_DIR, parse

SCHEMA = json.loads((Path(__file__).parents[2] / "bot" / "schemas" / "cv.schema.json").read_text())
HAPPY_PATH = parse(GOLDEN_DIR / "fr_happy_path.chat").inputs
Sessions = sessionmaker[Session]


def _document(session_factory: Sessions, phone: str = "+33612345678") -> dict[str, object]:
    with session_factory() as session:
        candidate = find_candidate(session, phone)
        assert candidate is not None
        return cv_document(session, candidate, Settings())


def test_a_full_french_conversation_leaves_a_submitted_schema_valid_cv(
    send: Send, session_factory: Sessions
) -> None:
    for line in HAPPY_PATH:
        send(line)
    document = _document(session_factory)
    jsonschema.validate(document, SCHEMA)
    assert document["status"] == "submitted"
    candidate, cv = document["candidate"], document["cv"]
    assert isinstance(candidate, dict) and isinstance(cv, dict)
    assert (candidate["first_name"], candidate["last_name"]) == ("Amina", "Diallo")
    assert candidate["email"] == "amina.diallo@gmail.com"
    assert candidate["phone"] == "+33612345678"
    assert [job["code"] for job in cv["target_jobs"]] == ["commis_cuisine", "manoeuvre"]
    assert cv["locations"][0]["department"] == "93"
    assert cv["contract_types"] == ["cdi", "interim"]
    assert cv["availability"] == {"immediate": False, "from": "2027-03-01"}
    assert [e["title"]["text"] for e in cv["experiences"]] == ["aide en cuisine", "garde d'enfants"]
    assert cv["experiences"][0]["start"] == "2019" and cv["experiences"][0]["end"] == "2021"
    assert cv["experiences"][1]["country"] == "AF"
    assert cv["experiences"][1]["duration_months"] == 24
    assert cv["trainings"][0]["year"] == 2024
    assert [(lang["code"], lang["level"]) for lang in cv["languages"]] == [
        ("fr", "fluent"),
        ("ar", "native"),
        ("prs", "intermediate"),
    ]
    assert len(cv["skills"]) == 3 and cv["skills"][2]["text"] == "ponctuelle"
    assert cv["story"]["text"].startswith("Je suis arrivée en France en 2022.")
    assert cv["catchphrase"]["text"] == "Sérieuse, j'apprends vite"
    with session_factory() as session:
        versions = session.scalars(select(CvVersion)).all()
        assert [(v.number, v.kind) for v in versions] == [(1, "submitted")]


def test_every_reply_is_saved_in_the_outbox_with_the_answer(
    send: Send, session_factory: Sessions
) -> None:
    handled = send("Bonjour")
    assert not handled.duplicate and handled.outbox_ids
    with session_factory() as session:
        rows = session.scalars(select(Outbox).order_by(Outbox.id)).all()
        assert [row.id for row in rows] == handled.outbox_ids
        assert rows[0].body.startswith("Bonjour / Hello ! Choisis ta langue")
        assert rows[0].status == "pending"
        messages = session.scalars(select(Message).order_by(Message.id)).all()
        assert [(m.direction, m.step) for m in messages] == [("in", "start"), ("out", "language")]


def test_a_retried_message_gets_no_second_answer(send: Send, session_factory: Sessions) -> None:
    send("Bonjour", external_id="SM1")
    first = send("1", external_id="SM2")
    again = send("1", external_id="SM2")
    assert again.duplicate and not again.outbox_ids
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Outbox)) == 1 + len(first.outbox_ids)
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.state["step"] == "consent"


def test_a_new_process_resumes_at_the_same_question(
    send: Send, session_factory: Sessions, clock: object
) -> None:
    for line in HAPPY_PATH[:10]:
        send(line)
    # A new service, as after a restart: nothing but the database is shared.
    restarted = ConversationService(
        session_factory, DEFAULT_FLOW, clock=clock, renderers=registry.renderers()
    )  # type: ignore[arg-type]
    from bot.conversation.service import Inbound
    from conversations.events import TextReceived

    before = _document(session_factory)
    handled = restarted.handle(Inbound("sms", "+33612345678", TextReceived(HAPPY_PATH[10]), "SMX"))
    after = _document(session_factory)
    assert before["candidate"]["step"] == "target_jobs"  # type: ignore[index]
    assert handled.step == "target_jobs_more"
    assert after["cv"]["target_jobs"][0]["code"] == "commis_cuisine"  # type: ignore[index]


def test_after_stop_nothing_is_sent_until_start(send: Send, session_factory: Sessions) -> None:
    for line in HAPPY_PATH[:5]:
        send(line)
    assert send("STOP").outbox_ids  # the one confirmation
    assert send("Bonjour").outbox_ids == []
    assert send("AIDE").outbox_ids == []
    with session_factory() as session:
        assert session.scalars(select(Candidate)).one().opted_out
    resumed = send("START")
    assert resumed.outbox_ids and resumed.step == "last_name"
    with session_factory() as session:
        assert not session.scalars(select(Candidate)).one().opted_out


def _every_text(session: Session) -> str:
    """All the text stored in every table, to look for a person's traces."""
    dump = []
    for table in inspect(session.get_bind()).get_table_names():
        for row in session.execute(text(f'SELECT * FROM "{table}"')):
            dump.append(" ".join(str(value) for value in row))
    return "\n".join(dump)


def test_delete_erases_every_trace_of_the_person(send: Send, session_factory: Sessions) -> None:
    for line in HAPPY_PATH[:8]:
        send(line)
    with session_factory() as session:
        assert "Diallo" in _every_text(session)
    send("SUPPRIMER")
    goodbye = send("1")
    assert goodbye.outbox_ids and goodbye.candidate_id is None
    sent: list[str] = []
    deliver_pending(session_factory, "sms", "+33612345678", lambda body, step: sent.append(body))
    assert sent[-1].startswith("C'est fait, tout est effacé")
    with session_factory() as session:
        traces = _every_text(session)
        assert session.scalar(select(func.count()).select_from(Candidate)) == 0
    for private in ("Diallo", "Amina", "amina.diallo", "+33612345678", "93200"):
        assert private not in traces, private
    # Coming back later starts a new, empty conversation.
    assert send("Bonjour").step == "language"


def test_a_refusal_keeps_no_message_text(send: Send, session_factory: Sessions) -> None:
    send("Bonjour")
    send("1")
    send("Non merci, je ne veux pas")
    with session_factory() as session:
        inbound = session.scalars(select(Message).where(Message.direction == "in")).all()
        assert inbound and all(m.body is None for m in inbound)


@pytest.mark.parametrize(
    "payload", ["", "\x00\x01", "x" * 2000, "😀" * 50, "'; DROP TABLE messages;--"]
)
def test_malformed_input_never_fails_and_never_loses_an_answer(
    send: Send, session_factory: Sessions, payload: str
) -> None:
    for line in HAPPY_PATH[:6]:
        send(line)
    handled = send(payload)
    assert handled.outbox_ids  # always an answer
    document = _document(session_factory)
    assert document["candidate"]["last_name"] == "Diallo"  # type: ignore[index]
    jsonschema.validate(document, SCHEMA)


def test_the_packaged_schema_is_the_shared_contract() -> None:
    shared = Path(__file__).parents[3] / "shared" / "cv.schema.json"
    if not shared.exists():
        pytest.skip("../shared/cv.schema.json is not beside this checkout")
    packaged = Path(__file__).parents[2] / "bot" / "schemas" / "cv.schema.json"
    ours, theirs = json.loads(packaged.read_text()), json.loads(shared.read_text())
    # One difference, on purpose: the channels the product speaks now (WhatsApp and the
    # simulator's WhatsApp phone came after ../shared/cv.schema.json was written). Every channel
    # of the shared contract is still there, so a document valid there stays valid here.
    path = ("properties", "candidate", "properties", "channels", "items", "properties", "channel")
    enums = []
    for schema in (ours, theirs):
        node = schema
        for key in path:
            node = node[key]
        enums.append(node.pop("enum"))
    assert set(enums[1]) < set(enums[0]) and {"whatsapp", "sim_whatsapp"} <= set(enums[0])
    assert ours == theirs


def test_a_person_created_on_the_hot_path_has_the_rows_the_models_would_make(
    session_factory: Sessions,
) -> None:
    """The first message creates a person with plain SQL that leaves most columns to their
    server defaults; every column must read as the ORM's own defaults would have made it."""
    now = utcnow()
    names = ("candidate_id", "identity_id", "conversation_id", "draft_id")
    ids = {name: new_id() for name in names}
    with session_factory.begin() as session:
        connection = session.connection()
        HotPath(connection.dialect).on(connection).create(
            {
                **ids,
                "slug": "hot-path-slug",
                "channel": "sms",
                "address": "+33611110000",
                "state": State().conversation_json(),
                "document": empty_draft(),
                "now": now,
            }
        )
    with session_factory.begin() as session:
        orm = Candidate(slug="orm-slug", created_at=now, last_activity_at=now)
        session.add(orm)
        session.flush()
        session.add_all(
            [
                ChannelIdentity(
                    candidate_id=orm.id, channel="sms", address="+33622220000", created_at=now
                ),
                Conversation(
                    candidate_id=orm.id,
                    state=State().conversation_json(),
                    version=1,
                    updated_at=now,
                ),
                CvDraft(candidate_id=orm.id, document=empty_draft(), updated_at=now),
            ]
        )
        orm_id = orm.id
    own = {"id", "candidate_id", "slug", "address"}  # what differs between two people
    with session_factory() as session:
        for table in (
            tables.candidates,
            tables.channel_identities,
            tables.conversations,
            tables.cv_drafts,
        ):
            owner = table.c.id if table is tables.candidates else table.c.candidate_id
            hot, made = (
                {
                    name: value
                    for name, value in session.execute(select(table).where(owner == person))
                    .mappings()
                    .one()
                    .items()
                    if name not in own
                }
                for person in (ids["candidate_id"], orm_id)
            )
            assert hot == made, table.name


@pytest.mark.parametrize("backend", ["sqlite"])  # PostgreSQL has a timestamp type
def test_every_time_the_hot_path_writes_on_sqlite_is_in_the_one_stored_format(
    send: Send, session_factory: Sessions
) -> None:
    """SQLite has no timestamp type: times are text, compared as text (reminders due, retention),
    so every one must be written as SQLAlchemy writes them, never by sqlite3's own adapter."""
    for line in HAPPY_PATH[:4]:
        send(line)
    columns = ("created_at", "last_activity_at", "consent_at", "next_reminder_at")
    with session_factory() as session:
        row = session.execute(text(f"SELECT {', '.join(columns)} FROM candidates")).one()
    stored = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
    assert all(isinstance(value, str) and stored.fullmatch(value) for value in row), row
