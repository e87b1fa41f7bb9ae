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

__all__ = [
    "DEPARTMENTS",
    "Commune",
    "by_postal_code",
    "communes_named",
    "settle",
    "town_label",
]

DEPARTMENTS: dict[str, str] = {
    "01": "Ain",
    "02": "Aisne",
    "03": "Allier",
    "04": "Alpes-de-Haute-Provence",
    "05": "Hautes-Alpes",
    "06": "Alpes-Maritimes",
    "07": "Ardèche",
    "08": "Ardennes",
    "09": "Ariège",
    "10": "Aube",
    "11": "Aude",
    "12": "Aveyron",
    "13": "Bouches-du-Rhône",
    "14": "Calvados",
    "15": "Cantal",
    "16": "Charente",
    "17": "Charente-Maritime",
    "18": "Cher",
    "19": "Corrèze",
    "2A": "Corse-du-Sud",
    "2B": "Haute-Corse",
    "21": "Côte-d'Or",
    "22": "Côtes-d'Armor",
    "23": "Creuse",
    "24": "Dordogne",
    "25": "Doubs",
    "26": "Drôme",
    "27": "Eure",
    "28": "Eure-et-Loir",
    "29": "Finistère",
    "30": "Gard",
    "31": "Haute-Garonne",
    "32": "Gers",
    "33": "Gironde",
    "34": "Hérault",
    "35": "Ille-et-Vilaine",
    "36": "Indre",
    "37": "Indre-et-Loire",
    "38": "Isère",
    "39": "Jura",
    "40": "Landes",
    "41": "Loir-et-Cher",
    "42": "Loire",
    "43": "Haute-Loire",
    "44": "Loire-Atlantique",
    "45": "Loiret",
    "46": "Lot",
    "47": "Lot-et-Garonne",
    "48": "Lozère",
    "49": "Maine-et-Loire",
    "50": "Manche",
    "51": "Marne",
    "52": "Haute-Marne",
    "53": "Mayenne",
    "54": "Meurthe-et-Moselle",
    "55": "Meuse",
    "56": "Morbihan",
    "57": "Moselle",
    "58": "Nièvre",
    "59": "Nord",
    "60": "Oise",
    "61": "Orne",
    "62": "Pas-de-Calais",
    "63": "Puy-de-Dôme",
    "64": "Pyrénées-Atlantiques",
    "65": "Hautes-Pyrénées",
    "66": "Pyrénées-Orientales",
    "67": "Bas-Rhin",
    "68": "Haut-Rhin",
    "69": "Rhône",
    "70": "Haute-Saône",
    "71": "Saône-et-Loire",
    "72": "Sarthe",
    "73": "Savoie",
    "74": "Haute-Savoie",
    "75": "Paris",
    "76": "Seine-Maritime",
    "77": "Seine-et-Marne",
    "78": "Yvelines",
    "79": "Deux-Sèvres",
    "80": "Somme",
    "81": "Tarn",
    "82": "Tarn-et-Garonne",
    "83": "Var",
    "84": "Vaucluse",
    "85": "Vendée",
    "86": "Vienne",
    "87": "Haute-Vienne",
    "88": "Vosges",
    "89": "Yonne",
    "90": "Territoire de Belfort",
    "91": "Essonne",
    "92": "Hauts-de-Seine",
    "93": "Seine-Saint-Denis",
    "94": "Val-de-Marne",
    "95": "Val-d'Oise",
    "971": "Guadeloupe",
    "972": "Martinique",
    "973": "Guyane",
    "974": "La Réunion",
    "975": "Saint-Pierre-et-Miquelon",
    "976": "Mayotte",
    "977": "Saint-Barthélemy",
    "978": "Saint-Martin",
    "986": "Wallis-et-Futuna",
    "987": "Polynésie française",
    "988": "Nouvelle-Calédonie",
}
"""Each department's name, to tell apart towns of one name ("Saint-Denis (974, La Réunion)")."""

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


def town_label(name: str, department: str) -> str:
    """How a town is offered among others of its name: "Saint-Denis (974, La Réunion)"."""
    named = DEPARTMENTS.get(department)
    return f"{name} ({department}, {named})" if named else f"{name} ({department})"


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
