"""Phone calls over Twilio Voice: signed webhooks in, TwiML out (docs/voice.md).

- ``POST /webhooks/twilio/voice``: a call begins (the number's "A call comes in" webhook).
- ``POST /webhooks/twilio/voice/answer?turn=N``: what the caller keyed or said (each
  ``<Gather>``'s action); the turn makes a retried request recognisable.
- ``POST /webhooks/twilio/voice/status``: the call's status callback, and the recording's.
- ``GET /voice/clips/<name>``: the espeak-ng clips the TwiML plays (Dari), fetched by Twilio.

Every webhook is believed only when its ``X-Twilio-Signature`` matches (bot/channels/twilio/
webhooks.py): nothing is stored before, a bad signature is a 403, and without Twilio's
credentials and ``TWILIO_VOICE_NUMBER`` the channel is off (503). Unlike SMS, the replies *are*
the answer to the request (``delivery="inline"``): the conversation service logs them with the
answer, commits, and only then does the call hear them.
"""

import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from sqlalchemy import update
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from twilio.twiml.voice_response import VoiceResponse

from bot.channels.contract import Inbound
from bot.channels.twilio.webhooks import SID, SignedWebhooks, e164
from bot.channels.voice.call import CallTurn, CallTurns
from bot.channels.voice.clips import ClipStore
from bot.channels.voice.render import spoken
from bot.channels.voice.twiml import Speaker
from bot.channels.voice.voices import SAY_VOICES
from bot.runtime.settings import Settings
from conversations.events import TextReceived
from conversations.outputs import Msg
from storage import tables

if TYPE_CHECKING:
    from bot.runtime.root import Runtime

__all__ = [
    "ANSWER_PATH",
    "CALL_PATH",
    "CHANNEL",
    "CLIPS_PATH",
    "STATUS_PATH",
    "VOICE_OFF_MESSAGE",
    "call_inbound",
    "call_turn",
    "call_turns",
    "hidden_number_twiml",
    "turns_for",
    "voice_enabled",
    "voice_routes",
]

log = logging.getLogger(__name__)

CHANNEL = "voice"
CALL_PATH = "/webhooks/twilio/voice"
ANSWER_PATH = "/webhooks/twilio/voice/answer"
STATUS_PATH = "/webhooks/twilio/voice/status"
CLIPS_PATH = "/voice/clips"
VOICE_OFF_MESSAGE = (
    "Phone calls are off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_VOICE_NUMBER to "
    "turn them on (until then /webhooks/twilio/voice* answer 503)."
)
_TWIML = "text/xml"
_MAX_SPEECH = 2000
# What Twilio puts in From when the caller hides their number: nobody to find the draft of.
_HIDDEN = frozenset({"anonymous", "restricted", "unknown", "private", "+266696687", "+7378742833"})
_STATUS = re.compile(r"[a-z-]{1,16}")
_CLIP_TYPES = {".gsm": "audio/x-gsm", ".wav": "audio/wav"}


def voice_enabled(settings: Settings) -> bool:
    return bool(
        settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_voice_number
    )


def call_turn(form: Mapping[str, str], turn: int | None) -> CallTurn:
    """A request's ``CallTurn``. Pure. Raises ``ValueError`` for a form Twilio never sends, and
    ``LookupError`` for a hidden number."""
    sid = form.get("CallSid", "")
    if not SID.fullmatch(sid):
        raise ValueError("no CallSid")
    caller = form.get("From", "").strip()
    if not caller or caller.lower() in _HIDDEN:
        raise LookupError("hidden number")
    if len(caller) > 64 or not caller.isprintable():
        raise ValueError("the From is not a number")
    confidence: float | None
    try:
        confidence = float(form["Confidence"]) if form.get("Confidence") else None
    except ValueError:
        confidence = None
    digits = form.get("Digits", "")
    if not all(ch in "0123456789#*" for ch in digits):
        digits = ""
    speech = form.get("SpeechResult", "").replace("\x00", "")[:_MAX_SPEECH]
    return CallTurn(sid, e164(caller), turn, digits[:32], speech, confidence)


def hidden_number_twiml() -> str:
    """Said in French and English when the number is hidden: the draft is found by number."""
    response = VoiceResponse()
    for locale in ("fr", "en"):
        voice = SAY_VOICES[locale]
        for _, text in spoken(Msg("voice_hidden_number"), locale):
            response.say(text, voice=voice.name, language=voice.language)
    response.hangup()
    return str(response)


def turns_for(
    settings: Settings,
    *,
    channel: str,
    answer_path: str,
    recording_path: str | None,
    captions: bool = False,
) -> CallTurns:
    """A call channel's turn handler (it runs where the conversation service runs: the writer
    process of ``tremplin serve``), with its own clip store; ``recording_path`` None: never
    records."""
    clips = ClipStore(settings.voice_clips_dir)

    def clip_url(locale: str, text: str) -> str:
        return f"{settings.public_url}{CLIPS_PATH}/{clips.clip(locale, text)}"

    recording = settings.public_url + recording_path if recording_path is not None else None
    return CallTurns(
        Speaker(clip_url),
        channel=channel,
        answer_url=settings.public_url + answer_path,
        recording_callback=recording,
        captions=captions,
    )


def call_turns(settings: Settings) -> CallTurns:
    """The handler of Twilio's calls."""
    return turns_for(settings, channel=CHANNEL, answer_path=ANSWER_PATH, recording_path=STATUS_PATH)


def call_inbound(channel: str, heard: CallTurn) -> Inbound:
    """One request of a call as the conversation service takes it: the words or keys heard are
    its text (the message log keeps them), the request itself goes to the call's turn handler."""
    words = heard.speech or heard.digits
    return Inbound(
        channel=channel,
        address=heard.address,
        event=TextReceived(words),
        external_id=f"{heard.call_sid}:{heard.turn or 0}",
        request=heard,
    )


def voice_routes(runtime: "Runtime") -> list[BaseRoute]:
    settings = runtime.settings
    webhooks = SignedWebhooks(
        settings,
        enabled=voice_enabled(settings),
        off_reason="Phone calls are not configured on this server.",
    )
    clips = runtime.clips

    async def answer(request: Request, turn: int | None) -> Response:
        form = await webhooks.form(request)
        if isinstance(form, Response):
            return form
        try:
            heard = call_turn(form, turn)
        except LookupError:
            return Response(hidden_number_twiml(), media_type=_TWIML)
        except ValueError:
            return PlainTextResponse("Not a Twilio call request.", 400)
        handled = await runtime.inbox.handle(call_inbound(CHANNEL, heard))
        log.info("call %s turn %s answered", heard.call_sid, turn if turn is not None else "start")
        return Response(handled.answer or hidden_number_twiml(), media_type=_TWIML)

    async def call(request: Request) -> Response:
        return await answer(request, None)

    async def gathered(request: Request) -> Response:
        try:
            turn = int(request.query_params.get("turn", ""))
        except ValueError:
            return PlainTextResponse("No turn.", 400)
        return await answer(request, turn)

    async def status(request: Request) -> Response:
        form = await webhooks.form(request)
        if isinstance(form, Response):
            return form
        sid = form.get("CallSid", "")
        if SID.fullmatch(sid):
            await run_in_threadpool(_record_status, runtime, sid, form)
        return Response(status_code=204)

    async def clip(request: Request) -> Response:
        path = clips.path(request.path_params["name"])
        if path is None:
            return PlainTextResponse("No such clip.", 404)
        return FileResponse(path, media_type=_CLIP_TYPES[path.suffix])

    return [
        Route(CALL_PATH, call, methods=["POST"]),
        Route(ANSWER_PATH, gathered, methods=["POST"]),
        Route(STATUS_PATH, status, methods=["POST"]),
        Route(CLIPS_PATH + "/{name}", clip, methods=["GET", "HEAD"]),
    ]


def _record_status(runtime: "Runtime", sid: str, form: Mapping[str, str]) -> None:
    """A call's status (``completed``, ``busy``…) or its recording's sid, on the call's row."""
    values: dict[str, object] = {"updated_at": runtime.service.clock()}
    recording = form.get("RecordingSid", "")
    if recording and SID.fullmatch(recording):
        values["recording_sid"] = recording
    state = form.get("CallStatus", "").lower()
    if _STATUS.fullmatch(state):
        values["status"] = state
        if state in ("completed", "busy", "failed", "no-answer", "canceled"):
            values["ended_at"] = runtime.service.clock()
    calls = tables.voice_calls
    recording_sid = values.pop("recording_sid", None)
    with runtime.engine.begin() as connection:
        connection.execute(update(calls).where(calls.c.call_sid == sid).values(values))
        if recording_sid is not None:
            # Kept only for a call whose caller agreed by keypad (no other call starts one).
            connection.execute(
                update(calls)
                .where(calls.c.call_sid == sid, calls.c.recording_consent.is_(True))
                .values(recording_sid=recording_sid)
            )
