"""The Twilio SMS webhooks: signed forms in, an empty TwiML answer out, the replies in the outbox.

Every request is signed by the twilio library itself over the *public* URL, and goes through the
real app, service and database (SQLite, and PostgreSQL when configured).
"""

import logging
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import RequestValidator

from bot.channels.sms.twilio import sms_enabled, to_inbound
from bot.web.app import create_app
from conversations.events import MediaReceived, TextReceived
from storage import CvDraft, Message, Outbox
from tests.bot.fake_twilio import (
    AUTH_TOKEN,
    FROM_NUMBER,
    PUBLIC_URL,
    SMS_SETTINGS,
    TestClient,
    Webhooks,
    sign,
    sms_runtime,
)
from tests.bot.same_cv import sms_and_console_cvs
from tests.conversations.golden import GOLDEN_DIR, parse

Sessions = sessionmaker[Session]
PHONE = "+33612345678"
SMS = "/webhooks/twilio/sms"
STATUS = "/webhooks/twilio/status"
SETTINGS = SMS_SETTINGS
HAPPY_PATH = parse(GOLDEN_DIR / "fr_happy_path.chat").inputs
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def client(session_factory: Sessions) -> TestClient:
    return TestClient(create_app(sms_runtime(session_factory)))


@pytest.fixture
def twilio(client: TestClient) -> Webhooks:
    return Webhooks(client)


def _counts(sessions: Sessions) -> tuple[int, int]:
    with sessions() as session:
        messages = session.scalar(select(func.count()).select_from(Message))
        outbox = session.scalar(select(func.count()).select_from(Outbox))
        return messages or 0, outbox or 0


def _replies(sessions: Sessions) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(Outbox.body).order_by(Outbox.id)))


def _form(body: str = "Bonjour", sid: str = "SM" + "a" * 32) -> dict[str, str]:
    return {"MessageSid": sid, "From": PHONE, "To": FROM_NUMBER, "Body": body, "NumMedia": "0"}


# to_inbound, a pure function ---------------------------------------------------------------------
def test_a_text_becomes_a_text_event_from_an_e164_number() -> None:
    inbound = to_inbound({"MessageSid": "SM1", "From": "+33 6 12 34 56 78", "Body": " Bonjour "})
    assert inbound.channel == "sms"
    assert inbound.address == PHONE
    assert inbound.event == TextReceived(" Bonjour ")
    assert inbound.external_id == "SM1"


def test_media_alone_becomes_a_media_event_of_its_main_type() -> None:
    form = {"From": PHONE, "Body": "", "NumMedia": "1", "MediaContentType0": "image/jpeg"}
    assert to_inbound(form).event == MediaReceived(kind="image")
    voice = {"From": PHONE, "NumMedia": "1", "MediaContentType0": "audio/amr"}
    assert to_inbound(voice).event == MediaReceived(kind="audio")
    assert to_inbound({"From": PHONE, "NumMedia": "2"}).event == MediaReceived(kind="media")


def test_text_wins_over_media_sent_with_it() -> None:
    form = {"From": PHONE, "Body": "Amina", "NumMedia": "1", "MediaContentType0": "image/png"}
    assert to_inbound(form).event == TextReceived("Amina")


@pytest.mark.parametrize("count", ["", "x", "-1", "0"])
def test_an_odd_media_count_means_no_media(count: str) -> None:
    assert to_inbound({"From": PHONE, "Body": "", "NumMedia": count}).event == TextReceived("")


def test_an_address_that_is_no_phone_number_is_kept_as_it_came() -> None:
    for sender in ("whatsapp:+33612345678", "36173", "TREMPLIN"):
        assert to_inbound({"From": sender, "Body": "hi"}).address == sender
    assert to_inbound({"From": PHONE, "Body": "hi"}).external_id is None


def test_a_form_without_sender_is_refused() -> None:
    with pytest.raises(ValueError, match="From"):
        to_inbound({"Body": "Bonjour"})


@pytest.mark.parametrize(
    ("changes", "enabled"),
    [
        ({}, True),
        ({"twilio_from": None, "twilio_messaging_service_sid": "MG" + "0" * 32}, True),
        ({"twilio_from": None}, False),
        ({"twilio_account_sid": None}, False),
        ({"twilio_auth_token": None}, False),
    ],
)
def test_sms_is_on_with_credentials_and_a_sender(changes: dict[str, Any], enabled: bool) -> None:
    assert sms_enabled(replace(SETTINGS, **changes)) is enabled


# The webhook -------------------------------------------------------------------------------------
def test_a_signed_sms_gets_an_empty_twiml_answer_and_its_reply_is_in_the_outbox(
    twilio: Webhooks, session_factory: Sessions
) -> None:
    response = twilio.text("Bonjour")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert response.text == '<?xml version="1.0" encoding="UTF-8"?><Response />'
    with session_factory() as session:
        rows = session.scalars(select(Outbox)).all()
        assert [(row.channel, row.address, row.status) for row in rows] == [
            ("sms", PHONE, "pending")
        ]
        assert rows[0].body.startswith("Bonjour / Hello")
        inbound = session.scalars(select(Message).where(Message.direction == "in")).one()
        assert inbound.external_id is not None and inbound.external_id.startswith("SM")


def test_the_signature_covers_the_query_string(client: TestClient) -> None:
    form = _form()
    path = SMS + "?tenant=est&x=1"
    headers = {"X-Twilio-Signature": sign(PUBLIC_URL + path, form)}
    assert client.post(path, data=form, headers=headers).status_code == 200


def test_the_signature_matches_with_a_port_twilio_may_add(client: TestClient) -> None:
    form = _form()
    headers = {"X-Twilio-Signature": sign("https://tremplin.example.org:443" + SMS, form)}
    assert client.post(SMS, data=form, headers=headers).status_code == 200


@pytest.mark.parametrize(
    "forgery",
    ["no signature", "another token", "the URL the app sees", "another path", "tampered body"],
)
def test_a_request_not_signed_by_twilio_is_refused_and_nothing_is_stored(
    client: TestClient, session_factory: Sessions, forgery: str
) -> None:
    form = _form("1")
    headers = {
        "no signature": {},
        "another token": {"X-Twilio-Signature": sign(PUBLIC_URL + SMS, form, "not-the-token")},
        # What request.url says behind the test client (or a proxy): not what Twilio signed.
        "the URL the app sees": {"X-Twilio-Signature": sign("http://testserver" + SMS, form)},
        "another path": {"X-Twilio-Signature": sign(PUBLIC_URL + STATUS, form)},
        "tampered body": {"X-Twilio-Signature": sign(PUBLIC_URL + SMS, _form("2"))},
    }[forgery]

    response = client.post(SMS, data=form, headers=headers)

    assert response.status_code == 403
    assert _counts(session_factory) == (0, 0)


def test_an_added_parameter_breaks_the_signature(client: TestClient) -> None:
    form = _form()
    headers = {"X-Twilio-Signature": sign(PUBLIC_URL + SMS, form)}
    assert client.post(SMS, data={**form, "Extra": "1"}, headers=headers).status_code == 403


def test_every_value_of_a_repeated_parameter_is_signed(client: TestClient) -> None:
    """Twilio signs each value of a repeated name; changing any one of them breaks the match."""
    pairs = [
        *_form().items(),
        ("MediaUrl", "https://a.example/1"),
        ("MediaUrl", "https://a.example/2"),
    ]
    signed = ImmutableMultiDict(pairs)  # the multi-dict the twilio library reads with getlist
    headers = {
        "X-Twilio-Signature": RequestValidator(AUTH_TOKEN).compute_signature(
            PUBLIC_URL + SMS, signed
        )
    }
    assert (
        client.post(SMS, content=urlencode(pairs), headers={**headers, **FORM}).status_code == 200
    )

    tampered = [*pairs[:-1], ("MediaUrl", "https://evil.example/2")]
    assert (
        client.post(SMS, content=urlencode(tampered), headers={**headers, **FORM}).status_code
        == 403
    )


def test_a_signed_json_body_is_not_a_form_and_is_refused(client: TestClient) -> None:
    form = _form()
    headers = {"X-Twilio-Signature": sign(PUBLIC_URL + SMS, form)}
    assert client.post(SMS, json=form, headers=headers).status_code == 403


def test_a_huge_request_is_refused(client: TestClient, session_factory: Sessions) -> None:
    form = _form("x" * 100_000)
    headers = {"X-Twilio-Signature": sign(PUBLIC_URL + SMS, form)}
    assert client.post(SMS, data=form, headers=headers).status_code == 413
    assert _counts(session_factory) == (0, 0)


def test_a_signed_form_without_sender_is_a_bad_request(client: TestClient) -> None:
    form = {"MessageSid": "SM1", "Body": "Bonjour"}
    headers = {"X-Twilio-Signature": sign(PUBLIC_URL + SMS, form)}
    assert client.post(SMS, data=form, headers=headers).status_code == 400


@pytest.mark.parametrize("missing", ["twilio_auth_token", "twilio_account_sid", "twilio_from"])
def test_without_sms_settings_the_webhooks_answer_503(
    session_factory: Sessions, missing: str
) -> None:
    unset: dict[str, Any] = {missing: None}
    settings = replace(SETTINGS, **unset)
    twilio = Webhooks(TestClient(create_app(sms_runtime(session_factory, settings))))

    assert twilio.text("Bonjour").status_code == 503
    assert twilio.status("SM" + "b" * 32, "delivered").status_code == 503
    assert _counts(session_factory) == (0, 0)


def test_a_retried_webhook_gets_the_same_answer_and_no_second_reply(
    twilio: Webhooks, session_factory: Sessions
) -> None:
    twilio.text("Bonjour")
    first = twilio.text("1", sid="SM" + "c" * 32)
    before = _counts(session_factory)

    again = twilio.text("1", sid="SM" + "c" * 32)

    assert (again.status_code, again.text) == (first.status_code, first.text)
    assert _counts(session_factory) == before


def test_a_photo_by_mms_gets_a_kind_text_only_answer(
    twilio: Webhooks, session_factory: Sessions
) -> None:
    twilio.text("Bonjour")
    media = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
    response = twilio.text("", NumMedia="1", MediaContentType0="image/jpeg", MediaUrl0=media)

    assert response.status_code == 200
    # Before a language is chosen the kind word comes in every language, then the menu again.
    *kind, menu = _replies(session_factory)[-2:]
    assert kind[0].startswith("Je ne lis que le texte.") and "Choisis ta langue" in menu


def test_an_empty_sms_is_answered(twilio: Webhooks, session_factory: Sessions) -> None:
    twilio.text("Bonjour")
    twilio.text("1")
    assert twilio.text("").status_code == 200
    assert _replies(session_factory)[-1].startswith("Je n'ai rien re")


def test_a_1600_character_sms_is_accepted_and_trimmed_with_a_notice(
    twilio: Webhooks, session_factory: Sessions
) -> None:
    for line in HAPPY_PATH[: HAPPY_PATH.index("aide en cuisine")]:
        twilio.text(line)
    long_title = ("plonge et mise en place " * 70)[:1600]

    assert twilio.text(long_title).status_code == 200

    kept = "C'est long : j'ai garde les 80 premiers signes, jusqu'a \"mise en place plonge\"."
    assert kept in _replies(session_factory)[-1]
    with session_factory() as session:
        title = session.scalars(select(CvDraft)).one().document["cv"]["experiences"][0]["title"]
        assert 0 < len(title["text"]) <= 80 and title["text"].startswith("plonge et mise")


def test_bodies_and_numbers_are_not_logged_at_info_level(
    twilio: Webhooks, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        twilio.text("Bonjour Amina 93200")
        twilio.status("SM" + "d" * 32, "delivered")
    assert caplog.records  # something is said…
    logged = caplog.text
    for private in ("Amina", "93200", PHONE, "612345678"):
        assert private not in logged  # …but not this


def test_a_status_callback_must_be_signed_too(client: TestClient) -> None:
    form = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    assert client.post(STATUS, data=form).status_code == 403
    headers = {"X-Twilio-Signature": sign(PUBLIC_URL + STATUS, form)}
    assert client.post(STATUS, data=form, headers=headers).status_code == 204


def test_only_post_is_routed(client: TestClient) -> None:
    assert client.get(SMS).status_code == 405


def test_a_whole_conversation_by_sms_gives_the_same_cv_as_the_terminal_phone(
    twilio: Webhooks, session_factory: Sessions
) -> None:
    for line in HAPPY_PATH:
        assert twilio.text(line, phone=PHONE).status_code == 200
    sms_cv, console_cv = sms_and_console_cvs(session_factory, PHONE, HAPPY_PATH)
    assert sms_cv["status"] == console_cv["status"] == "submitted"
    assert sms_cv["cv"] == console_cv["cv"]
    assert sms_cv["candidate"]["channels"] == [{"channel": "sms", "address": PHONE}]
