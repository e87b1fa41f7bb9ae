"""The page's labels: English complete, template current (as the candidates' catalogs are)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.public_cv.labels import LABELS_DIR, page_language, page_translations

ROOT = Path(__file__).parents[3]


def test_the_label_catalogs_are_complete_and_current() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.public_cv.catalog", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_label_catalogs_pass_msgfmt_check() -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (gettext) is not installed: apt-get install gettext")
    for po in sorted(LABELS_DIR.glob("*/LC_MESSAGES/*.po")):
        result = subprocess.run(
            [msgfmt, "--check", "--output-file", "/dev/null", str(po)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"{po}: {result.stderr}"


def test_french_by_default_english_on_request() -> None:
    assert [page_language(v) for v in (None, "", "de", "EN", "en-GB", "fr")] == [
        "fr",
        "fr",
        "fr",
        "en",
        "en",
        "fr",
    ]
    assert page_translations("en").gettext("Compétences") == "Skills"
    assert page_translations("fr").gettext("Compétences") == "Compétences"
