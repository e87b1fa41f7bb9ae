"""The migrations build exactly the schema the models describe, on every supported database."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from storage import Base, current_revision, downgrade, head_revision, upgrade
from storage.migrate import MIGRATIONS_DIR, make_alembic_config


def _differences(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, Base.metadata))


def test_head_is_the_latest_revision() -> None:
    assert head_revision() == "0005_voice_calls"


def test_migrations_are_inside_the_package() -> None:
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "script.py.mako").is_file()


def test_upgrade_builds_the_schema_of_the_models(engine: Engine) -> None:
    assert current_revision(engine) is None

    upgrade(engine)

    assert current_revision(engine) == head_revision()
    assert _differences(engine) == []


def test_upgrade_twice_is_harmless(engine: Engine) -> None:
    upgrade(engine)
    upgrade(engine)

    assert current_revision(engine) == head_revision()


def test_downgrade_to_base_removes_every_table(engine: Engine) -> None:
    upgrade(engine)

    downgrade(engine, "base")

    assert current_revision(engine) is None
    assert set(sa.inspect(engine).get_table_names()) == {"alembic_version"}
    upgrade(engine)
    assert _differences(engine) == []


def test_env_can_connect_from_a_url(engine: Engine, database_url: str) -> None:
    # The branch of env.py used when no connection is passed (e.g. a one-off script).
    command.upgrade(make_alembic_config(url=database_url), "head")

    assert current_revision(engine) == head_revision()


def test_env_uses_the_callers_connection_and_transaction(engine: Engine) -> None:
    with engine.begin() as connection:
        command.upgrade(make_alembic_config(connection), "head")

    assert current_revision(engine) == head_revision()


@pytest.mark.parametrize("url", ["sqlite://", "postgresql+psycopg://nobody@localhost/none"])
def test_offline_mode_writes_sql(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    command.upgrade(make_alembic_config(url=url), "head", sql=True)

    sql = capsys.readouterr().out
    assert "CREATE TABLE candidates" in sql
    assert "0001_initial" in sql
