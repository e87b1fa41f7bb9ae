"""``tremplin coach add`` and ``tremplin coach invite`` (README, "Command line")."""

import argparse
import sys
from typing import Any

from bot.runtime.settings import Settings

__all__ = ["add_parser", "run"]


def add_parser(commands: Any) -> None:
    coach = commands.add_parser("coach", help="coach accounts and invitation codes")
    sub = coach.add_subparsers(dest="coach_command", required=True)
    add = sub.add_parser("add", help="create a coach; prints a one-time password")
    add.add_argument("email")
    add.add_argument("--name", required=True, help="the coach's name, as candidates see it")
    add.add_argument("--org", help="their organisation (created if new)")
    add.add_argument("--admin", action="store_true", help="an administrator sees every candidate")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from stdin instead of printing a one-time one",
    )
    invite = sub.add_parser("invite", help="a new invitation code for that coach's candidates")
    invite.add_argument("email")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.coach.accounts import AccountError, create_coach, new_invitation
    from bot.runtime.root import open_runtime

    password = None
    if args.coach_command == "add" and args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    runtime = open_runtime(settings)
    try:
        with runtime.sessions.begin() as session:
            if args.coach_command == "add":
                created = create_coach(
                    session,
                    args.email,
                    args.name,
                    organisation=args.org,
                    admin=args.admin,
                    password=password,
                )
            else:
                code = new_invitation(session, args.email)
    except AccountError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        runtime.close()
    if args.coach_command == "add":
        print(f"Coach created: {created.email}")
        if created.password is not None:
            print(f"One-time password: {created.password}")
            print(f"Log in at {settings.public_url}/coach/login (a new password is asked then).")
        return 0
    print(code)
    return 0
