"""Apply the Alembic migrations from code: ``tremplin db upgrade``, ``serve`` at start, the tests.

There is no ``alembic.ini``: the configuration is built here and points at the migrations inside
this package, so they are found wherever the package is installed. The connection is handed to
``migrations/env.py`` through ``config.attributes["connection"]``; everything runs in the single
transaction opened by :func:`migration_connection`, so a failed upgrade leaves nothing half-done.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import Connection

__all__ = [
    "MIGRATIONS_DIR",
    "current_revision",
    "downgrade",
    "head_revision",
    "make_alembic_config",
    "migration_connection",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Key of the PostgreSQL advisory lock held while migrating ("tremplin" in ASCII), so that a web
# process and a worker starting together do not both try to create the same tables.
_MIGRATION_LOCK_KEY = 0x7472656D706C696E


def make_alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """An Alembic ``Config`` for our migrations, using ``connection`` or else ``url``."""
    config = Config()
    # Config values go through configparser interpolation: a literal % must be doubled.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside one transaction, made safe for migrations; commits on success.

    On SQLite, foreign keys are switched off for the duration (the pragma cannot change inside a
    transaction, hence before it): batch migrations rebuild a table by copying it and dropping the
    original, and dropping a parent table with enforcement on would run its ``ON DELETE CASCADE``
    and empty the children. Integrity is then checked with ``PRAGMA foreign_key_check`` before
    committing. On PostgreSQL an advisory lock serialises concurrent upgrades.
    """
    with engine.connect() as connection:
        is_sqlite = connection.dialect.name == "sqlite"
        foreign_keys_were_on = is_sqlite and _set_sqlite_foreign_keys(connection, on=False)
        try:
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    connection.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK_KEY)))
                yield connection
                if is_sqlite:
                    _check_sqlite_foreign_keys(connection)
        finally:
            if foreign_keys_were_on:
                _set_sqlite_foreign_keys(connection, on=True)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision`` (default: the latest)."""
    with migration_connection(engine) as connection:
        command.upgrade(make_alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Downgrade the database behind ``engine`` to ``revision`` (``"base"`` drops everything)."""
    with migration_connection(engine) as connection:
        command.downgrade(make_alembic_config(connection), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` if it was never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The latest revision shipped with this code (compare with :func:`current_revision`)."""
    return ScriptDirectory.from_config(make_alembic_config()).get_current_head()


def _raw_sqlite(connection: Connection) -> sqlite3.Connection:
    # Reaching the DBAPI connection does not begin a transaction, unlike Connection.execute().
    return cast(sqlite3.Connection, connection.connection.dbapi_connection)


def _set_sqlite_foreign_keys(connection: Connection, *, on: bool) -> bool:
    """Set ``PRAGMA foreign_keys`` outside any transaction; return whether it was on before."""
    raw = _raw_sqlite(connection)
    was_on = bool(raw.execute("PRAGMA foreign_keys").fetchone()[0])
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    return was_on


def _check_sqlite_foreign_keys(connection: Connection) -> None:
    violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if violations:
        raise RuntimeError(f"migration left foreign key violations: {violations[:10]!r}")
