"""Every golden transcript replays exactly (``pytest --update-golden`` rewrites them)."""

from pathlib import Path

import pytest

from tests.conversations.golden import GOLDEN_DIR, parse, run

TRANSCRIPTS = sorted(GOLDEN_DIR.glob("*.chat"))


def test_there_are_transcripts_for_french_and_english() -> None:
    names = {path.stem for path in TRANSCRIPTS}
    assert {"fr_happy_path", "en_happy_path"} <= names


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.stem)
def test_transcript_replays(path: Path, request: pytest.FixtureRequest) -> None:
    expected = path.read_text(encoding="utf-8")
    actual, _ = run(parse(path), path)
    if request.config.getoption("--update-golden"):
        path.write_text(actual, encoding="utf-8")
        return
    assert actual == expected, f"{path.name} changed: run pytest --update-golden and review"


def _codes(path: Path) -> dict[str, object]:
    _, state = run(parse(path), path)
    cv = state.cv
    return {
        "status": state.status,
        "jobs": [job["code"] for job in cv["target_jobs"]],
        "sectors": cv["sectors"],
        "contracts": cv["contract_types"],
        "work_time": cv["work_time"],
        "availability": cv["availability"],
        "licence": cv["driving_licence"],
        "transport": cv["transport"],
        "locations": cv["locations"],
        "experiences": [
            (e["country"], e["start"], e["end"], e["current"]) for e in cv["experiences"]
        ],
        "trainings": cv["trainings"],
        "languages": [(lang["code"], lang["level"]) for lang in cv["languages"]],
        "skills": [skill["code"] for skill in cv["skills"]],
        "names": (state.person["first_name"], state.person["last_name"]),
        "has_story": bool(cv["story"]),
    }


@pytest.mark.parametrize("locale", ["en", "ar", "fa_AF", "ps", "uk", "ti"])
def test_the_same_scenario_gives_the_same_cv_codes_in_every_language(locale: str) -> None:
    french = _codes(GOLDEN_DIR / "fr_same_cv.chat")
    assert french["jobs"] == ["cuisinier"] and french["languages"] == [
        ("fr", "intermediate"),
        ("ar", "native"),
    ]
    assert _codes(GOLDEN_DIR / f"{locale}_same_cv.chat") == french
