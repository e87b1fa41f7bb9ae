"""Reading answers to numbered questions.

A number is always a valid answer. Several numbers may be given as ``1 3``, ``1,3``, ``1 et 3`` or
``1 and 3``. Words work too: ``oui``/``non`` for yes/no questions, and a word that is the start of
an option's label ("cdi", "interim"). Digits of every script count (see ``normalize``).
"""

import re
from collections.abc import Sequence
from functools import lru_cache

from conversations.parsing.normalize import fold

__all__ = ["NO_WORDS", "YES_WORDS", "parse_choice", "parse_choices", "parse_yes_no"]

YES_WORDS = frozenset(
    fold(word)
    for word in (
        "oui",
        "o",
        "ouais",
        "ouai",
        "yes",
        "y",
        "yeah",
        "yep",
        "ok",
        "okay",
        "d'accord",
        "dac",
        "bien sûr",
        "si",
        "évidemment",
        "نعم",
        "بله",
        "اره",
        "هو",
        "так",
        "да",
        "እወ",
        "እወን",
    )
)
NO_WORDS = frozenset(
    fold(word)
    for word in (
        "non",
        "n",
        "no",
        "nope",
        "nan",
        "pas",
        "jamais",
        "nein",
        "لا",
        "نه",
        "نخیر",
        "ني",
        "ні",
        "нет",
        "ኣይፋል",
        "ኣይ",
    )
)

# Words that join several numbers: French, English and the joining letters of other scripts.
_JOINERS = frozenset(["et", "and", "ou", "or", "plus", "و", "і", "и", "እና"])
_SPLIT = re.compile(r"[\s,;/+&\-]+")


@lru_cache(maxsize=4096)
def _folded_label(label: str) -> str:
    # Labels come from the flow and its catalogs, a few hundred strings asked again and again;
    # answers are folded afresh each time (they are personal data: nothing keeps them).
    return fold(label)


def _tokens(text: str) -> list[str]:
    return [t for t in _SPLIT.split(fold(text)) if t and t not in _JOINERS]


def _match_label(token: str, labels: Sequence[str]) -> int | None:
    """Index of the only option whose folded label starts with ``token`` (3 letters at least)."""
    if len(token) < 3:
        return None
    hits = [i for i, label in enumerate(labels) if _folded_label(label).startswith(token)]
    return hits[0] if len(hits) == 1 else None


def parse_choices(text: str, labels: Sequence[str]) -> list[int] | None:
    """Indexes (from 0) of the chosen options, in the order given, without repeats.

    ``labels`` are the options as the candidate sees them, in their language. Returns None when any
    part of the answer is not a valid option, so nothing half-understood is stored.
    """
    whole = fold(text)
    if whole:
        exact = [i for i, label in enumerate(labels) if _folded_label(label) == whole]
        if exact:
            return exact[:1]
    chosen: list[int] = []
    tokens = _tokens(text)
    if not tokens:
        return None
    for token in tokens:
        if token.isdigit():
            index = int(token) - 1
            if not 0 <= index < len(labels):
                return None
        else:
            found = _match_label(token, labels)
            if found is None:
                return None
            index = found
        if index not in chosen:
            chosen.append(index)
    return chosen


def parse_choice(text: str, labels: Sequence[str]) -> int | None:
    """Index of the one chosen option, or None."""
    chosen = parse_choices(text, labels)
    return chosen[0] if chosen is not None and len(chosen) == 1 else None


def parse_yes_no(text: str, labels: Sequence[str] = ()) -> bool | None:
    """True for yes (``1``, oui, yes…), False for no (``2``, non, no…), None otherwise."""
    folded = fold(text)
    if folded in ("1",):
        return True
    if folded in ("2",):
        return False
    if folded in YES_WORDS or folded.split()[:1] == ["oui"] or folded.split()[:1] == ["yes"]:
        return True
    if folded in NO_WORDS or folded.split()[:1] == ["non"] or folded.split()[:1] == ["no"]:
        return False
    if labels:
        index = parse_choice(text, labels)
        if index is not None:
            return index == 0
    return None
