"""The issue's acceptance, as people would live it, through the real app on fake Twilio Voice.

A Dari-speaking candidate who cannot read calls. She picks Dari on the keypad (spoken by
espeak-ng clips), agrees, gives her coach's code by voice, answers by voice and keypad, hangs up
halfway through her experience, calls back and is greeted by name where she stopped, and sends
her CV. Her first name was heard badly (Twilio's confidence 41 %): the read-back said it was
doubtful, she kept it anyway; the coach sees which answers came by voice and how sure Twilio was,
corrects the name, gives the French of her free texts and publishes. The public page is in
French, with her first name and initial only.
"""

import re
from typing import Any

from sqlalchemy import select

from bot.coach.accounts import create_coach, new_invitation
from bot.web.app import create_app
from storage import Candidate, CvDraft, Message, VoiceCall
from tests.bot.coach.conftest import PASSWORD, client_for, csrf_of, login
from tests.bot.test_voice import refuse_recording, step
from tests.bot.test_whatsapp_acceptance import _fill_french
from tests.bot.voice_world import T0, Caller, VoiceWorld, world

__all__ = ["world"]

COACH = "nadia@asso-a.example"
SKIP = "بگذر"
SAY: dict[str, list[str]] = {
    "last_name": ["Haidari"],
    "location": ["Saint-Denis 93200"],
    "email": [SKIP],
    "target_jobs": ["آشپز"],
    "availability": ["1"],
    "experience_title": ["کمک آشپز"],
    "experience_employer": [SKIP],
    "experience_location": ["افغانستان"],
    "experience_dates": ["2019-2021"],
    "experience_description": [SKIP],
    "interests": [SKIP],
    "story": ["در سال 2022 به فرانسه آمدم. می‌خواهم در آشپزخانه کار کنم.", "تمام"],
    "catchphrase": [SKIP],
}
KEYS = {"target_jobs_more": "2", "experience_more": "2", "has_training": "2"}
READ_BACK_AS = {"2019-2021": "2019 تا 2021"}


def _answer(
    world: VoiceWorld, caller: Caller, heard: Any, until: str, say: dict[str, list[str]]
) -> Any:
    for _ in range(120):
        heard = refuse_recording(world, caller, heard)
        current = step(world) or ""
        if current == until or heard.hung_up:
            return heard
        assert heard.gather is not None
        if heard.gather.get("input") == "dtmf":
            heard = caller.press(KEYS.get(current, "1"))
        else:
            words = say[current].pop(0) if say.get(current) else SKIP
            read_back = caller.speak(words)
            assert read_back.said and all(kind == "clip" for kind, _ in read_back.said)
            # "شما گفتید: …", as a Dari clip; dates as Dari says them ("2019 تا 2021").
            assert READ_BACK_AS.get(words, words) in _waiting_for(world, caller)
            heard = caller.press("1")
    raise AssertionError(f"stuck at {step(world)}")


def _waiting_for(world: VoiceWorld, caller: Caller) -> str:
    """The words of what the call asks now (a Dari clip's text)."""
    with world.runtime.sessions() as session:
        state = session.scalar(select(VoiceCall.state).where(VoiceCall.call_sid == caller.call_sid))
    return " ".join(text for _, text in state["prompt"]["speak"])


def _said_to_her(world: VoiceWorld) -> list[str]:
    with world.runtime.sessions() as session:
        return list(
            session.scalars(
                select(Message.body).where(Message.direction == "out").order_by(Message.id)
            )
        )


def test_a_dari_speaker_who_cannot_read_builds_her_cv_by_phone(world: VoiceWorld) -> None:
    with world.runtime.sessions.begin() as session:
        create_coach(session, COACH, "Nadia", organisation="Asso A", password=PASSWORD)
    with world.runtime.sessions.begin() as session:
        code = new_invitation(session, COACH, now=T0)

    caller = Caller(world.twilio)
    menu = caller.call()
    assert any(kind == "clip" for kind, _ in menu.said)  # Dari's option, in Dari
    consent = caller.press("4")
    assert consent.said and all(kind == "clip" for kind, _ in consent.said)
    heard = refuse_recording(world, caller, caller.press("1"))
    assert step(world) == "invite_code"
    caller.speak(code)
    caller.press("1")
    assert step(world) == "first_name", _said_to_her(world)[-3:]
    doubtful = caller.speak("Amena", confidence=0.41)
    assert doubtful.said and all(kind == "clip" for kind, _ in doubtful.said)
    assert "مطمئن نیستم" in _waiting_for(world, caller)  # "I am not sure I understood…"
    heard = caller.press("1")

    # Halfway through her first experience, she hangs up; every confirmed answer is kept.
    say = {step: list(words) for step, words in SAY.items()}  # each run its own answers
    heard = _answer(world, caller, heard, "experience_employer", say)
    caller.hang_up()
    with world.runtime.sessions() as session:
        document = session.scalars(select(CvDraft.document)).one()
    assert document["cv"]["experiences"][0]["title"]["text"] == "کمک آشپز"

    # She calls back: greeted by name, in Dari, at the question she had not answered.
    greeting = caller.call()
    assert all(kind == "clip" for kind, _ in greeting.said)
    assert any(line.startswith("سلام Amena") for line in _said_to_her(world)[-4:])
    heard = refuse_recording(world, caller, greeting)
    assert step(world) == "experience_employer"
    heard = _answer(world, caller, heard, "review", say)
    goodbye = caller.press("1")  # send to my coach
    assert goodbye.hung_up
    with world.runtime.sessions() as session:
        candidate = session.scalars(select(Candidate)).one()
    assert candidate.status == "submitted" and candidate.locale == "fa_AF"

    # The coach sees what was heard, and how sure Twilio was; she corrects the first name.
    coach = client_for(create_app(world.runtime))
    assert login(coach, COACH).status_code == 303  # type: ignore[attr-defined]
    page = coach.get(f"/coach/candidates/{candidate.id}").text
    assert "Réponses au téléphone" in page
    assert re.search(r"Amena</td><td>41 % : à vérifier", page), page[page.find("Entendu") :][:800]
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version is not None
    corrected = coach.post(
        f"/coach/candidates/{candidate.id}/edit",
        data={
            "csrf": csrf_of(page),
            "part": "1",
            "version": version.group(1),
            "candidate.first_name": "Amina",
        },
    )
    assert corrected.status_code == 303, corrected.text
    _fill_french(coach, candidate.id)
    page = coach.get(f"/coach/candidates/{candidate.id}").text
    published = coach.post(
        f"/coach/candidates/{candidate.id}/publish", data={"csrf": csrf_of(page)}
    )
    assert published.status_code == 303, published.text

    with world.runtime.sessions() as session:
        slug = session.scalars(select(Candidate.slug)).one()
    public = coach.get(f"/cv/{slug}")
    assert public.status_code == 200 and 'lang="fr"' in public.text
    assert "Amina" in public.text and "Amena" not in public.text  # the coach's correction
    assert "Haidari" not in public.text and "+33612345678" not in public.text
    assert "Aide en cuisine" in public.text
