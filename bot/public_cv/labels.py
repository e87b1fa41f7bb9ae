"""The public CV page's own labels ("Expériences", "Contacter…") in French and English.

They are not candidate messages: employers read them, in French by default and in English at
``?lang=en``. They live in their own small gettext domain (``public_cv``), so the candidates'
catalogs (seven languages, SMS budget) are not asked to translate them. The French text is the
msgid, as everywhere in Tremplin; ``catalog.py`` extracts them from the templates and from the
``PL_`` markers in this package.

Vocabulary (jobs, skills, contracts, language levels) comes from the shared catalogs through
:mod:`bot.channels.render`, and language and country names from CLDR through Babel.
"""

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

__all__ = [
    "DOMAIN",
    "LABELS_DIR",
    "PAGE_LANGUAGES",
    "PL_",
    "of",
    "page_language",
    "page_translations",
]

DOMAIN = "public_cv"
LABELS_DIR = Path(__file__).resolve().parent / "locales"
#: The page's languages; the first is the default.
PAGE_LANGUAGES: tuple[str, ...] = ("fr", "en")


def PL_(message: str) -> str:
    """Mark a French page label for extraction into the ``public_cv`` domain."""
    return message


_FRENCH_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüœæ")


def of(name: str, language: str) -> str:
    """ "d’Amina", "de Karim", "of Amina": a name after "the CV", "the coach"… French elides
    "de" before a vowel; labels say ``le CV %(of_name)s`` so each language puts its own word."""
    if language != "fr":
        return f"of {name}"
    return f"d’{name}" if name[:1].casefold() in _FRENCH_VOWELS else f"de {name}"


def page_language(requested: str | None) -> str:
    """The page language for a ``?lang=`` value: French unless another offered one is asked."""
    code = (requested or "").strip().lower().replace("-", "_").split("_")[0]
    return code if code in PAGE_LANGUAGES else PAGE_LANGUAGES[0]


@cache
def page_translations(language: str) -> gettext.NullTranslations:
    """The labels of a page language (French msgids as they are when there is no catalog).

    Compiled in memory from the ``.po`` (no build step in a fresh clone); fuzzy entries are
    never used.
    """
    po = LABELS_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
