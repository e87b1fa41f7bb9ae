"""``tremplin coach add|invite``, ``tremplin cv publish|unpublish`` and what ``serve`` prepares,
run as a person runs them (real processes on a SQLite file)."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.coach.setup import prepare_workspace
from bot.runtime.root import open_runtime
from bot.runtime.settings import Settings
from storage import Candidate, Coach, Invitation, Outbox
from tests.bot.coach.conftest import FRENCH_CV
from tests.bot.test_cli import tremplin

PHONE = "+33612345678"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def test_coach_add_prints_a_one_time_password_and_invite_a_code(database_url: str) -> None:
    added = tremplin(
        database_url, "coach", "add", "Lea@Asso.example", "--name", "Léa", "--org", "Asso"
    )
    password = re.search(r"One-time password: (\S+)", added.stdout)
    assert password is not None
    again = tremplin(database_url, "coach", "add", "lea@asso.example", "--name", "L", check=False)
    assert again.returncode == 1 and "existe déjà" in again.stderr
    chosen = tremplin(
        database_url,
        "coach",
        "add",
        "boss@asso.example",
        "--name",
        "Boss",
        "--admin",
        "--password-stdin",
        stdin="a very good password\n",
    )
    assert "One-time password" not in chosen.stdout
    code = tremplin(database_url, "coach", "invite", "lea@asso.example").stdout.strip()
    assert re.fullmatch(r"[A-Z]\d{4}", code)
    unknown = tremplin(database_url, "coach", "invite", "nobody@x.example", check=False)
    assert unknown.returncode == 1 and "tremplin coach add" in unknown.stderr

    runtime = open_runtime(Settings(database_url=database_url))
    try:
        with runtime.sessions() as session:
            lea = session.scalar(select(Coach).where(Coach.email == "lea@asso.example"))
            boss = session.scalar(select(Coach).where(Coach.email == "boss@asso.example"))
            assert lea is not None and lea.password_must_change and lea.role == "coach"
            assert boss is not None and not boss.password_must_change and boss.role == "admin"
            assert password.group(1) not in lea.password_hash  # only a hash is kept
            invitation = session.scalars(select(Invitation)).one()
            assert invitation.code == code and invitation.coach_id == lea.id
    finally:
        runtime.close()
    # The candidate who types the code is linked to Léa.
    tremplin(database_url, "chat", "--phone", PHONE, stdin=f"Bonjour\n1\noui\n{code}\n")
    runtime = open_runtime(Settings(database_url=database_url))
    try:
        with runtime.sessions() as session:
            candidate = session.scalars(select(Candidate)).one()
            assert candidate.coach_id == lea.id
    finally:
        runtime.close()


def test_cv_publish_and_unpublish_from_the_shell(database_url: str) -> None:
    early = "".join(f"{line}\n" for line in FRENCH_CV[:9])
    tremplin(database_url, "chat", "--phone", PHONE, stdin=early)
    refused = tremplin(database_url, "cv", "publish", PHONE, check=False)
    assert refused.returncode == 1 and "pas complet" in refused.stderr
    rest = "".join(f"{line}\n" for line in FRENCH_CV[9:])
    tremplin(database_url, "chat", "--phone", PHONE, stdin=rest)
    published = tremplin(database_url, "cv", "publish", PHONE).stdout
    assert re.search(r"Published version 2: http://127\.0\.0\.1:8000/cv/\S+", published)
    # The terminal phone shows the link at its next start, in the candidate's language.
    shown = tremplin(database_url, "chat", "--phone", PHONE).stdout
    assert "ton CV est en ligne" in shown and "/cv/" in shown
    listed = tremplin(database_url, "cv", "list", "--status", "published").stdout
    assert "Amina" in listed
    assert "no longer online" in tremplin(database_url, "cv", "unpublish", PHONE).stdout
    again = tremplin(database_url, "cv", "unpublish", PHONE, check=False)
    assert again.returncode == 1 and "pas publié" in again.stderr
    missing = tremplin(database_url, "cv", "publish", "+33700000000", check=False)
    assert missing.returncode == 1 and "No candidate found" in missing.stderr


def test_serve_makes_the_first_admin_once_and_the_demo_once(database_url: str) -> None:
    runtime = open_runtime(Settings(database_url=database_url))
    try:
        first = prepare_workspace(runtime, demo=True)
        assert any("one-time password" in line for line in first)
        assert "Demo: 3 fictional candidates added" in first[-1]
        second = prepare_workspace(runtime, demo=True)
        assert not any("password" in line for line in second)
        assert "Demo: 0 fictional candidates added" in second[-1]
        with runtime.sessions() as session:
            statuses = sorted(session.scalars(select(Candidate.status)))
            assert statuses == ["in_progress", "submitted", "submitted"]
            # Demo phones are fictional numbers on the simulator: nothing goes to a real phone.
            addresses = set(session.scalars(select(Outbox.address)))
            channels = set(session.scalars(select(Outbox.channel)))
            assert channels == {"simulator"}
            assert all(address.startswith("+3363998") for address in addresses)
    finally:
        runtime.close()
