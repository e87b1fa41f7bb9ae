"""Languages a candidate speaks: the numbered menu and recognition of a language by its name.

Codes are ISO 639 (``prs`` for Dari, as employers' and France Travail's lists use). Names come from
CLDR through Babel, so they are right in every locale without a catalog entry of ours.
"""

from babel import Locale
from rapidfuzz import fuzz, process

from conversations.parsing.normalize import fold

__all__ = ["babel_key", "find_language", "locale_language", "menu_languages"]

# CLDR has no entry for "prs"; it names Dari as the Afghan variant of Persian.
_BABEL_KEYS = {"prs": "fa_AF"}

# The language of each product locale, as stored in a CV.
_LOCALE_LANGUAGE = {
    "fr": "fr",
    "en": "en",
    "ar": "ar",
    "fa_AF": "prs",
    "ps": "ps",
    "uk": "uk",
    "ti": "ti",
}

# The languages most often spoken by the people Tremplin serves, in menu order after French,
# the conversation language and English.
MENU_SIZE = 8
_COMMON = ("ar", "prs", "ps", "uk", "ti", "es", "ru")

# Names people type that CLDR does not give in French or English.
_ALIASES = {
    "dari": "prs",
    "afghan": "prs",
    "farsi": "fa",
    "persan": "fa",
    "pachtou": "ps",
    "pashto": "ps",
    "pachto": "ps",
    "tigrinya": "ti",
    "tigrigna": "ti",
    "tigrinia": "ti",
    "erythreen": "ti",
    "peul": "ff",
    "poular": "ff",
    "pular": "ff",
    "fulfulde": "ff",
    "soninke": "snk",
    "malinke": "man",
    "creole": "ht",
    "kurde": "ku",
    "kurmandji": "kmr",
    "sorani": "ckb",
    "darija": "ary",
    "arabe marocain": "ary",
    "berbere": "ber",
    "kabyle": "kab",
    "anglais": "en",
    "francais": "fr",
    "ukrainien": "uk",
    "russe": "ru",
    "دری": "prs",
    "فارسی دری": "prs",
    "فارسی": "fa",
    "پشتو": "ps",
}


def babel_key(code: str) -> str:
    """The key under which CLDR names a language code."""
    return _BABEL_KEYS.get(code, code)


def language_name(code: str, locale: str) -> str:
    """A language's name in a locale, from CLDR (English when CLDR lacks it)."""
    key = babel_key(code)
    name = Locale.parse(locale).languages.get(key) or Locale.parse("en").languages.get(key, code)
    return str(name)


def locale_language(locale: str) -> str:
    """The ISO 639 language of a product locale (``fa_AF`` speaks ``prs``)."""
    return _LOCALE_LANGUAGE.get(locale, locale.split("_")[0])


def menu_languages(locale: str) -> list[str]:
    """Language codes for the numbered menu: French, the conversation language, English, others."""
    ordered = ["fr", locale_language(locale), "en", *_COMMON]
    return list(dict.fromkeys(ordered))[:MENU_SIZE]


def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for display in ("fr", "en", "ar", "fa_AF", "ps", "uk", "ti"):
        for code, name in Locale.parse(display).languages.items():
            if len(code) in (2, 3) and code.isalpha():
                names.setdefault(fold(name), code)
    names.update({fold(alias): code for alias, code in _ALIASES.items()})
    names[fold("dari")] = "prs"
    return names


_NAMES = _names()


def find_language(text: str) -> str | None:
    """The ISO 639 code of a language named in French, English or by a common alias."""
    query = fold(text)
    if not query:
        return None
    if query in _NAMES:
        return _NAMES[query]
    if len(query) < 4:
        return None
    match = process.extractOne(query, list(_NAMES), scorer=fuzz.ratio, score_cutoff=85)
    return _NAMES[match[0]] if match else None
