"""A fake Twilio for tests: its REST API on loopback, and its signed webhooks.

Twilio plays two parts, and so does this fake:

- ``FakeTwilioApi`` is a real HTTP server (``ThreadingHTTPServer`` on 127.0.0.1, a free port)
  answering ``POST /2010-04-01/Accounts/{sid}/Messages.json`` like Twilio does: it checks the
  basic auth, records each request, and answers 201 with a realistic message resource, or what
  the test scripted (``script(Reply(500))``): an error status with Twilio's error JSON, or a
  delay that outlasts the client's timeout. The real twilio client talks to it through
  ``TWILIO_API_BASE_URL``, so its request encoding and error parsing run for real.
- ``sign`` and ``Webhooks`` post forms the way Twilio calls our webhooks, signed with the twilio
  library's own ``RequestValidator.compute_signature`` over the public URL.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import httpx
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator

from bot.channels import registry
from bot.conversation.service import ConversationService
from bot.runtime.root import Runtime
from bot.runtime.settings import Settings
from conversations.flow import DEFAULT_FLOW
from conversations.questions import Flow
from tests.servers import serving_in_thread
from tests.web import TestClient

__all__ = [
    "ACCOUNT_SID",
    "AUTH_TOKEN",
    "FROM_NUMBER",
    "PUBLIC_URL",
    "SMS_SETTINGS",
    "WHATSAPP_NUMBER",
    "FakeTwilioApi",
    "Received",
    "Reply",
    "TestClient",
    "Webhooks",
    "sign",
    "sms_runtime",
]

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
FROM_NUMBER = "+33757000001"
WHATSAPP_NUMBER = "+33757000002"
PUBLIC_URL = "https://tremplin.example.org"

SMS_SETTINGS = Settings(
    public_url=PUBLIC_URL,
    twilio_account_sid=ACCOUNT_SID,
    twilio_auth_token=AUTH_TOKEN,
    twilio_from=FROM_NUMBER,
)


def sms_runtime(
    sessions: sessionmaker[Session],
    settings: Settings = SMS_SETTINGS,
    *,
    clock: Callable[[], datetime] | None = None,
    flow: Flow = DEFAULT_FLOW,
) -> Runtime:
    """The app's runtime on a test database (``open_runtime`` would make and migrate its own)."""
    service = ConversationService(
        sessions,
        flow,
        renderers=registry.renderers(),
        intercepts=registry.intercepts(flow),
        networks=registry.networks(),
        inline=registry.inline(),
        turns=registry.turns(settings),
        **({} if clock is None else {"clock": clock}),
    )
    return Runtime(settings, sessions.kw["bind"], sessions, service)


_ERROR_MESSAGES = {
    400: "The 'To' number is not a valid phone number.",
    401: "Authenticate",
    404: "The requested resource was not found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass(frozen=True, slots=True)
class Reply:
    """A scripted answer: an HTTP status (201 is success), a Twilio error code, a delay."""

    status: int = 201
    code: int | None = None
    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class Received:
    """One Messages.json request as the fake saw it, and the SID it answered with (if 201)."""

    account_sid: str
    to: str
    body: str
    from_: str | None
    messaging_service_sid: str | None
    status_callback: str | None
    answered: int
    sid: str | None
    content_sid: str | None = None
    content_variables: str | None = None


@dataclass
class FakeTwilioApi:
    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    requests: list[Received] = field(default_factory=list)
    _script: deque[Reply] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _arrivals: int = 0
    _arrived: threading.Condition = field(default_factory=threading.Condition)
    media: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    """Files Twilio holds for inbound messages: path → (content type, bytes)."""
    media_requests: list[str] = field(default_factory=list)
    recordings: set[str] = field(default_factory=set)
    """Call recordings Twilio holds (``RE…``); ``DELETE`` removes one."""
    deleted_recordings: list[str] = field(default_factory=list)

    def hold_media(self, content_type: str, data: bytes) -> str:
        """Keep a file as Twilio keeps an inbound message's media; its MediaUrl (Twilio's own
        address: the app rebases it onto ``TWILIO_API_BASE_URL`` as the client does)."""
        path = (
            f"/2010-04-01/Accounts/{self.account_sid}/Messages/MM{uuid.uuid4().hex}"
            f"/Media/ME{uuid.uuid4().hex}"
        )
        self.media[path] = (content_type, data)
        return "https://api.twilio.com" + path

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def sent(self) -> list[Received]:
        """The messages Twilio accepted (answered 201), in order."""
        with self._lock:
            return [request for request in self.requests if request.answered == 201]

    def bodies_to(self, number: str) -> list[str]:
        return [request.body for request in self.sent if request.to == number]

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with these, in order; then 201 again."""
        with self._lock:
            self._script.extend(replies)

    def wait_for_arrivals(self, count: int, timeout: float = 30.0) -> None:
        """Wait until ``count`` send requests have arrived (answered or still being answered):
        a test can then kill the sender in the middle of a delivery."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: self._arrivals >= count, timeout):
                raise TimeoutError(f"{self._arrivals} of {count} requests arrived")

    def _arrive(self) -> None:
        with self._arrived:
            self._arrivals += 1
            self._arrived.notify_all()

    def _next_reply(self) -> Reply:
        with self._lock:
            return self._script.popleft() if self._script else Reply()

    def _record(self, request: Received) -> None:
        with self._lock:
            self.requests.append(request)

    @contextmanager
    def running(self) -> Iterator[FakeTwilioApi]:
        with serving_in_thread(_handler_for(self)) as server:
            self._server = server
            try:
                yield self
            finally:
                self._server = None


def _handler_for(fake: FakeTwilioApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            del format, args  # quiet: pytest shows stderr of failing tests only anyway

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            fake.media_requests.append(path)
            if not self._authorised():
                self._json(401, _error(401, 20003))
                return
            found = fake.media.get(path)
            if found is None:
                self._json(404, _error(404, 20404))
                return
            content_type, data = found
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_DELETE(self) -> None:
            """``DELETE /Recordings/RE….json``: 204, or 404 for a recording it never had (a
            scripted ``Reply(500)`` fails it, as an outage would)."""
            parts = self.path.split("?")[0].strip("/").split("/")
            if not self._authorised():
                self._json(401, _error(401, 20003))
                return
            if len(parts) != 5 or parts[3] != "Recordings" or parts[2] != fake.account_sid:
                self._json(404, _error(404, 20404))
                return
            reply = fake._next_reply()
            sid = parts[4].removesuffix(".json")
            if reply.status >= 300:
                self._json(reply.status, _error(reply.status, reply.code or reply.status))
                return
            if sid not in fake.recordings:
                self._json(404, _error(404, 20404))
                return
            fake.recordings.discard(sid)
            fake.deleted_recordings.append(sid)
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self) -> None:
            parts = self.path.split("?")[0].strip("/").split("/")
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
            if len(parts) != 4 or parts[:2] != ["2010-04-01", "Accounts"]:
                self._json(404, _error(404, 20404))
                return
            if parts[3] != "Messages.json" or parts[2] != fake.account_sid:
                self._json(404, _error(404, 20404))
                return
            if not self._authorised():
                self._json(401, _error(401, 20003))
                return
            reply = fake._next_reply()
            fake._arrive()
            if reply.delay:
                time.sleep(reply.delay)
            sid = f"SM{uuid.uuid4().hex}" if reply.status == 201 else None
            content = form.get("ContentSid")
            fake._record(
                Received(
                    account_sid=parts[2],
                    to=form.get("To", ""),
                    body=form.get("Body", ""),
                    from_=form.get("From"),
                    messaging_service_sid=form.get("MessagingServiceSid"),
                    status_callback=form.get("StatusCallback"),
                    answered=reply.status,
                    sid=sid,
                    content_sid=content,
                    content_variables=form.get("ContentVariables"),
                )
            )
            if sid is None:
                self._json(reply.status, _error(reply.status, reply.code or reply.status))
                return
            self._json(201, _message(fake.account_sid, sid, form))

        def _authorised(self) -> bool:
            expected = f"{fake.account_sid}:{fake.auth_token}".encode()
            given = self.headers.get("Authorization", "")
            return given == "Basic " + base64.b64encode(expected).decode()

        def _json(self, status: int, payload: Mapping[str, object]) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and went away, as a real one would

    return Handler


def _error(status: int, code: int) -> dict[str, object]:
    return {
        "code": code,
        "message": _ERROR_MESSAGES.get(status, "Error"),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def _message(account_sid: str, sid: str, form: Mapping[str, str]) -> dict[str, object]:
    """A message resource as Twilio answers a create: queued (accepted via a messaging service)."""
    now = formatdate(usegmt=True)
    service = form.get("MessagingServiceSid")
    return {
        "account_sid": account_sid,
        "api_version": "2010-04-01",
        "body": form.get("Body", ""),
        "date_created": now,
        "date_sent": None,
        "date_updated": now,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": form.get("From"),
        "messaging_service_sid": service,
        "num_media": "0",
        "num_segments": "1",
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": "accepted" if service else "queued",
        "subresource_uris": {
            "media": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}/Media.json"
        },
        "to": form.get("To", ""),
        "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
    }


# Webhooks -----------------------------------------------------------------------------------------
def sign(url: str, params: Mapping[str, str], token: str = AUTH_TOKEN) -> str:
    """The ``X-Twilio-Signature`` Twilio would send for this URL and form."""
    signature: str = RequestValidator(token).compute_signature(url, dict(params))
    return signature


class Webhooks:
    """Posts forms to our webhooks as Twilio does, signed for ``public_url``."""

    def __init__(self, client: TestClient, *, public_url: str = PUBLIC_URL) -> None:
        self.client = client
        self.public_url = public_url
        self._sids = iter(range(1, 1_000_000))

    def post(self, path: str, params: Mapping[str, str]) -> httpx.Response:
        signature = sign(self.public_url + path, params)
        headers = {"X-Twilio-Signature": signature}
        response: httpx.Response = self.client.post(path, data=dict(params), headers=headers)
        return response

    def text(
        self, body: str, *, phone: str = "+33612345678", sid: str | None = None, **extra: str
    ) -> httpx.Response:
        """An inbound SMS from ``phone``; ``extra`` adds fields (NumMedia, MediaContentType0…)."""
        form = {
            "ToCountry": "FR",
            "SmsMessageSid": sid or self.next_sid(),
            "NumMedia": "0",
            "From": phone,
            "To": FROM_NUMBER,
            "Body": body,
            "NumSegments": "1",
            "AccountSid": ACCOUNT_SID,
            "ApiVersion": "2010-04-01",
            **extra,
        }
        form["MessageSid"] = form["SmsSid"] = form["SmsMessageSid"]
        return self.post("/webhooks/twilio/sms", form)

    def status(self, sid: str, status: str, *, error_code: str | None = None) -> httpx.Response:
        """A delivery status callback for the message ``sid``."""
        form = {
            "MessageSid": sid,
            "SmsSid": sid,
            "MessageStatus": status,
            "SmsStatus": status,
            "AccountSid": ACCOUNT_SID,
            "From": FROM_NUMBER,
            "To": "+33612345678",
            "ApiVersion": "2010-04-01",
        }
        if error_code is not None:
            form["ErrorCode"] = error_code
        return self.post("/webhooks/twilio/status", form)

    def whatsapp(
        self, body: str, *, phone: str = "+33612345678", sid: str | None = None, **extra: str
    ) -> httpx.Response:
        """An inbound WhatsApp message from ``phone``, as Twilio posts it."""
        form = {
            "SmsMessageSid": sid or self.next_sid(),
            "NumMedia": "0",
            "ProfileName": "Olena",
            "MessageType": "text",
            "WaId": phone.lstrip("+"),
            "From": "whatsapp:" + phone,
            "To": "whatsapp:" + WHATSAPP_NUMBER,
            "Body": body,
            "NumSegments": "1",
            "AccountSid": ACCOUNT_SID,
            "ApiVersion": "2010-04-01",
            **extra,
        }
        form["MessageSid"] = form["SmsSid"] = form["SmsMessageSid"]
        return self.post("/webhooks/twilio/whatsapp", form)

    def whatsapp_status(
        self, sid: str, status: str, *, error_code: str | None = None
    ) -> httpx.Response:
        form = {
            "MessageSid": sid,
            "SmsSid": sid,
            "MessageStatus": status,
            "SmsStatus": status,
            "ChannelPrefix": "whatsapp",
            "AccountSid": ACCOUNT_SID,
            "From": "whatsapp:" + WHATSAPP_NUMBER,
            "To": "whatsapp:+33612345678",
            "ApiVersion": "2010-04-01",
        }
        if error_code is not None:
            form["ErrorCode"] = error_code
        return self.post("/webhooks/twilio/whatsapp/status", form)

    def next_sid(self) -> str:
        return f"SM{next(self._sids):032x}"
