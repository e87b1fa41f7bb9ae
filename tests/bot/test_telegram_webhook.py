"""The Telegram webhook: real update JSON in, through the real app, service and database; the
replies delivered by the real outbox worker and python-telegram-bot to a fake Bot API."""

import io
import logging
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from telegram import Update

from bot.channels.telegram.updates import to_inbound
from bot.coach.accounts import create_coach
from bot.web.app import create_app
from conversations.events import ContactShared, TextReceived
from storage import Candidate, Invitation, Message, Outbox, new_id
from storage.models import Media
from tests.bot.fake_telegram import (
    CHAT_ID,
    Telegram,
    TelegramWebhooks,
    telegram_runtime,
    telegram_settings,
    update,
)
from tests.conversations.golden import GOLDEN_DIR, parse
from tests.web import TestClient

Sessions = sessionmaker[Session]


def _counts(sessions: Sessions) -> tuple[int, int]:
    with sessions() as session:
        messages = session.scalar(select(func.count()).select_from(Message)) or 0
        outbox = session.scalar(select(func.count()).select_from(Outbox)) or 0
    return messages, outbox


def _jpeg(width: int = 2000, height: int = 1500, *, orientation: int = 6) -> bytes:
    """A camera-like JPEG: EXIF with a GPS position and an orientation (6: turn 90°)."""
    image = Image.new("RGB", (width, height), (200, 120, 40))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (48.0, 56.0, 6.0)}  # GPS
    output = io.BytesIO()
    image.save(output, "JPEG", exif=exif.tobytes())
    return output.getvalue()


# to_inbound on real updates ---------------------------------------------------------------------
def _inbound(name: str, **changes: Any) -> Any:
    return to_inbound(Update.de_json(update(name, **changes), None))


def test_real_updates_become_the_engines_events() -> None:
    text = _inbound("text")
    assert text.inbound.channel == "telegram" and text.inbound.address == str(CHAT_ID)
    assert text.inbound.event == TextReceived("Bonjour", text.inbound.event.caps)
    assert text.inbound.event.caps.share_contact and not text.inbound.event.caps.knows_phone
    assert text.inbound.locale_hint is None  # "de": not a language of Tremplin
    contact = _inbound("contact").inbound
    assert isinstance(contact.event, ContactShared) and contact.event.phone == "33612345678"
    assert contact.locale_hint == "fr"
    photo = _inbound("photo")
    assert photo.fetch.kind == "photo" and photo.fetch.file_id.endswith("large")
    voice = _inbound("voice")
    assert voice.fetch.kind == "voice" and voice.fetch.content_type == "audio/ogg"
    assert _inbound("sticker").inbound.event.kind == "sticker"
    assert _inbound("location").inbound.event.kind == "location"
    assert _inbound("forwarded").inbound.event.kind == "forward"
    assert _inbound("start_payload").inbound.event.text == "/start T4821"
    assert _inbound("text", text="/help@TremplinCvBot").inbound.event.text == "help"
    assert _inbound("text", text="/cv").inbound.event.text == "view"
    assert _inbound("text", text="/edit").inbound.event.text == "edit"
    assert _inbound("text", language_code="fa").inbound.locale_hint == "fa_AF"
    assert _inbound("text", language_code="en-GB").inbound.locale_hint == "en"


@pytest.mark.parametrize(
    "name", ["edited_message", "channel_post", "group_message", "my_chat_member"]
)
def test_what_is_not_a_private_message_is_no_conversation(name: str) -> None:
    assert _inbound(name) is None


# The webhook -----------------------------------------------------------------------------------
@pytest.mark.parametrize("secret", ["", "wrong-secret", "webhook-secret-012345678"])
def test_a_wrong_secret_token_is_refused_and_nothing_is_stored(
    telegram: Telegram, session_factory: Sessions, secret: str
) -> None:
    response = telegram.webhooks.post(update("text"), secret=secret)
    assert response.status_code == 403
    assert _counts(session_factory) == (0, 0)


def test_without_telegram_settings_the_webhook_answers_503(session_factory: Sessions) -> None:
    runtime = telegram_runtime(session_factory, telegram_settings(telegram_bot_token=None))
    webhooks = TelegramWebhooks(TestClient(create_app(runtime)))
    assert webhooks.post(update("text")).status_code == 503
    assert _counts(session_factory) == (0, 0)


def test_a_body_that_is_no_update_is_a_bad_request(telegram: Telegram) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": "webhook-secret-0123456789"}
    client = telegram.webhooks.client
    assert client.post("/webhooks/telegram", content=b"{", headers=headers).status_code == 400
    assert client.post("/webhooks/telegram", json=[1, 2], headers=headers).status_code == 400
    assert client.get("/webhooks/telegram").status_code == 405


@pytest.mark.parametrize(
    "name", ["edited_message", "channel_post", "group_message", "my_chat_member"]
)
def test_other_updates_are_acknowledged_and_forgotten(
    telegram: Telegram, session_factory: Sessions, name: str
) -> None:
    assert telegram.post(update(name)) == 200
    assert _counts(session_factory) == (0, 0)
    assert telegram.api.called("sendMessage") == []


def test_a_duplicated_update_gets_one_reply(telegram: Telegram, session_factory: Sessions) -> None:
    first = update("text")
    assert telegram.post(first) == 200
    assert telegram.post(first) == 200
    assert len(telegram.api.sent()) == 1
    assert _counts(session_factory) == (2, 1)  # one in, one out


def test_choices_come_as_a_keyboard_and_a_pressed_button_is_its_number(
    telegram: Telegram,
) -> None:
    (menu,) = telegram.say("Bonjour")
    assert menu.startswith("Bonjour / Hello")
    keyboard = telegram.api.sent()[-1]["reply_markup"]["keyboard"]
    buttons = [button["text"] for row in keyboard for button in row]
    assert buttons[:2] == ["1. Français", "2. English"]
    replies = telegram.say("2. English")
    assert telegram.step() == "consent"
    assert "Welcome to Tremplin" in replies[-1]
    assert "no_parse_mode" not in telegram.api.sent()[-1]
    assert "parse_mode" not in telegram.api.sent()[-1]
    telegram.say("1")  # the number typed works too
    assert telegram.step() == "invite_code"
    assert telegram.api.sent()[-1]["reply_markup"] == {"remove_keyboard": True}


def test_start_with_an_invitation_links_the_coach_and_skips_the_language_menu(
    telegram: Telegram, session_factory: Sessions
) -> None:
    from storage import Coach

    with session_factory.begin() as session:
        coach = Coach(id=new_id(), email="c@example.org", name="Coach", password_hash="x")
        session.add(coach)
        session.flush()
        session.add(Invitation(code="T4821", coach_id=coach.id))
    assert telegram.post(update("start_payload")) == 200
    (first,) = telegram.api.texts()
    assert first.startswith("Pour changer de langue, envoie LANGUE.")  # how to change it
    assert "Bienvenue sur Tremplin" in first
    with session_factory() as session:
        candidate = session.scalars(select(Candidate)).one()
        assert candidate.coach_id == coach.id and candidate.locale == "fr"
    telegram.say("1")
    assert telegram.step() == "first_name"  # the invitation question is skipped
    # Later, /start asks the current question again and the payload is no answer.
    assert telegram.say("/start T4821")[-1] == "Quel est ton prénom ?"
    assert telegram.step() == "first_name"


def test_help_cv_and_edit_menu_commands(telegram: Telegram) -> None:
    telegram.say("/start", language_code="fr")
    telegram.say("1")
    telegram.say("passer")
    assert "Mots utiles" in "\n".join(telegram.say("/help"))
    assert telegram.say("/cv")[0].startswith("Ton CV :")
    edit = telegram.say("/edit")
    assert edit[-1].startswith("Que veux-tu modifier")
    assert len(telegram.api.sent()[-1]["reply_markup"]["keyboard"]) >= 3


def test_the_candidates_own_words_go_back_as_plain_text(telegram: Telegram) -> None:
    telegram.say("/start", language_code="fr")
    telegram.say("1")
    for text in ("passer", "Amina", "Diallo", "<b>Mon village</b> *_[x](y)"):
        telegram.say(text)
    replies = telegram.say("retour")
    assert any("<b>Mon village</b> *_[x](y)" in reply for reply in replies)
    assert all("parse_mode" not in sent for sent in telegram.api.sent())


def test_the_phone_question_has_the_contact_button_and_takes_a_shared_contact(
    telegram: Telegram, session_factory: Sessions
) -> None:
    for text in ("/start", "1", "passer", "Amina", "Diallo", "Lyon", "passer"):
        telegram.say(text, language_code="fr")
    assert telegram.step() == "phone"
    markup = telegram.api.sent()[-1]["reply_markup"]
    assert markup["keyboard"][0][0] == {"text": "Envoyer mon numéro", "request_contact": True}
    assert telegram.post(update("contact")) == 200
    assert telegram.step() == "checkpoint"  # part 1 is done
    with session_factory() as session:
        from storage import CvDraft

        draft = session.scalars(select(CvDraft)).one()
        assert draft.document["candidate"]["phone"] == "+33612345678"


TELEGRAM_PATH = parse(GOLDEN_DIR / "fr_telegram_caps.chat").inputs


def _to_photo_step(telegram: Telegram) -> None:
    """The golden Telegram conversation, by webhooks, up to the photo question (its coach's
    code T4821 is a real invitation here, as it is for the golden's candidate)."""
    with telegram.runtime.sessions.begin() as session:
        coach = create_coach(session, "coach@asso.example", "Coach", password="long enough pw")
        session.add(Invitation(code="T4821", coach_id=coach.id))
    for line in TELEGRAM_PATH[: TELEGRAM_PATH.index("@media voice")]:
        if line.startswith("@contact"):
            telegram.post(update("contact"))
        elif line.startswith("@media"):
            telegram.post(update("sticker"))
        else:
            telegram.say(line, language_code="fr")
    assert telegram.step() == "photo"


@pytest.mark.slow
def test_a_photo_at_the_photo_step_is_fetched_cleaned_and_put_on_the_draft(
    telegram: Telegram, session_factory: Sessions
) -> None:
    _to_photo_step(telegram)
    telegram.api.add_file("AgACAgQAAxkBAAMDZ1-large", _jpeg())
    assert telegram.post(update("photo")) == 200
    assert telegram.api.called("getFile") == [{"file_id": "AgACAgQAAxkBAAMDZ1-large"}]
    assert telegram.api.downloads == ["photos/file_1.jpg"]
    assert "Merci, ta photo est enregistrée." in telegram.api.texts()[-1]
    with session_factory() as session:
        from storage import CvDraft

        media = session.scalars(select(Media)).one()
        draft = session.scalars(select(CvDraft)).one()
    assert draft.document["cv"]["photo"] == {"ref": media.id}
    assert media.kind == "photo" and media.content_type == "image/jpeg"
    stored = Image.open(io.BytesIO(media.data))
    assert stored.format == "JPEG"
    assert (stored.width, stored.height) == (media.width, media.height) == (768, 1024)  # upright
    assert not stored.getexif()  # no GPS, no phone model
    assert media.size == len(media.data)


def test_a_photo_elsewhere_is_not_downloaded_and_gets_a_kind_answer(
    telegram: Telegram, session_factory: Sessions
) -> None:
    telegram.say("/start", language_code="fr")
    assert telegram.post(update("photo")) == 200
    assert telegram.api.called("getFile") == []
    assert telegram.api.texts()[-1].startswith("Je ne lis que le texte.")
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Media)) == 0


@pytest.mark.slow
@pytest.mark.parametrize("bad", ["too large", "not an image"])
def test_an_unusable_photo_is_refused_kindly(
    telegram: Telegram, session_factory: Sessions, bad: str
) -> None:
    _to_photo_step(telegram)
    data = update("photo")
    if bad == "too large":
        data["message"]["photo"][1]["file_size"] = 6 * 1024 * 1024
    else:
        telegram.api.add_file("AgACAgQAAxkBAAMDZ1-large", b"%PDF-1.4 not a photo")
    assert telegram.post(data) == 200
    assert telegram.api.texts()[-1].startswith("Je n'ai pas pu utiliser cette photo.")
    assert telegram.step() == "photo"
    assert bool(telegram.api.downloads) is (bad == "not an image")
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Media)) == 0


def test_a_voice_note_is_kept_for_the_coach_and_answered_kindly(
    telegram: Telegram, session_factory: Sessions
) -> None:
    telegram.say("/start", language_code="fr")
    telegram.say("1")
    telegram.api.add_file("AwACAgQAAxkBAAMFvoice", b"OggS voice", path="voice/file_2.oga")
    assert telegram.post(update("voice")) == 200
    reply = telegram.api.texts()[-1]
    assert reply.startswith("Merci, ton message vocal est gardé pour ton coach.")
    assert reply.endswith("Sinon envoie PASSER.")  # and the question again
    with session_factory() as session:
        media = session.scalars(select(Media)).one()
    assert (media.kind, media.content_type, media.data) == ("voice", "audio/ogg", b"OggS voice")


@pytest.mark.parametrize("name", ["sticker", "location", "forwarded"])
def test_stickers_locations_and_forwarded_messages_get_a_kind_reply(
    telegram: Telegram, name: str
) -> None:
    telegram.say("/start", language_code="fr")
    telegram.say("1")
    assert telegram.post(update(name)) == 200
    assert telegram.api.texts()[-1].startswith("Je ne lis que le texte.")
    assert telegram.step() == "invite_code"


def test_chat_ids_and_texts_are_not_logged_at_info_level(
    telegram: Telegram, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        telegram.say("Mon secret 0612345678")
    assert "0612345678" not in caplog.text and str(CHAT_ID) not in caplog.text
