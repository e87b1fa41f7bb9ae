"""SMS arithmetic: GSM-7 transliteration, encoding, segment counting and paging.

An operator bills segments. GSM-7 text fits 160 characters in one segment and 153 a segment when
concatenated; a single character outside GSM-7 turns the whole message into UCS-2: 70 characters,
67 a segment. GSM-7 extension characters (``€ [ ] { } ~ ^ | \\``) take two places. So Latin-script
messages are made GSM-7 before sending (ê→e, ç→c, ’→', « »→"), and long texts are cut between
words, never inside one.
"""

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "GSM7_BASIC",
    "GSM7_EXTENDED",
    "Encoding",
    "SmsInfo",
    "measure",
    "split",
    "split_pages",
    "to_gsm7",
    "utf16_length",
]

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

# Characters outside GSM-7 with a close GSM-7 spelling; others fall back to their base letter.
_REPLACEMENTS = {
    "’": "'",
    "‘": "'",
    "‚": "'",
    "ʼ": "'",
    "`": "'",
    "´": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "«": '"',
    "»": '"',
    "–": "-",
    "—": "-",
    "‐": "-",
    "‑": "-",
    "−": "-",
    "…": "...",
    "•": "-",
    "·": "-",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\t": " ",
    "œ": "oe",
    "Œ": "OE",
    "ç": "c",
}


class Encoding:
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


@dataclass(frozen=True, slots=True)
class SmsInfo:
    encoding: str
    units: int
    """Characters as the operator counts them (septets for GSM-7, UTF-16 units for UCS-2)."""
    segments: int


def _latin_fallback(ch: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base and all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in base):
        return base
    return ch


_GUILLEMETS = re.compile(r"«\s*|\s*»")


@lru_cache(maxsize=4096)
def to_gsm7(text: str) -> str:
    """Rewrite Latin text in GSM-7 where a close spelling exists; other scripts stay as they are.

    Cached, like :func:`measure`: every reply goes through it, and most replies are the same.
    """
    text = _GUILLEMETS.sub('"', text)
    out = []
    for ch in text:
        if ch in GSM7_BASIC or ch in GSM7_EXTENDED:
            out.append(ch)
        elif ch in _REPLACEMENTS:
            out.append(_REPLACEMENTS[ch])
        else:
            out.append(_latin_fallback(ch))
    return "".join(out)


_GSM7_ALL = GSM7_BASIC | GSM7_EXTENDED


@lru_cache(maxsize=4096)
def measure(text: str) -> SmsInfo:
    """Encoding and segment count of a message, as Twilio counts them.

    Cached: the same prompts are measured again and again, on every message.
    """
    if _GSM7_ALL.issuperset(text):
        units = len(text) + sum(text.count(ch) for ch in GSM7_EXTENDED)
        single, multi, encoding = 160, 153, Encoding.GSM7
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, Encoding.UCS2
    segments = 1 if units <= single else math.ceil(units / multi)
    return SmsInfo(encoding, units, segments)


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, as Telegram and UCS-2 count (an emoji outside the BMP is 2)."""
    return len(text.encode("utf-16-le")) // 2


def split(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Cut ``text`` into parts that each ``fits``: whole lines while they fit, a longer line
    between words, a word longer than a part wherever it must. One splitter for every channel:
    SMS pages count segments, Telegram counts UTF-16 units; the rule of the cut is the same."""
    parts: list[str] = []
    current: str | None = None
    for line in text.split("\n"):
        candidate = line if current is None else f"{current}\n{line}"
        if fits(candidate):
            current = candidate
            continue
        if current is not None and current.strip():
            parts.append(current.rstrip())
        while not fits(line):
            head, line = _cut(line, fits)
            parts.append(head)
        current = line
    if current is not None and (current.strip() or not parts):
        parts.append(current.rstrip() if parts else current)
    return parts


def _cut(text: str, fits: Callable[[str], bool]) -> tuple[str, str]:
    """The longest head of ``text`` that fits, cut between words when a space is near enough."""
    low, high = 1, len(text)
    while low < high:  # binary search on length: what it costs grows with the length
        mid = (low + high + 1) // 2
        if fits(text[:mid]):
            low = mid
        else:
            high = mid - 1
    at = text.rfind(" ", 0, low + 1)
    if at > low // 3:
        return text[:at].rstrip(), text[at + 1 :].lstrip()
    return text[:low], text[low:]


def split_pages(text: str, max_segments: int, reserve: str = "") -> list[str]:
    """A long text as SMS pages of at most ``max_segments`` each, between lines or words.

    ``reserve`` is room kept on every page for a closing line (such as "SUITE : voir la suite").
    """
    return split(text.strip(), lambda page: measure(page + reserve).segments <= max_segments)
