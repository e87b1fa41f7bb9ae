"""The commands a candidate can send at any step, recognised before any step logic (FLOW.md).

A command is the whole message (``aide``, ``AIDE !``, ``Aidé``): the message is folded (case,
accents, punctuation, digits and letter variants) and looked up in a table of words per command.
French and English words always work, whatever the conversation language.
"""

from conversations.parsing.normalize import fold

__all__ = ["COMMAND_WORDS", "OPT_OUT_WORDS", "parse_command"]

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

OPT_OUT_WORDS = COMMAND_WORDS["STOP"]

# Every language's words work whatever the conversation language: they cannot collide with
# an answer (tests check it), and a person may write in the language they find easiest.
_LOOKUP = {
    fold(word) if word != "?" else "?": command
    for table in (COMMAND_WORDS, *LOCALE_COMMAND_WORDS.values())
    for command, ws in table.items()
    for word in ws
}


def parse_command(text: str) -> str | None:
    """The command this whole message is, or None."""
    stripped = text.strip()
    if stripped and set(stripped) <= {"?", "؟", " "}:
        return "HELP"
    return _LOOKUP.get(fold(stripped))
