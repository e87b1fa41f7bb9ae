"""The simulator's phone call (``/simulator``): a keypad, a box that stands for speech, and the
call's words as captions, through the same ``VoiceCalls`` as a Twilio call, without Twilio.

``POST /simulator/api/call`` takes ``{phone, action, call_sid?, turn?, digits?, text?}``:
``call`` begins a call, ``press`` sends keys, ``speak`` sends words as Twilio's transcription
would (``confidence`` optional, 0.95 by default), ``silence`` lets the gather time out, ``hangup``
ends it. The answer is what the call said (each segment with its language and, for a language
spoken by espeak-ng clips, the clip's address to play), what it listens for next, its turn, and
whether it hung up. Mounted only where the simulator is (loopback, ``--simulator``).
"""

import re
import uuid
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select, update
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.simulator import (
    VOICE_CHANNEL,
    _same_origin,  # one CSRF rule for the simulator's API
    is_fictional_number,
)
from bot.channels.voice.call import CallTurn, CallTurns
from bot.channels.voice.twilio import CLIPS_PATH, call_inbound, turns_for
from bot.channels.voice.voices import CLIP_VOICES, engine_of
from bot.runtime.settings import Settings
from storage import tables

if TYPE_CHECKING:
    from bot.runtime.root import Runtime

__all__ = ["CALL_API", "simulated_call_routes", "simulated_call_turns"]

CALL_API = "/simulator/api/call"
_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
_KEYS = re.compile(r"[0-9#*]{1,32}")
_SID = re.compile(r"CA[0-9a-f]{32}")


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status, headers=_HEADERS)


def simulated_call_turns(settings: Settings) -> CallTurns:
    """The handler of the simulator's calls: never recorded (and never asked), with captions."""
    return turns_for(
        settings, channel=VOICE_CHANNEL, answer_path=CALL_API, recording_path=None, captions=True
    )


def simulated_call_routes(runtime: "Runtime") -> list[BaseRoute]:
    clips = runtime.clips

    def clip_path(locale: str, text: str) -> str:
        return f"{CLIPS_PATH}/{clips.clip(locale, text)}"

    def captions(call_sid: str) -> list[dict[str, Any]]:
        with runtime.engine.connect() as connection:
            state = connection.execute(
                select(tables.voice_calls.c.state).where(tables.voice_calls.c.call_sid == call_sid)
            ).scalar()
        said = []
        for locale, text in (state or {}).get("said", []):
            clip = clip_path(locale, text) if locale in CLIP_VOICES else None
            said.append(
                {
                    "lang": locale.replace("_", "-"),
                    "text": text,
                    "engine": engine_of(locale),
                    "clip": clip,
                }
            )
        return said

    def hang_up(call_sid: str) -> None:
        calls_table = tables.voice_calls
        with runtime.engine.begin() as connection:
            connection.execute(
                update(calls_table)
                .where(calls_table.c.call_sid == call_sid)
                .values(status="completed", ended_at=runtime.service.clock())
            )

    async def call(request: Request) -> Response:
        if not _same_origin(request, runtime.settings.public_url):
            return _error(403, "cross-origin request refused")
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return _error(415, "send JSON: {phone, action, …}")
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "the body is not valid JSON")
        body = body if isinstance(body, dict) else {}
        phone, action = body.get("phone"), body.get("action")
        if not isinstance(phone, str) or not is_fictional_number(phone):
            return _error(422, "phone must be a simulator number (+3363998xxxx)")
        call_sid: Any = "CA" + uuid.uuid4().hex
        turn: Any = None
        if action != "call":
            call_sid, turn = body.get("call_sid"), body.get("turn")
            if not isinstance(call_sid, str) or not _SID.fullmatch(call_sid):
                return _error(422, "call_sid: call first")
            if action == "hangup":
                await run_in_threadpool(hang_up, call_sid)
                return JSONResponse({"call_sid": call_sid, "hung_up": True}, headers=_HEADERS)
            if not isinstance(turn, int) or isinstance(turn, bool):
                return _error(422, "turn must be the number the last answer gave")
        digits = body.get("digits") if action == "press" else ""
        text = body.get("text") if action == "speak" else ""
        if action == "press" and not (isinstance(digits, str) and _KEYS.fullmatch(digits)):
            return _error(422, "digits: keys 0-9, # and *")
        if action == "speak" and not (isinstance(text, str) and text.strip() and len(text) <= 2000):
            return _error(422, "text: what the caller says, at most 2,000 characters")
        if action not in ("call", "press", "speak", "silence"):
            return _error(422, "action: call, press, speak, silence or hangup")
        confidence = body.get("confidence", 0.95) if action == "speak" else None
        if confidence is not None and not isinstance(confidence, int | float):
            return _error(422, "confidence: a number from 0 to 1")
        heard = CallTurn(call_sid, phone, turn, str(digits), str(text), confidence)
        handled = await runtime.inbox.handle(call_inbound(VOICE_CHANNEL, heard))
        # Our own TwiML, just built.
        root = ET.fromstring(handled.answer or "<Response/>")  # noqa: S314
        gather = root.find("Gather")
        next_turn = None
        if gather is not None:
            query = parse_qs(urlsplit(gather.get("action", "")).query)
            next_turn = int(query["turn"][0])
        answer = {
            "call_sid": call_sid,
            "turn": next_turn,
            "said": await run_in_threadpool(captions, call_sid),
            "listens": gather.get("input") if gather is not None else None,
            "hung_up": root.find("Hangup") is not None,
        }
        return JSONResponse(answer, headers=_HEADERS)

    return [Route(CALL_API, call, methods=["POST"], name="simulator-call")]
