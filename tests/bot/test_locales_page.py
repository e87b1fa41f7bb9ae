"""The translation status page at /locales, and how it reads a catalog's review state."""

import html
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import registry
from bot.conversation.service import ConversationService
from bot.i18n import available_locales, catalog_path
from bot.runtime.root import Runtime
from bot.runtime.settings import Settings
from bot.web.app import create_app
from bot.web.locales_page import (
    LocaleStatus,
    Review,
    locale_statuses,
    read_review,
    read_statuses,
    render_page,
)
from conversations.flow import DEFAULT_FLOW
from conversations.vocabulary.lists import LOCALE_NAMES, SUPPORTED_LOCALES
from locales import LOCALES_DIR
from storage import make_engine
from tests.web import TestClient

NBSP = "\u00a0"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The app, as served; the page reads only the catalogs, never the database."""
    engine = make_engine(f"sqlite:///{tmp_path / 'unused.db'}")
    sessions: sessionmaker[Session] = sessionmaker(bind=engine)
    runtime = Runtime(
        Settings(),
        engine,
        sessions,
        ConversationService(sessions, DEFAULT_FLOW, renderers=registry.renderers()),
    )
    try:
        with TestClient(create_app(runtime)) as test_client:
            yield test_client
    finally:
        engine.dispose()


def _row(page: str, locale: str) -> str:
    """The table row of one locale."""
    return page.split(f'<tr data-locale="{locale}">', 1)[1].split("</tr>", 1)[0]


def _counts(locale: str) -> tuple[int, int]:
    """Translated and total entries, counted straight from the catalogs."""
    with (LOCALES_DIR / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    with catalog_path(locale).open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    translated = total = 0
    for entry in template:
        if not entry.id:
            continue
        total += 1
        found = catalog.get(entry.id, context=entry.context)
        if found is None or found.fuzzy:
            continue
        strings = found.string if isinstance(found.string, tuple) else (found.string,)
        translated += all(strings)
    return translated, total


def test_the_page_lists_the_seven_locales_with_their_state(client: TestClient) -> None:
    response = client.get("/locales")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src" not in response.headers["content-security-policy"]  # no script at all
    page = response.text
    assert '<html lang="fr">' in page
    assert "Langues et traductions" in page
    offered = available_locales()
    for locale in SUPPORTED_LOCALES:
        row = _row(page, locale)
        assert html.escape(LOCALE_NAMES[locale]) in row
        assert f"<code>{locale}</code>" in row
        translated, total = _counts(locale)
        assert f"{translated}{NBSP}/{NBSP}{total}" in row
        if translated == total:
            assert f"100{NBSP}%" in row
        assert (">oui<" if locale in offered else ">non<") in row
    assert 'lang="fa-AF" dir="rtl"' in _row(page, "fa_AF")
    assert 'lang="ti" dir="ltr"' in _row(page, "ti")
    assert "relecture en attente" in _row(page, "ar")
    assert "langue source" in _row(page, "fr")
    stylesheet = page.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    served = client.get(stylesheet)
    assert served.status_code == 200 and "text/css" in served.headers["content-type"]


def test_the_statuses_match_the_catalogs() -> None:
    statuses = {status.code: status for status in locale_statuses()}
    assert tuple(statuses) == SUPPORTED_LOCALES
    for locale, status in statuses.items():
        assert (status.translated, status.total) == _counts(locale)
        assert status.offered == (locale in available_locales())
    assert statuses["fr"].review == Review("source")
    assert statuses["ar"].review == Review("pending")
    assert locale_statuses() is locale_statuses()  # read once per process


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            "# Arabic translations for Tremplin.\n# Review by a native speaker: pending\n#",
            Review("pending"),
        ),
        ("#\n# review by a native speaker:  PENDING", Review("pending")),
        ("# Reviewed by: Amina Haidari\n#", Review("reviewed", "Amina Haidari")),
        (
            "# Review by a native speaker: done by Tesfay Gebremedhin",
            Review("reviewed", "Tesfay Gebremedhin"),
        ),
        # What a gettext credit adds is personal or noise: the page keeps only the name.
        (
            "# Reviewed by: Olena  Kovalenko <olena@example.org>, 2026",
            Review("reviewed", "Olena Kovalenko"),
        ),
        # A named reviewer wins over a "pending" line nobody removed.
        (
            "# Review by a native speaker: pending\n# Reviewed by: Farid Ahmadi",
            Review("reviewed", "Farid Ahmadi"),
        ),
        ("# Reviewed by:\n# Review by a native speaker: pending", Review("pending")),
        ("# FIRST AUTHOR <EMAIL@ADDRESS>, 2026.\n#", Review("unknown")),
        ("", Review("unknown")),
    ],
)
def test_the_review_state_is_read_from_the_header(header: str, expected: Review) -> None:
    assert read_review(header) == expected


def test_review_labels_are_french() -> None:
    assert Review("pending").label == "relecture en attente"
    assert Review("reviewed", "Amina Haidari").label == "relu par Amina Haidari"
    assert Review("source").label == "langue source"


def _copy_catalogs(target: Path) -> None:
    shutil.copy(LOCALES_DIR / "messages.pot", target / "messages.pot")
    for locale in SUPPORTED_LOCALES:
        destination = catalog_path(locale, target)
        destination.parent.mkdir(parents=True)
        shutil.copy(catalog_path(locale), destination)


def test_an_incomplete_catalog_is_counted_and_never_reads_100(tmp_path: Path) -> None:
    _copy_catalogs(tmp_path)
    po = catalog_path("ti", tmp_path)
    lines = po.read_text(encoding="utf-8").splitlines()
    # Empty the first translated entry after the header, and add a credit to the header.
    first = next(i for i, line in enumerate(lines) if line.startswith('msgstr "') and i > 10)
    lines[first] = 'msgstr ""'
    lines.insert(0, "# Reviewed by: Tesfay <t@example.org>")
    po.write_text("\n".join(lines) + "\n", encoding="utf-8")
    catalog_path("uk", tmp_path).unlink()

    statuses = {s.code: s for s in read_statuses(tmp_path, offered=("fr", "en"))}
    ti = statuses["ti"]
    assert ti.translated == ti.total - 1 and ti.percent == 99
    assert ti.review == Review("reviewed", "Tesfay") and not ti.offered
    assert (statuses["uk"].translated, statuses["uk"].review.state) == (0, "missing")
    assert statuses["fr"].offered and statuses["fr"].review.state == "source"


def test_the_page_escapes_what_it_shows() -> None:
    status = LocaleStatus(
        code="ti",
        name="ትግርኛ",
        translated=1,
        total=3,
        offered=False,
        review=Review("reviewed", "<script>alert(1)</script> & co"),
    )
    page = render_page([status], "/locales/locales.css")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert f"33{NBSP}%" in page and ">non<" in page
