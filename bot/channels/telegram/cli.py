"""``tremplin telegram set-webhook`` and ``tremplin telegram poll``.

- ``set-webhook`` tells Telegram to post updates to ``{TREMPLIN_PUBLIC_URL}/webhooks/telegram``
  with the secret token it must send back, and only the update kinds we handle.
- ``poll`` is for local use, where Telegram cannot reach this machine: it removes the webhook
  (Telegram gives updates one way or the other, not both), asks for updates by long polling and
  hands each to the same handling as the webhook, while delivering the outbox in the background.
"""

import argparse
import asyncio
import logging
from typing import Any

from bot.runtime.settings import Settings

__all__ = ["ALLOWED_UPDATES", "add_parser", "run"]

log = logging.getLogger(__name__)

#: The only update kind that is a conversation message; the rest would be ignored anyway.
ALLOWED_UPDATES = ["message"]
_POLL_SECONDS = 25


def add_parser(commands: Any) -> None:
    telegram = commands.add_parser("telegram", help="Telegram: webhook registration, polling")
    sub = telegram.add_subparsers(dest="telegram_command", required=True)
    sub.add_parser(
        "set-webhook", help="register {TREMPLIN_PUBLIC_URL}/webhooks/telegram with the secret"
    )
    poll = sub.add_parser("poll", help="long polling for local use (removes the webhook)")
    poll.add_argument("--once", action="store_true", help="one round of updates, then stop")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.channels.telegram.updates import TELEGRAM_OFF_MESSAGE, WEBHOOK_PATH, telegram_enabled

    if not telegram_enabled(settings):
        print(TELEGRAM_OFF_MESSAGE)
        return 1
    if args.telegram_command == "set-webhook":
        url = settings.public_url + WEBHOOK_PATH
        asyncio.run(_set_webhook(settings, url))
        print(f"Telegram now posts updates to {url}")
        return 0
    return _poll(settings, once=args.once)


async def _set_webhook(settings: Settings, url: str) -> None:
    from bot.channels.telegram.api import open_bot

    async with open_bot(settings) as bot:
        await bot.set_webhook(
            url,
            secret_token=settings.telegram_webhook_secret,
            allowed_updates=ALLOWED_UPDATES,
        )


def _poll(settings: Settings, *, once: bool) -> int:
    from bot.delivery.worker import BackgroundWorker, OutboxWorker
    from bot.runtime.root import open_runtime
    from bot.runtime.server import senders_for

    runtime = open_runtime(settings)
    senders = senders_for(settings)
    worker = OutboxWorker(runtime.engine, senders)
    background = None if once else BackgroundWorker(worker)
    try:
        if background is not None:
            background.start()
        print("Polling Telegram for updates. Ctrl-C to stop.", flush=True)
        handled = asyncio.run(_poll_rounds(runtime, once=once))
        if once:
            worker.drain()
            print(f"{handled} updates handled.")
        return 0
    finally:
        if background is not None:
            background.stop()
        for sender in senders.values():
            close = getattr(sender, "close", None)
            if close is not None:
                close()
        runtime.close()


async def _poll_rounds(runtime: Any, *, once: bool) -> int:
    from telegram.error import NetworkError

    from bot.channels.telegram.api import open_bot
    from bot.channels.telegram.webhook import FileFetchError, handle_update

    handled = 0
    offset: int | None = None
    timeout = 0 if once else _POLL_SECONDS
    async with open_bot(runtime.settings, poll_timeout=timeout) as bot:
        await bot.delete_webhook()
        while True:
            try:
                updates = await bot.get_updates(
                    offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES
                )
            except NetworkError as error:
                log.warning("getUpdates failed (%s); trying again", type(error).__name__)
                await asyncio.sleep(3)
                continue
            for update in updates:
                try:
                    await handle_update(runtime, update)
                except FileFetchError:
                    break  # not acknowledged: Telegram gives it again at the next round
                offset = update.update_id + 1
                handled += 1
            if once:
                if offset is not None:
                    # Acknowledge what was handled, as the next round would.
                    await bot.get_updates(offset=offset, timeout=0, allowed_updates=ALLOWED_UPDATES)
                return handled
