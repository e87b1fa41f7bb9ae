"""Shared fixtures: one fresh database per test, on SQLite and PostgreSQL.

PostgreSQL runs when ``TREMPLIN_TEST_DATABASE_URL`` names a server where the user may create
databases; each test gets its own ``tremplin_test_<hex>`` database, dropped afterwards, so tests
(and parallel workers) never see each other's rows. Tests that want a migrated database get a copy
of a template migrated once per session (``CREATE DATABASE … TEMPLATE`` on PostgreSQL, a copied
file on SQLite), which is faster than migrating every time; the template itself is built by
running the migrations, never ``create_all``.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from storage import make_engine, make_session_factory, normalise_url, upgrade

TEST_DATABASE_URL_VARIABLE = "TREMPLIN_TEST_DATABASE_URL"


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """The database kind under test; tests may branch on it for backend-specific behaviour."""
    name: str = request.param
    return name


@pytest.fixture(scope="session")
def postgresql_server() -> URL:
    """The PostgreSQL server to create test databases on, or a skip."""
    server_url = os.environ.get(TEST_DATABASE_URL_VARIABLE)
    if not server_url:
        pytest.skip(f"{TEST_DATABASE_URL_VARIABLE} is not set: PostgreSQL tests skipped")
    return normalise_url(server_url)


@pytest.fixture(scope="session")
def postgresql_template(postgresql_server: URL) -> Iterator[str]:
    """The name of a database migrated to head, to copy from."""
    for url in _scratch_postgresql_database(postgresql_server):
        engine = make_engine(url)
        try:
            upgrade(engine)
        finally:
            engine.dispose()  # PostgreSQL copies a template only while nobody is connected to it
        yield url.rsplit("/", 1)[-1]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head by the migrations themselves, to copy for each test."""
    path = tmp_path_factory.mktemp("template") / "tremplin.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()  # the last connection closed folds the write-ahead log into the file
    assert not path.with_name(path.name + "-wal").exists(), "the template is not one file"
    return path


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a new, empty database (not migrated)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'tremplin.db'}"
        return
    server: URL = request.getfixturevalue("postgresql_server")
    yield from _scratch_postgresql_database(server)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a new, empty database."""
    created = make_engine(database_url)
    try:
        yield created
    finally:
        created.dispose()


@pytest.fixture
def migrated_engine(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Engine]:
    """An engine on a new database upgraded to the latest migration."""
    if backend == "sqlite":
        # A copy of a file migrated once per worker: Alembic's upgrade costs ~0.1 s a test.
        path = tmp_path / "tremplin.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        created = make_engine(f"sqlite:///{path}")
        try:
            yield created
        finally:
            created.dispose()
        return
    server: URL = request.getfixturevalue("postgresql_server")
    template: str = request.getfixturevalue("postgresql_template")
    for url in _scratch_postgresql_database(server, template=template):
        created = make_engine(url)
        try:
            yield created
        finally:
            created.dispose()


@pytest.fixture
def session_factory(migrated_engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(migrated_engine)


def _scratch_postgresql_database(server: URL, template: str | None = None) -> Iterator[str]:
    """Create a uniquely named database (copying ``template`` if given), yield its URL, drop it."""
    name = f"tremplin_test_{uuid.uuid4().hex}"
    copy = f' TEMPLATE "{template}"' if template else ""
    # CREATE/DROP DATABASE cannot run inside a transaction, hence AUTOCOMMIT.
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"{copy}')
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                # FORCE: a connection leaked by a failed test must not keep the database alive.
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden transcripts from the current engine (review the diff!)",
    )
