"""The simulator's phone call in a real browser (Debian's Chromium) against ``tremplin serve``:
a Dari speaker calls, picks her language on the keypad, hears (reads, here) the call's captions
with the espeak-ng clips to play, answers by "speech" and keys, hangs up, and calls back."""

import pytest
from playwright.sync_api import Browser, Locator, expect
from sqlalchemy import select

from storage import Candidate, CvDraft, make_engine, make_session_factory
from tests.bot.test_simulator_browser import base_url, chromium, database_url, simulator_page

__all__ = ["base_url", "chromium", "database_url"]  # the fixtures, shared

pytestmark = pytest.mark.slow


def _key(phone: Locator, key: str) -> None:
    count = phone.locator(".captions .bubble.in").count()
    phone.locator(f'.key[data-key="{key}"]').click()
    expect(phone.locator(".captions .bubble.in")).not_to_have_count(count)


def _say(phone: Locator, words: str) -> None:
    count = phone.locator(".captions .bubble.in").count()
    box = phone.get_by_placeholder("Parler (écrire ce que la personne dit)…\u200e")
    box.fill(words)
    box.press("Enter")
    expect(phone.locator(".captions .bubble.in")).not_to_have_count(count)


def test_a_dari_call_in_the_simulator(chromium: Browser, base_url: str, database_url: str) -> None:
    with simulator_page(chromium, base_url) as (page, problems):
        page.get_by_role("button", name="+ Appel (clavier et voix)").click()
        phone = page.locator(".call-phone").first
        phone.get_by_role("button", name="Appeler").click()
        expect(phone.locator(".captions")).to_contain_text("Français : tape 1.")
        dari = phone.locator('.captions .bubble[lang="fa-AF"]').first
        expect(dari.locator("audio")).to_have_count(1)
        _key(phone, "4")
        expect(phone.locator(".captions")).to_contain_text("درست است، به دری گپ می‌زنیم.")
        _key(phone, "1")  # I agree
        _say(phone, "بگذر")  # no coach's code
        expect(phone.locator(".captions .bubble.in").last).to_contain_text("بگذر")
        _key(phone, "1")  # keep it
        expect(phone.locator(".captions")).to_contain_text("نام شما چیست؟")
        _say(phone, "Amina")
        _key(phone, "1")
        phone.get_by_role("button", name="Raccrocher").click()
        expect(phone.locator(".captions")).to_contain_text("Appel terminé.")

        phone.get_by_role("button", name="Appeler").click()
        expect(phone.locator(".captions")).to_contain_text("سلام Amina!")
        assert problems == []

    sessions = make_session_factory(make_engine(database_url))
    with sessions() as session:
        candidate = session.scalars(select(Candidate)).one()
        document = session.scalars(select(CvDraft.document)).one()
    assert candidate.locale == "fa_AF" and document["candidate"]["first_name"] == "Amina"
