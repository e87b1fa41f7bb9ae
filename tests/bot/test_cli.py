"""The command line as a new user runs it: real processes, piped stdin, a real database."""

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import jsonschema
import pytest

from tests.conversations.golden import GOLDEN_DIR, parse
from tests.servers import tremplin_serve

SCHEMA = json.loads((Path(__file__).parents[2] / "bot" / "schemas" / "cv.schema.json").read_text())
HAPPY_PATH = parse(GOLDEN_DIR / "fr_happy_path.chat").inputs
PHONE = "+33612345678"


def tremplin(
    database_url: str, *args: str, stdin: str = "", check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TREMPLIN_DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def _lines(lines: list[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


def test_a_piped_french_conversation_ends_with_a_submitted_cv(database_url: str) -> None:
    chat = tremplin(database_url, "chat", "--phone", "06 12 34 56 78", stdin=_lines(HAPPY_PATH))
    assert "Bravo ! Ton CV est envoyé à ton coach." in chat.stdout
    shown = tremplin(database_url, "cv", "show", PHONE, "--format", "json")
    document = json.loads(shown.stdout)
    jsonschema.validate(document, SCHEMA)
    assert document["status"] == "submitted"
    assert document["candidate"]["first_name"] == "Amina"
    assert [job["code"] for job in document["cv"]["target_jobs"]] == ["commis_cuisine", "manoeuvre"]
    text = tremplin(database_url, "cv", "show", PHONE).stdout
    assert "Nom : Amina Diallo" in text and "Métier : Commis de cuisine, Manœuvre" in text
    listing = tremplin(database_url, "cv", "list").stdout
    assert "Amina D." in listing and "submitted" in listing and "Diallo" not in listing


def test_stopping_in_the_middle_and_starting_again_loses_nothing(
    database_url: str, tmp_path: Path
) -> None:
    middle = 23
    tremplin(database_url, "chat", "--phone", PHONE, stdin=_lines(HAPPY_PATH[:middle]))
    halfway = json.loads(tremplin(database_url, "cv", "show", PHONE, "--format", "json").stdout)
    assert halfway["candidate"]["step"] == "experience_location"
    second = tremplin(database_url, "chat", "--phone", PHONE, stdin=_lines(HAPPY_PATH[middle:]))
    assert "Bravo !" in second.stdout
    resumed = json.loads(tremplin(database_url, "cv", "show", PHONE, "--format", "json").stdout)

    other = f"sqlite:///{tmp_path / 'one-go.db'}"
    tremplin(other, "chat", "--phone", PHONE, stdin=_lines(HAPPY_PATH))
    one_go = json.loads(tremplin(other, "cv", "show", PHONE, "--format", "json").stdout)
    assert resumed["cv"] == one_go["cv"]
    assert resumed["candidate"]["last_name"] == one_go["candidate"]["last_name"] == "Diallo"


def test_trace_prints_the_step_before_each_question(database_url: str) -> None:
    out = tremplin(database_url, "chat", "--trace", stdin="Bonjour\n1\n").stdout
    assert out.splitlines()[0] == "[step:language]"
    assert "[step:consent]" in out


def test_without_a_phone_each_run_is_a_new_simulated_number(database_url: str) -> None:
    run = tremplin(database_url, "chat", stdin="Bonjour\n")
    assert "Simulated phone number: +3363998" in run.stderr


def test_an_unknown_language_is_explained(database_url: str) -> None:
    run = tremplin(database_url, "chat", "--lang", "xx", check=False)
    assert run.returncode == 2 and "choose among fr, en" in run.stderr


def test_a_wrong_phone_number_is_explained(database_url: str) -> None:
    run = tremplin(database_url, "chat", "--phone", "12", check=False)
    assert run.returncode == 2 and "not a valid phone number" in run.stderr


def test_lang_skips_the_language_menu_and_says_how_to_change(database_url: str) -> None:
    out = tremplin(database_url, "chat", "--lang", "en", stdin="Hello\n").stdout
    assert "To change language" in out or "LANGUAGE" in out
    assert "Choisis ta langue" not in out


def test_db_upgrade_and_unknown_candidate(database_url: str) -> None:
    assert "latest schema" in tremplin(database_url, "db", "upgrade").stdout
    missing = tremplin(database_url, "cv", "show", "+33700000000", check=False)
    assert missing.returncode == 1 and "No candidate found" in missing.stdout


@pytest.mark.slow
def test_serve_answers_health_checks_and_mounts_the_simulator_on_loopback(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'serve.db'}"
    with tremplin_serve(database_url, tmp_path / "serve.log") as base:
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
            assert json.loads(response.read()) == {"status": "ok", "database": "ok"}
        with urllib.request.urlopen(f"{base}/simulator", timeout=5) as response:
            assert response.status == 200
    log = (tmp_path / "serve.log").read_text()
    assert "Tremplin is listening" in log and "/simulator" in log


def test_flow_show_prints_every_step_in_the_language_asked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.runtime.cli import main
    from conversations.flow import DEFAULT_FLOW

    assert main(["flow", "show", "--lang", "uk", "--width", "400"]) == 0
    shown = capsys.readouterr().out
    for question in DEFAULT_FLOW.questions:
        assert f" {question.id} " in shown, question.id
    assert "Яке ваше ім'я?" in shown or "ім'я" in shown  # the Ukrainian texts
    assert main(["flow", "show", "--lang", "xx"]) == 2
