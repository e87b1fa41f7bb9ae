"""Coaches' invitation codes as candidates type them: "T4821", "t 4821", "T-4821".

One reading for the engine and for the service that looks the codes up, so that the code the
service checks is always the one the engine will take.
"""

import re

__all__ = ["code_answer", "code_in_text"]

_ANSWER = re.compile(r"^[A-Z]{1,3}\d{3,6}$")
# Inside a first message ("Bonjour T4821"): four digits at least, so "Bonjour 12" is no code.
_IN_TEXT = re.compile(r"\b([A-Z]{1,3}-?\d{4,6})\b")


def code_answer(text: str) -> str | None:
    """The code a whole answer is, spaces and hyphens aside, in capitals; None if it is none."""
    code = text.replace(" ", "").replace("-", "").upper()
    return code if _ANSWER.match(code) else None


def code_in_text(text: str) -> str | None:
    """A code written inside a longer message, if there is one."""
    found = _IN_TEXT.search(text.upper())
    return found.group(1).replace("-", "") if found else None
