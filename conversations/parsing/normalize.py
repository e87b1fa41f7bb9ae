"""Text normalisation shared by every parser of candidate answers.

People type on small keyboards, in several scripts, without accents, with extra spaces and
punctuation. Matching is done on a folded form: case folded, accents removed, Arabic-Indic and
Persian digits turned into ASCII digits, Arabic and Persian letter variants unified, Ethiopic
punctuation treated as punctuation. The original text is always kept for the CV; the folded form
only serves to compare.
"""

import re
import unicodedata

__all__ = ["clean_answer", "fold", "fold_digits", "has_visible_text"]

# Arabic-Indic (U+0660..) and Extended Arabic-Indic / Persian (U+06F0..) digits count as 0-9.
_DIGITS = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
_DIGITS.update({ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")})

# Letter variants that people swap depending on their keyboard (Arabic vs Persian layouts).
_LETTERS = {
    ord("ي"): "ی",
    ord("ى"): "ی",
    ord("ئ"): "ی",
    ord("ك"): "ک",
    ord("ة"): "ه",
    ord("ۀ"): "ه",
    ord("أ"): "ا",
    ord("إ"): "ا",
    ord("آ"): "ا",
    ord("ٱ"): "ا",
    ord("ؤ"): "و",
    ord("ـ"): None,  # tatweel, a stretching mark
}

# Ethiopic word space and punctuation behave like spaces and full stops.
_ETHIOPIC_PUNCT = {ord(c): " " for c in "፡።፣፤፥፦፧፨"}

_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
# Control and direction marks go; the zero-width (non-)joiners stay: Persian words use them.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
_JOINERS = {ord("\u200c"): None, ord("\u200d"): None}

# The four tables above in one pass: their keys are disjoint and no value is another's key, so
# one translate gives what the four in a row give.
_FOLD_TABLE = {**_DIGITS, **_JOINERS, **_LETTERS, **_ETHIOPIC_PUNCT}


def fold_digits(text: str) -> str:
    """Turn Arabic-Indic and Persian digits into ASCII digits."""
    return text.translate(_DIGITS)


def clean_answer(text: str) -> str:
    """The answer as it will be stored: control and direction characters removed, spaces folded."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", text))
    return _SPACES.sub(" ", text).strip()


def fold(text: str) -> str:
    """The comparison form: lower case, no accents, ASCII digits, same letters, no punctuation."""
    # "پاک‌کاری" and "پاککاری" are the same word, with or without the half-space.
    text = clean_answer(text).translate(_FOLD_TABLE).casefold()
    if text.isascii():
        stripped = text  # no accents to decompose, nothing below applies: the common case, fast
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        # Drop combining marks (accents, Arabic harakat) but keep the base letters of every script.
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        stripped = stripped.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    stripped = _PUNCT.sub(" ", stripped.replace("_", " "))
    return _SPACES.sub(" ", stripped).strip()


def has_visible_text(text: str) -> bool:
    """True when the text holds at least one letter or digit (not only emojis or punctuation)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)
