"""Reading the draft: what is missing to submit, how complete it is, and its summary.

These are pure views of the state, used by the engine (SEND, VIEW, review) and by storage and the
CLI (progress column, ``cv show``).
"""

from typing import Any

from conversations.outputs import Join, Msg, Raw, Term, Text, msg
from conversations.state import State

__all__ = ["PROGRESS_STEPS", "missing", "period_text", "progress", "summary_lines", "term_of"]

# The questions whose answer makes the CV more complete, each counting the same.
PROGRESS_STEPS = (
    "first_name",
    "last_name",
    "location",
    "target_jobs",
    "contract_types",
    "work_time",
    "availability",
    "driving_licence",
    "has_experience",
    "has_training",
    "languages",
    "skills",
    "story",
)


def progress(state: State) -> int:
    """Percent of the CV's questions answered (skipped optional ones count as answered)."""
    done = sum(1 for step in PROGRESS_STEPS if step in state.answered)
    return min(100, round(100 * done / len(PROGRESS_STEPS)))


def missing(state: State) -> list[Msg]:
    """What SEND still needs, as message parts; empty when the draft can go to the coach."""
    cv, person = state.cv, state.person
    needs: list[Msg] = []
    if not person.get("first_name"):
        needs.append(Msg("missing_first_name"))
    if not cv["locations"]:
        needs.append(Msg("missing_location"))
    if not cv["target_jobs"]:
        needs.append(Msg("missing_job"))
    if not cv["languages"]:
        needs.append(Msg("missing_language"))
    if not (cv["experiences"] or cv["trainings"] or cv.get("story")):
        needs.append(Msg("missing_experience"))
    return needs


def _words(value: dict[str, Any] | None) -> Raw | None:
    return Raw(value["text"]) if value else None


def term_of(kind: str, item: dict[str, Any]) -> Text:
    return Term(kind, item["code"]) if item.get("code") else Raw(item["text"])


def period_text(item: dict[str, Any]) -> Text | None:
    """An experience's dates as people say them: 2019-2021, since 2022, 2 years."""
    start, end = item.get("start"), item.get("end")
    if item.get("current") and start:
        return msg("value_since", start=start)
    if start and end and start != end:
        return Raw(f"{start} - {end}")
    if start:
        return Raw(start)
    months = item.get("duration_months")
    if months:
        if months % 12 == 0:
            return msg("value_years", count=months // 12)
        return msg("value_months", count=months)
    return None


def _joined(*parts: Text | None) -> Join:
    return Join(tuple(p for p in parts if p is not None))


def summary_lines(state: State) -> tuple[Msg, ...]:
    """The draft as short lines, in the order an employer reads a CV."""
    cv, person = state.cv, state.person
    lines: list[Msg] = []
    name = " ".join(v for v in (person.get("first_name"), person.get("last_name")) if v)
    if name:
        lines.append(msg("line_name", value=name))
    for place in cv["locations"]:
        lines.append(msg("line_location", value=place["label"]))
    if cv["target_jobs"]:
        lines.append(
            msg("line_jobs", value=Join(tuple(term_of("job", j) for j in cv["target_jobs"])))
        )
    if cv["contract_types"]:
        contracts = Join(tuple(Term("contract", c) for c in cv["contract_types"]))
        lines.append(msg("line_contract", value=contracts))
    if cv.get("work_time"):
        lines.append(msg("line_work_time", value=Term("work_time", cv["work_time"])))
    availability = cv.get("availability")
    if availability:
        when = (
            Msg("value_now")
            if availability.get("immediate") or not availability.get("from")
            else msg("value_from", date=Term("date", availability["from"]))
        )
        lines.append(msg("line_availability", value=when))
    if cv.get("driving_licence") is not None:
        lines.append(
            msg("line_licence", value=Msg("value_yes" if cv["driving_licence"] else "value_no"))
        )
    for item in cv["experiences"]:
        if item.get("title"):
            parts = (_words(item["title"]), _words(item.get("employer")), period_text(item))
            lines.append(msg("line_experience", value=_joined(*parts)))
    for item in cv["trainings"]:
        if item.get("title"):
            year = Raw(str(item["year"])) if item.get("year") else None
            parts = (_words(item["title"]), _words(item.get("institution")), year)
            lines.append(msg("line_training", value=_joined(*parts)))
    if cv["languages"]:
        spoken = tuple(
            msg(
                "value_language_level",
                language=Term("language", lang["code"]),
                level=Term("level", lang["level"]),
            )
            if lang.get("level")
            else Term("language", lang["code"])
            for lang in cv["languages"]
        )
        lines.append(msg("line_languages", value=Join(spoken)))
    if cv["skills"]:
        lines.append(
            msg("line_skills", value=Join(tuple(term_of("skill", s) for s in cv["skills"])))
        )
    if cv["interests"]:
        lines.append(
            msg("line_interests", value=Join(tuple(Raw(i["text"]) for i in cv["interests"])))
        )
    if cv.get("catchphrase"):
        lines.append(msg("line_catchphrase", value=cv["catchphrase"]["text"]))
    if cv.get("story"):
        lines.append(msg("line_story", value=cv["story"]["text"]))
    return tuple(lines)
