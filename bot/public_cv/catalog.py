"""The ``public_cv`` label catalogs: extract, update, check (pybabel with fixed arguments).

    python -m bot.public_cv.catalog extract  # templates + PL_ markers → locales/public_cv.pot
    python -m bot.public_cv.catalog update   # public_cv.pot → locales/<lang>/LC_MESSAGES/…po
    python -m bot.public_cv.catalog check    # fails on a stale template or an untranslated label

The test suite runs ``check``; the candidates' catalogs have their own (``locales.workflow``).
"""

import sys
import tempfile
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from bot.public_cv.labels import DOMAIN, LABELS_DIR, PAGE_LANGUAGES

__all__ = ["check", "extract", "main", "update"]

_ROOT = LABELS_DIR.parents[2]
_POT = LABELS_DIR / f"{DOMAIN}.pot"
_MAPPING = LABELS_DIR / "babel.cfg"
_KEYWORDS = ["PL_", "_", "gettext", "ngettext:1,2"]
_SOURCES = ("bot/public_cv", "bot/templates/public_cv")


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])  # type: ignore[no-untyped-call]


def extract(output: Path = _POT) -> None:
    keywords = [arg for keyword in _KEYWORDS for arg in ("--keyword", keyword)]
    _pybabel(
        "extract",
        "--mapping-file",
        str(_MAPPING),
        "--no-default-keywords",
        *keywords,
        "--no-location",
        "--no-wrap",
        "--sort-output",
        "--project",
        "Tremplin",
        "--copyright-holder",
        "Tremplin",
        "--output-file",
        str(output),
        *(str(_ROOT / folder) for folder in _SOURCES),
    )


def _translated_languages() -> list[str]:
    """Every page language but French, whose labels are the msgids themselves."""
    return [language for language in PAGE_LANGUAGES if language != "fr"]


def update() -> None:
    for language in _translated_languages():
        po = LABELS_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        command = "update" if po.exists() else "init"
        extra = ["--no-wrap", "--ignore-obsolete", "--no-fuzzy-matching"]
        _pybabel(
            command,
            "--domain",
            DOMAIN,
            "--input-file",
            str(_POT),
            "--output-dir",
            str(LABELS_DIR),
            "--locale",
            language,
            *(extra if command == "update" else ["--no-wrap"]),
        )


def _ids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {str(message.id) for message in read_po(handle) if message.id}


def check() -> list[str]:
    """What would show an employer a French label on the English page; empty when all is well."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / f"{DOMAIN}.pot"
        extract(fresh)
        if _ids(fresh) != _ids(_POT):
            problems.append(f"{_POT.name} is stale: run python -m bot.public_cv.catalog extract")
    wanted = _ids(_POT)
    for language in _translated_languages():
        po = LABELS_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po.exists():
            problems.append(f"{language}: no catalog: run python -m bot.public_cv.catalog update")
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy or not all(strings):
                problems.append(f"{language}: untranslated label {message.id!r}")
            for error in message.check(catalog):
                problems.append(f"{language}: {message.id!r}: {error}")
        missing = wanted - {str(message.id) for message in catalog if message.id}
        problems += [f"{language}: missing label {label!r}" for label in sorted(missing)]
    return problems


def main(argv: list[str] | None = None) -> int:
    command = (argv or sys.argv[1:] or ["check"])[0]
    if command == "extract":
        extract()
    elif command == "update":
        update()
    elif command == "check":
        problems = check()
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
