"""The public CV as an employer reads it, built from a frozen version's document.

Structured parts (jobs, skills, contracts, languages and levels, countries) are labelled from
their codes in the page's language; free text shows its French version (``fr``, or ``text`` when
it was written in French). Free text that has no French version yet keeps its original words, in
their own language (the page marks it with a ``lang`` attribute so screen readers and fonts
follow). Every free text goes through :func:`~bot.public_cv.privacy.redact`.

The model has no field for a last name, a phone, an email or an address: a template cannot show
what it is never given.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.units import format_unit

from bot.channels.render import renderer
from bot.public_cv.labels import PL_, of, page_translations
from bot.public_cv.privacy import public_name, public_place, redact
from conversations.outputs import Term
from conversations.parsing.places import find_country
from conversations.vocabulary.jobs import JOB_BY_CODE, SKILLS

__all__ = ["CvPage", "Experience", "Training", "Words", "cv_page"]

_LEVELS = {
    "notions": PL_("Notions"),
    "intermediate": PL_("Intermédiaire"),
    "fluent": PL_("Courant"),
    "native": PL_("Langue maternelle"),
}
# Contracts the conversation does not offer but a coach may set.
_CONTRACTS = {"freelance": PL_("Indépendant")}


@dataclass(frozen=True, slots=True)
class Words:
    """A text and the language it is written in (BCP 47, e.g. ``fr`` or ``prs``)."""

    text: str
    lang: str


@dataclass(frozen=True, slots=True)
class Experience:
    title: Words
    employer: Words | None
    place: Words | None
    period: str | None
    description: Words | None


@dataclass(frozen=True, slots=True)
class Training:
    title: Words
    institution: Words | None
    place: str | None
    year: int | None
    description: Words | None


@dataclass(frozen=True, slots=True)
class Spoken:
    language: str
    level: str | None


@dataclass(frozen=True, slots=True)
class CvPage:
    """Everything the page, the PDF and the share image show; nothing they must not."""

    lang: str
    name: str
    """First name and initial: "Amina D."."""
    first_name: str
    catchphrase: Words | None
    story: Words | None
    jobs: tuple[Words, ...]
    skills: tuple[Words, ...]
    experiences: tuple[Experience, ...]
    trainings: tuple[Training, ...]
    languages: tuple[Spoken, ...]
    contracts: tuple[str, ...]
    work_time: str | None
    availability: str | None
    places: tuple[str, ...]
    driving_licence: bool
    transport: tuple[str, ...]
    interests: tuple[Words, ...]
    has_photo: bool

    @property
    def of_name(self) -> str:
        """ "d’Amina" (fr), "of Amina" (en): for "the CV of…", "the coach of…"."""
        return of(self.first_name, self.lang)


class _Builder:
    def __init__(self, lang: str, last_name: str | None) -> None:
        self.lang = lang
        self.cldr = Locale.parse(lang)
        self.terms = renderer(lang)
        self.labels = page_translations(lang)
        self.last_name = last_name

    def label(self, message: str) -> str:
        return self.labels.gettext(message)

    def french(self, value: Any) -> Words | None:
        """The French version of a free text, else its original words in their language."""
        if not isinstance(value, dict) or not value.get("text"):
            return None
        if value.get("fr"):
            return Words(redact(value["fr"], last_name=self.last_name), "fr")
        lang = str(value.get("lang") or "und")
        return Words(redact(value["text"], last_name=self.last_name), lang)

    def term(self, kind: str, value: dict[str, Any]) -> Words | None:
        """A job or skill: its vocabulary label in the page language, else its French words."""
        code = value.get("code")
        known = (kind == "job" and code in JOB_BY_CODE) or (kind == "skill" and code in SKILLS)
        if known:
            return Words(self.terms.term(Term(kind, str(code))), self.lang)
        return self.french(value)

    def country(self, code: str | None) -> str | None:
        return str(self.cldr.territories.get(code, code)) if code else None

    def language(self, code: str) -> str:
        name = self.terms.term(Term("language", code))
        return name

    def month(self, partial: str) -> str:
        """ "2019" or "mars 2019" from a partial date of the schema."""
        if len(partial) == 4:
            return partial
        year, month = partial.split("-")[:2]
        return format_date(date(int(year), int(month), 1), "LLLL y", locale=self.cldr)

    def period(self, item: dict[str, Any]) -> str | None:
        start, end = item.get("start"), item.get("end")
        if item.get("current") and start:
            return self.label(PL_("Depuis {start}")).format(start=self.month(start))
        if start and end and start != end:
            return f"{self.month(start)} – {self.month(end)}"
        if start:
            return self.month(start)
        months = item.get("duration_months")
        if months:
            years, rest = divmod(int(months), 12)
            unit, amount = ("duration-year", years) if not rest else ("duration-month", months)
            return str(format_unit(amount, unit, length="long", locale=self.cldr))
        return None

    def place(self, item: dict[str, Any]) -> Words | None:
        """Where a job was: the country in the page language, and the town when it has words
        an employer can read (a French version)."""
        country = self.country(item.get("country"))
        town = self.french(item.get("location"))
        if town is not None and town.lang != "fr" and country:
            town = None  # "افغانستان" beside "Afghanistan" says nothing more
        if town is not None and country:
            # "Kaboul, Afghanistan" was typed with the country: say the country once.
            alone = _without_country(town.text, item.get("country") or "")
            return Words(f"{alone}, {country}", town.lang) if alone else Words(country, self.lang)
        if country:
            return Words(country, self.lang)
        return town

    def availability(self, value: Any) -> str | None:
        if not isinstance(value, dict):
            return None
        if value.get("immediate") or not value.get("from"):
            return self.label(PL_("Disponible immédiatement"))
        day = date.fromisoformat(value["from"])
        when = format_date(day, format="long", locale=self.cldr)
        if self.lang == "fr" and day.day == 1:
            when = "1er" + when[1:]  # "le 1er mars", as French writes the first of a month
        return self.label(PL_("Disponible à partir du {date}")).format(date=when)

    def contract(self, code: str) -> str:
        if code in _CONTRACTS:
            return self.label(_CONTRACTS[code])
        return self.terms.term(Term("contract", code))


def _without_country(town: str, country_code: str) -> str:
    """The town text less any name of its country, in whatever language it was written."""
    words = town.replace(",", " ").split()
    kept = [w for w in words if find_country(w) != country_code or len(w) < 3]
    if len(kept) == len(words) and find_country(town) == country_code:
        # A country of several words ("Côte d'Ivoire"): drop the longest tail that names it.
        for cut in range(1, len(words)):
            if find_country(" ".join(words[cut:])) == country_code:
                kept = words[:cut]
                break
    return " ".join(kept).strip(" ,;-")


def _first_name(person: dict[str, Any]) -> str:
    # The French page needs Latin letters: the spelling the coach confirmed, when the person
    # wrote their name in another script (``candidate.first_name_latin``).
    first = str(person.get("first_name_latin") or person.get("first_name") or "").strip()
    last = str(person.get("last_name") or "").strip()
    if last and len(last) >= 2:
        # "Amina Diallo" typed as a first name keeps only "Amina".
        first = " ".join(w for w in first.split() if w.casefold() != last.casefold())
    return redact(first, last_name=last or None)


def cv_page(document: dict[str, Any], lang: str, *, has_photo: bool = False) -> CvPage:
    """The page model of a CV document (``{"candidate": …, "cv": …}``) in a page language."""
    person: dict[str, Any] = document.get("candidate") or {}
    cv: dict[str, Any] = document.get("cv") or {}
    last_name = person.get("last_name")
    b = _Builder(lang, last_name)
    first = _first_name(person)
    experiences = tuple(
        Experience(
            title=title,
            employer=b.french(item.get("employer")),
            place=b.place(item),
            period=b.period(item),
            description=b.french(item.get("description")),
        )
        for item in cv.get("experiences", [])
        if (title := b.french(item.get("title"))) is not None
    )
    trainings = tuple(
        Training(
            title=title,
            institution=b.french(item.get("institution")),
            place=b.country(item.get("country")),
            year=item.get("year"),
            description=b.french(item.get("description")),
        )
        for item in cv.get("trainings", [])
        if (title := b.french(item.get("title"))) is not None
    )
    languages = tuple(
        Spoken(b.language(item["code"]), b.label(_LEVELS[item["level"]]))
        if item.get("level") in _LEVELS
        else Spoken(b.language(item["code"]), None)
        for item in cv.get("languages", [])
        if item.get("code")
    )
    work_time = cv.get("work_time")
    return CvPage(
        lang=lang,
        name=public_name(first, last_name),
        first_name=first,
        catchphrase=b.french(cv.get("catchphrase")),
        story=b.french(cv.get("story")),
        jobs=tuple(w for item in cv.get("target_jobs", []) if (w := b.term("job", item))),
        skills=tuple(w for item in cv.get("skills", []) if (w := b.term("skill", item))),
        experiences=experiences,
        trainings=trainings,
        languages=languages,
        contracts=tuple(b.contract(code) for code in cv.get("contract_types", [])),
        work_time=b.terms.term(Term("work_time", work_time)) if work_time else None,
        availability=b.availability(cv.get("availability")),
        places=tuple(
            public_place(p.get("fr") or p["label"], p.get("postal_code"), p.get("department"))
            for p in cv.get("locations", [])
            if p.get("label")
        ),
        driving_licence=cv.get("driving_licence") is True,
        transport=tuple(b.terms.term(Term("transport", code)) for code in cv.get("transport", [])),
        interests=tuple(w for item in cv.get("interests", []) if (w := b.french(item))),
        has_photo=has_photo,
    )
