"""The phone simulator at /simulator: a web page that texts Tremplin like a basic phone would.

Coaches demo with it and testers try the flow without a SIM card, so it must show exactly what an
SMS would: it goes through the real service (same engine, same SMS rendering, same transaction and
outbox) on the channel ``simulator``, and shows each reply with its encoding and segment count.
Its WhatsApp phones (channel ``sim_whatsapp``) render as WhatsApp does, buttons and lists
included, with WhatsApp's 24-hour window: a clock control moves a phone's conversation back in
time, so that the window closes and reminders come due, and every catalogued template counts as
approved. An SMS phone and a WhatsApp phone with one number are one person with one draft.
Conversations are stored like real ones.

Rules of this module:
- Numbers come only from ARCEP's range reserved for fiction (+33 6 39 98 00 00 – 99 99), so a
  real person's number is never stored by a demo and no real phone's thread can be read here.
- The page lists nothing: the browser tab remembers its own phones (sessionStorage) and asks for
  them by number. Pending messages (a coach's words, say) are fetched with ``poll``.
- Replies go through the outbox and are delivered with ``deliver_pending``, like the terminal
  phone, so what is shown is what a delivery would send, and it is marked sent once shown.
- Every API call refuses other origins: another web site must not drive a candidate's
  conversation through a coach's browser.
- Each answer says the conversation's locale and its writing direction, so a phone texting in
  Arabic, Dari or Pashto is laid out right to left, as the candidate's own phone would be.
"""

import asyncio
import hashlib
import random
import re
import uuid
import weakref
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.channels.contract import Inbound
from bot.channels.text import measure
from bot.delivery.outbox import take_pending
from bot.i18n import text_direction
from bot.jobs.reminders import CLOSES, DELAYS, OPENS, PARIS, due_at, send_reminder
from bot.web.templates import templates
from conversations.events import SMS_CAPABILITIES, Capabilities, TextReceived
from storage import Candidate, ChannelIdentity, Conversation, Message, Outbox, utcnow

if TYPE_CHECKING:  # the runtime builds the channels: only its type is needed here
    from bot.runtime.root import Runtime

__all__ = [
    "CHANNEL",
    "MAX_TEXT_LENGTH",
    "WHATSAPP_CHANNEL",
    "conversation_locale",
    "display_number",
    "is_fictional_number",
    "simulator_routes",
]

CHANNEL = "simulator"
WHATSAPP_CHANNEL = "sim_whatsapp"
VOICE_CHANNEL = "sim_voice"
"""The simulator's WhatsApp phone: WhatsApp's rendering and window, no Twilio."""
MAX_TEXT_LENGTH = 1600
"""Ten concatenated GSM-7 segments: more than any phone sends as one message."""
"""The product's locales written right to left (Arabic script): the one list of them."""

_STATIC = Path(__file__).resolve().parents[1] / "static"
_FICTIONAL = re.compile(r"\+3363998\d{4}")
_NEW_NUMBER_ATTEMPTS = 20
# No inline script or style, nothing from elsewhere: the page only talks to this app.
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; media-src 'self'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_API_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def is_fictional_number(phone: str) -> bool:
    """True for an E.164 number in ARCEP's range for fiction (the only numbers used here)."""
    return _FICTIONAL.fullmatch(phone) is not None


def display_number(phone: str) -> str:
    """``+33639981234`` → ``+33 6 39 98 12 34``, as a French phone shows it."""
    rest = phone[3:]
    return "+33 " + rest[0] + " " + " ".join(rest[i : i + 2] for i in range(1, len(rest), 2))


def _channel(kind: object) -> str:
    """The simulator's channel for a phone kind: ``sms`` (the default) or ``whatsapp``."""
    return WHATSAPP_CHANNEL if kind == "whatsapp" else CHANNEL


def conversation_locale(runtime: "Runtime", phone: str, channel: str = CHANNEL) -> str | None:
    """The locale of the candidate texting from this simulated phone (None before any message).

    Read after handling, so a reply that has just switched the language is laid out in it.
    """
    with runtime.sessions() as session:
        return session.scalar(
            select(Candidate.locale)
            .join(ChannelIdentity, ChannelIdentity.candidate_id == Candidate.id)
            .where(ChannelIdentity.channel == channel, ChannelIdentity.address == phone)
        )


def _answer(
    runtime: "Runtime", phone: str, channel: str, messages: list[dict[str, Any]]
) -> dict[str, Any]:
    """An API answer: the messages shown, and how the phone's thread is to be laid out."""
    locale = conversation_locale(runtime, phone, channel)
    return {
        "phone": phone,
        "messages": messages,
        "locale": locale,
        "dir": text_direction(locale),
    }


@cache
def _asset_version(name: str) -> str:
    """A digest of a static file, so a browser never runs an old script against a new API."""
    return hashlib.sha256((_STATIC / name).read_bytes()).hexdigest()[:12]


def _own_origins(request: Request, public_url: str) -> set[str]:
    """The origins this app answers as: the one the browser used, and the configured public URL
    (behind a TLS proxy the app sees http while the browser says https)."""
    origins = {f"{request.url.scheme}://{request.url.netloc}"}
    public = re.match(r"[a-z][a-z0-9+.-]*://[^/]+", public_url, re.IGNORECASE)
    if public is not None:
        origins.add(public.group(0))
    return {origin.lower() for origin in origins}


def _same_origin(request: Request, public_url: str) -> bool:
    """Refuse a request that a browser says comes from another site (CSRF)."""
    origin = request.headers.get("origin")
    if origin is not None and origin.lower() not in _own_origins(request, public_url):
        return False
    site = request.headers.get("sec-fetch-site")
    return site is None or site in ("same-origin", "none")


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status, headers=_API_HEADERS)


def _deliver(runtime: "Runtime", phone: str, channel: str) -> list[dict[str, Any]]:
    """Take every pending message for this phone from the outbox, oldest first, as shown: an
    SMS with its encoding and segments, a WhatsApp message with its buttons or list, or the
    name of the approved template it went as."""
    shown: list[dict[str, Any]] = []
    for message in take_pending(runtime.sessions, channel, phone):
        info = measure(message.text)
        payload = message.payload or {}
        shown.append(
            {
                "text": message.text,
                "step": message.step,
                "encoding": info.encoding,
                "units": info.units,
                "segments": info.segments,
                "interactive": payload.get("interactive"),
                "template": (payload.get("template") or {}).get("name"),
            }
        )
    return shown


def _poll(runtime: "Runtime", phone: str, channel: str = CHANNEL) -> dict[str, Any]:
    """What is waiting for the simulated phone, and the locale its thread is shown in."""
    return _answer(runtime, phone, channel, _deliver(runtime, phone, channel))


def _exchange(runtime: "Runtime", phone: str, text: str, channel: str = CHANNEL) -> dict[str, Any]:
    """One message from the simulated phone, handled and answered like a real one."""
    caps = runtime_caps(channel)
    runtime.service.handle(
        Inbound(
            channel=channel,
            address=phone,
            event=TextReceived(text, caps),
            external_id=str(uuid.uuid4()),
        )
    )
    return _poll(runtime, phone, channel)


def runtime_caps(channel: str) -> Capabilities:
    """What the simulated phone lets the person do: a WhatsApp phone has buttons."""
    if channel == WHATSAPP_CHANNEL:
        return Capabilities(buttons=True, knows_phone=True)
    return SMS_CAPABILITIES


def _advance(runtime: "Runtime", phone: str, channel: str, hours: int) -> dict[str, Any]:
    """The clock control: as if ``hours`` had passed since this phone's conversation last
    moved. Its times go back by that much (so the 24-hour window closes, or a reminder comes
    due), then the reminder job runs for it. Reminders go only from 9:00 to 19:00 in Paris: when
    the hours passed reach a reminder's day but not yet its hour, the clock goes on to that hour,
    and the phone's thread says so."""
    now = utcnow()
    with runtime.sessions.begin() as session:
        candidate_id = session.scalar(
            select(ChannelIdentity.candidate_id).where(
                ChannelIdentity.channel == channel, ChannelIdentity.address == phone
            )
        )
        if candidate_id is None:
            return _poll(runtime, phone, channel)
        candidate = session.get(Candidate, candidate_id)
        assert candidate is not None
        back = timedelta(hours=hours)
        sent = candidate.reminders_sent
        due = due_at(candidate.last_activity_at - back, sent)
        if sent < len(DELAYS) and due is not None and due > now:
            unrounded = candidate.last_activity_at - back + DELAYS[sent]
            if unrounded <= now:
                # Due today or tonight, out of the sending hours: on to the next sending hour,
                # which is the same as putting the day due within the last hours that were.
                back += unrounded - _last_sending_moment(now)
        _shift(session, candidate_id, back)
    send_reminder(runtime.engine, candidate_id, sent, now=now, courier=runtime.courier)
    answer = _poll(runtime, phone, channel)
    answer["advanced_hours"] = round(back.total_seconds() / 3600, 1)
    return answer


def _last_sending_moment(now: datetime) -> datetime:
    """The latest moment, ``now`` or before, within the reminders' sending hours."""
    local = now.astimezone(PARIS)
    if OPENS <= local.time() < CLOSES:
        return now
    closing = datetime.combine(local.date(), CLOSES, tzinfo=PARIS) - timedelta(minutes=1)
    if local.time() < OPENS:
        closing -= timedelta(days=1)
    return closing.astimezone(now.tzinfo)


def _shift(session: Session, candidate_id: str, back: timedelta) -> None:
    """Every time of this candidate's conversation, ``back`` earlier."""
    candidate = session.get(Candidate, candidate_id)
    assert candidate is not None
    candidate.last_activity_at -= back
    candidate.created_at -= back
    if candidate.consent_at is not None:
        candidate.consent_at -= back
    if candidate.next_reminder_at is not None:
        candidate.next_reminder_at = due_at(candidate.last_activity_at, candidate.reminders_sent)
    for message in session.scalars(select(Message).where(Message.candidate_id == candidate_id)):
        message.created_at -= back
    for row in session.scalars(select(Outbox).where(Outbox.candidate_id == candidate_id)):
        row.created_at -= back
    conversation = session.scalar(
        select(Conversation).where(Conversation.candidate_id == candidate_id)
    )
    if conversation is not None:
        conversation.updated_at -= back


def _new_number(runtime: "Runtime") -> str | None:
    """A fictional number no simulated conversation uses yet (None if the range looks full)."""
    rng = random.SystemRandom()
    with runtime.sessions() as session:
        for _ in range(_NEW_NUMBER_ATTEMPTS):
            phone = f"+3363998{rng.randrange(10_000):04d}"
            taken = session.scalar(
                select(ChannelIdentity.id).where(
                    ChannelIdentity.channel.in_((CHANNEL, WHATSAPP_CHANNEL)),
                    ChannelIdentity.address == phone,
                )
            )
            if taken is None:
                return phone
    return None


def simulator_routes(runtime: "Runtime") -> list[BaseRoute]:
    """The page, its static files and its small JSON API."""
    # One lock per phone in this process: a poll and a send for the same phone must not both
    # deliver the same outbox rows. Weak values: a phone nobody is texting costs nothing.
    locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def lock_for(phone: str) -> asyncio.Lock:
        lock = locks.get(phone)
        if lock is None:
            lock = locks[phone] = asyncio.Lock()
        return lock

    async def page(request: Request) -> HTMLResponse:
        # Paths, not full URLs: behind a TLS proxy the app may believe it is served over http.
        def asset(name: str) -> str:
            path = request.url_for("simulator-static", path=name).path
            return f"{path}?v={_asset_version(name)}"

        html = (
            templates()
            .get_template("simulator.html")
            .render(
                css=asset("simulator.css"),
                js=asset("simulator.js"),
                call_js=asset("simulator_call.js"),
                call_url=request.url_for("simulator-call").path,
                phones_url=request.url_for("simulator-phones").path,
                send_url=request.url_for("simulator-send").path,
                poll_url=request.url_for("simulator-poll").path,
                advance_url=request.url_for("simulator-advance").path,
            )
        )
        return HTMLResponse(html, headers=_PAGE_HEADERS)

    async def new_phone(request: Request) -> JSONResponse:
        if not _same_origin(request, runtime.settings.public_url):
            return _error(403, "cross-origin request refused")
        try:
            asked = await request.json() if await request.body() else {}
        except ValueError:
            return _error(400, "the body is not valid JSON")
        asked = asked if isinstance(asked, dict) else {}
        kind = "whatsapp" if asked.get("kind") == "whatsapp" else "sms"
        # The same number on the other kind of phone: the person's SMS and WhatsApp, one draft.
        same = asked.get("phone")
        if same is not None and not (isinstance(same, str) and is_fictional_number(same)):
            return _error(422, "phone must be a simulator number (+3363998xxxx)")
        phone = same or await run_in_threadpool(_new_number, runtime)
        if phone is None:
            return _error(503, "no free fictional number: try again")
        answer = {"phone": phone, "display": display_number(phone), "kind": kind}
        return JSONResponse(answer, 201, headers=_API_HEADERS)

    async def send(request: Request) -> JSONResponse:
        if not _same_origin(request, runtime.settings.public_url):
            return _error(403, "cross-origin request refused")
        # JSON only: a plain HTML form from another site cannot send it without a preflight.
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return _error(415, "send JSON: {phone, text}")
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "the body is not valid JSON")
        phone = body.get("phone") if isinstance(body, dict) else None
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(phone, str) or not is_fictional_number(phone):
            return _error(422, "phone must be a simulator number (+3363998xxxx)")
        if not isinstance(text, str) or not text.strip():
            return _error(422, "text must be a non-empty string")
        if len(text) > MAX_TEXT_LENGTH:
            return _error(422, f"text is longer than {MAX_TEXT_LENGTH} characters")
        channel = _channel(body.get("kind"))
        async with lock_for(phone):
            answer = await run_in_threadpool(_exchange, runtime, phone, text, channel)
        return JSONResponse(answer, headers=_API_HEADERS)

    async def advance(request: Request) -> JSONResponse:
        if not _same_origin(request, runtime.settings.public_url):
            return _error(403, "cross-origin request refused")
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return _error(415, "send JSON: {phone, kind, hours}")
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "the body is not valid JSON")
        body = body if isinstance(body, dict) else {}
        phone, hours = body.get("phone"), body.get("hours")
        if not isinstance(phone, str) or not is_fictional_number(phone):
            return _error(422, "phone must be a simulator number (+3363998xxxx)")
        if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= 24 * 30:
            return _error(422, "hours must be a whole number from 1 to 720")
        channel = _channel(body.get("kind"))
        async with lock_for(phone):
            answer = await run_in_threadpool(_advance, runtime, phone, channel, hours)
        return JSONResponse(answer, headers=_API_HEADERS)

    async def poll(request: Request) -> JSONResponse:
        # A poll marks messages as delivered, so it is guarded like a POST.
        if not _same_origin(request, runtime.settings.public_url):
            return _error(403, "cross-origin request refused")
        phone = request.query_params.get("phone", "")
        if not is_fictional_number(phone):
            return _error(422, "phone must be a simulator number (+3363998xxxx)")
        channel = _channel(request.query_params.get("kind"))
        async with lock_for(phone):
            answer = await run_in_threadpool(_poll, runtime, phone, channel)
        return JSONResponse(answer, headers=_API_HEADERS)

    return [
        Route("/simulator", page, methods=["GET"], name="simulator"),
        Route("/simulator/api/phones", new_phone, methods=["POST"], name="simulator-phones"),
        Route("/simulator/api/send", send, methods=["POST"], name="simulator-send"),
        Route("/simulator/api/poll", poll, methods=["GET"], name="simulator-poll"),
        Route("/simulator/api/advance", advance, methods=["POST"], name="simulator-advance"),
        Mount("/simulator/static", StaticFiles(directory=_STATIC), name="simulator-static"),
    ]
