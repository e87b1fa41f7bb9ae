"""A database away answers 503 with Retry-After (the provider retries), never 500, saving nothing.

tests/faults/ stops a real PostgreSQL under real servers; these are the quick cases: a PostgreSQL
that is not there at all, and a SQLite database another process keeps locked.
"""

import sqlite3
from pathlib import Path

from sqlalchemy import func, select

from bot.web.app import create_app
from bot.web.unavailable import RETRY_AFTER_SECONDS
from storage import SQLITE_PRAGMAS, Message, Outbox, make_engine, make_session_factory, upgrade
from tests.bot.fake_twilio import TestClient, Webhooks, sms_runtime
from tests.servers import free_port


def test_every_route_that_needs_a_missing_database_answers_503() -> None:
    engine = make_engine(f"postgresql://postgres@127.0.0.1:{free_port()}/gone")
    runtime = sms_runtime(make_session_factory(engine))
    client = TestClient(create_app(runtime), raise_server_exceptions=False)
    phone = Webhooks(client)
    try:
        answers = [phone.text("Bonjour"), phone.status("SM" + "0" * 32, "delivered")]
        health = client.get("/healthz")
    finally:
        runtime.close()

    for answer in answers:
        assert answer.status_code == 503
        assert answer.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert health.status_code == 503


def test_a_locked_sqlite_database_answers_503_and_the_retry_is_answered_once(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tremplin.db"
    engine = make_engine(f"sqlite:///{path}", sqlite_pragmas={**SQLITE_PRAGMAS, "busy_timeout": 50})
    upgrade(engine)
    sessions = make_session_factory(engine)
    runtime = sms_runtime(sessions)
    phone = Webhooks(TestClient(create_app(runtime), raise_server_exceptions=False))
    other_process = sqlite3.connect(path, isolation_level=None)
    try:
        other_process.execute("BEGIN IMMEDIATE")
        refused = phone.text("Bonjour", sid="SM" + "1" * 32)
        other_process.execute("ROLLBACK")
        with sessions() as session:
            saved_meanwhile = session.scalar(select(func.count()).select_from(Message))
        retried = phone.text("Bonjour", sid="SM" + "1" * 32)
        again = phone.text("Bonjour", sid="SM" + "1" * 32)  # Twilio retried twice
    finally:
        other_process.close()
        runtime.close()

    assert refused.status_code == 503
    assert saved_meanwhile == 0  # nothing half-saved
    assert (retried.status_code, again.status_code) == (200, 200)
    engine = make_engine(f"sqlite:///{path}")
    with make_session_factory(engine)() as session:
        inbound = session.scalar(
            select(func.count()).select_from(Message).where(Message.direction == "in")
        )
        replies = session.scalar(select(func.count()).select_from(Outbox))
    engine.dispose()
    assert inbound == 1
    assert replies and replies >= 1
