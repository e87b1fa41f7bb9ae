"""Phone calls on a fake Twilio, for tests: the app with calls on, and a caller who keys, speaks,
stays silent or hangs up, and hears what the TwiML says (checked against TwiML's grammar)."""

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.runtime.root import Runtime
from bot.runtime.settings import Settings
from bot.web.app import create_app
from tests.bot.fake_twilio import ACCOUNT_SID, SMS_SETTINGS, TestClient, Webhooks, sms_runtime
from tests.conversations.golden import FLOW

Sessions = sessionmaker[Session]
VOICE_NUMBER = "+33757000003"
PHONE = "+33612345678"
T0 = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)

# TwiML's grammar, as far as these calls use it (twilio.com/docs/voice/twiml): each verb, where
# it may stand, and its attributes. A response outside it would be refused by Twilio.
_VERBS = {
    "Response": ({"Say", "Play", "Gather", "Redirect", "Hangup", "Start", "Pause"}, set()),
    "Say": (set(), {"voice", "language", "loop"}),
    "Play": (set(), {"loop", "digits"}),
    "Pause": (set(), {"length"}),
    "Hangup": (set(), set()),
    "Redirect": (set(), {"method"}),
    "Start": ({"Recording", "Stream", "Transcription", "Siprec"}, {"action", "method"}),
    "Recording": (
        set(),
        {
            "recordingStatusCallback",
            "recordingStatusCallbackEvent",
            "recordingStatusCallbackMethod",
            "trim",
            "track",
            "channels",
        },
    ),
    "Gather": (
        {"Say", "Play", "Pause"},
        {
            "action",
            "method",
            "input",
            "numDigits",
            "timeout",
            "speechTimeout",
            "language",
            "finishOnKey",
            "actionOnEmptyResult",
            "profanityFilter",
            "hints",
            "speechModel",
        },
    ),
}
_INPUTS = {"dtmf", "speech", "dtmf speech", "speech dtmf"}


def check_twiml(element: ET.Element) -> None:
    children, attributes = _VERBS[element.tag]
    assert set(element.attrib) <= attributes, (element.tag, element.attrib)
    for child in element:
        assert child.tag in children, (element.tag, child.tag)
        check_twiml(child)
    if element.tag == "Gather":
        assert element.get("input") in _INPUTS
        assert element.get("action", "").startswith("https://")
    if element.tag in ("Say", "Play", "Redirect"):
        assert (element.text or "").strip(), f"an empty <{element.tag}>"


@dataclass
class Heard:
    """What one TwiML response makes the caller hear and what it waits for."""

    root: ET.Element
    said: list[tuple[str, str]] = field(default_factory=list)
    """``(language or 'clip', words or clip URL)``, in order."""

    @property
    def gather(self) -> ET.Element | None:
        return self.root.find("Gather")

    @property
    def text(self) -> str:
        return "\n".join(words for _, words in self.said)

    @property
    def hung_up(self) -> bool:
        return self.root.find("Hangup") is not None

    @property
    def turn(self) -> int:
        assert self.gather is not None, self.text
        query = urlsplit(self.gather.get("action", "")).query
        return int(dict(part.split("=") for part in query.split("&"))["turn"])


def hear(response: httpx.Response) -> Heard:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(response.text)
    check_twiml(root)
    heard = Heard(root)
    for element in root.iter():
        if element.tag == "Say":
            heard.said.append((element.get("language", ""), element.text or ""))
        elif element.tag == "Play":
            heard.said.append(("clip", element.text or ""))
    return heard


class Caller:
    """One person calling from ``phone``: each call a new ``CallSid``."""

    _sids = itertools.count(1)

    def __init__(self, twilio: Webhooks, phone: str = PHONE) -> None:
        self.twilio = twilio
        self.phone = phone
        self.call_sid = ""
        self.last: Heard | None = None

    def form(self, **extra: str) -> dict[str, str]:
        return {
            "AccountSid": ACCOUNT_SID,
            "ApiVersion": "2010-04-01",
            "CallSid": self.call_sid,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "From": self.phone,
            "To": VOICE_NUMBER,
            **extra,
        }

    def call(self) -> Heard:
        self.call_sid = f"CA{next(self._sids):032x}"
        form = self.form(CallStatus="ringing")
        self.last = hear(self.twilio.post("/webhooks/twilio/voice", form))
        return self.last

    def post(self, turn: int | None = None, **fields: str) -> httpx.Response:
        assert self.last is not None
        turn = self.last.turn if turn is None else turn
        return self.twilio.post(f"/webhooks/twilio/voice/answer?turn={turn}", self.form(**fields))

    def press(self, digits: str) -> Heard:
        self.last = hear(self.post(Digits=digits))
        return self.last

    def speak(self, words: str, confidence: float = 0.92) -> Heard:
        self.last = hear(self.post(SpeechResult=words, Confidence=str(confidence)))
        return self.last

    def answer(self, words: str, read_back_as: str | None = None) -> Heard:
        """Say a free answer and keep it (``1`` after the read-back, which says ``words`` or,
        for a date, ``read_back_as``)."""
        read_back = self.speak(words)
        assert (read_back_as or words) in read_back.text, read_back.text
        return self.press("1")

    def silence(self) -> Heard:
        self.last = hear(self.post())
        return self.last

    def hang_up(self) -> None:
        form = self.form(CallStatus="completed", CallDuration="42")
        assert self.twilio.post("/webhooks/twilio/voice/status", form).status_code == 204


@dataclass
class VoiceWorld:
    runtime: Runtime
    twilio: Webhooks
    settings: Settings
    client: TestClient


def make_voice_world(session_factory: Sessions, tmp_path: object, **changes: object) -> VoiceWorld:
    base: dict[str, object] = {"twilio_voice_number": VOICE_NUMBER, "voice_clips_dir": tmp_path}
    settings = replace(SMS_SETTINGS, **{**base, **changes})  # type: ignore[arg-type]
    runtime = sms_runtime(session_factory, settings, clock=lambda: T0, flow=FLOW)
    client = TestClient(create_app(runtime))
    return VoiceWorld(runtime, Webhooks(client), settings, client)


@pytest.fixture
def world(session_factory: Sessions, tmp_path: object) -> Iterator[VoiceWorld]:
    made = make_voice_world(session_factory, tmp_path)
    yield made
    made.runtime.inbox.close()
