"""French communes by name, for the town question: "Marseille", "marseille", "Марсель", "ليون".

The tables are generated (``communes_build.py`` says from what, with the licences) and read once,
on first use: a name is matched on its folded form (no accents, no case, hyphens as spaces,
"St"/"Ste" as "Saint"/"Sainte"), in French or under another name of the larger towns in the
scripts candidates write. A name several communes share is settled by size when one is far larger
(:func:`settle`); otherwise the question asks which one, or for the postal code.
"""

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from conversations.parsing.normalize import fold

__all__ = ["Commune", "by_postal_code", "communes_named", "settle"]

DOMINANT = 5
"""A commune at least this many times as populous as every other of its name is the one meant."""


@dataclass(frozen=True, slots=True)
class Commune:
    name: str
    department: str
    postal_codes: tuple[str, ...]
    population: int
    """0 below 5,000 people (the data does not say)."""

    @property
    def postal_code(self) -> str | None:
        """The postal code when the commune has only one."""
        return self.postal_codes[0] if len(self.postal_codes) == 1 else None


def _rows(name: str) -> list[list[str]]:
    text = files("conversations.vocabulary").joinpath(name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


def _key(text: str) -> str:
    words = fold(text).split()
    return " ".join({"st": "saint", "ste": "sainte"}.get(word, word) for word in words)


@cache
def _tables() -> tuple[dict[str, list[Commune]], dict[str, list[Commune]]]:
    named: dict[str, list[Commune]] = {}
    coded: dict[str, list[Commune]] = {}
    by_place: dict[tuple[str, str], Commune] = {}
    for name, department, codes, population in _rows("communes.tsv"):
        commune = Commune(name, department, tuple(codes.split()), int(population))
        by_place[(name, department)] = commune
        named.setdefault(_key(name), []).append(commune)
        for code in commune.postal_codes:
            coded.setdefault(code, []).append(commune)
    for other, name, department in _rows("communes_names.tsv"):
        key, commune = _key(other), by_place[(name, department)]
        # A commune's own name always wins over another town's other name.
        if key not in named and commune not in named.setdefault(f"~{key}", []):
            named[f"~{key}"].append(commune)
    return named, coded


def communes_named(text: str) -> list[Commune]:
    """Every commune of that name (or other name), largest first; empty when none."""
    named, _ = _tables()
    key = _key(text)
    found = named.get(key) or named.get(f"~{key}") or []
    return sorted(found, key=lambda c: -c.population)


def by_postal_code(code: str) -> list[Commune]:
    _, coded = _tables()
    return list(coded.get(code, []))


def settle(communes: list[Commune]) -> Commune | None:
    """The commune meant by a shared name, when that is clear: the only one, or one far larger
    than every other (``DOMINANT``); None when the person must say which."""
    if len(communes) == 1:
        return communes[0]
    if not communes:
        return None
    first, second = communes[0], communes[1]
    if first.population and first.population >= DOMINANT * max(second.population, 1000):
        return first
    return None
