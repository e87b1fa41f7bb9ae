"""Engine configuration: durable SQLite, serialised transactions, PostgreSQL URLs, row locks."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storage import (
    SQLITE_PRAGMAS,
    Candidate,
    Conversation,
    apply_sqlite_pragmas,
    lock_conversation,
    make_engine,
    make_session_factory,
    normalise_url,
    upgrade,
)

#: A short wait for the lock, so a test that expects a timeout stays fast.
IMPATIENT_PRAGMAS = {**SQLITE_PRAGMAS, "busy_timeout": 200}


@pytest.fixture
def sqlite_file(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'lock.db'}"


def test_sqlite_pragmas_are_in_force_on_a_new_connection(sqlite_file: str) -> None:
    engine = make_engine(sqlite_file)
    try:
        with engine.connect() as connection:

            def pragma(name: str) -> object:
                return connection.exec_driver_sql(f"PRAGMA {name}").scalar()

            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 2  # FULL
            assert pragma("foreign_keys") == 1
            assert pragma("busy_timeout") == 10_000
    finally:
        engine.dispose()


def test_the_same_pragmas_apply_to_a_raw_connection(tmp_path: Path) -> None:
    raw = sqlite3.connect(tmp_path / "raw.db", isolation_level=None)
    try:
        apply_sqlite_pragmas(raw)
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert raw.execute("PRAGMA synchronous").fetchone() == (2,)
    finally:
        raw.close()


def test_a_pragma_that_could_inject_sql_is_refused(tmp_path: Path) -> None:
    raw = sqlite3.connect(tmp_path / "raw.db", isolation_level=None)
    try:
        with pytest.raises(ValueError, match="invalid pragma"):
            apply_sqlite_pragmas(raw, {"synchronous": "FULL; DROP TABLE x"})
    finally:
        raw.close()


def test_a_second_immediate_transaction_waits_for_the_lock_then_fails(sqlite_file: str) -> None:
    holder = make_engine(sqlite_file)
    impatient = make_engine(sqlite_file, sqlite_pragmas=IMPATIENT_PRAGMAS)
    try:
        # A read-only session is enough: its transaction began with BEGIN IMMEDIATE.
        with Session(holder) as session:
            session.execute(select(1))
            started = time.monotonic()
            with pytest.raises(OperationalError, match="locked"), impatient.begin():
                pass
            assert time.monotonic() - started >= 0.15
    finally:
        holder.dispose()
        impatient.dispose()


def test_two_writers_are_serialised(sqlite_file: str) -> None:
    first, second = make_engine(sqlite_file), make_engine(sqlite_file)
    with first.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE answers (value TEXT)")
    events: list[str] = []

    def write_later() -> None:
        with second.begin() as connection:
            events.append("second began")
            connection.exec_driver_sql("INSERT INTO answers VALUES ('second')")

    try:
        with first.begin() as connection:
            connection.exec_driver_sql("INSERT INTO answers VALUES ('first')")
            thread = threading.Thread(target=write_later)
            thread.start()
            time.sleep(0.2)  # long enough for the thread to be waiting on BEGIN IMMEDIATE
            events.append("first committing")
        thread.join(timeout=5)

        assert events == ["first committing", "second began"]
        with first.connect() as connection:
            rows = connection.exec_driver_sql("SELECT value FROM answers ORDER BY rowid").all()
        assert [row[0] for row in rows] == ["first", "second"]
    finally:
        first.dispose()
        second.dispose()


@pytest.mark.parametrize("url", ["sqlite:///:memory:", "sqlite://"])
def test_an_in_memory_database_is_shared_by_sessions(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
        sessions = make_session_factory(engine)
        with sessions.begin() as session:
            session.add(Candidate(id="c-1"))
        with sessions() as session:
            assert session.get(Candidate, "c-1") is not None
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@db:5432/tremplin", "postgresql+psycopg://u:p@db:5432/tremplin"),
        ("postgres://u@db/tremplin", "postgresql+psycopg://u@db/tremplin"),
        ("postgresql+psycopg://u@db/tremplin", "postgresql+psycopg://u@db/tremplin"),
        ("sqlite:///./tremplin.db", "sqlite:///./tremplin.db"),
    ],
)
def test_postgresql_urls_use_psycopg_3(given: str, expected: str) -> None:
    assert normalise_url(given).render_as_string(hide_password=False) == expected


def test_a_postgresql_engine_uses_psycopg_3_and_pings() -> None:
    engine = make_engine("postgresql://u@db.invalid/tremplin")  # creating it does not connect
    try:
        assert engine.dialect.driver == "psycopg"
        assert engine.pool._pre_ping
    finally:
        engine.dispose()


def test_an_unsupported_database_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database"):
        make_engine("mysql://u@db/tremplin")


def test_the_session_factory_keeps_objects_loaded_after_commit(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        candidate = Candidate()
        session.add(candidate)
        session.commit()
        assert "slug" in candidate.__dict__  # not expired: no reload needed to read it


def test_lock_conversation_holds_the_row_until_commit(
    session_factory: sessionmaker[Session], backend: str
) -> None:
    with session_factory.begin() as session:
        candidate = Candidate()
        conversation = Conversation(candidate=candidate, state={})
        session.add(conversation)

    with session_factory() as holder:
        lock_conversation(holder, conversation.id)
        if backend == "sqlite":
            # Nothing to lock: the transaction's BEGIN IMMEDIATE already holds the database.
            return
        with session_factory() as contender:
            contender.execute(text("SET LOCAL lock_timeout = '100ms'"))
            with pytest.raises(OperationalError, match="lock timeout"):
                lock_conversation(contender, conversation.id)
        holder.commit()

    with session_factory() as contender:
        lock_conversation(contender, conversation.id)  # free again


def test_a_health_ping_does_not_wait_for_a_writer(tmp_path: Path) -> None:
    """``ping`` answers while another connection holds SQLite's write lock."""
    from storage import ping

    url = f"sqlite:///{tmp_path / 'ping.db'}"
    writer, checker = (
        make_engine(url),
        make_engine(url, sqlite_pragmas={**SQLITE_PRAGMAS, "busy_timeout": 100}),
    )
    try:
        with writer.begin() as connection:  # BEGIN IMMEDIATE: the write lock is held
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            ping(checker)  # would raise "database is locked" if it opened a write transaction
    finally:
        writer.dispose()
        checker.dispose()
