"""The checks that keep the code base healthy run with the tests, so CI enforces them."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def test_the_engine_imports_no_adapter() -> None:
    """import-linter: conversations/ never imports telegram, twilio, sqlalchemy, storage, bot…"""
    result = _run(_tool("lint-imports"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_lint_and_format() -> None:
    lint = _run(_tool("ruff"), "check", ".")
    assert lint.returncode == 0, lint.stdout
    formatting = _run(_tool("ruff"), "format", "--check", ".")
    assert formatting.returncode == 0, formatting.stdout


def test_mypy_strict() -> None:
    result = _run(_tool("mypy"))
    assert result.returncode == 0, result.stdout


def test_catalogs_are_complete_and_the_template_is_current() -> None:
    result = _run(sys.executable, "-m", "locales.workflow", "check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_catalogs_pass_msgfmt_check() -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (gettext) is not installed: apt-get install gettext")
    for po in sorted((ROOT / "locales").glob("*/LC_MESSAGES/messages.po")):
        result = _run(msgfmt, "--check", "--output-file", "/dev/null", str(po))
        assert result.returncode == 0, f"{po}: {result.stderr}"
