"""WhatsApp through Twilio, end to end on a fake Twilio: signed webhooks in, the outbox worker and
the real twilio client out, the 24-hour window, templates, fallbacks and provider errors.

Every webhook is signed by the twilio library over the public URL and goes through the real app,
service and database (SQLite, and PostgreSQL when configured); every send goes through the real
twilio REST client to ``FakeTwilioApi``.
"""

import io
import json
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from bot.channels.whatsapp.twilio import to_inbound
from bot.web.app import create_app
from conversations.events import MediaReceived, TextReceived
from conversations.outputs import Output, Raw, Say, msg
from storage import AuditEvent, Candidate, ChannelIdentity, CvDraft, Message
from storage.models import Media
from tests.bot.fake_twilio import (
    SMS_SETTINGS,
    WHATSAPP_NUMBER,
    FakeTwilioApi,
    Reply,
    TestClient,
    Webhooks,
    sms_runtime,
)
from tests.bot.whatsapp_world import (
    PHONE,
    T0,
    Sessions,
    World,
    fake,
    make_world,
)
from tests.conversations.golden import GOLDEN_DIR, parse

UK_ANSWERS = parse(GOLDEN_DIR / "uk_same_cv.chat").inputs
__all__ = ["fake"]  # the fixture, used by this module's tests


@pytest.fixture
def world(session_factory: Sessions, fake: FakeTwilioApi) -> World:
    return make_world(session_factory, fake)


def _whatsapp(world: World, *answers: str) -> None:
    for answer in answers:
        assert world.twilio.whatsapp(answer).status_code == 200


def _sms(world: World, *answers: str) -> None:
    for answer in answers:
        assert world.twilio.text(answer).status_code == 200


def _step(world: World) -> str | None:
    with world.runtime.sessions() as session:
        return session.scalar(select(Candidate.current_step))


# to_inbound, a pure function --------------------------------------------------------------------
def test_the_whatsapp_address_is_the_bare_number_shared_with_sms() -> None:
    inbound, fetch = to_inbound(
        {"From": "whatsapp:+33 6 12 34 56 78", "Body": "Привіт", "MessageSid": "SM1"}
    )
    assert inbound.channel == "whatsapp" and inbound.address == PHONE
    assert isinstance(inbound.event, TextReceived) and inbound.event.text == "Привіт"
    assert inbound.event.caps.buttons and inbound.event.caps.send_photo and fetch is None


def test_a_pressed_button_or_list_row_is_the_number_it_stands_for() -> None:
    button, _ = to_inbound({"From": "whatsapp:" + PHONE, "Body": "Так", "ButtonPayload": "1"})
    row, _ = to_inbound({"From": "whatsapp:" + PHONE, "Body": "Кухар", "ListId": "3"})
    assert button.event == TextReceived("1", button.event.caps)
    assert isinstance(row.event, TextReceived) and row.event.text == "3"


def test_a_photo_and_a_voice_note_name_the_file_to_fetch() -> None:
    form = {"From": "whatsapp:" + PHONE, "Body": "", "NumMedia": "1"}
    photo, fetch = to_inbound({**form, "MediaContentType0": "image/jpeg", "MediaUrl0": "u"})
    voice, heard = to_inbound({**form, "MediaContentType0": "audio/ogg", "MediaUrl0": "v"})
    assert isinstance(photo.event, MediaReceived) and fetch is not None and fetch.kind == "photo"
    assert voice.event == MediaReceived("voice", voice.event.caps)
    assert heard is not None and heard.kind == "voice"


@pytest.mark.parametrize("sender", ["", "+33612345678", "whatsapp:", "whatsapp:+33\x00"])
def test_a_form_no_whatsapp_message_makes_is_refused(sender: str) -> None:
    with pytest.raises(ValueError, match=r"not a WhatsApp address|not an address"):
        to_inbound({"From": sender, "Body": "x"})


# Webhook ------------------------------------------------------------------------------------------
def test_unsigned_or_forged_requests_are_refused_and_store_nothing(world: World) -> None:
    client = world.twilio.client
    form = {"From": "whatsapp:" + PHONE, "Body": "Привіт", "MessageSid": "SM" + "a" * 32}
    assert client.post("/webhooks/twilio/whatsapp", data=form).status_code == 403
    forged = {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}
    assert client.post("/webhooks/twilio/whatsapp", data=form, headers=forged).status_code == 403
    status = {"MessageSid": "SM" + "b" * 32, "MessageStatus": "failed", "ErrorCode": "63016"}
    assert client.post("/webhooks/twilio/whatsapp/status", data=status).status_code == 403
    with world.runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 0


def test_without_settings_whatsapp_is_off_and_says_so(session_factory: Sessions) -> None:
    client = TestClient(create_app(sms_runtime(session_factory, SMS_SETTINGS)))
    answer = Webhooks(client).whatsapp("Привіт")
    assert answer.status_code == 503 and "WhatsApp is not configured" in answer.text


def test_a_retried_delivery_of_one_message_is_handled_once(world: World) -> None:
    for _ in range(3):
        assert world.twilio.whatsapp("Привіт", sid="SM" + "c" * 32).status_code == 200
    with world.runtime.sessions() as session:
        inbound = session.scalar(
            select(func.count()).select_from(Message).where(Message.direction == "in")
        )
    assert inbound == 1 and len(world.rows()) == 1  # one language menu, queued once


def test_replies_go_from_the_whatsapp_number_through_the_outbox(world: World) -> None:
    _whatsapp(world, "Привіт")
    assert world.fake.sent == []  # nothing inline: the worker sends
    (menu,) = world.deliver()
    assert menu.to == "whatsapp:" + PHONE and menu.from_ == "whatsapp:" + WHATSAPP_NUMBER
    assert menu.status_callback == "https://tremplin.example.org/webhooks/twilio/whatsapp/status"
    # The menu for Cyrillic script: Ukrainian, French, English, as three buttons.
    assert menu.content_sid == "HXbuttons3"
    assert json.loads(menu.content_variables or "{}")["2"] == "Українська"


def test_choices_go_as_buttons_through_their_content_template(world: World) -> None:
    _whatsapp(world, "Привіт", "1")  # Ukrainian
    sent = world.deliver()
    consent = sent[-1]
    assert consent.content_sid == "HXbuttons2"
    variables = json.loads(consent.content_variables or "{}")
    assert variables["2"] and variables["3"] and "?" in variables["1"]
    assert "\u200f" not in variables["2"]
    _whatsapp(world, "1")  # "1" typed, as a button press sends it
    assert _step(world) == "invite_code"


def test_without_a_content_sid_the_buttons_go_as_numbered_text(
    session_factory: Sessions, fake: FakeTwilioApi
) -> None:
    world = make_world(session_factory, fake, twilio_whatsapp_content_sids=())
    _whatsapp(world, "Привіт", "1")
    consent = world.deliver()[-1]
    assert consent.content_sid is None and "1 " in consent.body and "2 " in consent.body


# One person, one draft ---------------------------------------------------------------------------
def test_a_draft_started_by_sms_goes_on_over_whatsapp_and_back(world: World) -> None:
    half = len(UK_ANSWERS) // 2
    _sms(world, *UK_ANSWERS[:4])
    _whatsapp(world, *UK_ANSWERS[4:half])
    _sms(world, *UK_ANSWERS[half:])
    with world.runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Candidate)) == 1
        channels = sorted(session.scalars(select(ChannelIdentity.channel)))
        draft = session.scalars(select(CvDraft)).one()
        status = session.scalar(select(Candidate.status))
    assert channels == ["sms", "whatsapp"]
    assert status == "submitted"
    assert draft.document["candidate"]["first_name"] == "Amina"


# The 24-hour window -------------------------------------------------------------------------------
def _started_in_ukrainian(world: World) -> None:
    _whatsapp(world, "Привіт", "1", "1", "ПРОПУСТИТИ", "Олена")
    world.deliver()


def test_a_reminder_outside_the_window_goes_as_the_locales_template(world: World) -> None:
    _started_in_ukrainian(world)
    world.clock.now += timedelta(hours=30)
    assert world.remind() == 0  # the window closed, and the first reminder waits for two days
    world.clock.now = T0 + timedelta(days=2, minutes=1)
    assert world.remind() == 1
    (reminder,) = world.deliver()
    assert reminder.content_sid == "HXremindernameduk"
    assert json.loads(reminder.content_variables or "{}") == {"1": "Олена"}


def test_a_coachs_words_outside_the_window_wait_behind_the_notice(world: World) -> None:
    _started_in_ukrainian(world)
    world.clock.now += timedelta(hours=25)
    with world.runtime.sessions.begin() as session:
        candidate_id = session.scalars(select(Candidate.id)).one()
        queued = world.runtime.courier.queue(
            session.connection(),
            candidate_id,
            _coach_outputs(),
            "uk",
            "coach",  # type: ignore[arg-type]
            now=world.clock.now,
        )
    assert (queued.count, queued.held) == (1, 1)
    (notice,) = world.deliver()
    assert notice.content_sid == "HXcoachuk"
    held = [row for row in world.rows() if row.status == "held"]
    assert len(held) == 1 and held[0].last_error == "waiting_answer"
    _whatsapp(world, "ВІТАЮ")  # the notice's answer: the window opens, the words go
    (words,) = world.deliver()
    assert "Напишіть більше про досвід." in words.body  # the coach's words, as queued
    assert [row.status for row in world.rows()].count("held") == 0
    assert world.rows()[-1].body == words.body  # the greeting was not taken as an answer


def _coach_outputs() -> list[Output]:
    return [Say(msg("coach_changes", comment=Raw("Напишіть більше про досвід.")))]


def test_without_a_template_in_the_language_sms_takes_over(
    session_factory: Sessions, fake: FakeTwilioApi
) -> None:
    world = make_world(session_factory, fake)
    _whatsapp(world, "سلام", "3")  # Pashto: WhatsApp has no template language for it
    _whatsapp(world, "1", "تېر", "Gul")
    world.deliver()
    world.clock.now = T0 + timedelta(days=2, minutes=1)
    assert world.remind() == 1
    (reminder,) = world.deliver()
    assert reminder.to == PHONE and reminder.from_ == "+33757000001"  # an SMS
    with world.runtime.sessions() as session:
        fallback = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "delivery_fallback")
        ).one()
    assert fallback.detail == {
        "from": "whatsapp",
        "to": "sms",
        "reason": "window_closed:no_template_language:ps",
    }


def test_without_sms_either_the_message_is_held_with_its_reason(
    session_factory: Sessions, fake: FakeTwilioApi
) -> None:
    world = make_world(session_factory, fake, twilio_from=None)
    _whatsapp(world, "سلام", "3", "1", "تېر", "Gul")
    world.deliver()
    world.clock.now = T0 + timedelta(days=2, minutes=1)
    assert world.remind() == 1
    assert world.deliver() == []
    held = world.rows()[-1]
    assert held.status == "held" and held.last_error == "window_closed:no_template_language:ps"
    _whatsapp(world, "سلام")  # they write: the window opens and the reminder goes at last
    assert any("Tremplin" in sent.body for sent in world.deliver())


# Provider errors ----------------------------------------------------------------------------------
def test_error_63016_at_send_sends_the_notice_and_holds_the_reply(world: World) -> None:
    _whatsapp(world, "Привіт", "1")
    world.fake.script(Reply(400, 63016))
    world.deliver()
    rows = world.rows()
    assert [row.status for row in rows].count("held") >= 1
    assert any(
        (row.payload or {}).get("template", {}).get("name") == "tremplin_coach_message"
        for row in rows
    )


def test_63016_in_a_status_callback_takes_the_same_path(world: World) -> None:
    _started_in_ukrainian(world)
    last = world.fake.sent[-1]
    assert last.sid is not None
    assert world.twilio.whatsapp_status(last.sid, "failed", error_code="63016").status_code == 204
    statuses = [row.status for row in world.rows()]
    assert "held" in statuses
    (notice,) = world.deliver()
    assert notice.content_sid == "HXcoachuk"


def test_not_a_whatsapp_user_falls_back_to_sms_and_marks_the_channel(world: World) -> None:
    _sms(world, "Привіт")
    world.deliver()
    _whatsapp(world, "1")
    world.fake.script(Reply(400, 63003), Reply(400, 63003))
    sent = world.deliver()
    assert sent and all(message.from_ == "+33757000001" for message in sent)
    with world.runtime.sessions() as session:
        whatsapp = session.scalars(
            select(ChannelIdentity).where(ChannelIdentity.channel == "whatsapp")
        ).one()
    assert whatsapp.unusable_reason and "63003" in whatsapp.unusable_reason


def test_error_21610_stops_every_send_on_every_channel(world: World) -> None:
    _sms(world, "Привіт")
    _whatsapp(world, "1")
    world.fake.script(Reply(400, 21610))
    world.deliver()
    world.clock.now = T0 + timedelta(days=2, minutes=1)
    world.remind()
    assert world.deliver() == []
    with world.runtime.sessions() as session:
        assert session.scalar(select(Candidate.opted_out)) is True


def test_stop_on_whatsapp_stops_sms_too(world: World) -> None:
    _sms(world, "Привіт", "1", "1")
    _whatsapp(world, "СТОП")
    world.deliver()
    world.clock.now = T0 + timedelta(days=3)
    assert world.remind() == 0
    _sms(world, "ПРОПУСТИТИ")  # no START: nothing is answered
    assert world.deliver() == []


def test_error_63018_is_retried_after_a_wait(world: World) -> None:
    _whatsapp(world, "Привіт")
    world.fake.script(Reply(429, 63018))
    assert world.deliver() == []
    row = world.rows()[-1]
    assert row.status == "pending" and row.last_error and "63018" in row.last_error
    world.clock.now += timedelta(minutes=1)
    assert len(world.deliver()) == 1


# Media --------------------------------------------------------------------------------------------
def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (640, 480), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def _to_photo_step(world: World) -> None:
    for answer in UK_ANSWERS:
        if _step(world) == "photo":
            return
        _whatsapp(world, answer)
    raise AssertionError("the photo question never came")


def test_a_photo_becomes_the_cv_photo_without_its_exif(world: World) -> None:
    _to_photo_step(world)
    url = world.fake.hold_media("image/jpeg", _jpeg_with_gps())
    sent = world.twilio.whatsapp("", NumMedia="1", MediaContentType0="image/jpeg", MediaUrl0=url)
    assert sent.status_code == 200
    with world.runtime.sessions() as session:
        photo = session.scalars(select(Media)).one()
        draft = session.scalars(select(CvDraft)).one()
    assert draft.document["cv"]["photo"] == {"ref": photo.id}
    stored = Image.open(io.BytesIO(photo.data))
    assert stored.format == "JPEG" and not stored.getexif()
    assert world.fake.media_requests  # fetched with the account's credentials (the fake checks)


def test_a_media_url_outside_twilio_is_never_fetched(world: World) -> None:
    _to_photo_step(world)
    sent = world.twilio.whatsapp(
        "", NumMedia="1", MediaContentType0="image/jpeg", MediaUrl0="http://169.254.169.254/x"
    )
    assert sent.status_code == 200 and _step(world) == "photo"
    with world.runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Media)) == 0


def test_a_voice_note_is_kept_for_the_coach_with_the_polite_reply(world: World) -> None:
    _started_in_ukrainian(world)
    url = world.fake.hold_media("audio/ogg", b"OggS" + b"\x00" * 100)
    world.twilio.whatsapp("", NumMedia="1", MediaContentType0="audio/ogg", MediaUrl0=url)
    with world.runtime.sessions() as session:
        voice = session.scalars(select(Media)).one()
    assert voice.kind == "voice"
    reply = world.deliver()[0]
    assert "голосов" in reply.body.lower()
