"""The phone simulator's page and API, through the real app, service and database."""

from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import registry
from bot.channels.simulator import CHANNEL, display_number, is_fictional_number
from bot.channels.text import measure, to_gsm7
from bot.conversation.service import ConversationService
from bot.i18n import RTL_LOCALES, available_locales, lexicon, text_direction
from bot.runtime.root import Runtime
from bot.runtime.settings import Settings
from bot.web.app import create_app
from conversations.flow import DEFAULT_FLOW, build_flow
from conversations.questions import Flow
from conversations.vocabulary.lists import SUPPORTED_LOCALES
from storage import ChannelIdentity, Outbox
from tests.web import TestClient

PHONE = "+33639981234"
OTHER_PHONE = "+33639985678"


@cache
def _flow() -> Flow:
    """The flow ``tremplin serve`` runs: every complete catalog offered, as in production."""
    locales = available_locales()
    return build_flow(locales, lexicon(locales))


@pytest.fixture
def client(migrated_engine: Engine, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    settings = Settings(database_url=migrated_engine.url.render_as_string(hide_password=False))
    service = ConversationService(session_factory, _flow(), renderers=registry.renderers())
    runtime = Runtime(settings, migrated_engine, session_factory, service)
    with TestClient(create_app(runtime, simulator=True)) as test_client:
        yield test_client


def _answer(client: TestClient, text: str, phone: str = PHONE) -> dict[str, Any]:
    response = client.post("/simulator/api/send", json={"phone": phone, "text": text})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _send(client: TestClient, text: str, phone: str = PHONE) -> list[dict[str, object]]:
    messages: list[dict[str, object]] = _answer(client, text, phone)["messages"]
    return messages


def test_the_page_renders_a_french_phone_with_its_assets(client: TestClient) -> None:
    response = client.get("/simulator")
    assert response.status_code == 200
    page = response.text
    assert '<html lang="fr">' in page
    assert "+ Nouveau téléphone" in page and "Envoyer" in page and "Numéro" in page
    assert "vrai parcours" in page and "enregistrées" in page
    assert "script-src 'self'" in response.headers["content-security-policy"]
    for asset in ("simulator.css", "simulator.js"):
        path = page.split(f"/simulator/static/{asset}", 1)[1].split('"', 1)[0]
        served = client.get(f"/simulator/static/{asset}{path}")
        assert served.status_code == 200 and served.content
    assert ".innerHTML" not in client.get("/simulator/static/simulator.js").text


def test_without_the_flag_there_is_no_simulator(migrated_engine: Engine) -> None:
    sessions: sessionmaker[Session] = sessionmaker(bind=migrated_engine)
    runtime = Runtime(
        Settings(),
        migrated_engine,
        sessions,
        ConversationService(sessions, DEFAULT_FLOW, renderers=registry.renderers()),
    )
    with TestClient(create_app(runtime)) as test_client:
        assert test_client.get("/simulator").status_code == 404


def test_bonjour_brings_the_language_menu_with_its_sms_cost(client: TestClient) -> None:
    [menu] = _send(client, "Bonjour")
    assert menu["step"] == "language"
    assert "Choisis ta langue" in str(menu["text"]) and "\n1 " in str(menu["text"])
    # GSM-7 while the menu offers Latin-script languages only; UCS-2 once it mixes scripts.
    info = measure(str(menu["text"]))
    assert (menu["encoding"], menu["segments"]) == (info.encoding, info.segments)
    assert menu["encoding"] in ("GSM-7", "UCS-2") and int(str(menu["segments"])) >= 1
    answered = _send(client, "1")
    assert answered[-1]["step"] == "consent"
    # Accents only where free (bot/channels/sms/render.py); consent ≤ 3 segments.
    for message in answered:
        gsm7 = measure(to_gsm7(str(message["text"])))
        assert int(str(message["segments"])) <= gsm7.segments, message
        assert 1 <= int(str(message["segments"])) <= 3


def test_two_phones_have_independent_conversations(client: TestClient) -> None:
    _send(client, "Bonjour", PHONE)
    assert _send(client, "1", PHONE)[-1]["step"] == "consent"
    [other] = _send(client, "Bonjour", OTHER_PHONE)
    assert other["step"] == "language"
    assert _send(client, "1", OTHER_PHONE)[-1]["step"] == "consent"
    assert _send(client, "1", PHONE)[-1]["step"] != "consent"


def test_new_phones_get_distinct_fictional_numbers(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    numbers = set()
    for _ in range(5):
        response = client.post("/simulator/api/phones")
        assert response.status_code == 201
        created = response.json()
        assert is_fictional_number(created["phone"])
        assert created["display"] == display_number(created["phone"])
        numbers.add(created["phone"])
        _send(client, "Bonjour", created["phone"])
    assert len(numbers) == 5
    with session_factory() as session:
        stored = session.scalars(
            select(ChannelIdentity.address).where(ChannelIdentity.channel == CHANNEL)
        ).all()
    assert set(stored) == numbers
    assert display_number("+33639981234") == "+33 6 39 98 12 34"


def test_a_cross_origin_request_is_refused(client: TestClient) -> None:
    evil = {"Origin": "https://evil.example"}
    body = {"phone": PHONE, "text": "Bonjour"}
    assert client.post("/simulator/api/send", json=body, headers=evil).status_code == 403
    cross_site = {"Sec-Fetch-Site": "cross-site"}
    assert client.post("/simulator/api/send", json=body, headers=cross_site).status_code == 403
    assert client.post("/simulator/api/phones", headers=evil).status_code == 403
    assert (
        client.get("/simulator/api/poll", params={"phone": PHONE}, headers=evil).status_code == 403
    )
    # Nothing was handled: the first same-origin message still gets the language menu.
    same = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    response = client.post("/simulator/api/send", json=body, headers=same)
    assert response.status_code == 200
    assert response.json()["messages"][0]["step"] == "language"
    # Behind a proxy the browser's origin is TREMPLIN_PUBLIC_URL's, not the one the app sees.
    public = {"Origin": "http://127.0.0.1:8000"}
    assert client.post("/simulator/api/send", json=body, headers=public).status_code == 200


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"phone": "+33612345678", "text": "Bonjour"}, 422),  # a real range: never stored here
        ({"phone": PHONE, "text": "   "}, 422),
        ({"phone": PHONE, "text": "x" * 1601}, 422),
        ({"phone": PHONE}, 422),
        (["not", "an", "object"], 422),
    ],
)
def test_bad_sends_are_refused(client: TestClient, payload: object, status: int) -> None:
    assert client.post("/simulator/api/send", json=payload).status_code == status


def test_send_takes_json_only(client: TestClient) -> None:
    form = client.post("/simulator/api/send", data={"phone": PHONE, "text": "Bonjour"})
    assert form.status_code == 415
    broken = client.post(
        "/simulator/api/send", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400


def test_poll_returns_a_message_queued_by_someone_else_once(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    _send(client, "Bonjour")
    assert client.get("/simulator/api/poll", params={"phone": PHONE}).json()["messages"] == []
    with session_factory.begin() as session:
        candidate_id = session.scalars(
            select(ChannelIdentity.candidate_id).where(
                ChannelIdentity.channel == CHANNEL, ChannelIdentity.address == PHONE
            )
        ).one()
        session.add(
            Outbox(
                candidate_id=candidate_id,
                channel=CHANNEL,
                address=PHONE,
                body="Ton coach : ajoute ton experience au marche, c'est important.",
            )
        )
    response = client.get("/simulator/api/poll", params={"phone": PHONE})
    assert response.status_code == 200
    [message] = response.json()["messages"]
    assert message["text"].startswith("Ton coach")
    assert message["encoding"] == "GSM-7" and message["segments"] == 1
    assert message["step"] is None
    assert client.get("/simulator/api/poll", params={"phone": PHONE}).json()["messages"] == []
    assert client.get("/simulator/api/poll", params={"phone": OTHER_PHONE}).json() == {
        "phone": OTHER_PHONE,
        "messages": [],
        "locale": None,  # nobody has texted from it: no conversation, no language yet
        "dir": "ltr",
    }
    assert client.get("/simulator/api/poll", params={"phone": "12"}).status_code == 422


def test_a_dari_conversation_is_laid_out_right_to_left(client: TestClient) -> None:
    menu = _answer(client, "سلام")
    assert menu["messages"][0]["step"] == "language"
    assert menu["dir"] == "ltr"  # no language chosen yet
    chosen = _answer(client, "2")  # Dari, second in the menu narrowed to Arabic script
    assert (chosen["locale"], chosen["dir"]) == ("fa_AF", "rtl")
    assert chosen["messages"][-1]["step"] == "consent"
    polled = client.get("/simulator/api/poll", params={"phone": PHONE}).json()
    assert (polled["messages"], polled["locale"], polled["dir"]) == ([], "fa_AF", "rtl")


def test_a_french_conversation_stays_left_to_right(client: TestClient) -> None:
    _answer(client, "Bonjour")
    chosen = _answer(client, "1")
    assert (chosen["locale"], chosen["dir"]) == ("fr", "ltr")


def test_the_right_to_left_locales_are_those_in_arabic_script() -> None:
    assert frozenset({"ar", "fa_AF", "ps"}) == RTL_LOCALES
    assert set(SUPPORTED_LOCALES) >= RTL_LOCALES
    assert [text_direction(locale) for locale in SUPPORTED_LOCALES] == [
        "ltr",
        "ltr",
        "rtl",
        "rtl",
        "rtl",
        "ltr",
        "ltr",
    ]
    assert text_direction(None) == "ltr"


def test_the_home_page_links_to_the_simulator_and_the_languages(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'href="/simulator"' in page.text and 'href="/locales"' in page.text
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}
