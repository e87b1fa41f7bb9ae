"""``tremplin flow show``: the whole candidate conversation as a table, for a coach or a
translator to review: each step's part, question, example, help, expected answer, how it is
read, when it is asked, and what comes next, in any offered language."""

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from bot.runtime.settings import Settings

__all__ = ["add_parser", "run"]


def add_parser(commands: Any) -> None:
    flow = commands.add_parser("flow", help="the conversation, step by step")
    sub = flow.add_subparsers(dest="flow_command", required=True)
    show = sub.add_parser("show", help="print every step as a table")
    show.add_argument("--lang", default="fr", help="the language of the texts (default fr)")
    show.add_argument("--width", type=int, default=None, help="table width (default: terminal)")


def _name(function: Any) -> str:
    name = getattr(function, "__name__", None) or getattr(
        getattr(function, "func", None), "__name__", "-"
    )
    return str(name).removeprefix("answer_").removeprefix("_")


def run(args: argparse.Namespace, settings: Settings) -> int:
    del settings
    from bot.channels.render import renderer
    from bot.i18n import available_locales, lexicon
    from conversations.flow import build_flow
    from conversations.outputs import Msg

    locales = available_locales()
    if args.lang not in locales:
        print(f"Unknown language {args.lang!r}: choose among {', '.join(locales)}")
        return 2
    flow = build_flow(locales, lexicon(locales))
    r = renderer(args.lang)
    table = Table(
        "part", "step", "question", "example", "help", "answer", "read by", "asked", "then",
        title=f"The candidate conversation ({args.lang})", show_lines=True,
    )  # fmt: skip
    questions = list(flow.questions)
    for index, question in enumerate(questions):
        following = next((q.id for q in questions[index + 1 :] if q.part == question.part), None)
        then = following or ("save point" if question.part in range(1, 7) else "part 1")
        if question.part == 7:
            then = "sent to the coach"
        table.add_row(
            str(question.part),
            question.id,
            r.message(Msg(question.prompt)),
            r.message(Msg(question.example)),
            r.message(Msg(question.help)),
            question.expects + (" (optional)" if question.optional else ""),
            _name(question.answer),
            "always" if _name(question.when) == "always" else _name(question.when),
            then,
        )
    Console(width=args.width).print(table)
    return 0
