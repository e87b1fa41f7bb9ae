"""The acceptance of issue 5, in Debian's Chromium against a real ``tremplin serve``: log in with
the printed password, a candidate completes a CV on the phone simulator, the coach finds it,
asks for a change, the candidate receives it and fixes it on the phone, the coach publishes."""

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.bot.coach.conftest import FRENCH_CV
from tests.bot.test_simulator_browser import chromium
from tests.servers import tremplin_serve

pytestmark = pytest.mark.slow

__all__ = ["chromium"]  # the module-scoped browser fixture, shared with the simulator's tests


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    log = tmp_path / "serve.log"
    with tremplin_serve(f"sqlite:///{tmp_path / 'coach.db'}", log) as base:
        yield base, log


def _one_time_password(log: Path) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = re.search(r"one-time password:\s+(\S+)", log.read_text())
        if found:
            return found.group(1)
        time.sleep(0.1)
    raise AssertionError("serve printed no one-time password:\n" + log.read_text())


def _text(phone: Locator, message: str) -> None:
    """Send one SMS from the simulated phone and wait for its answer to show."""
    before = phone.locator(".from-bot").count()
    box = phone.get_by_label("Votre SMS")
    box.fill(message)
    box.press("Enter")
    expect(phone.locator(".from-bot")).not_to_have_count(before)


def _coach_page(browser: Browser) -> Page:
    return browser.new_page(viewport={"width": 390, "height": 844}, locale="fr-FR")  # a phone


def test_login_review_request_changes_fix_publish(
    chromium: Browser, served: tuple[str, Path]
) -> None:
    base, log = served
    problems: list[str] = []
    coach = _coach_page(chromium)
    coach.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    coach.goto(f"{base}/coach/")
    expect(coach).to_have_url(f"{base}/coach/login")
    coach.get_by_label("Adresse e-mail").fill("admin@tremplin.local")
    coach.get_by_label("Mot de passe").fill(_one_time_password(log))
    coach.get_by_role("button", name="Se connecter").click()
    expect(coach).to_have_url(f"{base}/coach/password")
    coach.get_by_label("Nouveau mot de passe").fill("mon nouveau mot de passe")
    coach.get_by_label("Le même, encore").fill("mon nouveau mot de passe")
    coach.get_by_role("button", name="Enregistrer").click()
    expect(coach.get_by_role("status")).to_have_text("Mot de passe enregistré.")

    # The candidate, on the phone simulator.
    simulator = chromium.new_page(viewport={"width": 1100, "height": 900}, locale="fr-FR")
    simulator.goto(f"{base}/simulator")
    phone = simulator.locator(".phone").first
    expect(phone).to_be_visible()
    for message in FRENCH_CV:
        _text(phone, message)
    expect(phone.locator(".from-bot .bubble").last).to_contain_text("Ton CV est envoyé")

    # The coach finds the draft in the queue, takes it and asks for a change.
    coach.goto(f"{base}/coach/?queue=1")
    coach.get_by_role("link", name="Amina D.").click()
    expect(coach.locator("#status")).to_have_text("À relire")
    expect(coach.locator("#part-3")).to_contain_text("Expériences")
    expect(coach.locator("#part-3 input[name='cv.experiences.0.employer']")).to_have_value(
        "Restaurant Le Soleil"
    )
    part = coach.locator("#part-3")
    part.get_by_label("Commentaire sur « Expériences »").fill(
        "Quel était le nom exact du restaurant ?"
    )
    part.get_by_role("button", name="Demander cette modification au candidat").click()
    expect(coach.get_by_role("status")).to_contain_text("Demande envoyée au candidat")
    expect(coach.locator("#status")).to_have_text("Modifications demandées")
    expect(coach.locator(".history")).to_contain_text("Modification demandée au candidat")

    # The candidate's phone receives the coach's words (the simulator polls), and fixes it.
    expect(phone.locator(".from-bot .bubble", has_text="nom exact du restaurant")).to_have_count(
        1, timeout=15_000
    )
    expect(phone.locator(".from-bot[data-step='has_experience']").last).to_be_visible()
    for message in ("3", "Aide cuisinière", "Restaurant Le Soleil Levant", "passer", "2019-2021"):
        _text(phone, message)
    for message in ("passer", "2", "1"):
        _text(phone, message)
    expect(phone.locator(".from-bot .bubble").last).to_contain_text("Ton CV est envoyé")

    # Back with the coach: the fixed draft, then publication.
    coach.reload()
    expect(coach.locator("#status")).to_have_text("À relire")
    expect(coach.locator("#part-3 input[name='cv.experiences.0.employer']")).to_have_value(
        "Restaurant Le Soleil Levant"
    )
    coach.get_by_role("button", name="Approuver et publier").click()
    expect(coach.get_by_role("status")).to_contain_text("CV publié")
    expect(coach.locator("#status")).to_have_text("Publié")
    link = coach.locator("#public-link").text_content() or ""
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/cv/[\w-]+", link)
    expect(phone.locator(".from-bot .bubble", has_text=link)).to_have_count(1, timeout=15_000)

    coach.screenshot(path=str(log.parent / "coach.png"), full_page=True)
    assert problems == []
    simulator.close()
    coach.close()
