"""The issue's acceptance, as people would live it, through the real app on a fake Twilio.

A Ukrainian candidate starts on SMS, goes on over WhatsApp, sends a photo, stops replying. After
24 hours WhatsApp's window is closed; at two days (FLOW.md's first reminder) the reminder goes as
the Ukrainian template. She answers on WhatsApp and sends her CV; the coach, a day later, asks
for a change: the notice template goes, her answer releases the coach's words, she answers, the
coach publishes and the link reaches her on WhatsApp. The public page is in French. Then STOP
on WhatsApp: nothing more goes, on any channel.
"""

import io
import re
from datetime import timedelta

from PIL import Image
from sqlalchemy import select

from bot.coach.accounts import create_coach, new_invitation
from bot.web.app import create_app
from storage import Candidate, ChannelIdentity, CvDraft
from storage.models import Media
from tests.bot.coach.conftest import PASSWORD, client_for, csrf_of, login
from tests.bot.fake_twilio import FakeTwilioApi
from tests.bot.whatsapp_world import (
    T0,
    Sessions,
    World,
    current_step,
    fake,
    make_world,
    sms,
    whatsapp,
)
from tests.conversations.golden import GOLDEN_DIR, parse

__all__ = ["fake"]

ANSWERS = parse(GOLDEN_DIR / "uk_same_cv.chat").inputs
COACH = "olga@asso-a.example"
_FRENCH_FIELD = re.compile(r'<section class="part" id="part-(\d)">(.*?)</section>', re.S)


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), (90, 140, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def _answer_until(world: World, answers: list[str], stop_at: str) -> list[str]:
    """Answer on WhatsApp until the conversation asks ``stop_at``; the answers left."""
    left = list(answers)
    while left and current_step(world) != stop_at:
        whatsapp(world, left.pop(0))
    return left


def _fill_french(coach: object, candidate_id: str) -> None:
    """Give every free text its French version, part by part, as the coach types them."""
    page = coach.get(f"/coach/candidates/{candidate_id}").text  # type: ignore[attr-defined]
    for part, html in _FRENCH_FIELD.findall(page):
        names = re.findall(r'name="(cv\.[^"]+\.fr)"', html)
        if not names:
            continue
        fresh = coach.get(f"/coach/candidates/{candidate_id}").text  # type: ignore[attr-defined]
        version = re.search(r'name="version" value="(\d+)"', fresh)
        assert version is not None
        answer = coach.post(  # type: ignore[attr-defined]
            f"/coach/candidates/{candidate_id}/edit",
            data={
                "csrf": csrf_of(fresh),
                "part": part,
                "version": version.group(1),
                **dict.fromkeys(names, "Aide en cuisine"),
            },
        )
        assert answer.status_code == 303, answer.text


def test_a_ukrainian_candidate_between_sms_and_whatsapp_to_a_published_cv(
    session_factory: Sessions, fake: FakeTwilioApi
) -> None:
    world = make_world(session_factory, fake)
    with world.runtime.sessions.begin() as session:
        create_coach(session, COACH, "Olga", organisation="Asso A", password=PASSWORD)
    with world.runtime.sessions.begin() as session:
        code = new_invitation(session, COACH)
    answers = list(ANSWERS)
    answers[3] = code  # the coach's code instead of ПРОПУСТИТИ

    # SMS first: the language, consent and the coach's code.
    sms(world, *answers[:5])
    assert len(world.deliver()) >= 4
    # WhatsApp then: the same draft, from where it stands, to the photo question.
    left = _answer_until(world, answers[5:], "photo")
    assert current_step(world) == "photo"
    url = world.fake.hold_media("image/jpeg", _photo())
    world.twilio.whatsapp("", NumMedia="1", MediaContentType0="image/jpeg", MediaUrl0=url)
    with world.runtime.sessions() as session:
        channels = sorted(session.scalars(select(ChannelIdentity.channel)))
        photo = session.scalars(select(Media)).one()
        assert session.scalars(select(CvDraft)).one().document["cv"]["photo"] == {"ref": photo.id}
    assert channels == ["sms", "whatsapp"]
    world.deliver()

    # She stops replying. At 30 hours the window is closed and nothing is due yet.
    world.clock.now = T0 + timedelta(hours=30)
    assert world.remind() == 0
    world.clock.now = T0 + timedelta(hours=48, minutes=5)
    assert world.remind() == 1
    (reminder,) = world.deliver()
    assert reminder.to == "whatsapp:+33612345678" and reminder.content_sid == "HXremindernameduk"

    # She answers the reminder on WhatsApp, and finishes: the photo question was answered, the
    # rest of her answers go on from there.
    whatsapp(world, "ВІТАЮ", *left)
    with world.runtime.sessions() as session:
        candidate = session.scalars(select(Candidate)).one()
    assert candidate.status == "submitted"
    world.deliver()

    # The coach, a day later (the window has closed again), asks for a change.
    world.clock.now += timedelta(hours=25)
    coach = client_for(create_app(world.runtime))
    assert login(coach, COACH).status_code == 303  # type: ignore[attr-defined]
    page = coach.get(f"/coach/candidates/{candidate.id}").text
    asked = coach.post(
        f"/coach/candidates/{candidate.id}/request-changes",
        data={
            "csrf": csrf_of(page),
            "part": "6",
            "comment": "Додайте ще одне речення, будь ласка.",
        },
    )
    assert asked.status_code == 303, asked.text
    (notice,) = world.deliver()
    assert notice.content_sid == "HXcoachuk"
    waiting = coach.get(f"/coach/candidates/{candidate.id}").text
    assert "Messages non remis" in waiting and "un modèle approuvé" in waiting

    # Her answer to the notice opens the window: the coach's words and the question go.
    whatsapp(world, "ВІТАЮ")
    released = world.deliver()
    assert any("Додайте ще одне речення" in message.body for message in released)
    assert "Messages non remis" not in coach.get(f"/coach/candidates/{candidate.id}").text
    whatsapp(world, "Люблю готувати для людей.", "ГОТОВО", "ПРОПУСТИТИ", "1")
    world.deliver()

    # The coach gives the French of her free texts and publishes; the link goes on WhatsApp.
    _fill_french(coach, candidate.id)
    page = coach.get(f"/coach/candidates/{candidate.id}").text
    published = coach.post(
        f"/coach/candidates/{candidate.id}/publish", data={"csrf": csrf_of(page)}
    )
    assert published.status_code == 303, published.text
    (link,) = world.deliver()
    assert link.to == "whatsapp:+33612345678" and "/cv/" in link.body
    public = coach.get(link.body[link.body.index("/cv/") :].split()[0])
    assert public.status_code == 200 and 'lang="fr"' in public.text and "Amina" in public.text
    assert "Diallo" not in public.text and "+33612345678" not in public.text

    # STOP on WhatsApp: the confirmation, then nothing, on any channel.
    whatsapp(world, "СТОП")
    assert len(world.deliver()) == 1
    world.clock.now += timedelta(days=8)
    assert world.remind() == 0
    sms(world, "ВІТАЮ")
    assert world.deliver() == []
