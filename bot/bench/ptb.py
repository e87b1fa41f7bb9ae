"""What a developer would otherwise pick: python-telegram-bot's ConversationHandler, with its
conversations and answers in a PicklePersistence flushed after every update.

The same three questions as the scale benchmark's candidates answer (first name, town, job) for
``users`` people, each somewhere in the conversation; every update runs through
``Application.process_update`` and then ``Application.update_persistence``, so that an answer is
in the file before the next update, as Tremplin's is in the database before its reply. No network:
the Bot talks to a fake transport that answers every call at once.

The pickle is rewritten whole at each flush (that is how PicklePersistence works), so the cost of
an update grows with the number of people stored. It is not even durable: it is written without
fsync. This is measured in-process, without HTTP, which favours it.
"""

import asyncio
import json
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

from telegram import Bot, Update
from telegram.ext import (
    Application,
    ContextTypes,
    ConversationHandler,
    ExtBot,
    MessageHandler,
    PicklePersistence,
    filters,
)
from telegram.request import BaseRequest, RequestData

__all__ = ["run_ptb_bench"]

NAME, TOWN, JOB = range(3)
_CONVERSATION = "cv"
# What the stored people answered before the run; during it, every update says "Paris 75011".
_STORED_ANSWERS = {NAME: "Amina", TOWN: "Lyon 69001"}
_UPDATE_TEXT = "Paris 75011"
_BOT_ID = 1
_TOKEN = f"{_BOT_ID}:bench"


class _FakeTransport(BaseRequest):
    """Answers every Bot API call at once, as Telegram would on success."""

    def __init__(self) -> None:
        self._message_id = 0

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        del method, read_timeout, write_timeout, connect_timeout, pool_timeout
        endpoint = url.rsplit("/", 1)[-1]
        result: Any = True
        if endpoint == "getMe":
            result = {"id": _BOT_ID, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
        elif endpoint == "sendMessage":
            params = request_data.parameters if request_data else {}
            self._message_id += 1
            result = {
                "message_id": self._message_id,
                "date": int(time.time()),
                "chat": {"id": int(str(params.get("chat_id", 0))), "type": "private"},
                "from": {"id": _BOT_ID, "is_bot": True, "first_name": "Bench"},
                "text": params.get("text", ""),
            }
        return HTTPStatus.OK, json.dumps({"ok": True, "result": result}).encode()


def _conversation() -> ConversationHandler[Any]:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.message is not None and context.user_data is not None
        context.user_data.clear()
        await update.message.reply_text("Bonjour ! Quel est ton prénom ?")
        return NAME

    def asking(key: str, question: str, next_state: int) -> Callable[..., Any]:
        async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
            assert update.message is not None and context.user_data is not None
            context.user_data[key] = update.message.text
            await update.message.reply_text(question)
            return next_state

        return answer

    text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        entry_points=[MessageHandler(text, start)],
        states={
            NAME: [MessageHandler(text, asking("first_name", "Dans quelle ville ?", TOWN))],
            TOWN: [MessageHandler(text, asking("town", "Quel métier cherches-tu ?", JOB))],
            JOB: [
                MessageHandler(text, asking("job", "Merci, c'est noté !", ConversationHandler.END))
            ],
        },
        fallbacks=[],
        name=_CONVERSATION,
        persistent=True,
    )


async def _populate(path: Path, users: int) -> None:
    """``users`` people stored mid-conversation, written once (through the persistence's API)."""
    persistence: PicklePersistence[Any, Any, Any] = PicklePersistence(path, on_flush=True)
    # Its pickler stands for the bot by a placeholder: without a bot, every None would be one.
    persistence.set_bot(ExtBot(_TOKEN, request=_FakeTransport()))
    answers = ("first_name", "town")
    for user in range(1, users + 1):
        state = user % 3
        await persistence.update_conversation(_CONVERSATION, (user, user), state)
        data = {
            key: _STORED_ANSWERS[number] for number, key in enumerate(answers) if number < state
        }
        await persistence.update_user_data(user, data)
        await persistence.update_chat_data(user, {})
    await persistence.update_bot_data({})
    await persistence.update_callback_data(([], {}))
    await persistence.flush()


def _update(number: int, user: int, text: str, bot: Bot) -> Update:
    data = {
        "update_id": number,
        "message": {
            "message_id": number,
            "date": int(datetime.now(UTC).timestamp()),
            "chat": {"id": user, "type": "private", "first_name": "A"},
            "from": {"id": user, "is_bot": False, "first_name": "A"},
            "text": text,
        },
    }
    update = Update.de_json(data, bot)
    assert update is not None
    return update


async def _measure(path: Path, users: int, updates: int, seed: int) -> dict[str, Any]:
    import random

    rng = random.Random(seed)  # noqa: S311 - which users write, reproducibly; nothing secret
    persistence: PicklePersistence[Any, Any, Any] = PicklePersistence(path)  # flushes on update
    application = (
        Application.builder()
        .token(_TOKEN)
        .request(_FakeTransport())
        .get_updates_request(_FakeTransport())
        .persistence(persistence)
        .build()
    )
    bot = application.bot
    application.add_handler(_conversation())
    latencies = []
    async with application:
        chosen = [rng.randrange(1, users + 1) for _ in range(updates + 10)]
        for number, user in enumerate(chosen):
            update = _update(number + 1, user, _UPDATE_TEXT, bot)
            started = time.perf_counter()
            await application.process_update(update)
            await application.update_persistence()
            if number >= 10:  # the first few warm up
                latencies.append(time.perf_counter() - started)
    elapsed = sum(latencies)
    ordered = sorted(latencies)
    return {
        "users": users,
        "updates": len(latencies),
        "updates_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000, 2),
        "pickle_bytes": path.stat().st_size,
    }


def run_ptb_bench(directory: Path, *, users: int, updates: int) -> dict[str, Any]:
    """Populate a pickle of ``users`` people, then time ``updates`` updates one after another."""
    path = directory / "ptb-persistence.pickle"
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    asyncio.run(_populate(path, users))
    populated = time.perf_counter() - started
    report = asyncio.run(_measure(path, users, updates, seed=users))
    report["populate_seconds"] = round(populated, 1)
    return report
