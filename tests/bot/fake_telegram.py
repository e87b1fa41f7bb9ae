"""A fake Telegram for tests: its Bot API on loopback, and updates posted to our webhook.

- ``FakeBotApi`` is a real HTTP server (``ThreadingHTTPServer`` on 127.0.0.1, a free port)
  answering ``/bot<token>/<method>`` like the Bot API does (``{"ok": true, "result": …}``) and
  serving files at ``/file/bot<token>/<path>``. It records every call (``sendMessage``,
  ``getFile``, ``setWebhook``…) and every download, and answers what a test scripted instead:
  a 429 with ``retry_after``, a 403 "bot was blocked by the user". The real python-telegram-bot
  ``Bot`` talks to it through ``TELEGRAM_API_BASE_URL``.
- ``update(name, **changes)`` loads a real update from ``telegram_updates/<name>.json``;
  ``TelegramWebhooks`` posts updates to our webhook with the secret token, as Telegram does.
"""

from __future__ import annotations

import copy
import json
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import registry
from bot.channels.telegram.api import Pacer, TelegramSender
from bot.conversation.service import ConversationService
from bot.delivery.worker import OutboxWorker
from bot.runtime.root import Runtime
from bot.runtime.settings import Settings
from bot.web.app import create_app
from conversations.flow import DEFAULT_FLOW
from storage import Candidate
from tests.servers import serving_in_thread
from tests.web import TestClient

__all__ = [
    "CHAT_ID",
    "SECRET",
    "TOKEN",
    "FakeBotApi",
    "TelegramWebhooks",
    "telegram_runtime",
    "telegram_settings",
    "update",
]

TOKEN = "7000000001:AAFakeTokenForTestsOnly_0123456789ab"
SECRET = "webhook-secret-0123456789"
CHAT_ID = 5102938475
UPDATES = Path(__file__).parent / "telegram_updates"


def telegram_settings(base_url: str | None = None, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "public_url": "https://tremplin.example.org",
        "telegram_bot_token": TOKEN,
        "telegram_webhook_secret": SECRET,
        "telegram_api_base_url": base_url,
        **changes,
    }
    return Settings(**values)


def telegram_runtime(
    sessions: sessionmaker[Session],
    settings: Settings,
    *,
    clock: Callable[[], datetime] | None = None,
) -> Runtime:
    """The app's runtime on a test database, with the Telegram renderer and intercept."""
    options: dict[str, Any] = {
        "renderers": registry.renderers(),
        "intercepts": registry.intercepts(DEFAULT_FLOW),
    }
    if clock is not None:
        options["clock"] = clock
    service = ConversationService(sessions, DEFAULT_FLOW, **options)
    return Runtime(settings, sessions.kw["bind"], sessions, service)


_IDS = count(900_000_000)


def update(name: str, **changes: Any) -> dict[str, Any]:
    """A real update from the fixtures, with a fresh ``update_id`` and ``changes`` applied to
    its message (``text="1"``, ``language_code=None`` for the sender…)."""
    data: dict[str, Any] = json.loads((UPDATES / f"{name}.json").read_text(encoding="utf-8"))
    data["update_id"] = next(_IDS)
    message = data.get("message") or data.get("edited_message") or {}
    for key, value in changes.items():
        if key == "language_code":
            if value is None:
                message["from"].pop("language_code", None)
            else:
                message["from"]["language_code"] = value
        elif key == "chat_id":
            message["chat"]["id"] = message["from"]["id"] = value
        else:
            message[key] = value
    return data


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    params: dict[str, Any]
    status: int


@dataclass
class FakeBotApi:
    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)
    _script: dict[str, deque[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _message_ids: Iterator[int] = field(default_factory=lambda: count(1000))

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def add_file(self, file_id: str, data: bytes, path: str = "photos/file_1.jpg") -> None:
        self.files[file_id] = (path, data)

    def called(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [
                call.params for call in self.calls if call.method == method and call.status == 200
            ]

    def sent(self, chat_id: int = CHAT_ID) -> list[dict[str, Any]]:
        """The messages Telegram accepted for this chat, in order."""
        return [p for p in self.called("sendMessage") if int(p["chat_id"]) == chat_id]

    def texts(self, chat_id: int = CHAT_ID) -> list[str]:
        return [str(p["text"]) for p in self.sent(chat_id)]

    def script(self, method: str, *answers: tuple[int, dict[str, Any]]) -> None:
        """Answer the next calls of ``method`` with these (status, JSON), then normally again."""
        with self._lock:
            self._script.setdefault(method, deque()).extend(answers)

    def too_many_requests(self, retry_after: int) -> tuple[int, dict[str, Any]]:
        return 429, {
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {retry_after}",
            "parameters": {"retry_after": retry_after},
        }

    @staticmethod
    def blocked() -> tuple[int, dict[str, Any]]:
        return 403, {
            "ok": False,
            "error_code": 403,
            "description": "Forbidden: bot was blocked by the user",
        }

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            scripted = self._script.get(method)
            if scripted:
                status, body = scripted.popleft()
                self.calls.append(Call(method, params, status))
                return status, body
            self.calls.append(Call(method, params, 200))
        return 200, {"ok": True, "result": self._result(method, params)}

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {"id": 7000000001, "is_bot": True, "first_name": "Tremplin"}
        if method == "sendMessage":
            chat = int(params["chat_id"])
            return {
                "message_id": next(self._message_ids),
                "from": {"id": 7000000001, "is_bot": True, "first_name": "Tremplin"},
                "chat": {"id": chat, "type": "private", "first_name": "Amina"},
                "date": 1764148800,
                "text": params["text"],
            }
        if method == "getFile":
            path, data = self.files[str(params["file_id"])]
            return {
                "file_id": params["file_id"],
                "file_unique_id": "u" + str(params["file_id"])[-8:],
                "file_size": len(data),
                "file_path": path,
            }
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            with self._lock:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                return list(self.updates)
        return True  # setWebhook, deleteWebhook…

    def _file(self, path: str) -> bytes | None:
        with self._lock:
            for stored_path, data in self.files.values():
                if stored_path == path:
                    self.downloads.append(path)
                    return data
        return None

    @contextmanager
    def running(self) -> Iterator[FakeBotApi]:
        with serving_in_thread(_handler_for(self)) as server:
            self._server = server
            try:
                yield self
            finally:
                self._server = None


def _params(content_type: str, body: bytes) -> dict[str, Any]:
    """The call's parameters, with JSON values (reply_markup, allowed_updates) decoded."""
    if content_type.startswith("application/json"):
        loaded: dict[str, Any] = json.loads(body or b"{}")
        return loaded
    params: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode(), keep_blank_values=True):
        try:
            params[key] = json.loads(value) if value[:1] in "[{" else value
        except ValueError:
            params[key] = value
    return params


def _handler_for(fake: FakeBotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            del format, args

        def do_GET(self) -> None:
            prefix = f"/file/bot{fake.token}/"
            path = unquote(self.path)  # the client quotes the token's colon
            data = fake._file(path[len(prefix) :]) if path.startswith(prefix) else None
            if data is None:
                self._send(404, b"Not Found", "text/plain")
                return
            self._send(200, data, "application/octet-stream")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            prefix = f"/bot{fake.token}/"
            if not self.path.startswith(prefix):
                self._json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                return
            method = self.path[len(prefix) :].split("?")[0]
            params = _params(self.headers.get("Content-Type", ""), body)
            status, answer = fake._answer(method, params)
            self._json(status, answer)

        def _json(self, status: int, payload: Mapping[str, object]) -> None:
            self._send(status, json.dumps(payload).encode(), "application/json")

        def _send(self, status: int, data: bytes, content_type: str) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


class TelegramWebhooks:
    """Posts updates to our webhook as Telegram does, with the secret token."""

    def __init__(self, client: TestClient, *, secret: str = SECRET) -> None:
        self.client = client
        self.secret = secret

    def post(self, data: Mapping[str, Any], *, secret: str | None = None) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.secret if secret is None else secret}
        response: httpx.Response = self.client.post(
            "/webhooks/telegram", json=copy.deepcopy(dict(data)), headers=headers
        )
        return response

    def text(self, text: str, **changes: Any) -> httpx.Response:
        return self.post(update("text", text=text, **changes))


class Telegram:
    """One test's Telegram: the fake Bot API, our webhook, and the worker that delivers."""

    def __init__(self, api: FakeBotApi, runtime: Runtime) -> None:
        self.api = api
        self.runtime = runtime
        self.webhooks = TelegramWebhooks(TestClient(create_app(runtime)))
        self.sender = TelegramSender(runtime.settings, pacer=Pacer(sleep=lambda seconds: None))
        self.worker = OutboxWorker(runtime.engine, {"telegram": self.sender})

    def post(self, data: dict[str, Any]) -> int:
        """Post an update and deliver what it queued; returns the webhook's status."""
        status = self.webhooks.post(data).status_code
        self.worker.drain()
        return status

    def say(self, text: str, **changes: Any) -> list[str]:
        """Send a text; returns the texts Telegram was asked to show in reply."""
        before = len(self.api.sent())
        assert self.post(update("text", text=text, **changes)) == 200
        return self.api.texts()[before:]

    def step(self) -> str | None:
        with self.runtime.sessions() as session:
            return session.scalar(select(Candidate.current_step))
