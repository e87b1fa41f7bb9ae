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
