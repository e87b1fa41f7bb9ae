"""The simulator's phone call: the same call as Twilio's, with captions, through the real app."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import registry
from bot.conversation.service import ConversationService
from bot.runtime.root import Runtime
from bot.runtime.settings import Settings
from bot.web.app import create_app
from storage import Candidate, ChannelIdentity, Outbox
from tests.bot.test_simulator import _flow
from tests.web import TestClient

PHONE = "+33639981234"


@pytest.fixture
def client(
    migrated_engine: Engine, session_factory: sessionmaker[Session], tmp_path: Any
) -> Iterator[TestClient]:
    settings = Settings(
        database_url=migrated_engine.url.render_as_string(hide_password=False),
        voice_clips_dir=tmp_path,
    )
    service = ConversationService(
        session_factory,
        _flow(),
        renderers=registry.renderers(),
        networks=registry.networks(),
        inline=registry.inline(),
        turns=registry.turns(settings),
    )
    runtime = Runtime(settings, migrated_engine, session_factory, service)
    with TestClient(create_app(runtime, simulator=True)) as test_client:
        yield test_client


class Call:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.sid: str | None = None
        self.turn: int | None = None

    def do(self, action: str, **fields: Any) -> dict[str, Any]:
        payload = {"phone": PHONE, "action": action, **fields}
        if action != "call":
            payload.update(call_sid=self.sid, turn=self.turn)
        response = self.client.post("/simulator/api/call", json=payload)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        self.sid, self.turn = answer["call_sid"], answer.get("turn")
        return answer

    @staticmethod
    def words(answer: dict[str, Any]) -> str:
        return "\n".join(said["text"] for said in answer["said"])


def test_a_call_shows_captions_and_takes_keys_and_speech(client: TestClient) -> None:
    call = Call(client)
    menu = call.do("call")
    assert menu["listens"] == "dtmf" and "Français : tape 1." in call.words(menu)
    dari = [said for said in menu["said"] if said["lang"] == "fa-AF"]
    assert dari and all(said["engine"] == "espeak-ng" and said["clip"] for said in dari)
    clip = client.get(dari[0]["clip"])
    assert clip.status_code == 200 and clip.headers["content-type"] in ("audio/x-gsm", "audio/wav")
    consent = call.do("press", digits="1")
    assert "pour réécouter" in call.words(consent)
    code = call.do("press", digits="1")  # no recording question on the simulator
    assert "code" in call.words(code)
    read_back = call.do("speak", text="passer")
    assert "Tu as dit : passer." in call.words(read_back)
    name = call.do("press", digits="1")
    assert "prénom" in call.words(name) and name["listens"] == "dtmf speech"
    call.do("speak", text="Amina")
    call.do("press", digits="1")
    silence = call.do("silence")
    assert "Je n'ai rien entendu." in call.words(silence)
    assert call.do("hangup")["hung_up"]
    with client.app.state.runtime.sessions() as session:  # type: ignore[attr-defined]
        document = session.scalar(select(Candidate.current_step))
        channels = session.scalars(select(ChannelIdentity.channel)).all()
        queued = session.scalars(select(Outbox)).all()
    assert document == "last_name" and channels == ["sim_voice"] and queued == []


@pytest.mark.parametrize(
    "payload",
    [
        {"phone": "+33612345678", "action": "call"},
        {"phone": PHONE, "action": "press", "call_sid": "CA" + "0" * 32, "turn": 1, "digits": "x"},
        {"phone": PHONE, "action": "dance", "call_sid": "CA" + "0" * 32, "turn": 1},
        {"phone": PHONE, "action": "press", "digits": "1"},
    ],
)
def test_bad_requests_are_refused(client: TestClient, payload: dict[str, Any]) -> None:
    assert client.post("/simulator/api/call", json=payload).status_code == 422


def test_the_page_offers_a_call(client: TestClient) -> None:
    page = client.get("/simulator").text
    assert 'id="new-call"' in page and "simulator_call.js" in page and 'class="keypad"' in page
