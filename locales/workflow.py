"""The pybabel workflow with Tremplin's keywords, so nobody has to remember them.

    python -m locales.workflow extract  # the source → locales/messages.pot
    python -m locales.workflow update   # messages.pot → every <locale>/LC_MESSAGES/messages.po
    python -m locales.workflow compile  # .po → .mo (optional: catalogs also load from .po)
    python -m locales.workflow check    # fails when extract would change messages.pot, or when a
                                        # catalog has an untranslated, fuzzy or broken entry

Each is ``pybabel`` itself (babel.messages.frontend) with fixed arguments.
"""

import sys
import tempfile
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from locales import LOCALES_DIR

__all__ = ["EXTRACT_ARGS", "main"]

ROOT = LOCALES_DIR.parent
POT = LOCALES_DIR / "messages.pot"
EXTRACT_ARGS = [
    "--mapping-file",
    str(LOCALES_DIR / "babel.cfg"),
    "--no-default-keywords",
    "--keyword",
    "N_",
    "--keyword",
    "NP_:1c,2",
    "--keyword",
    "NN_:1,2",
    "--keyword",
    "_",
    "--keyword",
    "gettext",
    "--keyword",
    "ngettext:1,2",
    "--keyword",
    "pgettext:1c,2",
    "--no-location",
    "--no-wrap",
    "--project",
    "Tremplin",
    "--copyright-holder",
    "Tremplin",
    "--msgid-bugs-address",
    "traductions@tremplin.invalid",
]


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])  # type: ignore[no-untyped-call]


def extract(output: Path = POT) -> None:
    # The mapping file's patterns are relative to the input directory: the project root.
    _pybabel("extract", *EXTRACT_ARGS, "--output-file", str(output), str(ROOT))


def locales() -> list[str]:
    return sorted(p.parent.parent.name for p in LOCALES_DIR.glob("*/LC_MESSAGES/messages.po"))


def update() -> None:
    _pybabel(
        "update",
        "--input-file",
        str(POT),
        "--output-dir",
        str(LOCALES_DIR),
        "--no-wrap",
        "--ignore-obsolete",
        "--no-fuzzy-matching",
    )


def compile_all() -> None:
    _pybabel("compile", "--directory", str(LOCALES_DIR), "--statistics")


def _entries(path: Path) -> set[tuple[str, str | None]]:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {(str(m.id), m.context) for m in catalog if m.id}


def check() -> list[str]:
    """Problems that would make a catalog lie to a candidate; empty when all is well."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "messages.pot"
        extract(fresh)
        if _entries(fresh) != _entries(POT):
            problems.append("messages.pot is stale: run python -m locales.workflow extract")
    source = _entries(POT)
    for locale in locales():
        path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy:
                problems.append(f"{locale}: fuzzy entry {message.id!r}")
            elif not all(strings):
                problems.append(f"{locale}: untranslated entry {message.id!r}")
            for error in message.check(catalog):
                problems.append(f"{locale}: {message.id!r}: {error}")
        missing = source - {(str(m.id), m.context) for m in catalog if m.id}
        problems += [f"{locale}: missing entry {mid!r}" for mid, _ in sorted(missing)]
    return problems


def main(argv: list[str] | None = None) -> int:
    command = (argv or sys.argv[1:] or ["check"])[0]
    if command == "extract":
        extract()
    elif command == "update":
        update()
    elif command == "compile":
        compile_all()
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
