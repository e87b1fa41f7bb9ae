"""The public CV in Debian's Chromium against a real ``tremplin serve``: axe-core finds no
serious or critical accessibility problem (French, English, a form with errors), the page fits
a phone's width, and sharing works without telling the server who shared.

axe-core comes from the ``axe-playwright-python`` package (its bundled ``axe.min.js``), never
from the network.
"""

from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from storage import Candidate, make_engine, make_session_factory, upgrade
from tests.bot.public_cv.conftest import Person, create_person
from tests.bot.test_simulator_browser import chromium  # noqa: F401 - the module's browser
from tests.servers import tremplin_serve

pytestmark = pytest.mark.slow

AXE = (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Person, str]]:
    """(base URL, a published person, the database URL) of a real server."""
    directory = tmp_path_factory.mktemp("public_cv")
    database_url = f"sqlite:///{directory / 'cv.db'}"
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        person = create_person(make_session_factory(engine))
    finally:
        engine.dispose()
    with tremplin_serve(database_url, directory / "serve.log") as base:
        yield base, person, database_url


def _axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.add_script_tag(content=AXE)
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _open(browser: Browser, url: str, **options: Any) -> tuple[Page, list[str]]:
    problems: list[str] = []
    # axe is injected as an inline script, which the page's policy would rightly refuse.
    page = browser.new_page(bypass_csp=True, **options)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(url)
    return page, problems


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_axe_finds_no_serious_problem_on_the_page(
    chromium: Browser,  # noqa: F811
    served: tuple[str, Person, str],
    lang: str,
    tmp_path: Path,
) -> None:
    base, person, _ = served
    page, problems = _open(chromium, f"{base}/cv/{person.slug}?lang={lang}")
    try:
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.get_by_role("heading", level=1)).to_have_text("Amina D.")
        assert _axe(page) == []
        page.screenshot(path=str(tmp_path / f"cv-{lang}.png"), full_page=True)
    finally:
        page.close()
    assert problems == []


def test_axe_finds_no_serious_problem_in_a_form_with_errors(
    chromium: Browser,  # noqa: F811
    served: tuple[str, Person, str],
) -> None:
    base, person, _ = served
    page, problems = _open(chromium, f"{base}/cv/{person.slug}")
    try:
        page.get_by_label("Votre nom").fill("Claire")
        page.get_by_label("Votre adresse e-mail").fill("claire@")
        page.get_by_label("Votre message").fill("Bonjour, un poste de commis ?")
        page.get_by_role("button", name="Envoyer au coach").click()
        expect(page.get_by_role("alert")).to_contain_text("ne semble pas complète")
        expect(page.get_by_label("Votre nom")).to_have_value("Claire")
        assert _axe(page) == []
    finally:
        page.close()
    # The browser logs the 422 answer itself; the page's script says nothing.
    assert [p for p in problems if "status of 422" not in p] == []


def test_the_page_fits_a_phone_and_sharing_is_counted(
    chromium: Browser,  # noqa: F811
    served: tuple[str, Person, str],
) -> None:
    base, person, database_url = served
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    try:
        page.goto(f"{base}/cv/{person.slug}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        page.get_by_role("button", name="Copier le lien").click()
        expect(page.get_by_role("status")).to_have_text("Lien copié")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.endswith(f"/cv/{person.slug}")
        with context.expect_page() as shared:
            page.get_by_role("link", name="LinkedIn").click()
        shared.value.close()  # the network's page opened; it is none of this test's business
    finally:
        context.close()
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            shares = session.scalar(
                select(Candidate.cv_shares).where(Candidate.id == person.candidate_id)
            )
    finally:
        engine.dispose()
    assert shares == 2  # the copy and the LinkedIn click; nothing else about them
