"""The commands a candidate can send at any step, recognised before any step logic
(docs/conversation.md).

A command is the whole message (``aide``, ``AIDE !``, ``Aidé``): the message is folded (case,
accents, punctuation, digits and letter variants) and looked up in a table of words per command.
French and English words always work, whatever the conversation language.
"""

from conversations.parsing.normalize import fold

__all__ = ["COMMAND_WORDS", "is_foreign_command", "parse_command"]

COMMAND_WORDS: dict[str, tuple[str, ...]] = {
    "HELP": ("aide", "help", "?", "au secours", "sos"),
    "BACK": ("retour", "back", "precedent"),
    "SKIP": ("passer", "skip", "passe", "je passe"),
    "VIEW": ("voir", "view", "cv", "mon cv"),
    "EDIT": ("modifier", "edit", "changer"),
    "SEND": ("envoyer", "send"),
    "LANGUAGE": ("langue", "language", "langues", "languages"),
    "STOP": ("stop", "arret", "unsubscribe", "stopall", "cancel", "end", "quit"),
    "START": ("start", "reprendre", "unstop", "yes start"),
    "DELETE": ("supprimer", "delete", "effacer"),
    "DONE": ("fini", "done", "termine", "fin"),
    "MORE": ("suite", "more", "next"),
    "LINK": ("lier", "link", "relier"),
}

# The words of each locale, chosen with its catalog (locales/<locale>/commands.json).
LOCALE_COMMAND_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "ar": {
        "HELP": (
            "مساعدة",
            "ساعدني",
        ),
        "BACK": (
            "رجوع",
            "ارجع",
        ),
        "SKIP": (
            "تخطي",
            "تخطى",
        ),
        "VIEW": (
            "عرض",
            "اعرض",
        ),
        "EDIT": (
            "تعديل",
            "عدل",
        ),
        "SEND": (
            "إرسال",
            "ارسال",
        ),
        "LANGUAGE": (
            "لغة",
            "اللغة",
        ),
        "STOP": (
            "توقف",
            "أوقف",
        ),
        "START": (
            "ابدأ",
            "ابدا",
        ),
        "DELETE": (
            "حذف",
            "احذف",
        ),
        "DONE": (
            "انتهيت",
            "خلصت",
        ),
        "MORE": (
            "المزيد",
            "مزيد",
        ),
        "LINK": (
            "ربط",
            "اربط",
        ),
    },
    "fa_AF": {
        "HELP": (
            "کمک",
            "مدد",
        ),
        "BACK": (
            "برگشت",
            "عقب",
        ),
        "SKIP": (
            "بگذر",
            "بگزر",
        ),
        "VIEW": (
            "دیدن",
            "ببین",
        ),
        "EDIT": (
            "تغییر",
            "اصلاح",
        ),
        "SEND": (
            "ارسال",
            "بفرست",
        ),
        "LANGUAGE": ("زبان",),
        "STOP": (
            "توقف",
            "بس کن",
        ),
        "START": (
            "شروع",
            "شروع دوباره",
        ),
        "DELETE": (
            "حذف",
            "پاک کردن",
        ),
        "DONE": (
            "تمام",
            "خلاص",
        ),
        "MORE": (
            "بیشتر",
            "بعدی",
        ),
        "LINK": (
            "وصل",
            "پیوند",
        ),
    },
    "ps": {
        "HELP": ("مرسته",),
        "BACK": ("شاته",),
        "SKIP": (
            "تېر",
            "تیر",
        ),
        "VIEW": ("کتل",),
        "EDIT": (
            "بدلول",
            "بدلون",
        ),
        "SEND": (
            "لېږل",
            "لیږل",
        ),
        "LANGUAGE": ("ژبه",),
        "STOP": ("بند",),
        "START": (
            "پیل",
            "شروع",
        ),
        "DELETE": ("پاکول",),
        "DONE": ("خلاص",),
        "MORE": ("ادامه",),
        "LINK": (
            "نښلول",
            "وصل",
        ),
    },
    "uk": {
        "HELP": ("ДОПОМОГА",),
        "BACK": ("НАЗАД",),
        "SKIP": (
            "ПРОПУСТИТИ",
            "ПРОПУСК",
        ),
        "VIEW": ("ПОКАЗАТИ",),
        "EDIT": ("ЗМІНИТИ",),
        "SEND": (
            "НАДІСЛАТИ",
            "ВІДПРАВИТИ",
        ),
        "LANGUAGE": ("МОВА",),
        "STOP": ("СТОП",),
        "START": ("СТАРТ",),
        "DELETE": ("ВИДАЛИТИ",),
        "DONE": ("ГОТОВО",),
        "MORE": ("БІЛЬШЕ",),
        "LINK": (
            "ЗВ'ЯЗАТИ",
            "ЛІНК",
        ),
    },
    "ti": {
        "HELP": ("ሓገዝ",),
        "BACK": (
            "ድሕሪት",
            "ንድሕሪት",
        ),
        "SKIP": (
            "ሕለፍ",
            "ሕለፉ",
        ),
        "VIEW": (
            "ርአ",
            "ርኣ",
            "ሲቪ",
        ),
        "EDIT": (
            "ቀይር",
            "ቀይሩ",
        ),
        "SEND": (
            "ስደድ",
            "ስደዱ",
        ),
        "LANGUAGE": (
            "ቋንቋ",
            "ቋንቋታት",
        ),
        "STOP": (
            "ኣቋርጽ",
            "ደው በል",
        ),
        "START": (
            "ጀምር",
            "ጀምሩ",
        ),
        "DELETE": (
            "ደምስስ",
            "ሰርዝ",
        ),
        "DONE": (
            "ተወዲኡ",
            "ወዲአ",
        ),
        "MORE": ("ቀጻሊ",),
        "LINK": (
            "ኣራኽብ",
            "ሊንክ",
        ),
    },
}

# Every language's words work whatever the conversation language, since a person may write in
# the language they find easiest; each word keeps the languages it is a command in, so that a
# word that means something else in the conversation's language is read in that language
# (``is_foreign_command``: Dari's "ادامه" is the save point's "continue", Pashto's MORE).
_BASE = "base"
_MEANINGS: dict[str, dict[str, str]] = {}
for _source, _table in ((_BASE, COMMAND_WORDS), *LOCALE_COMMAND_WORDS.items()):
    for _command, _words in _table.items():
        for _word in _words:
            _MEANINGS.setdefault(fold(_word) if _word != "?" else "?", {})[_source] = _command


def parse_command(text: str, locale: str | None = None) -> str | None:
    """The command this whole message is, or None; in the conversation's language first."""
    stripped = text.strip()
    if stripped and set(stripped) <= {"?", "؟", " "}:
        return "HELP"
    meanings = _MEANINGS.get(fold(stripped))
    if not meanings:
        return None
    for source in (locale, _BASE):
        if source in meanings:
            return meanings[source]
    commands = set(meanings.values())
    return commands.pop() if len(commands) == 1 else None  # two meanings abroad: neither


def is_foreign_command(text: str, locale: str | None) -> bool:
    """The word is a command only in languages other than French, English and ``locale``."""
    meanings = _MEANINGS.get(fold(text.strip()), {})
    return bool(meanings) and _BASE not in meanings and locale not in meanings
