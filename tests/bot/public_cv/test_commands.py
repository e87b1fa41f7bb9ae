"""``tremplin cv show ID --format html|pdf`` and ``tremplin cv index ID --on|--off``, run
in-process through ``bot.runtime.cli.main`` (test_cli.py covers the real process and the piping)."""

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.runtime.cli import main
from storage import Candidate, make_engine, make_session_factory, upgrade
from tests.bot.public_cv.conftest import Person, assert_private, create_person

Tremplin = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def sqlite(tmp_path: Path) -> tuple[str, sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    upgrade(engine)
    return url, make_session_factory(engine)


@pytest.fixture
def tremplin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Tremplin:
    """``tremplin ARGS`` on a database: its exit code, stdout and stderr."""

    def run(url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        monkeypatch.setenv("TREMPLIN_DATABASE_URL", url)
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse refusing the arguments
            code = int(exit_.code or 0)
        out, err = capsys.readouterr()
        if check:
            assert code == 0, err
        return subprocess.CompletedProcess(list(args), code, out, err)

    return run


def test_the_published_page_and_pdf_from_the_shell(
    sqlite: tuple[str, sessionmaker[Session]], tmp_path: Path, tremplin: Tremplin
) -> None:
    url, sessions = sqlite
    person: Person = create_person(sessions)
    html = tremplin(url, "cv", "show", person.candidate_id, "--format", "html").stdout
    assert '<h1 class="name">Amina D.</h1>' in html and "Métiers recherchés" in html
    assert_private(html)
    english = tremplin(url, "cv", "show", "+33612345678", "--format", "html", "--lang", "en")
    assert "Jobs sought" in english.stdout
    pdf = tmp_path / "cv.pdf"
    shown = tremplin(url, "cv", "show", person.slug, "--format", "pdf", "-o", str(pdf))
    assert shown.stderr == "" and pdf.read_bytes().startswith(b"%PDF-")


def test_an_unpublished_cv_is_a_preview_and_says_so(
    sqlite: tuple[str, sessionmaker[Session]], tremplin: Tremplin
) -> None:
    url, sessions = sqlite
    person = create_person(sessions, published=False)
    shown = tremplin(url, "cv", "show", person.candidate_id, "--format", "html")
    assert "preview of the current draft" in shown.stderr
    assert "Amina D." in shown.stdout
    missing = tremplin(url, "cv", "show", "nobody", "--format", "html", check=False)
    assert missing.returncode == 1 and "No candidate found" in missing.stderr


def test_the_coach_switches_indexing_from_the_shell(
    sqlite: tuple[str, sessionmaker[Session]], tremplin: Tremplin
) -> None:
    url, sessions = sqlite
    person = create_person(sessions)

    def noindex() -> bool:
        with sessions() as session:
            return session.get_one(Candidate, person.candidate_id).noindex

    assert noindex()
    assert "may index" in tremplin(url, "cv", "index", person.candidate_id, "--on").stdout
    assert not noindex()
    tremplin(url, "cv", "index", person.candidate_id, "--off")
    assert noindex()
    refused = tremplin(url, "cv", "index", person.candidate_id, check=False)
    assert refused.returncode == 2 and "--on" in refused.stderr
