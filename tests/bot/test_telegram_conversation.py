"""Whole conversations over Telegram webhooks, as a new user lives them: the same CV as the
terminal phone (with a photo), and a CV started by SMS finished on Telegram (LINK)."""

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import registry
from bot.channels.console import CHANNEL as CONSOLE
from bot.channels.contract import Inbound
from bot.conversation.service import ConversationService
from bot.cv.document import cv_document
from bot.runtime.settings import Settings
from conversations.events import TextReceived
from conversations.flow import DEFAULT_FLOW
from storage import Candidate, ChannelIdentity, Outbox
from storage.models import LinkCode, Media
from tests.bot.conftest import Clock
from tests.bot.fake_telegram import CHAT_ID, FakeBotApi, Telegram, update
from tests.bot.test_telegram_webhook import _jpeg
from tests.conversations.golden import GOLDEN_DIR, parse

Sessions = sessionmaker[Session]
PHONE = "+33612345678"  # the number of contact.json
HAPPY_PATH = parse(GOLDEN_DIR / "fr_happy_path.chat").inputs
PHOTO_ID = "AgACAgQAAxkBAAMDZ1-large"


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi().running() as fake:
        fake.add_file(PHOTO_ID, _jpeg(1200, 900, orientation=1))
        yield fake


def _answer(telegram: Telegram, line: str) -> None:
    """Send one line of a transcript as a Telegram user would: the contact button at the phone
    question and a photo at the photo question first, and a number by its button when the last
    reply showed one."""
    if telegram.step() == "phone":
        assert telegram.post(update("contact", language_code=None)) == 200
    if telegram.step() == "photo":
        assert telegram.post(update("photo", language_code=None)) == 200
    sent = telegram.api.sent()
    keyboard = (sent[-1].get("reply_markup") or {}).get("keyboard", []) if sent else []
    buttons = [button["text"] for row in keyboard for button in row]
    pressed = next((text for text in buttons if text.startswith(f"{line}. ")), None)
    telegram.say(pressed or line, language_code=None)


def _console_cv(sessions: Sessions, inputs: list[str]) -> dict[str, Any]:
    console = ConversationService(sessions, DEFAULT_FLOW, renderers=registry.renderers())
    for line in inputs:
        console.handle(Inbound(CONSOLE, PHONE, TextReceived(line)))
    with sessions() as session:
        identity = session.scalars(
            select(ChannelIdentity).where(ChannelIdentity.channel == CONSOLE)
        ).one()
        return cv_document(session, identity.candidate, Settings())


def _telegram_candidate(sessions: Sessions) -> tuple[dict[str, Any], list[Media]]:
    with sessions() as session:
        identity = session.scalars(
            select(ChannelIdentity).where(ChannelIdentity.channel == "telegram")
        ).one()
        document = cv_document(session, identity.candidate, Settings())
        media = list(session.scalars(select(Media).where(Media.kind == "photo")))
        return document, media


def _without_photo(document: dict[str, Any]) -> dict[str, Any]:
    return {**document["cv"], "photo": None}


@pytest.mark.slow
def test_a_whole_conversation_by_telegram_gives_the_same_cv_as_the_terminal_phone(
    telegram: Telegram, session_factory: Sessions
) -> None:
    for line in HAPPY_PATH:
        _answer(telegram, line)
    assert telegram.api.texts()[-1].startswith("Bravo ! Ton CV est envoyé")
    by_telegram, photos = _telegram_candidate(session_factory)
    by_console = _console_cv(session_factory, HAPPY_PATH)
    assert by_telegram["status"] == by_console["status"] == "submitted"
    assert _without_photo(by_telegram) == _without_photo(by_console)
    assert by_telegram["candidate"]["phone"] == by_console["candidate"]["phone"] == PHONE
    (photo,) = photos
    assert by_telegram["cv"]["photo"] == {"ref": photo.id}
    assert by_telegram["candidate"]["channels"] == [
        {"channel": "telegram", "address": str(CHAT_ID)}
    ]
    assert all(len(text) <= 4096 for text in telegram.api.texts())


# One draft across channels ---------------------------------------------------------------------
def _by_sms(telegram: Telegram, lines: list[str]) -> None:
    for number, line in enumerate(lines):
        telegram.runtime.service.handle(
            Inbound("sms", PHONE, TextReceived(line), external_id=f"SM{number:032d}")
        )


def _sms_code(sessions: Sessions) -> str:
    with sessions() as session:
        bodies = list(
            session.scalars(
                select(Outbox.body).where(Outbox.channel == "sms", Outbox.address == PHONE)
            )
        )
    found = re.search(r"\b(\d{6})\b", bodies[-1])
    assert found is not None, bodies[-1]
    return found.group(1)


def _link_until_code(telegram: Telegram) -> None:
    telegram.say("/start", language_code="fr")
    asked = telegram.say("LIER")
    assert asked == [
        "Pour continuer ton CV commencé par SMS, envoie le numéro utilisé : appuie sur le bouton "
        "ou écris-le."
    ]
    button = telegram.api.sent()[-1]["reply_markup"]["keyboard"][0][0]
    assert button["request_contact"] is True
    assert telegram.post(update("contact")) == 200
    assert telegram.api.texts()[-1] == (
        "Si ce numéro a un CV, un code arrive par SMS. Écris ce code ici."
    )


@pytest.mark.slow
def test_a_candidate_started_by_sms_finishes_on_telegram_with_one_draft(
    telegram: Telegram, session_factory: Sessions
) -> None:
    by_sms = HAPPY_PATH[:8]  # language, consent, no code, name, town, e-mail: at the jobs
    _by_sms(telegram, by_sms)
    _link_until_code(telegram)
    code = _sms_code(session_factory)
    with session_factory() as session:
        (stored,) = session.scalars(select(LinkCode)).all()
        assert code not in stored.code_hash and len(stored.code_hash) == 64
    wrong = "000000" if code != "000000" else "111111"
    assert telegram.say(wrong) == [
        "Ce n'est pas le bon code. Vérifie le SMS et écris-le à nouveau."
    ]
    linked = telegram.say(f" {code} ")
    assert linked[0].startswith("C'est fait, tu retrouves ton CV ici ! On continue.")
    assert linked[0].endswith("Partie 1 sur 6 finie, c'est enregistré !")  # where SMS left it
    buttons = telegram.api.sent()[-1]["reply_markup"]["keyboard"]
    assert [b["text"] for row in buttons for b in row] == ["1. Continuer", "2. Plus tard"]
    with session_factory() as session:
        (candidate,) = session.scalars(select(Candidate)).all()  # the fresh one is gone
        channels = sorted(identity.channel for identity in candidate.identities)
        assert channels == ["sms", "telegram"]
    for line in HAPPY_PATH[len(by_sms) :]:
        _answer(telegram, line)
    assert telegram.api.texts()[-1].startswith("Bravo ! Ton CV est envoyé")
    by_console = _console_cv(session_factory, HAPPY_PATH)
    with session_factory() as session:
        candidates = session.scalars(select(Candidate).where(Candidate.status == "submitted"))
        linked_candidate = next(c for c in candidates if len(c.identities) == 2)
        document = cv_document(session, linked_candidate, Settings())
        photo = session.scalars(select(Media)).one()
    assert _without_photo(document) == _without_photo(by_console)
    assert document["cv"]["photo"] == {"ref": photo.id}
    assert document["candidate"]["phone"] == PHONE


def test_a_code_expires_after_ten_minutes(
    telegram: Telegram, session_factory: Sessions, clock: Clock
) -> None:
    _by_sms(telegram, HAPPY_PATH[:4])
    _link_until_code(telegram)
    code = _sms_code(session_factory)
    clock.now += timedelta(minutes=10)
    replies = telegram.say(code)
    assert replies[0].startswith(
        "Ce code n'est plus valable. Envoie LIER pour en avoir un nouveau."
    )
    assert replies[0].endswith("Tu es d'accord ?")  # and the chat's own question again
    with session_factory() as session:
        assert len(session.scalars(select(Candidate)).all()) == 2  # nothing was joined


def test_a_code_allows_five_tries(telegram: Telegram, session_factory: Sessions) -> None:
    _by_sms(telegram, HAPPY_PATH[:4])
    _link_until_code(telegram)
    code = _sms_code(session_factory)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        assert telegram.say(wrong)[0].startswith("Ce n'est pas le bon code.")
    assert telegram.say(wrong)[0].startswith("Ce code n'est plus valable.")
    telegram.say(code)  # too late: the linking is over, this is an answer to the chat's question
    with session_factory() as session:
        assert len(session.scalars(select(Candidate)).all()) == 2


def test_an_unknown_number_learns_nothing_and_gets_no_sms(
    telegram: Telegram, session_factory: Sessions
) -> None:
    _link_until_code(telegram)  # no SMS candidate has this number
    with session_factory() as session:
        assert session.scalars(select(Outbox).where(Outbox.channel == "sms")).all() == []
    assert telegram.say("123456")[0].startswith("Ce code n'est plus valable.")


def test_a_command_leaves_the_linking(telegram: Telegram) -> None:
    telegram.say("/start", language_code="fr")
    telegram.say("LINK")
    replies = telegram.say("/help")
    assert any("Mots utiles" in reply for reply in replies)
    assert telegram.step() == "consent"
    assert telegram.say("1")[-1].startswith("As-tu un code donné par un coach ?")


def test_link_by_sms_says_where_to_send_it(telegram: Telegram) -> None:
    _by_sms(telegram, HAPPY_PATH[:2])
    handled = telegram.runtime.service.handle(Inbound("sms", PHONE, TextReceived("LIER")))
    assert handled.replies[0].text.startswith("LIER sert à continuer sur Telegram")


def test_a_candidate_started_on_whatsapp_links_telegram_by_the_same_number(
    telegram: Telegram, session_factory: Sessions
) -> None:
    for number, line in enumerate(HAPPY_PATH[:8]):
        telegram.runtime.service.handle(
            Inbound("whatsapp", PHONE, TextReceived(line), external_id=f"SM{number:032d}")
        )
    _link_until_code(telegram)
    code = _sms_code(session_factory)  # by SMS to the same number: every phone receives it
    linked = telegram.say(code)
    assert linked[0].startswith("C'est fait, tu retrouves ton CV ici ! On continue.")
    with session_factory() as session:
        (candidate,) = session.scalars(select(Candidate)).all()
        assert sorted(identity.channel for identity in candidate.identities) == [
            "telegram",
            "whatsapp",
        ]
