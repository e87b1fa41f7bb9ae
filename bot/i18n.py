"""Loading the gettext catalogs of ``locales/``.

A fresh clone must work without a build step, so a catalog is compiled in memory from its ``.po``
file with Babel (the same code as ``pybabel compile``) unless a compiled ``.mo`` at least as new
sits beside it. Fuzzy entries are never used: an unreviewed guess must not reach a candidate.
"""

import gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Final, Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from conversations.vocabulary.lists import SUPPORTED_LOCALES
from locales import LOCALES_DIR

__all__ = ["RTL_LOCALES", "catalog_path", "text_direction", "translations"]

RTL_LOCALES: Final = frozenset({"ar", "fa_AF", "ps"})
"""Locales written right to left."""


def text_direction(locale: str | None) -> Literal["rtl", "ltr"]:
    """``rtl`` for a locale written right to left, ``ltr`` otherwise (and before one is known)."""
    return "rtl" if locale in RTL_LOCALES else "ltr"


def catalog_path(locale: str, directory: Path = LOCALES_DIR) -> Path:
    return directory / locale / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=16)
def translations(locale: str) -> gettext.NullTranslations:
    """The translations of a locale; French source texts when the locale has no catalog."""
    po = catalog_path(locale)
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@lru_cache(maxsize=1)
def available_locales() -> tuple[str, ...]:
    """The locales offered to candidates: those whose catalog is complete, in menu order.

    A catalog still being translated (an empty or fuzzy entry) stays out of the menu, so nobody
    is offered a language in which half the questions would come in French.
    """
    offered = []
    for locale in SUPPORTED_LOCALES:
        po = catalog_path(locale)
        if not po.exists():
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        complete = all(
            not message.fuzzy
            and all(message.string if isinstance(message.string, tuple) else (message.string,))
            for message in catalog
            if message.id
        )
        if complete:
            offered.append(locale)
    return tuple(offered)


def lexicon(locales: tuple[str, ...]) -> dict[str, dict[tuple[str, str], str]]:
    """Per locale, every vocabulary label's translation by (context, French label).

    The engine is pure and reads no catalog; this hands it the vocabulary it needs to understand
    answers written in the candidate's language.
    """
    result: dict[str, dict[tuple[str, str], str]] = {}
    for locale in locales:
        po = catalog_path(locale)
        if locale == "fr" or not po.exists():
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        result[locale] = {
            (message.context, str(message.id)): message.string
            for message in catalog
            if message.context and isinstance(message.string, str) and message.string
        }
    return result
