"""The ``tremplin`` command line (README, "Command line")."""

import argparse
import importlib
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.runtime.settings import Settings

__all__ = ["build_parser", "main"]

# Command groups that live beside their feature: each module has ``add_parser(commands)``, which
# adds its sub-parser, and ``run(args, settings) -> int``. Keep heavy imports inside ``run``.
COMMAND_GROUPS: dict[str, str] = {
    "telegram": "bot.channels.telegram.cli",
    "whatsapp": "bot.channels.whatsapp.cli",
    "voice": "bot.channels.voice.cli",
    "privacy": "bot.privacy.cli",
    "coach": "bot.coach.cli",
    "flow": "bot.runtime.flow_cli",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tremplin", description="Build a CV by chatting from any phone."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the web app (webhooks, health)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-worker", action="store_true", help="do not deliver in-process")
    serve.add_argument(
        "--simulator",
        action="store_true",
        help="mount the phone simulator at /simulator (on by default on loopback)",
    )
    serve.add_argument(
        "--demo", action="store_true", help="add a few fictional candidates to the workspace"
    )

    commands.add_parser("worker", help="deliver the outbox (SMS) in the foreground until Ctrl-C")

    chat = commands.add_parser("chat", help="a terminal phone: stdin lines are SMS to Tremplin")
    chat.add_argument("--phone", help="the candidate's phone number (resumes their conversation)")
    chat.add_argument("--lang", help="the language of a new conversation (fr, en…)")
    chat.add_argument("--trace", action="store_true", help="print [step:<id>] before questions")

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply every migration (Alembic upgrade head)")

    cv = commands.add_parser("cv", help="CVs from the shell")
    cv_commands = cv.add_subparsers(dest="cv_command", required=True)
    listing = cv_commands.add_parser("list", help="every candidate's CV, newest activity first")
    listing.add_argument("--status", help="in_progress, submitted, published…")
    show = cv_commands.add_parser("show", help="one CV, by candidate id or phone number")
    show.add_argument("candidate", help="candidate id, public slug or phone number")
    show.add_argument("--format", choices=("json", "text", "html", "pdf"), default="text")
    show.add_argument("-o", "--output", type=Path, help="write to this file instead of stdout")
    show.add_argument("--lang", choices=("fr", "en"), default="fr", help="html/pdf page language")
    index = cv_commands.add_parser("index", help="let search engines index a public CV, or not")
    index.add_argument("candidate", help="candidate id, public slug or phone number")
    index_switch = index.add_mutually_exclusive_group(required=True)
    index_switch.add_argument("--on", dest="indexed", action="store_true")
    index_switch.add_argument("--off", dest="indexed", action="store_false")
    for verb, says in (("publish", "publish a CV"), ("unpublish", "withdraw a published CV")):
        cv_commands.add_parser(verb, help=says).add_argument("candidate", help="id or phone")

    sms = commands.add_parser("sms", help="SMS tools")
    sms_commands = sms.add_subparsers(dest="sms_command", required=True)
    sms_budget = sms_commands.add_parser("budget", help="every outgoing SMS against the budget")
    sms_budget.add_argument("--lang", help="one locale (default: every available locale)")
    sms_budget.add_argument(
        "--all", action="store_true", help="list the messages within budget too"
    )

    bench = commands.add_parser("bench", help="benchmarks")
    bench_commands = bench.add_subparsers(dest="bench_command", required=True)
    engine = bench_commands.add_parser("engine", help="durable in-process handling vs a raw floor")
    engine.add_argument("--sizes", default="1000,100000", help="stored candidates, comma separated")
    engine.add_argument("--messages", type=int, default=2000, help="messages measured per size")
    engine.add_argument("--json", type=Path, help="write the figures to this file")
    engine.add_argument("--dir", type=Path, help="where the benchmark databases go (a temp dir)")
    http = bench_commands.add_parser("http", help="signed Twilio webhooks vs a bare endpoint")
    http.add_argument("--messages", type=int, default=3000, help="webhooks measured")
    http.add_argument("--concurrency", type=int, default=16)
    http.add_argument("--phones", type=int, default=400, help="distinct simulated senders")
    http.add_argument("--json", type=Path, help="write the figures to this file")
    http.add_argument(
        "--channel",
        choices=("sms", "whatsapp", "voice"),
        default="sms",
        help="whose webhook is driven",
    )
    scale = bench_commands.add_parser(
        "scale", help="the HTTP path on PostgreSQL with several processes, vs python-telegram-bot"
    )
    scale.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server on which a scratch database is made, then dropped",
    )
    scale.add_argument("--processes", type=int, default=2, help="tremplin serve processes")
    scale.add_argument("--candidates", type=int, default=100_000, help="stored candidates")
    scale.add_argument(
        "--concurrency", default="4,8,16,32", help="concurrent requests, comma separated"
    )
    scale.add_argument("--messages", type=int, default=3000, help="webhooks per concurrency")
    scale.add_argument("--ptb-users", type=int, default=50_000, help="python-telegram-bot users")
    scale.add_argument(
        "--ptb-updates", type=int, default=30, help="python-telegram-bot updates timed"
    )
    scale.add_argument("--plot", type=Path, help="write a PNG of throughput and latency")
    scale.add_argument("--json", type=Path, help="write the figures to this file")

    for module in COMMAND_GROUPS.values():
        importlib.import_module(module).add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    settings = Settings.from_env()
    try:
        return _run(args, settings)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``| head``): what was saved stays saved; undelivered replies
        # stay in the outbox and show at the next start.
        sys.stderr.close()
        return 141


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command in COMMAND_GROUPS:
        run: int = importlib.import_module(COMMAND_GROUPS[args.command]).run(args, settings)
        return run
    if args.command == "chat":
        from bot.channels.console import run_chat

        return run_chat(settings, phone=args.phone, lang=args.lang, trace=args.trace)
    if args.command == "serve":
        from bot.runtime.server import serve

        return serve(
            settings,
            host=args.host,
            port=args.port,
            worker=not args.no_worker,
            simulator=args.simulator,
            demo=args.demo,
        )
    if args.command == "worker":
        from bot.runtime.server import run_worker

        return run_worker(settings)
    if args.command == "db":
        from bot.runtime.root import open_runtime

        runtime = open_runtime(settings)
        print(f"Database is at the latest schema: {_safe_url(settings.database_url)}")
        runtime.close()
        return 0
    if args.command == "cv":
        from bot.cv import cli as cv_commands

        if args.cv_command == "list":
            return cv_commands.list_cvs(settings, status=args.status)
        if args.cv_command == "index" or getattr(args, "format", None) in ("html", "pdf"):
            from bot.public_cv import commands as public

            if args.cv_command == "index":
                return public.set_index(settings, args.candidate, indexed=args.indexed)
            return public.show_public(settings, args.candidate, args.format, args.output, args.lang)
        if args.cv_command in ("publish", "unpublish"):
            return cv_commands.publish_cv(
                settings, args.candidate, publish=args.cv_command == "publish"
            )
        return cv_commands.show_cv(settings, args.candidate, args.format, args.output)
    if args.command == "sms":
        from bot.channels.sms.budget import print_budget

        return print_budget(args.lang, show_all=args.all)
    if args.command == "bench" and args.bench_command == "http":
        from bot.bench.http import run_http_bench

        report = run_http_bench(
            messages=args.messages,
            concurrency=args.concurrency,
            phones=args.phones,
            channel=args.channel,
        )
        if args.json:
            args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        return 0
    if args.command == "bench" and args.bench_command == "scale":
        from bot.bench.scale import run_scale_bench

        try:
            report = run_scale_bench(
                database_url=args.database_url,
                processes=args.processes,
                candidates=args.candidates,
                concurrency=[int(level) for level in args.concurrency.split(",") if level.strip()],
                messages=args.messages,
                ptb_users=args.ptb_users,
                ptb_updates=args.ptb_updates,
                plot=args.plot,
            )
        except ValueError as error:
            print(f"tremplin bench scale: {error}", file=sys.stderr)
            return 2
        if args.json:
            args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        return 0
    if args.command == "bench":
        from bot.bench.engine import run_engine_bench

        sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
        report = run_engine_bench(settings, sizes=sizes, messages=args.messages, directory=args.dir)
        if args.json:
            args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        return 0
    return 2


def _safe_url(url: str) -> str:
    """The database URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    sys.exit(main())
