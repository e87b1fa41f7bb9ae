"""``tremplin chat``: a terminal phone. Each stdin line is one SMS; replies print as SMS.

It goes through the real service and database, exactly like an SMS webhook would, so that a
conversation piped in from a file behaves as a person texting. ``--phone`` names the candidate:
a second run with the same number resumes where the first one stopped.
"""

import random
import sys
import uuid
from typing import TextIO

from bot.channels.contract import Inbound
from bot.delivery.outbox import deliver_pending
from bot.i18n import available_locales
from bot.runtime.root import open_runtime
from bot.runtime.settings import Settings
from conversations.events import TextReceived
from conversations.parsing.phones import to_e164

__all__ = ["CHANNEL", "run_chat"]

CHANNEL = "console"


def _fictional_number() -> str:
    """A number from ARCEP's range reserved for fiction (06 39 98 00 00 – 06 39 98 99 99)."""
    return f"+3363998{random.randint(0, 9999):04d}"  # noqa: S311 - not a secret


def run_chat(
    settings: Settings,
    *,
    phone: str | None,
    lang: str | None,
    trace: bool,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    err = sys.stderr
    if lang is not None and lang not in available_locales():
        offered = ", ".join(available_locales())
        print(f"Unknown or unfinished language {lang!r}: choose among {offered}", file=err)
        return 2
    if phone is not None:
        address = to_e164(phone)
        if address is None:
            print(f"This is not a valid phone number: {phone!r} (example: +33612345678)", file=err)
            return 2
    else:
        address = _fictional_number()
        print(f"Simulated phone number: {address} (use --phone {address} to resume)", file=err)
    runtime = open_runtime(settings)
    interactive = stdin.isatty()

    def show(body: str, step: str | None) -> None:
        if trace and step:
            print(f"[step:{step}]", file=stdout)
        print(body, file=stdout)
        print(file=stdout)
        stdout.flush()

    try:
        # Messages queued while the phone was away (a coach's words, for instance) come first.
        deliver_pending(runtime.sessions, CHANNEL, address, show)
        while True:
            if interactive:
                print("> ", end="", file=stdout, flush=True)
            line = stdin.readline()
            if not line:
                break
            runtime.service.handle(
                Inbound(
                    channel=CHANNEL,
                    address=address,
                    event=TextReceived(line.rstrip("\r\n")),
                    external_id=str(uuid.uuid4()),
                    locale_hint=lang,
                )
            )
            deliver_pending(runtime.sessions, CHANNEL, address, show)
    finally:
        runtime.close()
    return 0
