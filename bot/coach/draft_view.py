"""The draft as the coach reads it: part by part, the candidate's own words with their language,
and the fields a coach may edit (each free text, and beside it its French version).

Fields are named by their path in the draft (``cv.experiences.0.title``), which is also how the
edit form names its inputs: ``editing`` applies a form by walking the same paths.
"""

from dataclasses import dataclass, field
from typing import Any

from bot.channels.render import renderer
from bot.cv.latin_names import latin_spelling, needs_latin_name
from bot.cv.publishing import needs_french, needs_french_place
from conversations.draft import period_text
from conversations.outputs import Term
from conversations.state import State

__all__ = [
    "PART_TITLES",
    "TEXT_LIMITS",
    "Editable",
    "Part",
    "Row",
    "draft_parts",
    "language_name",
]

PART_TITLES = {
    1: "Identité",
    2: "Projet professionnel",
    3: "Expériences",
    4: "Formations",
    5: "Langues et compétences",
    6: "Histoire",
}

# cv.schema.json limits of each free text, by the key that holds it.
TEXT_LIMITS = {"story": 1500, "catchphrase": 80, "target_jobs": 80, "skills": 80}
_DEFAULT_LIMIT = 300
_NAME_LIMIT = 40
_EMAIL_LIMIT = 254
# Candidates' languages, as ISO 639 codes in the draft (Dari is ``prs``).
_LANGUAGE_NAMES = {
    "fr": "français",
    "en": "anglais",
    "ar": "arabe",
    "prs": "dari",
    "fa": "persan",
    "ps": "pachto",
    "uk": "ukrainien",
    "ti": "tigrigna",
}
_RTL = frozenset({"ar", "prs", "fa", "ps"})


@dataclass(frozen=True, slots=True)
class Editable:
    """A field the coach may change: ``path`` names it in the draft and in the form."""

    path: str
    value: str
    limit: int
    lang: str | None = None
    """For a free text, the language its words are in; None for a plain field (a name)."""
    fr: str | None = None
    needs_fr: bool = False
    multiline: bool = False
    text_key: str = "text"
    """Where the words are in the field's dict: ``text``, or ``label`` for a place."""
    suggestion: str | None = None
    """A value the page offers to prefill an empty field (a transliteration to confirm)."""

    @property
    def wants_fr(self) -> bool:
        """Free texts not written in French get a French field beside them."""
        return self.lang is not None and self.lang != "fr"

    @property
    def dir(self) -> str:
        return "rtl" if self.lang in _RTL else "auto"

    @property
    def lang_name(self) -> str:
        return language_name(self.lang)


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    value: str = ""
    editable: Editable | None = None


@dataclass(slots=True)
class Part:
    number: int
    title: str
    rows: list[Row] = field(default_factory=list)

    @property
    def editables(self) -> list[Editable]:
        return [row.editable for row in self.rows if row.editable is not None]


def language_name(code: str | None) -> str:
    if code is None:
        return ""
    return _LANGUAGE_NAMES.get(code, code)


def _text_row(label: str, path: str, value: Any, limit: int, *, multiline: bool = False) -> Row:
    return Row(
        label,
        editable=Editable(
            path=path,
            value=value["text"],
            limit=limit,
            lang=value.get("lang") or "fr",
            fr=value.get("fr"),
            needs_fr=needs_french(value),
            multiline=multiline,
        ),
    )


def _term_rows(label: str, key: str, items: list[dict[str, Any]], kind: str) -> list[Row]:
    r = renderer("fr")
    rows = []
    for index, item in enumerate(items):
        numbered = f"{label} {index + 1}"
        if item.get("code"):
            rows.append(Row(numbered, r.text(Term(kind, item["code"]))))
        else:
            rows.append(_text_row(numbered, f"cv.{key}.{index}", item, TEXT_LIMITS[key]))
    return rows


def _joined(kind: str, codes: list[str]) -> str:
    r = renderer("fr")
    return ", ".join(r.text(Term(kind, code)) for code in codes)


def _person(state: State) -> Part:
    person, cv = state.person, state.cv
    part = Part(1, PART_TITLES[1])
    for key, label, limit in (
        ("first_name", "Prénom", _NAME_LIMIT),
        ("last_name", "Nom (privé)", _NAME_LIMIT),
        ("email", "E-mail", _EMAIL_LIMIT),
    ):
        value = person.get(key) or ""
        part.rows.append(Row(label, editable=Editable(f"candidate.{key}", value, limit)))
        if key == "first_name" and needs_latin_name(person):
            part.rows.append(
                Row(
                    "Prénom en lettres latines (page publique)",
                    editable=Editable(
                        "candidate.first_name_latin",
                        person.get("first_name_latin") or "",
                        limit,
                        needs_fr=not person.get("first_name_latin"),
                        suggestion=latin_spelling(value),
                    ),
                )
            )
    for index, place in enumerate(cv["locations"]):
        shown = place["label"] + (f" ({place['department']})" if place.get("department") else "")
        if "lang" in place:  # a place typed in another script, not found among the communes
            part.rows.append(
                Row(
                    "Lieu de travail souhaité",
                    editable=Editable(
                        path=f"cv.locations.{index}",
                        value=place["label"],
                        limit=_DEFAULT_LIMIT,
                        lang=place["lang"],
                        fr=place.get("fr"),
                        needs_fr=needs_french_place(place),
                        text_key="label",
                    ),
                )
            )
        else:
            part.rows.append(Row("Lieu de travail souhaité", shown))
    if person.get("phone"):
        part.rows.append(Row("Téléphone (privé)", person["phone"]))
    return part


def _goals(state: State) -> Part:
    cv = state.cv
    r = renderer("fr")
    part = Part(2, PART_TITLES[2])
    part.rows += _term_rows("Métier", "target_jobs", cv["target_jobs"], "job")
    part.rows.append(Row("Contrats", _joined("contract", cv["contract_types"])))
    if cv.get("work_time"):
        part.rows.append(Row("Temps de travail", r.text(Term("work_time", cv["work_time"]))))
    availability = cv.get("availability")
    if availability:
        when = availability.get("from")
        shown = r.text(Term("date", when)) if when and not availability.get("immediate") else ""
        part.rows.append(Row("Disponibilité", f"à partir du {shown}" if shown else "immédiate"))
    licence = cv.get("driving_licence")
    if licence is not None:
        part.rows.append(Row("Permis B", "oui" if licence else "non"))
    if cv["transport"]:
        part.rows.append(Row("Déplacements", _joined("transport", cv["transport"])))
    return part


def _items(state: State, key: str, number: int, label: str, fields: tuple[str, ...]) -> Part:
    r = renderer("fr")
    part = Part(number, PART_TITLES[number])
    names = {
        "title": "intitulé",
        "employer": "employeur",
        "location": "lieu",
        "description": "description",
        "institution": "établissement",
    }
    for index, item in enumerate(state.cv[key]):
        head = f"{label} {index + 1}"
        for name in fields:
            value = item.get(name)
            if isinstance(value, dict) and value.get("text"):
                part.rows.append(
                    _text_row(
                        f"{head} — {names[name]}",
                        f"cv.{key}.{index}.{name}",
                        value,
                        _DEFAULT_LIMIT,
                        multiline=name == "description",
                    )
                )
        period = period_text(item)
        if period is not None:
            part.rows.append(Row(f"{head} — dates", r.text(period)))
        if item.get("year"):
            part.rows.append(Row(f"{head} — année", str(item["year"])))
        if item.get("country"):
            part.rows.append(Row(f"{head} — pays", r.text(Term("country", item["country"]))))
    if not part.rows:
        part.rows.append(Row("—", "rien pour l'instant"))
    return part


def _skills(state: State) -> Part:
    cv = state.cv
    r = renderer("fr")
    part = Part(5, PART_TITLES[5])
    for lang in cv["languages"]:
        level = r.text(Term("level", lang["level"])) if lang.get("level") else "niveau à préciser"
        part.rows.append(Row("Langue", f"{r.text(Term('language', lang['code']))} ({level})"))
    part.rows += _term_rows("Point fort", "skills", cv["skills"], "skill")
    for index, item in enumerate(cv["interests"]):
        part.rows.append(
            _text_row(f"Loisir {index + 1}", f"cv.interests.{index}", item, _DEFAULT_LIMIT)
        )
    return part


def _story(state: State) -> Part:
    cv = state.cv
    part = Part(6, PART_TITLES[6])
    if cv.get("story"):
        part.rows.append(
            _text_row("Histoire", "cv.story", cv["story"], TEXT_LIMITS["story"], multiline=True)
        )
    if cv.get("catchphrase"):
        part.rows.append(
            _text_row(
                "Phrase d'accroche", "cv.catchphrase", cv["catchphrase"], TEXT_LIMITS["catchphrase"]
            )
        )
    part.rows.append(Row("Photo", "oui" if cv.get("photo") else "non"))
    return part


def draft_parts(state: State) -> list[Part]:
    """The six parts of the CV, in order, as the candidate page shows them."""
    return [
        _person(state),
        _goals(state),
        _items(
            state, "experiences", 3, "Expérience", ("title", "employer", "location", "description")
        ),
        _items(state, "trainings", 4, "Formation", ("title", "institution", "description")),
        _skills(state),
        _story(state),
    ]
