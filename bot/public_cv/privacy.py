"""What the public page may say about a person, and nothing more.

The CV is public and shared: it shows a first name and the initial of the last name, never the
last name, a phone number, an email or a street address. Those never reach the page from the
candidate's details (the page model has no field for them), and the free texts (story,
catchphrase, experience descriptions…) are redacted too, since people write "call me on 06…" or
"I am Amina Diallo" in their story.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
from anyascii import anyascii

from conversations.parsing.places import is_latin

__all__ = ["Hidden", "hidden_in", "public_name", "public_place", "redact"]

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A street number, a street word or a second number besides the postal code: an address.
_STREET = re.compile(
    r"\b(rue|avenue|av|bd|boulevard|chemin|allée|allee|impasse|place|quai|route|cours|"
    r"square|résidence|residence|bât|bat|bâtiment|batiment|appt|appartement|street|road)\b",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_HIDDEN = "…"


def public_name(first_name: str | None, last_name: str | None) -> str:
    """ "Amina D.": the first name and the initial of the last name (first name alone if none)."""
    first = (first_name or "").strip()
    last = (last_name or "").strip()
    initial = last[:1]
    if initial and is_latin(first) and not is_latin(initial):
        # The page spells the first name in Latin letters (bot/cv/latin_names.py): the initial
        # too, "Olena K." rather than "Olena К." (a Cyrillic letter) or "Leila ح.".
        initial = next((char for char in anyascii(last) if char.isalpha()), "")
    initial = initial.upper()
    if not first:
        return f"{initial}." if initial else ""
    return f"{first} {initial}." if initial else first


# Street addresses in the languages the product speaks: a number and a street word ("12 rue de la
# Paix", "3, av. Foch", "12 شارع الحرية"), or a street word and its number ("вул. Шевченка, 5").
# The words include their common misspellings; the address runs until punctuation, the end or a
# word that starts what comes after it ("à Lyon", "in Kabul", "в Києві").
_STREET_WORDS = (
    r"rue|ru|rues|avenue|avenu|avnue|aveune|av|ave|boulevard|boulevar|boulvard|bld|blvd|bd|"
    r"chemin|chemain|ch|impasse|impase|imp|allée|allee|allé|alle|place|pl|quai|route|rte|cours|"
    r"square|sq|cité|cite|résidence|residence|lotissement|street|st|road|rd|lane|"
    r"شارع|زنقة|حي|جادة|سرک|سړک|جاده|خیابان|کوچه|کوڅه|"
    r"вулиця|вулиці|вул|проспект|просп|пр|провулок|пров|бульвар|бул|площа|пл|"
    r"ጎደና|ጎዳና"
)
_STOP_WORDS = (
    r"à|a|au|aux|in|at|to|near|en|dans|près|pres|et|and|в|у|біля|і|та|في|قرب|و|در|په|او|ኣብ"
)
_NUMBER = r"\d{1,4}(?:\s?(?:bis|ter|b))?"
_WORD = r"[^\W\d_][\w'’-]*"
_ADDRESS = re.compile(
    rf"(?<!\w)(?:{_NUMBER}\s*,?\s*(?:{_STREET_WORDS})\.?(?:\s+(?!(?:{_STOP_WORDS})(?!\w))"
    rf"{_WORD}){{0,5}}"
    rf"|(?:{_STREET_WORDS})\.?(?:\s+(?!(?:{_STOP_WORDS})(?!\w)){_WORD}){{1,4}},?\s*"
    rf"{_NUMBER}"
    rf"|{_NUMBER}\s+(?:{_WORD}\s+){{1,3}}(?:street|st|road|rd|avenue|ave|lane|drive|dr)\.?)(?!\w)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Hidden:
    """A part of a free text the public page does not show, and why (for the coach)."""

    kind: str
    """``email``, ``phone``, ``address`` or ``last_name``."""
    text: str


def redact(text: str, *, last_name: str | None = None) -> str:
    """The text without email addresses, phone numbers, street addresses or the last name."""
    return _redacted(text, last_name, [])


def hidden_in(text: str, *, last_name: str | None = None) -> list[Hidden]:
    """What :func:`redact` takes out of ``text``, in order, so the coach can see it and why."""
    found: list[Hidden] = []
    _redacted(text, last_name, found)
    return found


def _redacted(text: str, last_name: str | None, found: list[Hidden]) -> str:
    def hide(kind: str) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            found.append(Hidden(kind, match.group(0)))
            return _HIDDEN

        return replace

    text = _EMAIL.sub(hide("email"), text)
    # French numbers first (06 12 34 56 78), then any international one (+93 70…).
    for region in ("FR", None):
        matches = list(phonenumbers.PhoneNumberMatcher(text, region or "ZZ", leniency=0))
        for match in reversed(matches):
            found.append(Hidden("phone", match.raw_string))
            text = text[: match.start] + _HIDDEN + text[match.end :]
    text = _loose_phone(text, hide("phone"))
    text = _ADDRESS.sub(hide("address"), text)
    last = (last_name or "").strip()
    # A name in another script may come back in Latin letters in the French the coach wrote
    # ("Коваленко" as "Kovalenko"): both spellings go.
    spellings = [last] if is_latin(last) else [last, anyascii(last)]
    for spelling in dict.fromkeys(s for s in spellings if len(s) >= 2):
        text = _shorten_name(text, spelling, found)
    return text


def _shorten_name(text: str, name: str, found: list[Hidden]) -> str:
    """ "…Amina Diallo." becomes "…Amina D." (one full stop, not two)."""
    initial = name[:1].upper() + "."
    pattern = rf"(?<!\w){re.escape(name)}(?!\w)\.?"

    def shorten(match: re.Match[str]) -> str:
        found.append(Hidden("last_name", match.group(0)))
        return initial

    return re.sub(pattern, shorten, text, flags=re.IGNORECASE)


def _loose_phone(text: str, hide: Callable[[re.Match[str]], str]) -> str:
    """Digit runs long enough to be a phone number, however they are spaced (0 6 12 34 56 78)."""

    def maybe(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return hide(match) if len(digits) >= 8 else match.group(0)

    return re.sub(r"\+?\d[\d .\-/()]{6,}\d", maybe, text)


def public_place(label: str, postal_code: str | None, department: str | None) -> str:
    """Where a person looks for work, without their street address.

    The place label keeps what the person typed: usually a town and a postal code, sometimes a
    full address. Anything that looks like one is shown as its department only.
    """
    numbers = [n for n in _DIGITS.findall(label) if n != (postal_code or "")]
    if not numbers and not _STREET.search(label):
        return label
    if postal_code:
        return postal_code
    return department or _HIDDEN
