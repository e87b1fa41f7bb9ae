"""Alembic environment for Tremplin's storage.

Run from code (see ``storage.migrate``), not from an ``alembic.ini``: the caller either passes an
open connection in ``config.attributes["connection"]`` (its transaction is then the caller's to
commit) or a URL in the ``sqlalchemy.url`` main option. SQLite uses batch mode, since its
``ALTER TABLE`` cannot change or drop most things and Alembic must rebuild the table instead.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from storage.database import make_engine
from storage.migrate import migration_connection
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Write the SQL to stdout instead of running it (``alembic upgrade --sql``)."""
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("offline migrations need the sqlalchemy.url option")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError('pass config.attributes["connection"] or the sqlalchemy.url option')
    engine = make_engine(url)
    try:
        with migration_connection(engine) as own_connection:
            _run(own_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
