"""The simulator's WhatsApp phone in a real browser (Debian's Chromium) against a real server: a
Ukrainian candidate builds a whole CV by tapping WhatsApp's buttons and list rows and typing the
rest, the 24-hour window closes under the clock control and the reminder comes as the approved
Ukrainian template; then the same number, by SMS, is the same draft."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, expect
from sqlalchemy import select

from storage import Candidate, ChannelIdentity, make_engine, make_session_factory
from tests.bot.test_simulator_browser import chromium, simulator_page
from tests.conversations.golden import GOLDEN_DIR, parse
from tests.servers import tremplin_serve

__all__ = ["chromium"]  # the fixture, shared with the SMS phone's browser tests

pytestmark = pytest.mark.slow

ANSWERS = parse(GOLDEN_DIR / "uk_same_cv.chat").inputs


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'simulator.db'}"


@pytest.fixture
def base_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    with tremplin_serve(database_url, tmp_path / "serve.log") as base:
        yield base


def _answer(phone: Locator, answer: str) -> str:
    """Answer as a WhatsApp user would: a number by its button or list row when the last message
    shows them, anything else typed. How it was answered."""
    last = phone.locator(".from-bot").last
    choices = last.locator(".choices")
    numbers = [int(part) for part in answer.split()] if answer.replace(" ", "").isdigit() else []
    if choices.count() and len(numbers) == 1:
        kind = choices.get_attribute("class") or ""
        if "list" in kind:
            last.locator(".list-opener").click()
            last.locator(".list-row").nth(numbers[0] - 1).click()
            how = "list"
        else:
            last.locator(".quick-reply").nth(numbers[0] - 1).click()
            how = "button"
    else:
        box = phone.get_by_label("Votre message WhatsApp")
        box.fill(answer)
        box.press("Enter")
        how = "typed"
    expect(phone.locator(".message.pending")).to_have_count(0)
    return how


def _candidate(database_url: str) -> tuple[str, list[str]]:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            candidate = session.scalars(select(Candidate)).one()
            channels = sorted(session.scalars(select(ChannelIdentity.channel)))
            return candidate.status, channels
    finally:
        engine.dispose()


def test_a_ukrainian_cv_on_the_simulators_whatsapp_phone(
    chromium: Browser, base_url: str, database_url: str, tmp_path: Path
) -> None:
    with simulator_page(chromium, base_url) as (page, problems):
        page.get_by_role("button", name="+ Téléphone WhatsApp").click()
        phone = page.locator(".phone.whatsapp")
        expect(phone).to_have_count(1)
        expect(phone.locator(".number-label")).to_have_text("WhatsApp")

        hows = [_answer(phone, ANSWERS[0])]
        menu = phone.locator(".from-bot").last
        expect(menu.locator(".quick-reply")).to_have_text(["Українська", "Français", "English"])
        expect(phone.locator(".thread")).to_have_attribute("dir", "ltr")

        half = len(ANSWERS) // 2
        for answer in ANSWERS[1:half]:
            hows.append(_answer(phone, answer))
        expect(phone.locator(".thread")).to_have_attribute("lang", "uk")

        # Silence: after 25 hours the window is closed, after 50 the first reminder is due and
        # goes as the approved Ukrainian template.
        phone.get_by_role("button", name="Avancer l'horloge de 25 heures").click()
        expect(phone.locator(".message.clock")).to_have_count(1)
        phone.get_by_role("button", name="Avancer l'horloge de 25 heures").click()
        reminder = phone.locator(".from-bot").last
        expect(reminder.locator(".meta")).to_contain_text("modèle approuvé")
        expect(reminder.locator(".bubble")).to_contain_text("Amina")
        page.screenshot(path=str(tmp_path / "whatsapp-reminder.png"), full_page=True)

        # She answers the reminder, and goes on from where she was.
        hows.append(_answer(phone, "ВІТАЮ"))
        for answer in ANSWERS[half:]:
            hows.append(_answer(phone, answer))
        expect(phone.locator(".from-bot").last).to_contain_text("надіслано консультанту")
        assert "button" in hows and "list" in hows and "typed" in hows
        assert _candidate(database_url) == ("submitted", ["sim_whatsapp"])

        # The same number by SMS: the same person, the same draft, already sent.
        phone.get_by_role("button", name="Même numéro par SMS").click()
        number = phone.get_attribute("data-phone")
        sms = page.locator(f'.phone:not(.whatsapp)[data-phone="{number}"]')
        box = sms.get_by_label("Votre SMS")
        box.fill("ДОПОМОГА")
        box.press("Enter")
        expect(sms.locator(".from-bot")).not_to_have_count(0)
        assert _candidate(database_url)[1] == ["sim_whatsapp", "simulator"]
        page.screenshot(path=str(tmp_path / "whatsapp-phone.png"), full_page=True)
        assert problems == []
