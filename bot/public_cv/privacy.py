"""What the public page may say about a person, and nothing more.

The CV is public and shared: it shows a first name and the initial of the last name, never the
last name, a phone number, an email or a street address. Those never reach the page from the
candidate's details (the page model has no field for them), and the free texts (story,
catchphrase, experience descriptions…) are redacted too, since people write "call me on 06…" or
"I am Amina Diallo" in their story.
"""

import re

import phonenumbers

__all__ = ["public_name", "public_place", "redact"]

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
    initial = (last_name or "").strip()[:1].upper()
    if not first:
        return f"{initial}." if initial else ""
    return f"{first} {initial}." if initial else first


def redact(text: str, *, last_name: str | None = None) -> str:
    """The text without email addresses, phone numbers or the person's last name."""
    text = _EMAIL.sub(_HIDDEN, text)
    # French numbers first (06 12 34 56 78), then any international one (+93 70…).
    for region in ("FR", None):
        matches = list(phonenumbers.PhoneNumberMatcher(text, region or "ZZ", leniency=0))
        for match in reversed(matches):
            text = text[: match.start] + _HIDDEN + text[match.end :]
    text = _loose_phone(text)
    last = (last_name or "").strip()
    if len(last) >= 2:
        initial = last[:1].upper() + "."
        # "…Amina Diallo." becomes "…Amina D." (one full stop, not two).
        pattern = rf"(?<!\w){re.escape(last)}(?!\w)\.?"
        text = re.sub(pattern, initial, text, flags=re.IGNORECASE)
    return text


def _loose_phone(text: str) -> str:
    """Digit runs long enough to be a phone number, however they are spaced (0 6 12 34 56 78)."""

    def hide(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return _HIDDEN if len(digits) >= 8 else match.group(0)

    return re.sub(r"\+?\d[\d .\-/()]{6,}\d", hide, text)


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
