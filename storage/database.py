"""Engines and sessions for SQLite (the default) and PostgreSQL (at scale).

What matters here is durability and serialisation, because the service replies to a candidate only
after their answer is committed:

* SQLite runs in WAL mode with ``synchronous=FULL``: a committed transaction is on disk when
  ``COMMIT`` returns, even if the machine loses power. Foreign keys are off by default in SQLite and
  are switched on, or ``ON DELETE CASCADE`` would do nothing.
* Every SQLite transaction starts with ``BEGIN IMMEDIATE``: it takes the write lock up front, so two
  processes handling messages of one candidate run one after the other (the second waits up to
  ``busy_timeout``) instead of both reading the old state and one failing at commit. This follows
  the pysqlite recipe of the SQLAlchemy documentation: the driver's own, deferred ``BEGIN`` is
  disabled (``isolation_level = None``) and the ``begin`` event emits ours.
* PostgreSQL gets no such global lock: :func:`lock_conversation` takes a row lock instead.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from storage.models import Conversation

__all__ = [
    "DEFAULT_DATABASE_URL",
    "SQLITE_PRAGMAS",
    "apply_sqlite_pragmas",
    "lock_conversation",
    "make_engine",
    "make_session_factory",
    "normalise_url",
    "ping",
]

DEFAULT_DATABASE_URL = "sqlite:///./tremplin.db"

#: The pragmas set on every SQLite connection, in this order. A benchmark that compares raw
#: ``sqlite3`` against the ORM applies the same ones with :func:`apply_sqlite_pragmas`.
SQLITE_PRAGMAS: Mapping[str, str | int] = MappingProxyType(
    {
        "journal_mode": "WAL",
        "synchronous": "FULL",
        "foreign_keys": "ON",
        "busy_timeout": 10_000,  # milliseconds a writer waits for the lock before failing
        # Each message of a batch runs in a savepoint, whose undo journal SQLite otherwise spills
        # to a temporary file past 64 KiB: about 70 page writes per message to /var/tmp, created
        # and deleted again for every batch. In memory it is a copy of what is already in memory;
        # it only ever matters until the batch commits, and the commit itself stays durable.
        "temp_store": "MEMORY",
    }
)

_POSTGRESQL_DRIVER = "postgresql+psycopg"
# Pragmas cannot take bound parameters; names and values are checked against these instead.
_PRAGMA_NAME = re.compile(r"[a-z_]+")
_PRAGMA_VALUE = re.compile(r"-?[A-Za-z0-9_]+")


def normalise_url(url: str | URL) -> URL:
    """Parse ``url``, pointing bare ``postgresql://`` (and ``postgres://``) at psycopg 3.

    SQLAlchemy would otherwise pick psycopg2, which is not a dependency. An explicit driver
    (``postgresql+psycopg://``, ``postgresql+asyncpg://``…) is left as given.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername=_POSTGRESQL_DRIVER)
    return parsed


def make_engine(
    url: str | URL = DEFAULT_DATABASE_URL,
    *,
    sqlite_pragmas: Mapping[str, str | int] = SQLITE_PRAGMAS,
    echo: bool = False,
) -> Engine:
    """Create the engine for ``url`` (SQLite or PostgreSQL), configured as described above.

    ``sqlite_pragmas`` replaces :data:`SQLITE_PRAGMAS` (tests use a short ``busy_timeout``).
    """
    parsed = normalise_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _make_sqlite_engine(parsed, sqlite_pragmas, echo=echo)
    if backend == "postgresql":
        # pre_ping: a connection idle in the pool may have been closed by a restart or a proxy.
        return create_engine(parsed, pool_pre_ping=True, echo=echo)
    raise ValueError(f"unsupported database {backend!r}: use sqlite:// or postgresql://")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine`` whose objects stay readable after commit.

    ``expire_on_commit=False``: the service renders replies from objects it has just committed;
    expiring them would mean a reload (and, on SQLite, another ``BEGIN IMMEDIATE``) for nothing.
    """
    return sessionmaker(bind=engine, expire_on_commit=False)


def ping(engine: Engine) -> None:
    """Ask the database for ``SELECT 1`` outside any transaction (raises when it is down).

    A health check must not queue behind writers: through the ORM it would open a transaction,
    which on SQLite is ``BEGIN IMMEDIATE`` and waits for the write lock.
    """
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT 1")
        cursor.fetchall()
        cursor.close()
    finally:
        connection.close()


def lock_conversation(session: Session, conversation_id: str) -> None:
    """Lock one conversation row until the end of the session's transaction.

    On PostgreSQL this is ``SELECT … FOR UPDATE``: a second transaction handling the same candidate
    waits here rather than stepping from a stale state. On SQLite there is nothing to do: the
    transaction began with ``BEGIN IMMEDIATE`` and already holds the database's write lock.
    """
    if session.get_bind().dialect.name == "sqlite":
        return
    session.execute(
        select(Conversation.id).where(Conversation.id == conversation_id).with_for_update()
    )


def apply_sqlite_pragmas(
    dbapi_connection: sqlite3.Connection,
    pragmas: Mapping[str, str | int] = SQLITE_PRAGMAS,
) -> None:
    """Set ``pragmas`` on a raw ``sqlite3`` connection (outside any transaction).

    ``journal_mode`` and ``foreign_keys`` are silently ignored inside a transaction, which is why
    this runs on connect, before SQLAlchemy or the caller begins one.
    """
    cursor = dbapi_connection.cursor()
    try:
        for name, value in pragmas.items():
            if not (_PRAGMA_NAME.fullmatch(name) and _PRAGMA_VALUE.fullmatch(str(value))):
                raise ValueError(f"invalid pragma {name}={value!r}")
            cursor.execute(f"PRAGMA {name}={value}")
            cursor.fetchall()  # journal_mode answers with a row; consume it
    finally:
        cursor.close()


def _is_memory_database(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


def _make_sqlite_engine(url: URL, pragmas: Mapping[str, str | int], *, echo: bool) -> Engine:
    kwargs: dict[str, Any] = {}
    if _is_memory_database(url):
        # Each connection to :memory: is a new, empty database: share one connection.
        kwargs["poolclass"] = StaticPool
        kwargs["connect_args"] = {"check_same_thread": False}
    engine = create_engine(url, echo=echo, **kwargs)
    settings = dict(pragmas)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # Stop pysqlite from issuing its own deferred BEGIN (and COMMIT before DDL); see _on_begin.
        dbapi_connection.isolation_level = None
        apply_sqlite_pragmas(dbapi_connection, settings)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
