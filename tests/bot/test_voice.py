"""Phone calls through fake Twilio Voice requests: keypad and speech, read-back, silence, wrong
keys, hang-up and call-back, languages without a Twilio voice, signatures, retries, recording.
Every TwiML answer is checked against TwiML's grammar (tests/bot/voice_world.py)."""

from typing import Any

from sqlalchemy import func, select

from bot.channels.voice.clips import CLIP_NAME
from storage import Candidate, CvDraft, Message, Outbox, VoiceAnswer, VoiceCall
from tests.bot.fake_twilio import sign
from tests.bot.voice_world import (
    PHONE,
    Caller,
    Heard,
    VoiceWorld,
    make_voice_world,
    world,
)
from tests.bot.whatsapp_world import fake

__all__ = ["fake", "world"]  # the fixtures

# What a caller says at each free question; choice questions get a key (KEYS, else 1).
SAY = {
    "invite_code": "passer",
    "first_name": "Amina",
    "last_name": "Haidari",
    "location": "Lyon",
    "email": "passer",
    "target_jobs": "cuisine",
    "availability": "1",
    "experience_title": "aide cuisinière",
    "experience_employer": "restaurant Le Zinc",
    "experience_location": "Kaboul",
    "experience_dates": "2019-2021",
    "experience_description": "passer",
    "interests": "football",
    "story": "Je suis arrivée en France en 2023 et je veux travailler en cuisine.",
    "catchphrase": "passer",
}
KEYS = {"target_jobs_more": "2", "experience_more": "2", "has_training": "2"}
READ_BACK_AS = {"2019-2021": "2019–2021"}  # a date, as French says it (CLDR's range)


def step(world: VoiceWorld) -> str | None:
    with world.runtime.sessions() as session:
        return session.scalar(select(Candidate.current_step))


def draft(world: VoiceWorld) -> dict[str, Any]:
    with world.runtime.sessions() as session:
        document: dict[str, Any] = session.scalars(select(CvDraft.document)).one()
        return document


def refuse_recording(world: VoiceWorld, caller: Caller, heard: Heard) -> Heard:
    """Answer 2 if the call asks whether it may be recorded (once a call, after the consent)."""
    with world.runtime.sessions() as session:
        state = session.scalar(select(VoiceCall.state).where(VoiceCall.call_sid == caller.call_sid))
    if (state or {}).get("phase") == "recording":
        return caller.press("2")
    return heard


def answer_until(world: VoiceWorld, caller: Caller, heard: Heard, last: str) -> Heard:
    """Answer every question as SAY and KEYS say, until the step ``last`` is asked."""
    for _ in range(120):
        heard = refuse_recording(world, caller, heard)
        current = step(world)
        if current == last or heard.hung_up:
            return heard
        assert heard.gather is not None, heard.text
        if heard.gather.get("input") == "dtmf":
            heard = caller.press(KEYS.get(current or "", "1"))
        else:
            words = SAY.get(current or "", "passer")
            heard = caller.answer(words, READ_BACK_AS.get(words))
    raise AssertionError(f"stuck at {step(world)}: {heard.text}")


def start_in_french(caller: Caller) -> Heard:
    menu = caller.call()
    assert "Français : tape 1." in menu.text
    consent = caller.press("1")
    assert "Bienvenue sur Tremplin. Pendant l'appel" in consent.text  # the keys, said once
    return caller.press("1")


def test_a_whole_cv_by_keypad_and_speech_in_french(world: VoiceWorld) -> None:
    caller = Caller(world.twilio)
    heard = answer_until(world, caller, start_in_french(caller), "review")
    assert "Envoyer à mon coach : tape 1." in heard.text
    goodbye = caller.press("1")
    assert goodbye.hung_up and "Au revoir" in goodbye.text
    caller.hang_up()

    document = draft(world)
    assert document["candidate"]["first_name"] == "Amina"
    assert document["cv"]["experiences"][0]["title"]["text"] == "aide cuisinière"
    with world.runtime.sessions() as session:
        assert session.scalar(select(Candidate.status)) == "submitted"
        heard_by_voice = {a.step: a for a in session.scalars(select(VoiceAnswer))}
        # What was said is kept as heard, with Twilio's confidence, for the coach.
        assert heard_by_voice["first_name"].transcript == "Amina"
        assert heard_by_voice["first_name"].confidence == 0.92
        assert heard_by_voice["first_name"].source == "speech"
        # Replies were the TwiML itself: logged as sent, nothing left for the outbox worker.
        assert session.scalar(select(func.count()).select_from(Outbox)) == 0
        spoken = session.scalars(select(Message).where(Message.direction == "out")).all()
        assert spoken and {m.status for m in spoken} == {"sent"}
        call = session.scalars(select(VoiceCall)).one()
        assert call.status == "completed" and call.ended_at is not None


def test_every_spoken_answer_is_read_back_and_saved_only_on_1(world: VoiceWorld) -> None:
    caller = Caller(world.twilio)
    heard = answer_until(world, caller, start_in_french(caller), "first_name")
    read_back = caller.speak("Amina")
    assert "Tu as dit : Amina. Pour garder, tape 1. Pour redire, tape 2." in read_back.text
    assert draft(world)["candidate"]["first_name"] is None  # not before 1
    again = caller.press("2")
    assert "D'accord, redis ta réponse." in again.text and "prénom" in again.text
    caller.speak("Aminata")
    caller.press("1")
    assert draft(world)["candidate"]["first_name"] == "Aminata"
    assert step(world) == "last_name"
    del heard


def test_a_doubtful_transcription_says_so(world: VoiceWorld) -> None:
    caller = Caller(world.twilio)
    answer_until(world, caller, start_in_french(caller), "first_name")
    unsure = caller.speak("a mina", confidence=0.31)
    assert "Je ne suis pas sûr d'avoir compris. Tu as dit : a mina ?" in unsure.text
    corrected = caller.speak("Amina", confidence=0.9)  # said again without pressing 2
    assert "Tu as dit : Amina." in corrected.text
    caller.press("1")
    assert draft(world)["candidate"]["first_name"] == "Amina"


def test_typed_digits_are_read_back_one_by_one(world: VoiceWorld) -> None:
    caller = Caller(world.twilio)
    answer_until(world, caller, start_in_french(caller), "location")
    read_back = caller.press("69003")
    assert "Tu as dit : 6 9 0 0 3." in read_back.text
    caller.press("1")
    assert draft(world)["cv"]["locations"][0]["postal_code"] == "69003"


def test_dates_are_read_back_as_french_says_them(world: VoiceWorld) -> None:
    caller = Caller(world.twilio)
    answer_until(world, caller, start_in_french(caller), "experience_dates")
    read_back = caller.speak("03/2019 - 06/2021")
    assert "Tu as dit : mars 2019 – juin 2021." in read_back.text
    caller.press("1")
    experience = draft(world)["cv"]["experiences"][0]
    assert (experience["start"], experience["end"]) == ("2019-03", "2021-06")


def test_wrong_keys_say_so_and_ask_again(world: VoiceWorld) -> None:
    caller = Caller(world.twilio)
    menu = caller.call()
    wrong = caller.press("9")
    assert "Cette touche ne correspond à aucun choix." in wrong.text
    assert "Français : tape 1." in wrong.text
    assert step(world) == "language"
    answer_until(world, caller, caller.press("1"), "first_name")
    caller.speak("Amina")
    wrong = caller.press("7")
    assert "Cette touche ne correspond à aucun choix." in wrong.text
    assert "Tu as dit : Amina." in wrong.text
    del menu


def test_silence_repeats_then_says_goodbye_after_three(world: VoiceWorld) -> None:
    caller = Caller(world.twilio)
    answer_until(world, caller, start_in_french(caller), "first_name")
    first = caller.silence()
    assert "Je n'ai rien entendu." in first.text and "Quel est ton prénom ?" in first.text
    assert not caller.silence().hung_up
    last = caller.silence()
    assert last.hung_up and "Tes réponses sont gardées" in last.text
    assert last.gather is None


def test_keys_hash_repeats_star_goes_back_zero_helps(world: VoiceWorld) -> None:
    caller = Caller(world.twilio)
    heard = answer_until(world, caller, start_in_french(caller), "last_name")
    again = caller.press("#")
    assert again.text == "Et ton nom de famille ? Il reste privé : seul ton coach le voit."
    del heard
    assert step(world) == "last_name"
    back = caller.press("*")
    assert "Amina" in back.text  # the saved answer, to correct or keep
    assert step(world) == "first_name"
    helped = caller.press("0")
    assert "dièse pour réécouter" in helped.text and "prénom" in helped.text.lower()


def test_a_retried_request_gets_the_same_answer_and_saves_once(world: VoiceWorld) -> None:
    caller = Caller(world.twilio)
    answer_until(world, caller, start_in_french(caller), "first_name")
    caller.speak("Amina")
    turn = caller.last.turn if caller.last else 0
    first = caller.post(turn, Digits="1")
    retried = caller.post(turn, Digits="1")
    assert first.text == retried.text
    with world.runtime.sessions() as session:
        answers = session.scalars(select(VoiceAnswer).where(VoiceAnswer.step == "first_name"))
        assert len(answers.all()) == 1
        inbound = session.scalars(
            select(Message).where(Message.direction == "in", Message.body == "Amina")
        )
        assert len(inbound.all()) == 1


def test_hanging_up_and_calling_back_resumes_with_the_name(world: VoiceWorld) -> None:
    caller = Caller(world.twilio)
    answer_until(world, caller, start_in_french(caller), "location")
    caller.hang_up()
    greeting = caller.call()
    assert "Bonjour Amina !" in greeting.text
    assert "pour réécouter" in greeting.text  # the keys, at the start of each call
    question = refuse_recording(world, caller, greeting)  # asked at the start of each call
    assert "Dans quelle ville veux-tu travailler ?" in question.text
    assert step(world) == "location"


def test_a_call_continues_a_draft_begun_by_sms_and_sms_continues_it(world: VoiceWorld) -> None:
    for body in ("Bonjour", "1", "1", "PASSER", "Amina"):
        assert world.twilio.text(body, phone=PHONE).status_code == 200
    caller = Caller(world.twilio)
    greeting = caller.call()
    assert "Bonjour Amina !" in greeting.text
    assert "nom de famille" in refuse_recording(world, caller, greeting).text
    caller.answer("Haidari")
    caller.hang_up()
    assert world.twilio.text("Lyon", phone=PHONE).status_code == 200
    document = draft(world)
    assert document["candidate"]["last_name"] == "Haidari"
    assert document["cv"]["locations"][0]["label"] == "Lyon"
    with world.runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Candidate)) == 1


def test_dari_is_spoken_by_espeak_clips_the_app_serves(world: VoiceWorld) -> None:
    caller = Caller(world.twilio)
    menu = caller.call()
    dari = [url for kind, url in menu.said if kind == "clip"]
    assert dari, "Dari is announced by a clip"
    consent = caller.press("4")
    assert all(kind == "clip" for kind, _ in consent.said), consent.said
    for url in {url for _, url in consent.said}:
        name = url.rsplit("/", 1)[-1]
        assert CLIP_NAME.fullmatch(name)
        clip = world.client.get(f"/voice/clips/{name}")
        assert clip.status_code == 200 and len(clip.content) > 1000
        assert clip.headers["content-type"] in ("audio/x-gsm", "audio/wav")
    gather = consent.gather
    assert gather is not None
    heard = caller.press("1")
    assert heard.gather is not None
    with world.runtime.sessions() as session:
        assert session.scalar(select(Candidate.locale)) == "fa_AF"


def test_pashto_is_said_unavailable_in_the_nearest_languages_and_flagged(
    world: VoiceWorld,
) -> None:
    caller = Caller(world.twilio)
    caller.call()
    nearest = caller.press("5")  # Pashto
    assert any(kind == "ar-XA" and "البشتو" in words for kind, words in nearest.said)
    assert any(kind == "clip" for kind, _ in nearest.said)  # and in Dari, by clip
    assert not any(kind == "fr-FR" for kind, _ in nearest.said)
    assert step(world) == "language"
    caller.press("1")  # the first offered: Dari
    with world.runtime.sessions() as session:
        assert session.scalar(select(Candidate.locale)) == "fa_AF"
        assert session.scalar(select(VoiceCall.wanted_locale)) == "ps"


def test_recording_only_after_a_1_on_the_keypad(world: VoiceWorld) -> None:
    caller = Caller(world.twilio)
    caller.call()
    caller.press("1")
    asked = caller.press("1")  # consent to the CV: then the recording question
    assert "on peut enregistrer cet appel" in asked.text
    agreed = caller.press("1")
    assert agreed.root.find("Start/Recording") is not None
    form = caller.form(CallStatus="in-progress", RecordingSid="RE" + "1" * 32)
    assert world.twilio.post("/webhooks/twilio/voice/status", form).status_code == 204
    with world.runtime.sessions() as session:
        assert session.scalar(select(VoiceCall.recording_sid)) == "RE" + "1" * 32

    other = Caller(world.twilio, phone="+33698765432")
    other.call()
    other.press("1")
    other.press("1")
    refused = other.press("2")
    assert refused.root.find("Start/Recording") is None
    form = other.form(CallStatus="in-progress", RecordingSid="RE" + "2" * 32)
    world.twilio.post("/webhooks/twilio/voice/status", form)
    with world.runtime.sessions() as session:
        kept = session.scalars(select(VoiceCall.recording_sid)).all()
        assert "RE" + "2" * 32 not in kept


def test_forged_or_unsigned_requests_are_refused(world: VoiceWorld) -> None:
    caller = Caller(world.twilio)
    caller.call_sid = "CA" + "f" * 32
    form = caller.form()
    forged = sign("https://tremplin.example.org/webhooks/twilio/voice", form, token="not-ours")
    response = world.client.post(
        "/webhooks/twilio/voice", data=form, headers={"X-Twilio-Signature": forged}
    )
    assert response.status_code == 403
    assert world.client.post("/webhooks/twilio/voice/answer?turn=1", data=form).status_code == 403
    with world.runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(VoiceCall)) == 0
        assert session.scalar(select(func.count()).select_from(Candidate)) == 0


def test_calls_are_off_without_a_voice_number(session_factory: Any, tmp_path: Any) -> None:
    off = make_voice_world(session_factory, tmp_path, twilio_voice_number=None)
    caller = Caller(off.twilio)
    caller.call_sid = "CA" + "e" * 32
    assert off.twilio.post("/webhooks/twilio/voice", caller.form()).status_code == 503
    off.runtime.inbox.close()


def test_a_hidden_number_is_told_kindly_and_nothing_is_kept(world: VoiceWorld) -> None:
    caller = Caller(world.twilio, phone="anonymous")
    heard = caller.call()
    assert heard.hung_up and "numéro est masqué" in heard.text and "hidden" in heard.text
    with world.runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Candidate)) == 0


def test_erasure_deletes_the_recording_at_twilio_too(
    session_factory: Any, tmp_path: Any, fake: Any
) -> None:
    from dataclasses import replace

    from bot.channels.voice.recordings import delete_forgotten_recordings
    from bot.privacy.records import erase_candidate
    from tests.bot.fake_twilio import Reply

    made = make_voice_world(session_factory, tmp_path, twilio_api_base_url=fake.base_url)
    caller = Caller(made.twilio)
    caller.call()
    caller.press("1")
    caller.press("1")
    caller.press("1")  # yes, record
    sid = "RE" + "3" * 32
    fake.recordings.add(sid)
    form = caller.form(CallStatus="in-progress", RecordingSid=sid)
    made.twilio.post("/webhooks/twilio/voice/status", form)
    with made.runtime.engine.begin() as connection:
        candidate_id = connection.execute(select(Candidate.id)).scalar_one()
        erase_candidate(
            connection, candidate_id, now=made.runtime.service.clock(), actor="operator"
        )
    with made.runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(VoiceCall)) == 0
        assert session.scalar(select(func.count()).select_from(VoiceAnswer)) == 0

    fake.script(Reply(500))  # Twilio down: the deletion waits, it is not dropped
    assert delete_forgotten_recordings(made.runtime.engine, made.settings) == 0
    assert fake.recordings == {sid}
    assert delete_forgotten_recordings(made.runtime.engine, made.settings) == 1
    assert fake.recordings == set() and fake.deleted_recordings == [sid]
    assert delete_forgotten_recordings(made.runtime.engine, replace(made.settings)) == 0
    made.runtime.inbox.close()


def _remind(world: VoiceWorld) -> Any:
    """Queue a reminder for the one candidate, through the courier."""
    from bot.delivery.rows import Purpose
    from conversations.outputs import Say, msg

    with world.runtime.engine.begin() as connection:
        candidate_id = connection.execute(select(Candidate.id)).scalar_one()
        return world.runtime.courier.queue(
            connection,
            candidate_id,
            [Say(msg("reminder_first"))],
            "fr",
            Purpose.REMINDER,
            now=world.runtime.service.clock(),
        )


def test_words_outside_a_call_go_by_sms_to_the_same_number(world: VoiceWorld) -> None:
    caller = Caller(world.twilio)
    answer_until(world, caller, start_in_french(caller), "first_name")
    caller.hang_up()
    queued = _remind(world)
    assert queued.channel == "sms" and queued.count == 1
    with world.runtime.sessions() as session:
        row = session.scalars(select(Outbox)).one()
    assert (row.channel, row.address, row.status) == ("sms", PHONE, "pending")


def test_without_sms_the_words_wait_for_the_next_call_with_the_reason(
    session_factory: Any, tmp_path: Any
) -> None:
    from bot.coach.deliveries import in_words

    made = make_voice_world(session_factory, tmp_path, twilio_from=None)
    caller = Caller(made.twilio)
    caller.call()
    caller.press("1")
    queued = _remind(made)
    assert queued.count == 0 and queued.held == 1
    assert "que par téléphone" in in_words(queued.reason)
    made.runtime.inbox.close()


def test_the_retention_job_blanks_what_old_calls_heard(world: VoiceWorld) -> None:
    from datetime import timedelta

    from bot.privacy.records import purge_old_bodies

    caller = Caller(world.twilio)
    answer_until(world, caller, start_in_french(caller), "last_name")
    later = world.runtime.service.clock() + timedelta(days=400)
    purge_old_bodies(world.runtime.engine, now=later, retention_days=365)
    with world.runtime.sessions() as session:
        assert {a.transcript for a in session.scalars(select(VoiceAnswer))} == {""}
        call = session.scalars(select(VoiceCall)).one()
        assert call.last_response is None and call.state == {}
