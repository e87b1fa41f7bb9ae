"""``tremplin privacy export|erase|purge``: a person's rights from the shell
(bot/privacy/records.py).

* ``export ID|PHONE [-o FILE]``: everything stored about the person, as JSON.
* ``erase ID|PHONE [--yes]``: erases it, after a typed confirmation unless ``--yes``.
* ``purge [--days N]``: the retention job now (``TREMPLIN_RETENTION_DAYS`` by default).
"""

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.runtime.settings import Settings

if TYPE_CHECKING:  # imported in ``run`` only, so that ``tremplin --help`` stays quick
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

__all__ = ["add_parser", "run"]

_CONFIRMATIONS = frozenset({"yes", "y", "oui", "o"})


def add_parser(commands: Any) -> None:
    privacy = commands.add_parser("privacy", help="a person's data: export, erase; retention")
    actions = privacy.add_subparsers(dest="privacy_command", required=True)
    export = actions.add_parser("export", help="everything about one person, as JSON")
    export.add_argument("candidate", help="candidate id, public slug or phone number")
    export.add_argument("-o", "--output", type=Path, help="write to this file instead of stdout")
    erase = actions.add_parser("erase", help="erase everything about one person")
    erase.add_argument("candidate", help="candidate id, public slug or phone number")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    purge = actions.add_parser("purge", help="blank message texts older than the retention")
    purge.add_argument("--days", type=int, help="retention in days (TREMPLIN_RETENTION_DAYS)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runtime.root import open_runtime

    runtime = open_runtime(settings)
    try:
        if args.privacy_command == "purge":
            days = settings.retention_days if args.days is None else args.days
            return _purge(runtime.engine, days)
        candidate_id = _find(runtime.sessions, args.candidate)
        if candidate_id is None:
            print(f"No candidate found for {args.candidate!r}. See: tremplin cv list")
            return 1
        if args.privacy_command == "export":
            return _export(runtime.engine, candidate_id, args.output)
        return _erase(runtime.engine, candidate_id, confirmed=args.yes)
    finally:
        runtime.close()


def _find(sessions: "sessionmaker[Session]", key: str) -> str | None:
    from bot.cv.document import find_candidate

    with sessions() as session:
        candidate = find_candidate(session, key)
        return candidate.id if candidate is not None else None


def _export(engine: "Engine", candidate_id: str, output: Path | None) -> int:
    from bot.privacy.records import export_candidate
    from storage import utcnow

    with engine.begin() as connection:
        data = export_candidate(connection, candidate_id, now=utcnow())
    rendered = json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
    if output is None:
        sys.stdout.write(rendered)
    else:
        output.write_text(rendered, encoding="utf-8")
        print(f"Written to {output}.", file=sys.stderr)
    return 0


def _erase(engine: "Engine", candidate_id: str, *, confirmed: bool) -> int:
    from bot.privacy.records import erase_candidate
    from storage import utcnow

    if not confirmed:
        print(
            f"This erases every piece of data about candidate {candidate_id}: CV, messages, "
            "media, everything. It cannot be undone."
        )
        try:
            answer = input("Type 'yes' to erase: ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in _CONFIRMATIONS:
            print("Nothing was erased.")
            return 1
    with engine.begin() as connection:
        erased = erase_candidate(connection, candidate_id, now=utcnow(), actor="operator")
    if erased is None:
        print("Nothing was erased: the candidate is already gone.")
        return 1
    total = sum(erased.rows.values())
    print(f"Erased: {total} rows about candidate {candidate_id}.")
    return 0


def _purge(engine: "Engine", days: int) -> int:
    from bot.privacy.records import purge_old_bodies
    from storage import utcnow

    purged = purge_old_bodies(engine, now=utcnow(), retention_days=days)
    if days <= 0:
        print(f"Retention is off: texts are kept. {purged.goodbyes} goodbyes removed.")
        return 0
    print(
        f"Retention {days} days: {purged.message_bodies} message texts and "
        f"{purged.outbox_bodies} outbox texts blanked, {purged.goodbyes} goodbyes removed."
    )
    return 0
