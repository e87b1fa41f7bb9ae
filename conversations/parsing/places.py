"""Read the places candidates type by SMS: a town with its postal code, or a country.

A French postal code is five digits (Persian and Arabic-Indic digits count) between 01000 and
98999; its department is the first two digits, three for overseas (97xxx, 98xxx), and 2A/2B for
Corsica. A town typed by name is looked up among the French communes (``vocabulary.communes``).
A country is recognised from its French or English CLDR name, or from a short alias people use
("RDC", "USA", "Angleterre"). The longest exact name wins, so "Guinée-Bissau" is not "Guinée";
failing that, a close spelling of a long word ("Afganistan") is accepted, with a cutoff high
enough that French towns ("Paris", "Montreuil") never turn into countries.
"""

import re
import unicodedata
from dataclasses import dataclass

from babel import Locale
from rapidfuzz import fuzz, process

from conversations.parsing.normalize import clean_answer, fold, fold_digits, has_visible_text
from conversations.vocabulary.communes import Commune, by_postal_code, communes_named

__all__ = [
    "Place",
    "department_of",
    "find_country",
    "find_towns",
    "is_latin",
    "parse_location",
    "plausible_town",
]

MAX_LABEL = 60
FUZZY_CUTOFF = 88
FUZZY_MIN_LETTERS = 5


@dataclass(frozen=True, slots=True)
class Place:
    label: str
    postal_code: str | None
    department: str | None


_POSTAL_CODE = re.compile(r"(?<![0-9])[0-9]{5}(?![0-9])")


def department_of(postal_code: str) -> str | None:
    """The department of a French postal code, or None when it is not one."""
    code = fold_digits(postal_code).strip()
    if len(code) != 5 or not (code.isascii() and code.isdigit()):
        return None
    number = int(code)
    if not 1000 <= number <= 98999:
        return None
    if number >= 97000:  # overseas departments and collectivities
        return code[:3]
    if 20000 <= number <= 20199:
        return "2A"
    if 20200 <= number <= 20699:
        return "2B"
    if code.startswith("20"):  # no Corsican code above 20699: "20" is no department
        return None
    return code[:2]


def parse_location(text: str) -> Place | None:
    """The place as typed, with the postal code and department found in it.

    A label longer than the CV keeps is not cut: with a postal code, it becomes the commune of
    that code and the code ("Saint-Denis 93200"), or the code alone; without one, the caller
    decides (:func:`find_towns`, :func:`plausible_town`).
    """
    label = clean_answer(text)
    if not has_visible_text(label):
        return None
    digits = fold_digits(label)
    codes = [m.group() for m in _POSTAL_CODE.finditer(digits) if department_of(m.group())]
    postal_code = codes[0] if codes else None
    if postal_code is not None and not has_visible_text(digits.replace(postal_code, " ", 1)):
        label = postal_code  # only the code was typed: store it in ASCII digits
    if postal_code is not None and len(label) > MAX_LABEL:
        towns = {town.name for town in by_postal_code(postal_code)}
        label = f"{towns.pop()} {postal_code}" if len(towns) == 1 else postal_code
    department = department_of(postal_code) if postal_code else None
    return Place(label, postal_code, department)


# Words before a town's name in a sentence ("à Lyon", "in Lyon", "в Ліоні" is not handled).
_LEADING = frozenset(
    fold(word)
    for word in (
        "à", "a", "au", "sur", "vers", "près de", "pres de", "dans", "in", "at", "near", "to",
        "в", "у", "біля", "في", "فی", "قرب", "در", "په", "ኣብ", "ville de", "la ville de",
        "je veux travailler à", "je veux travailler a", "travailler à", "travailler a",
    )
)  # fmt: skip
_BIG_TOWN = 20_000
"""A town found inside a longer answer must be this large: "Bar" or "Eu" are villages too."""
_MAX_GROUP = 4


def find_towns(text: str) -> list[Commune]:
    """The communes the answer names: the whole answer first, without the words that lead to a
    name ("à Marseille"); else the first large town named in it ("Lyon ou Villeurbanne")."""
    folded = fold(text)
    towns = communes_named(folded)
    if towns:
        return towns
    words = folded.split()
    for size in range(len(words) - 1, 0, -1):
        if " ".join(words[:size]) in _LEADING:
            towns = communes_named(" ".join(words[size:]))
            if towns:
                return towns
    for start in range(min(len(words), _FUZZY_MAX_TOKENS)):
        for size in range(min(_MAX_GROUP, len(words) - start), 0, -1):
            group = " ".join(words[start : start + size])
            if len(group) < 4:
                continue
            found = [town for town in communes_named(group) if town.population >= _BIG_TOWN]
            if found:
                return found
    return []


def is_latin(text: str) -> bool:
    """True when every letter of the text is Latin (accents included): the French CV can show it."""
    return all(unicodedata.name(char, "").startswith("LATIN") for char in text if char.isalpha())


def plausible_town(label: str) -> bool:
    """Whether an unknown answer can still be a place: a few words, none repeated over and over
    ("Lyon Lyon Lyon…"), no word longer than any town's."""
    words = fold(label).split()
    if not words or len(words) > 8:
        return False
    if max(len(word) for word in words) > 30:
        return False
    return len(set(words)) * 2 > len(words)


# Regions, unions and test codes that CLDR lists among territories but are no country.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})

# Names people type that CLDR does not give (keys in folded form).
_ALIASES = {
    **dict.fromkeys(["rdc", "rd congo", "r d congo", "drc", "dr congo", "congo rdc"], "CD"),
    **dict.fromkeys(["republique democratique du congo", "zaire", "congo kinshasa"], "CD"),
    **dict.fromkeys(["congo", "republique du congo", "congo brazza"], "CG"),
    **dict.fromkeys(["usa", "us", "etat unis", "etats unis d amerique"], "US"),
    **dict.fromkeys(["uk", "angleterre", "england", "grande bretagne", "great britain"], "GB"),
    **dict.fromkeys(["ecosse", "scotland", "pays de galles", "wales", "britain"], "GB"),
    **dict.fromkeys(["hollande", "holland"], "NL"),
    **dict.fromkeys(["guinee conakry"], "GN"),
    **dict.fromkeys(["cote divoire", "ivory coast", "rci"], "CI"),
    **dict.fromkeys(["sud soudan"], "SS"),
    **dict.fromkeys(["palestine", "gaza", "cisjordanie", "west bank"], "PS"),
    **dict.fromkeys(["birmanie", "burma"], "MM"),
    **dict.fromkeys(["turkey"], "TR"),
    **dict.fromkeys(["republique tcheque", "czech republic"], "CZ"),
    **dict.fromkeys(["bosnie", "bosnia"], "BA"),
    **dict.fromkeys(["macedoine", "macedonia"], "MK"),
    **dict.fromkeys(["centrafrique", "rca"], "CF"),
    **dict.fromkeys(["swaziland"], "SZ"),
    **dict.fromkeys(["vatican"], "VA"),
    **dict.fromkeys(["hong kong"], "HK"),
    **dict.fromkeys(["macao", "macau"], "MO"),
    **dict.fromkeys(["ile maurice"], "MU"),
    **dict.fromkeys(["emirats", "uae"], "AE"),
    **dict.fromkeys(["arabie"], "SA"),
}

# Names that are also French towns or first names ("Saint-Martin-d'Hères", "Dominique"):
# they count only when they are the whole answer, and never in fuzzy matching.
_WHOLE_ONLY = frozenset(
    {
        "saint martin", "st martin", "saint barthelemy", "st barthelemy", "sainte helene",
        "st helena", "sainte lucie", "st lucia", "saint marin", "dominique", "maurice",
        "diego garcia", "grenade",
    }
)  # fmt: skip


def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    # French and English first, then the names in every language the product speaks.
    for locale in ("fr", "en", "ar", "fa_AF", "ps", "uk", "ti"):
        for code, name in Locale.parse(locale).territories.items():
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES:
                names.setdefault(fold(name), code)
    names.update(_ALIASES)
    return names


# Built once at import from Babel's bundled data; no I/O happens at call time.
_NAMES = _country_names()
_LONGEST_NAME = max(len(name.split()) for name in _NAMES)
_FUZZY_NAMES = [
    name
    for name in _NAMES
    if name not in _WHOLE_ONLY and len(name.replace(" ", "")) >= FUZZY_MIN_LETTERS
]
_FUZZY_MAX_WORDS = 3  # word groups tried in fuzzy matching ("sierra leon", "cote d ivoir")
_FUZZY_MAX_TOKENS = 30  # answers are short; a long text is only looked at from its start


def _groups(tokens: list[str], longest: int) -> list[tuple[int, str]]:
    """Every run of up to `longest` consecutive words, with where it starts."""
    return [
        (i, " ".join(tokens[i : i + n]))
        for i in range(len(tokens))
        for n in range(1, longest + 1)
        if i + n <= len(tokens)
    ]


def find_country(text: str) -> str | None:
    """The ISO 3166 alpha-2 code of a country named in the text, or None."""
    folded = fold(text)
    tokens = folded.split()
    exact = [
        (len(group), -start, _NAMES[group])
        for start, group in _groups(tokens, _LONGEST_NAME)
        if group in _NAMES and (group not in _WHOLE_ONLY or group == folded)
    ]
    if exact:
        return max(exact)[2]  # the longest name, then the first one typed
    best: tuple[float, int, str] | None = None
    for _, group in _groups(tokens[:_FUZZY_MAX_TOKENS], _FUZZY_MAX_WORDS):
        letters = group.replace(" ", "")
        if len(letters) < FUZZY_MIN_LETTERS or not letters.isalpha():
            continue
        found = process.extractOne(
            group, _FUZZY_NAMES, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
        )
        if found is not None and (best is None or (found[1], len(found[0])) > best[:2]):
            best = (found[1], len(found[0]), _NAMES[found[0]])
    return best[2] if best else None
