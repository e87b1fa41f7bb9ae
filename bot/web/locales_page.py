"""The translation status page at /locales: how far each language is translated and reviewed.

A coach deciding whether to trust a CV written with a candidate in Dari or Tigrinya needs to know
whether that language is offered at all, and whether a native speaker has read its catalog yet
(the translations were drafted without one). The answer lives in the catalogs themselves, so this
page reads them rather than keeping a second list that would drift:

- translated entries: those of ``locales/messages.pot`` that the locale's ``.po`` file translates
  (not fuzzy, every plural form filled), the same rule as ``python -m locales.workflow check``;
- offered: ``bot.i18n.available_locales()``, the very list the language menu is built from;
- review: a line of the catalog's header comment, ``# Review by a native speaker: pending`` or
  ``# Reviewed by: NAME`` (also ``# Review by a native speaker: done by NAME``). French is the
  source language and is not reviewed.

Catalogs change only with a deployment, so they are read once per process (``lru_cache``).

Public for now: coach accounts do not exist yet. It shows nothing personal: counts read from the
catalogs shipped with the code, and a reviewer's name as the catalog credits it (any e-mail address
is dropped). Put it behind the coaches' login once there is one.
"""

import hashlib
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from bot.i18n import available_locales, catalog_path, text_direction
from bot.web.templates import templates
from conversations.vocabulary.lists import LOCALE_NAMES, SUPPORTED_LOCALES
from locales import LOCALES_DIR

__all__ = [
    "SOURCE_LOCALE",
    "LocaleStatus",
    "Review",
    "locale_statuses",
    "locales_routes",
    "read_review",
    "read_statuses",
    "render_page",
]

SOURCE_LOCALE = "fr"
"""The language the messages are written in (the msgids): nothing to translate or review."""

ReviewState = Literal["source", "pending", "reviewed", "unknown", "missing"]

_STYLESHEET = Path(__file__).resolve().parents[1] / "static" / "locales.css"
# A reviewer's credit: "Reviewed by: NAME" or "Review by a native speaker: done by NAME".
# Within one line only: [ \t], never \s, which would run on to the next line.
_REVIEWED = re.compile(
    r"^#?[ \t]*(?:reviewed[ \t]+by|review[ \t]+by[ \t]+a[ \t]+native[ \t]+speaker[ \t]*:[ \t]*"
    r"done[ \t]+by)[ \t]*:?(.*)$",
    re.IGNORECASE | re.MULTILINE,
)
_PENDING = re.compile(
    r"^#?[ \t]*review[ \t]+by[ \t]+a[ \t]+native[ \t]+speaker[ \t]*:[ \t]*pending\b",
    re.IGNORECASE | re.MULTILINE,
)
# What a gettext credit may add to a name and this page must not show: "<e-mail>", ", 2026".
_EMAIL = re.compile(r"<[^>]*>|\S+@\S+")
_YEARS = re.compile(r"[,\s]+\d{4}(?:\s*[-–,]\s*\d{4})*\s*$")
# Only text, no script: the page needs nothing but its stylesheet.
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src data:; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@dataclass(frozen=True, slots=True)
class Review:
    """Where a catalog stands with its native-speaker review, as its header says."""

    state: ReviewState
    reviewer: str | None = None

    @property
    def label(self) -> str:
        """The French words the page shows."""
        if self.state == "reviewed":
            return f"relu par {self.reviewer}" if self.reviewer else "relu"
        return {
            "source": "langue source",
            "pending": "relecture en attente",
            "unknown": "relecture non indiquée",
            "missing": "pas de catalogue",
        }[self.state]


@dataclass(frozen=True, slots=True)
class LocaleStatus:
    """One line of the page: a locale, how much of it is translated, offered and reviewed."""

    code: str
    name: str
    translated: int
    total: int
    offered: bool
    review: Review

    @property
    def percent(self) -> int:
        """Rounded down: a catalog missing one entry must never read "100 %"."""
        return self.translated * 100 // self.total if self.total else 0

    @property
    def lang(self) -> str:
        """The BCP 47 tag for HTML: ``fa_AF`` → ``fa-AF``."""
        return self.code.replace("_", "-")

    @property
    def dir(self) -> str:
        return text_direction(self.code)


def read_review(header_comment: str) -> Review:
    """The review state a catalog's header comment records.

    A named reviewer wins over a "pending" line left behind: crediting someone is a deliberate
    edit. A header that says neither is reported as such rather than guessed.
    """
    for found in _REVIEWED.finditer(header_comment):
        name = _YEARS.sub("", _EMAIL.sub("", found.group(1))).strip(" \t,;:-")
        if name:
            return Review("reviewed", " ".join(name.split()))
    if _PENDING.search(header_comment):
        return Review("pending")
    return Review("unknown")


def _key(message: Message) -> tuple[str, str | None]:
    msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
    return str(msgid), message.context


def _is_translated(message: Message | None) -> bool:
    if message is None or message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return all(strings)


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def read_statuses(
    directory: Path = LOCALES_DIR, offered: Collection[str] | None = None
) -> tuple[LocaleStatus, ...]:
    """Every supported locale's status, in menu order, from the catalogs in ``directory``.

    ``offered`` defaults to ``available_locales()``, which reads the shipped catalogs.
    """
    if offered is None:
        offered = available_locales()
    source = [_key(message) for message in _read(directory / "messages.pot") if message.id]
    statuses = []
    for locale in SUPPORTED_LOCALES:
        po = catalog_path(locale, directory)
        if po.exists():
            catalog = _read(po, locale)
            entries = {_key(message): message for message in catalog if message.id}
            translated = sum(_is_translated(entries.get(key)) for key in source)
            review = read_review(catalog.header_comment or "")
        else:
            translated, review = 0, Review("missing")
        if locale == SOURCE_LOCALE:
            review = Review("source")
        statuses.append(
            LocaleStatus(
                code=locale,
                name=LOCALE_NAMES[locale],
                translated=translated,
                total=len(source),
                offered=locale in offered,
                review=review,
            )
        )
    return tuple(statuses)


@lru_cache(maxsize=1)
def locale_statuses() -> tuple[LocaleStatus, ...]:
    """The shipped catalogs' statuses, read once: they only change with a deployment."""
    return read_statuses()


@cache
def _stylesheet_version() -> str:
    """A digest of the stylesheet, so a browser never keeps an old one."""
    return hashlib.sha256(_STYLESHEET.read_bytes()).hexdigest()[:12]


def render_page(statuses: Sequence[LocaleStatus], stylesheet: str) -> str:
    """The page's HTML (autoescaped: a reviewer's name is only ever text)."""
    total = statuses[0].total if statuses else 0
    return (
        templates()
        .get_template("locales.html")
        .render(statuses=statuses, total=total, stylesheet=stylesheet)
    )


def locales_routes() -> list[BaseRoute]:
    """The page and its stylesheet (served here: the simulator's static files may be off)."""

    async def page(request: Request) -> HTMLResponse:
        statuses = await run_in_threadpool(locale_statuses)
        stylesheet = f"{request.url_for('locales-css').path}?v={_stylesheet_version()}"
        return HTMLResponse(render_page(statuses, stylesheet), headers=_PAGE_HEADERS)

    async def stylesheet(request: Request) -> Response:
        del request
        return FileResponse(
            _STYLESHEET, media_type="text/css", headers={"X-Content-Type-Options": "nosniff"}
        )

    return [
        Route("/locales", page, methods=["GET"], name="locales"),
        Route("/locales/locales.css", stylesheet, methods=["GET"], name="locales-css"),
    ]
