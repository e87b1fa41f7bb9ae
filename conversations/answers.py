"""How each question reads its answer and saves it in the draft.

A handler receives the cleaned text (never empty: the engine answers empty messages itself) and
either saves and moves on (``turn.accept``) or explains kindly and asks again (``turn.reject``).
Nothing half-understood is saved.
"""

import re
from typing import Any

from conversations.actions import run_command
from conversations.outputs import Declined, InviteCodeGiven, Join, Msg, Raw
from conversations.parsing.choices import (
    NO_WORDS,
    YES_WORDS,
    parse_choice,
    parse_choices,
    parse_yes_no,
)
from conversations.parsing.codes import code_answer
from conversations.parsing.dates import DateProblem, parse_period, parse_start_date, parse_year
from conversations.parsing.normalize import fold, has_visible_text
from conversations.parsing.phones import to_e164
from conversations.parsing.places import (
    find_country,
    find_towns,
    is_latin,
    parse_location,
    plausible_town,
)
from conversations.questions import Choice
from conversations.state import State
from conversations.turn import END_PART, Turn
from conversations.vocabulary.communes import DEPARTMENTS, by_postal_code, settle, town_label
from conversations.vocabulary.jobs import JOB_BY_CODE, JOBS, SKILLS, match_jobs
from conversations.vocabulary.languages import find_language, language_name
from conversations.vocabulary.lists import LISTS, LOCALE_NAMES

__all__ = ["LIMITS", "choice_codes", "choice_label_sets"]

MAX_INTERESTS = 6
# Field lengths of the classic LinkedOut CV (cv.schema.json).
LIMITS = {
    "name": 40,
    "label": 60,
    "title": 80,
    "employer": 60,
    "description": 300,
    "interest": 80,
    "skill": 80,
    "story": 1500,
    "catchphrase": 80,
}

# Letters of any script with their marks, and the separators names use (Jean-Pierre, N'Diaye).
_NAME = re.compile(r"^(?:[^\W\d_]|[\u0300-\u036f\u064b-\u065f\u0670]|[ '’.-])+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]{2,}$")
_NOW_WORDS = frozenset(
    [
        "maintenant",
        "tout",
        "de",
        "suite",
        "immediatement",
        "immediat",
        "direct",
        "desuite",
        "now",
        "asap",
        "today",
        "aujourd",
        "hui",
        "des",
        "maintenant",
        "right",
        "away",
    ]
)
_DATE_MESSAGES = {
    DateProblem.FUTURE: "date_future",
    DateProblem.PAST: "availability_past",
    DateProblem.BIRTH_DATE: "date_birth",
    DateProblem.END_BEFORE_START: "date_order",
    DateProblem.TOO_OLD: "date_too_old",
    DateProblem.UNREADABLE: "date_unreadable",
}


def choice_codes(turn: Turn) -> list[Choice]:
    question = turn.question
    return question.choices(turn.state) if question and question.choices else []


def _french_label(kind: str, code: str) -> str:
    if kind == "job" and code in JOB_BY_CODE:
        return JOB_BY_CODE[code].label
    if kind == "skill" and code in SKILLS:
        return SKILLS[code]
    if kind == "language":
        return language_name(code, "fr")
    if kind == "locale":
        return LOCALE_NAMES.get(code, code)
    return LISTS.get(kind, {}).get(code, code)


def choice_label_sets(turn: Turn) -> list[list[str]]:
    """The current choices' labels in French and in the candidate's language, for answers given
    as words ("cdi", "interim", "آشپز")."""
    locale = turn.state.locale or "fr"
    french, own = [], []
    for code, label in choice_codes(turn):
        kind = getattr(label, "kind", "")
        name = _french_label(kind, code)
        french.append(name)
        if kind == "language":
            own.append(language_name(code, locale))
        else:
            own.append(turn.flow.translate(locale, kind, name) or name)
    return [french] if own == french else [french, own]


def _parse_choices(turn: Turn, text: str) -> list[int] | None:
    for labels in choice_label_sets(turn):
        chosen = parse_choices(text, labels)
        if chosen:
            return chosen
    return None


def _labels(turn: Turn) -> list[str]:
    return choice_label_sets(turn)[-1]


def _text(turn: Turn, text: str, limit: int) -> dict[str, Any]:
    """Free text as the schema keeps it: the words, their language, room for a French version."""
    if len(text) > limit:
        cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
        text = cut.rstrip(" ,;")
        # Say where the kept words stop, so the person knows what the coach will read.
        end = " ".join(text.split()[-4:])
        turn.say("trimmed", limit=limit, end=end[-40:])
    locale = turn.state.locale or "fr"
    return {"text": text, "lang": locale.split("_")[0] if locale != "fa_AF" else "prs", "fr": None}


def _words(turn: Turn, text: str) -> bool:
    """Free text must hold words: a bare number is almost always a menu answer sent too late."""
    if sum(ch.isalpha() for ch in text) >= 2:
        return True
    turn.reject("not_understood")
    return False


def _one(turn: Turn, text: str) -> str | None:
    codes = choice_codes(turn)
    chosen = _parse_choices(turn, text)
    if chosen is None or len(chosen) != 1:
        turn.reject("choose_number", max=len(codes))
        return None
    return codes[chosen[0]][0]


def _yes_no(turn: Turn, text: str) -> bool | None:
    answer = parse_yes_no(text, _labels(turn))
    if answer is None:
        turn.reject("not_understood")
    return answer


# Welcome ------------------------------------------------------------------------------------
def answer_language(turn: Turn, text: str) -> None:
    code = _one(turn, text)
    if code is not None:
        turn.state.locale = code
        turn.state.offered = None
        turn.say("language_set")
        turn.accept()


def answer_consent(turn: Turn, text: str) -> None:
    agreed = _yes_no(turn, text)
    if agreed is None:
        return
    if agreed:
        turn.state.consent_at = turn.now.isoformat()
        turn.accept()
        return
    decline(turn)


def decline(turn: Turn) -> None:
    """Consent refused, first time or after going back: nothing given so far is kept.

    The names, the draft, an earlier consent and a coach's code go with the old state (the
    service erases what storage held of them, ``Declined``); only the language stays, to answer
    in it, and the refusal itself, so that no reminder is ever sent.
    """
    turn.say("consent_declined")
    turn.emit(Declined())
    turn.state = State(step="declined", locale=turn.state.locale)


def answer_invite_code(turn: Turn, text: str) -> None:
    state = turn.state
    pending = state.pending or {}
    if pending.get("kind") == "invite_confirm":
        _confirm_near_code(turn, text, pending)
        return
    if fold(text) in NO_WORDS or fold(text) in ("2", "pas de code", "aucun", "no code"):
        turn.accept()
        return
    code = code_answer(text)
    if code is None:
        turn.reject("invite_code_bad")
        return
    known = turn.invitations
    if known is None or code in dict(known):
        _take_code(turn, code)
    elif len(known) == 1:
        # One keystroke away from a real code: ask, naming the organisation, before linking.
        near, organisation = known[0]
        state.pending = {"kind": "invite_confirm", "code": near, "organisation": organisation}
        turn.ask()
    else:
        turn.reject("invite_code_unknown", code=code)


def _take_code(turn: Turn, code: str) -> None:
    turn.state.invite_code = code
    turn.emit(InviteCodeGiven(code))
    organisation = dict(turn.invitations or ()).get(code)
    if organisation:
        turn.say("invite_code_known", organisation=organisation)
    turn.accept()


def _confirm_near_code(turn: Turn, text: str, pending: dict[str, Any]) -> None:
    agreed = parse_yes_no(text, _labels(turn))
    if agreed is None and code_answer(text) is not None:
        turn.state.pending = None  # another code typed instead of yes or no: read that one
        answer_invite_code(turn, text)
        return
    if agreed is None:
        turn.reject("choose_number", max=2)
        return
    turn.state.pending = None
    if agreed:
        turn.invitations = ((pending["code"], pending["organisation"]),)
        _take_code(turn, pending["code"])
    else:
        turn.say("invite_code_retype")
        turn.ask()


# Part 1 -------------------------------------------------------------------------------------
def _name(turn: Turn, text: str, field: str, example: str) -> None:
    letters = sum(ch.isalpha() for ch in text)
    if letters == 0 or len(text) > LIMITS["name"] or not _NAME.match(text):
        turn.reject(f"{field}_bad" if field == "first_name" else "name_bad", example=Msg(example))
        return
    if text.islower() or text.isupper():
        text = "-".join(part.capitalize() for part in text.title().split("-"))
    turn.state.person[field] = text
    turn.accept()


def answer_first_name(turn: Turn, text: str) -> None:
    _name(turn, text, "first_name", "example_first_name")


def answer_last_name(turn: Turn, text: str) -> None:
    _name(turn, text, "last_name", "example_last_name")


_TOWN_OPTIONS = 5
"""At most this many towns of one name are offered as numbers; beyond, the postal code."""


def answer_location(turn: Turn, text: str) -> None:
    pending = turn.state.pending or {}
    if pending.get("kind") == "town_pick":
        _pick_town(turn, text, pending)
        return
    place = parse_location(text)
    letters = sum(ch.isalpha() for ch in text)
    if place is None or (place.postal_code is None and letters < 2):
        turn.reject("not_understood")
        return
    if place.postal_code is not None:
        _save_place(turn, place.label, place.postal_code, place.department)
        return
    readable = len(place.label) <= LIMITS["label"] and plausible_town(place.label)
    towns = find_towns(text) if readable else []
    town = settle(towns)
    if town is not None:
        _save_place(turn, town.name, town.postal_code, town.department)
    elif towns:
        # "Saint-Denis": in Seine-Saint-Denis or on La Réunion? Ask rather than guess.
        # Towns of 5,000 people or more first: those are where the jobs are looked for.
        offered = [t for t in towns if t.population] or towns
        options = [[t.name, t.department, t.postal_code] for t in offered[:_TOWN_OPTIONS]]
        many = len(offered) > _TOWN_OPTIONS
        turn.state.pending = {"kind": "town_pick", "name": towns[0].name, "options": options}
        if many:
            turn.state.pending["options"] = []
        turn.ask()
    elif not readable:
        turn.reject("location_long")
    else:
        # A place the table does not know (a district, a village typed another way): kept as
        # typed; in another script it gets a French version from the coach before publication.
        _save_place(turn, place.label, None, None, script_of_text=True)


def _pick_town(turn: Turn, text: str, pending: dict[str, Any]) -> None:
    options = pending["options"]
    place = parse_location(text)
    if place is not None and place.postal_code is not None:
        known = [t for t in by_postal_code(place.postal_code) if t.name == pending["name"]]
        label = f"{pending['name']} {place.postal_code}" if known else place.label
        turn.state.pending = None
        _save_place(turn, label, place.postal_code, place.department)
        return
    index = parse_choice(text, [town_label(name, department) for name, department, _ in options])
    if index is None:
        # "93", "la reunion", "Seine-Saint-Denis": the department says which one too.
        said = fold(text)
        index = next(
            (
                number
                for number, (_, department, _) in enumerate(options)
                if said in (department.lower(), fold(DEPARTMENTS.get(department, "")))
            ),
            None,
        )
    if index is None:
        if options:
            turn.reject("choose_number", max=len(options))
        else:
            turn.reject("town_code_needed", name=pending["name"])
        return
    name, department, code = options[index]
    turn.state.pending = None
    _save_place(turn, name, code, department)


def _save_place(
    turn: Turn,
    label: str,
    postal_code: str | None,
    department: str | None,
    *,
    script_of_text: bool = False,
) -> None:
    place: dict[str, Any] = {"label": label, "postal_code": postal_code, "department": department}
    if script_of_text and not is_latin(label):
        place.update(_text(turn, label, LIMITS["label"]))
        del place["text"]
    turn.state.cv["locations"] = [place]
    turn.accept()


def answer_email(turn: Turn, text: str) -> None:
    email = text.strip().lower().replace(" ", "")
    if not _EMAIL.match(email) or len(email) > 254:
        turn.reject("email_bad")
        return
    turn.state.person["email"] = email
    turn.accept()


def answer_phone(turn: Turn, text: str) -> None:
    phone = to_e164(text)
    if phone is None:
        turn.reject("not_understood")
        return
    turn.state.person["phone"] = phone
    turn.accept()


# Part 2 -------------------------------------------------------------------------------------
def answer_target_jobs(turn: Turn, text: str) -> None:
    state = turn.state
    pending = state.pending
    if pending and pending.get("kind") == "job_pick":
        codes: list[str] = pending["codes"]
        index = parse_choice(text, [JOB_BY_CODE[c].label for c in codes] + ["autre", "other"])
        if index is None:
            # Not a number of the list: read it as new words for the job.
            if any(ch.isdigit() for ch in text) or len(fold(text)) < 2:
                turn.reject("choose_number", max=len(codes) + 1)
                return
            state.pending = None
            answer_target_jobs(turn, text)
            return
        words = pending["words"]
        _save_job(turn, codes[index] if index < len(codes) else None, words)
        return
    words = text[: LIMITS["title"]]
    if fold(words) in YES_WORDS | NO_WORDS or sum(ch.isalpha() for ch in words) < 2:
        turn.reject("not_understood")  # "non" after BACK means "keep it", not a job called "non"
        return
    jobs = match_jobs(words, _job_names(turn))
    if not jobs:
        turn.say("job_kept_words", words=words)
        _save_job(turn, None, words)
        return
    state.pending = {"kind": "job_pick", "codes": [job.code for job in jobs], "words": words}
    state.tries = 0
    turn.ask()


def _job_names(turn: Turn) -> dict[str, str]:
    """Job labels in the candidate's language, to match answers written in it."""
    locale = turn.state.locale or "fr"
    if locale == "fr":
        return {}
    names = {}
    for job in JOBS:
        translated = turn.flow.translate(locale, "job", job.label)
        if translated:
            names[job.code] = translated
    return names


def _save_job(turn: Turn, code: str | None, words: str) -> None:
    state = turn.state
    entry: dict[str, Any] = {**_text(turn, words, LIMITS["title"]), "code": code}
    if code is not None:
        entry["rome"] = JOB_BY_CODE[code].rome
    jobs = state.cv["target_jobs"]
    if state.index == 0:
        jobs[:] = [entry]
    else:
        del jobs[1:]
        jobs.append(entry)
    state.cv["sectors"] = list(
        dict.fromkeys(JOB_BY_CODE[j["code"]].sector for j in jobs if j.get("code") in JOB_BY_CODE)
    )
    state.pending = None
    turn.accept()


def answer_target_jobs_more(turn: Turn, text: str) -> None:
    more = _yes_no(turn, text)
    if more is not None:
        turn.accept("target_jobs", 1) if more else turn.accept()


def _multi(turn: Turn, text: str, field: str) -> None:
    codes = choice_codes(turn)
    chosen = _parse_choices(turn, text)
    if not chosen:
        turn.reject("choose_number", max=len(codes))
        return
    turn.state.cv[field] = [codes[i][0] for i in chosen]
    turn.accept()


def answer_contract_types(turn: Turn, text: str) -> None:
    _multi(turn, text, "contract_types")


def answer_transport(turn: Turn, text: str) -> None:
    _multi(turn, text, "transport")


def answer_work_time(turn: Turn, text: str) -> None:
    code = _one(turn, text)
    if code is not None:
        turn.state.cv["work_time"] = code
        turn.accept()


def answer_availability(turn: Turn, text: str) -> None:
    folded = fold(text)
    if folded == "1" or folded in _NOW_WORDS:
        turn.state.cv["availability"] = {"immediate": True, "from": None}
        turn.accept()
        return
    found = parse_start_date(text, today=turn.now.date())
    if isinstance(found, DateProblem):
        turn.reject(_DATE_MESSAGES[found] if found == DateProblem.PAST else "not_understood")
        return
    turn.state.cv["availability"] = {
        "immediate": found <= turn.now.date(),
        "from": found.isoformat(),
    }
    turn.accept()


def answer_driving_licence(turn: Turn, text: str) -> None:
    has = _yes_no(turn, text)
    if has is not None:
        turn.state.cv["driving_licence"] = has
        turn.accept()


# Parts 3 and 4: loops -------------------------------------------------------------------------
def _loop_start(turn: Turn, text: str, field: str, first: str) -> None:
    state = turn.state
    items = state.cv[field]
    if items:
        code = _one(turn, text)
        if code == "add":
            _loop_next(turn, field, first)
        elif code == "restart":
            items.clear()
            # BACK and EDIT must not lead into the items just deleted.
            part = turn.flow.by_id[first].part
            state.history = [h for h in state.history if _part_of(turn, h[0]) != part]
            if state.return_to is not None and _part_of(turn, state.return_to[0]) == part:
                state.return_to = ["review", 0] if state.status == "submitted" else None
            turn.accept(first, 0)
        elif code == "keep":
            turn.accept(END_PART)
        return
    has = _yes_no(turn, text)
    if has is not None:
        turn.accept(first, 0) if has else turn.accept(END_PART)


def _part_of(turn: Turn, step: str) -> int | None:
    question = turn.flow.by_id.get(step)
    return question.part if question is not None else None


def _loop_next(turn: Turn, field: str, first: str) -> None:
    count = len(turn.state.cv[field])
    if count >= turn.flow.max_items:
        turn.say("loop_full")
        turn.accept(END_PART)
    else:
        turn.accept(first, count)


def _item(turn: Turn, field: str) -> dict[str, Any]:
    """The loop item being filled, created when the person starts a new one."""
    items: list[dict[str, Any]] = turn.state.cv[field]
    index = min(turn.state.index, len(items))
    turn.state.index = index
    if index == len(items):
        items.append({})
    return items[index]


def answer_has_experience(turn: Turn, text: str) -> None:
    _loop_start(turn, text, "experiences", "experience_title")


def answer_experience_title(turn: Turn, text: str) -> None:
    if not _words(turn, text):
        return
    item = _item(turn, "experiences")
    item["title"] = _text(turn, text, LIMITS["title"])
    item.setdefault("informal", False)
    turn.accept()


def answer_experience_employer(turn: Turn, text: str) -> None:
    if not _words(turn, text):
        return
    _item(turn, "experiences")["employer"] = _text(turn, text, LIMITS["employer"])
    turn.accept()


def answer_experience_location(turn: Turn, text: str) -> None:
    if not _words(turn, text):
        return
    item = _item(turn, "experiences")
    item["location"] = _text(turn, text, LIMITS["label"])
    item["country"] = find_country(text)
    turn.accept()


def answer_experience_dates(turn: Turn, text: str) -> None:
    period = parse_period(text, today=turn.now.date())
    if isinstance(period, DateProblem):
        turn.reject(_DATE_MESSAGES[period])
        return
    item = _item(turn, "experiences")
    item.update(start=period.start, end=period.end, current=period.current)
    item["duration_months"] = period.duration_months
    turn.accept()


def answer_experience_description(turn: Turn, text: str) -> None:
    if not _words(turn, text):
        return
    _item(turn, "experiences")["description"] = _text(turn, text, LIMITS["description"])
    turn.accept()


def answer_experience_more(turn: Turn, text: str) -> None:
    more = _yes_no(turn, text)
    if more is not None:
        _loop_next(turn, "experiences", "experience_title") if more else turn.accept(END_PART)


def answer_has_training(turn: Turn, text: str) -> None:
    _loop_start(turn, text, "trainings", "training_title")


def answer_training_title(turn: Turn, text: str) -> None:
    if not _words(turn, text):
        return
    _item(turn, "trainings")["title"] = _text(turn, text, LIMITS["title"])
    turn.accept()


def answer_training_institution(turn: Turn, text: str) -> None:
    if not _words(turn, text):
        return
    item = _item(turn, "trainings")
    item["institution"] = _text(turn, text, LIMITS["label"])
    item["country"] = find_country(text)
    turn.accept()


def answer_training_year(turn: Turn, text: str) -> None:
    year = parse_year(text, today=turn.now.date())
    if isinstance(year, DateProblem):
        turn.reject(_DATE_MESSAGES[year])
        return
    _item(turn, "trainings")["year"] = year
    turn.accept()


def answer_training_more(turn: Turn, text: str) -> None:
    more = _yes_no(turn, text)
    if more is not None:
        _loop_next(turn, "trainings", "training_title") if more else turn.accept(END_PART)


# Part 5 -------------------------------------------------------------------------------------
def answer_languages(turn: Turn, text: str) -> None:
    codes = choice_codes(turn)
    chosen = _parse_choices(turn, text)
    if not chosen:
        # A language written by name is welcome too ("wolof").
        code = find_language(text)
        if code is None:
            turn.reject("choose_number", max=len(codes))
            return
        chosen_codes = [code]
    else:
        chosen_codes = [codes[i][0] for i in chosen]
    wants_other = "other" in chosen_codes
    kept = {lang["code"]: lang for lang in turn.state.cv["languages"]}
    turn.state.cv["languages"] = [
        kept.get(code, {"code": code, "level": None}) for code in chosen_codes if code != "other"
    ][:10]
    if wants_other:
        turn.accept("languages_other", 0)
    else:
        _next_level(turn)


def answer_languages_other(turn: Turn, text: str) -> None:
    code = find_language(text)
    if code is None:
        turn.reject("language_unknown")
        return
    languages = turn.state.cv["languages"]
    if code not in [lang["code"] for lang in languages] and len(languages) < 10:
        languages.append({"code": code, "level": None})
    _next_level(turn)


def _next_level(turn: Turn) -> None:
    languages = turn.state.cv["languages"]
    for index, language in enumerate(languages):
        if not language.get("level"):
            turn.accept("language_level", index)
            return
    turn.accept("skills", 0)


def answer_language_level(turn: Turn, text: str) -> None:
    code = _one(turn, text)
    if code is not None:
        turn.state.cv["languages"][turn.state.index]["level"] = code
        _next_level(turn)


def answer_skills(turn: Turn, text: str) -> None:
    """Numbers of the suggestions and the candidate's own words, in any mix ("1 3 ponctuel")."""
    suggestions = choice_codes(turn)
    skills: list[dict[str, Any]] = []
    for part in re.split(r"[,;\n]+|\s+(?:et|and|و)\s+", text):
        words = []
        for token in part.split():
            number = fold(token)
            if number.isdigit() and 1 <= int(number) <= len(suggestions):
                code = suggestions[int(number) - 1][0]
                skills.append({"code": code, "text": SKILLS[code], "lang": "fr"})
            else:
                words.append(token)
        own = " ".join(words).strip(" .")
        if has_visible_text(own) and not fold(own).isdigit():
            skills.append({**_text(turn, own, LIMITS["skill"]), "code": None})
    unique = list({(s["code"] or s["text"]): s for s in skills}.values())
    if not unique:
        turn.reject("not_understood")
        return
    if len(unique) > 6:
        turn.say("skills_capped")
    turn.state.cv["skills"] = unique[:6]
    turn.accept()


def answer_interests(turn: Turn, text: str) -> None:
    if not _words(turn, text):
        return
    parts = [p.strip(" .") for p in re.split(r"[,;\n،、፣]+", text) if has_visible_text(p)]
    kept = parts[:MAX_INTERESTS]
    turn.state.cv["interests"] = [_text(turn, p, LIMITS["interest"]) for p in kept]
    if len(parts) > MAX_INTERESTS:
        names = Join(tuple(Raw(item["text"]) for item in turn.state.cv["interests"]))
        turn.say("interests_kept", count=MAX_INTERESTS, items=names)
    turn.accept()


# Part 6 -------------------------------------------------------------------------------------
def answer_story(turn: Turn, text: str) -> None:
    """A story may come in several messages: they are joined until DONE (or SKIP)."""
    if not _words(turn, text):
        return
    cv = turn.state.cv
    previous = cv["story"]["text"] if cv.get("story") and turn.state.pending else ""
    joined = f"{previous} {text}".strip()
    cv["story"] = _text(turn, joined, LIMITS["story"])
    turn.state.pending = {"kind": "story"}
    if len(joined) >= LIMITS["story"]:
        turn.accept()
        return
    turn.say("story_continue")


def answer_catchphrase(turn: Turn, text: str) -> None:
    if not _words(turn, text):
        return
    if len(text) > LIMITS["catchphrase"]:
        turn.reject("catchphrase_long", length=len(text))
        return
    turn.state.cv["catchphrase"] = _text(turn, text, LIMITS["catchphrase"])
    turn.accept()


def answer_photo(turn: Turn, text: str) -> None:
    del text
    turn.reject("photo_expected")


# Review -------------------------------------------------------------------------------------
def answer_review(turn: Turn, text: str) -> None:
    code = _one(turn, text)
    if code == "send":
        run_command(turn, "SEND")
    elif code == "edit":
        run_command(turn, "EDIT")
    elif code == "later":
        turn.say("later")
        turn.state.paused = True
