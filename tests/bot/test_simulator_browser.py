"""The phone simulator in a real browser (Debian's Chromium) against a real server.

It checks what unit tests cannot: that the page's script drives the pipeline, shows each reply
with its SMS cost, keeps phones apart, keeps markup as text, and picks up messages queued by
others. The screenshot is for people reviewing the look.
"""

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import select

from bot.channels.text import measure
from storage import ChannelIdentity, Outbox, make_engine, make_session_factory
from tests.servers import tremplin_serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.slow


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'simulator.db'}"


@pytest.fixture
def base_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A real ``tremplin serve`` on loopback, where the simulator is on by itself."""
    with tremplin_serve(database_url, tmp_path / "serve.log") as base:
        yield base


def _cost(text: str) -> str:
    """The line the page must show under a bot message: what the operator would bill."""
    info = measure(text)
    return f"{info.encoding} · {info.segments} SMS"


def _queue_for(database_url: str, phone: str, text: str) -> None:
    """A message put in the outbox by someone else (a coach, say), as a delivery worker sees it."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine).begin() as session:
            candidate_id = session.scalars(
                select(ChannelIdentity.candidate_id).where(
                    ChannelIdentity.channel == "simulator", ChannelIdentity.address == phone
                )
            ).one()
            session.add(
                Outbox(candidate_id=candidate_id, channel="simulator", address=phone, body=text)
            )
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, driven by Playwright (which never downloads a browser of its own)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def simulator_page(browser: Browser, base_url: str) -> Iterator[tuple[Page, list[str]]]:
    """The simulator in a new page, with the console errors it logs collected for the test."""
    problems: list[str] = []
    page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="fr-FR")
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{base_url}/simulator")
    try:
        yield page, problems
    finally:
        page.close()


def test_two_simulated_phones_in_chromium(
    chromium: Browser, base_url: str, database_url: str, tmp_path: Path
) -> None:
    with simulator_page(chromium, base_url) as (page, problems):
        expect(page.locator("html")).to_have_attribute("lang", "fr")

        first = page.locator(".phone").nth(0)
        expect(first).to_be_visible()
        number = first.get_attribute("data-phone")
        assert number is not None and number.startswith("+3363998")
        expect(first.locator(".number-value")).to_have_text(
            f"+33 6 39 98 {number[8:10]} {number[10:12]}"
        )

        box = first.get_by_label("Votre SMS")
        box.fill("Bonjour")
        box.press("Enter")
        menu = first.locator(".from-bot[data-step='language']")
        expect(menu.locator(".bubble")).to_contain_text("Choisis ta langue")
        menu_text = menu.locator(".bubble").text_content() or ""
        expect(menu.locator(".meta")).to_have_text(_cost(menu_text))
        expect(menu.locator(".bubble")).to_have_attribute("dir", "auto")
        assert "\n1 " in menu_text  # line breaks kept

        box.fill("1")
        first.get_by_role("button", name="Envoyer").click()
        consent = first.locator(".from-bot[data-step='consent']")
        expect(consent.locator(".bubble")).to_contain_text("SUPPRIMER")
        # consent ≤ 3 segments (docs/conversation.md)
        within_budget = re.compile(r"GSM-7 · [1-3] SMS")
        expect(consent.locator(".meta")).to_have_text(within_budget)
        replies = first.locator(".from-bot").count()

        page.get_by_role("button", name="+ Nouveau téléphone").click()
        second = page.locator(".phone").nth(1)
        expect(second).to_be_visible()
        other = second.get_attribute("data-phone")
        assert other is not None and other != number
        expect(second.locator(".message")).to_have_count(0)
        second.get_by_label("Votre SMS").fill("Bonjour")
        second.get_by_label("Votre SMS").press("Enter")
        expect(second.locator(".from-bot .bubble")).to_have_count(1)
        expect(second.locator(".from-bot").first).to_have_attribute("data-step", "language")
        expect(first.locator(".from-bot")).to_have_count(replies)

        # A coach's words queued while the page is open show up without a reload.
        _queue_for(database_url, number, "Message de ton coach : bravo, continue !")
        coach = first.locator(".from-bot").last
        expect(coach.locator(".bubble")).to_have_text(
            "Message de ton coach : bravo, continue !", timeout=15_000
        )
        expect(coach.locator(".meta")).to_have_text("GSM-7 · 1 SMS")
        for reply in first.locator(".from-bot").all():
            shown = reply.locator(".bubble").text_content() or ""
            expect(reply.locator(".meta")).to_have_text(_cost(shown))

        screenshot = tmp_path / "simulator.png"
        page.screenshot(path=str(screenshot), full_page=True, animations="disabled")
        assert screenshot.exists() and screenshot.stat().st_size > 10_000

        # What a person types is text, never markup; right-to-left text keeps its direction.
        second.get_by_label("Votre SMS").fill("<b>gras</b> مرحبا")
        second.get_by_label("Votre SMS").press("Enter")
        mine = second.locator(".from-me .bubble").last
        expect(mine).to_have_text("<b>gras</b> مرحبا")
        expect(mine.locator("b")).to_have_count(0)
        expect(second.locator(".pending")).to_have_count(0)  # answered (however the bot does)
        expect(second.locator(".from-bot").nth(1)).to_be_visible()
        expect(second.locator(".failed")).to_have_count(0)

        # A reload keeps this tab's phones and their threads, and nothing else.
        page.reload()
        expect(page.locator(".phone")).to_have_count(2)
        expect(page.locator(f".phone[data-phone='{number}'] .from-bot")).to_have_count(replies + 1)

        # Another tab (its own sessionStorage) sees none of these phones.
        fresh = chromium.new_page()
        fresh.goto(f"{base_url}/simulator")
        expect(fresh.locator(".phone")).to_have_count(1)
        assert fresh.locator(".phone").get_attribute("data-phone") not in (number, other)
        expect(fresh.locator(".phone .message")).to_have_count(0)
    assert problems == []


def test_a_dari_phone_is_mirrored_and_a_french_one_is_not(
    chromium: Browser, base_url: str, tmp_path: Path
) -> None:
    with simulator_page(chromium, base_url) as (page, problems):
        dari = page.locator(".phone").nth(0)
        box = dari.get_by_label("Votre SMS")
        box.fill("سلام")
        box.press("Enter")
        expect(dari.locator(".from-bot[data-step='language']")).to_have_count(1)
        expect(dari.locator(".thread")).to_have_attribute("dir", "ltr")  # nothing chosen yet
        box.fill("2")  # Dari, second in the menu narrowed to Arabic script
        box.press("Enter")
        consent = dari.locator(".from-bot[data-step='consent']")
        expect(consent).to_have_count(1)
        thread = dari.locator(".thread")
        expect(thread).to_have_attribute("dir", "rtl")
        expect(thread).to_have_attribute("lang", "fa-AF")
        expect(box).to_have_attribute("dir", "rtl")
        for bubble in dari.locator(".bubble").all():
            expect(bubble).to_have_attribute("dir", "auto")
        # Mirrored: the bot's bubble hugs the right edge, the candidate's the left one.
        edges = thread.bounding_box()
        bot = consent.locator(".bubble").bounding_box()
        mine = dari.locator(".from-me .bubble").last.bounding_box()
        assert edges is not None and bot is not None and mine is not None
        right = edges["x"] + edges["width"]
        assert right - (bot["x"] + bot["width"]) < 30 < bot["x"] - edges["x"]
        assert mine["x"] - edges["x"] < 30 < right - (mine["x"] + mine["width"])
        direction = consent.locator(".bubble").evaluate(
            "element => getComputedStyle(element).direction"
        )
        assert direction == "rtl"  # Dari text, read right to left

        page.get_by_role("button", name="+ Nouveau téléphone").click()
        french = page.locator(".phone").nth(1)
        french.get_by_label("Votre SMS").fill("Bonjour")
        french.get_by_label("Votre SMS").press("Enter")
        expect(french.locator(".from-bot[data-step='language']")).to_have_count(1)
        french.get_by_label("Votre SMS").fill("1")
        french.get_by_label("Votre SMS").press("Enter")
        expect(french.locator(".from-bot[data-step='consent']")).to_have_count(1)
        expect(french.locator(".thread")).to_have_attribute("dir", "ltr")
        expect(french.locator(".thread")).to_have_attribute("lang", "fr")
        expect(french.get_by_label("Votre SMS")).to_have_attribute("dir", "ltr")
        expect(thread).to_have_attribute("dir", "rtl")  # the Dari phone is unchanged

        for name, phone in (("dari", dari), ("french", french)):
            shot = tmp_path / f"simulator-{name}.png"
            phone.screenshot(path=str(shot), animations="disabled")
            assert shot.stat().st_size > 10_000
        page.screenshot(path=str(tmp_path / "simulator-rtl.png"), animations="disabled")

        # A reload lays the Dari phone out right to left again, before any new message.
        page.reload()
        expect(page.locator(".phone").nth(0).locator(".thread")).to_have_attribute("dir", "rtl")
        expect(page.locator(".phone").nth(1).locator(".thread")).to_have_attribute("dir", "ltr")
    assert problems == []
