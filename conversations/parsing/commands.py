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
}

OPT_OUT_WORDS = COMMAND_WORDS["STOP"]

_LOOKUP = {
    fold(word) if word != "?" else "?": command
    for command, ws in COMMAND_WORDS.items()
    for word in ws
}


def parse_command(text: str) -> str | None:
    """The command this whole message is, or None."""
    stripped = text.strip()
    if stripped and set(stripped) <= {"?", "؟", " "}:
        return "HELP"
    return _LOOKUP.get(fold(stripped))
