"""A first name in Latin letters for the French CV, when the person wrote it in another script.

The coach confirms it (bot/coach/draft_view.py prefills the field); publishing waits for it.
"""

from typing import Any

from anyascii import anyascii

from conversations.parsing.normalize import fold
from conversations.parsing.places import is_latin

__all__ = ["latin_spelling", "needs_latin_name"]

# Common first names written in Arabic script, as their bearers usually spell them in France:
# the letters alone ("mhmd") would leave the coach guessing at the vowels.
_KNOWN_SPELLINGS = {
    fold(name): latin
    for names, latin in (
        ("محمد", "Mohamed"), ("احمد أحمد", "Ahmed"), ("علي علی", "Ali"), ("فاطمة فاطمه", "Fatima"),
        ("ليلى لیلا ليلا", "Leila"), ("مريم مریم", "Maryam"), ("يوسف یوسف", "Youssef"),
        ("عمر", "Omar"), ("حسن", "Hassan"), ("حسين حسین", "Hussein"), ("خديجة", "Khadija"),
        ("عائشة", "Aïcha"), ("زينب زینب", "Zeinab"), ("سارة سارا", "Sara"), ("نور", "Nour"),
        ("ابراهيم ابراهیم إبراهيم", "Ibrahim"), ("مصطفى مصطفی", "Mustafa"),
        ("عبدالله", "Abdallah"), ("أمينة امينة امینه", "Amina"), ("نادية نادیه", "Nadia"),
        ("خالد", "Khaled"), ("سعيد سعید", "Saïd"), ("زهرا زهراء", "Zahra"), ("حميد حمید", "Hamid"),
        ("رحيم رحیم", "Rahim"), ("نسرين نسرین", "Nasrin"), ("شكيلا شکیلا", "Shakila"),
        ("محمود", "Mahmoud"), ("جواد", "Javad"), ("رضا", "Reza"), ("مهدي مهدی", "Mehdi"),
    )
    for name in names.split()
}  # fmt: skip


def needs_latin_name(person: dict[str, Any]) -> bool:
    """A first name written in another script: the French page needs it in Latin letters."""
    first = person.get("first_name") or ""
    return bool(first) and not is_latin(first)


def latin_spelling(name: str) -> str | None:
    """A transliteration to prefill the Latin spelling with; the coach confirms or corrects it."""
    if not name or is_latin(name):
        return None
    words = [_KNOWN_SPELLINGS.get(fold(word)) or anyascii(word).title() for word in name.split()]
    return " ".join(word for word in words if word) or None
