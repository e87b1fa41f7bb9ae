"""The saved answer of the current question, shown by BACK and EDIT so that it can be kept."""

from conversations.draft import period_text, term_of
from conversations.outputs import Join, Msg, Raw, Term, Text
from conversations.state import State

__all__ = ["saved_answer"]


def _item_field(state: State, field: str, key: str) -> Text | None:
    items = state.cv[field]
    if state.index >= len(items):
        return None
    value = items[state.index].get(key)
    if key in ("start",):
        return period_text(items[state.index])
    if isinstance(value, dict):
        return Raw(value["text"])
    return Raw(str(value)) if value is not None else None


def saved_answer(state: State) -> Text | None:
    """The saved answer, its closing full stop removed: the message adds its own."""
    answer = _saved_answer(state)
    if isinstance(answer, Raw):
        return Raw(answer.value.rstrip(" .。۔።")) if answer.value.rstrip(" .。۔።") else answer
    return answer


def _saved_answer(state: State) -> Text | None:
    """The saved answer to the current question, shown by BACK and EDIT so it can be kept."""
    cv, person, step = state.cv, state.person, state.step
    simple = {
        "first_name": person.get("first_name"),
        "last_name": person.get("last_name"),
        "email": person.get("email"),
        "phone": person.get("phone"),
        "location": cv["locations"][0]["label"] if cv["locations"] else None,
    }
    if step in simple:
        value = simple[step]
        return Raw(value) if value else None
    if step == "target_jobs" and len(cv["target_jobs"]) > state.index:
        return term_of("job", cv["target_jobs"][state.index])
    if step in ("contract_types", "transport") and cv[step]:
        return Join(
            tuple(Term("contract" if step == "contract_types" else step, c) for c in cv[step])
        )
    if step == "work_time" and cv.get("work_time"):
        return Term("work_time", cv["work_time"])
    if step == "driving_licence" and cv.get("driving_licence") is not None:
        return Msg("value_yes" if cv["driving_licence"] else "value_no")
    if step == "availability" and cv.get("availability"):
        when = cv["availability"]
        return Msg("value_now") if when.get("immediate") else Term("date", when["from"])
    experience = {
        "experience_title": "title",
        "experience_employer": "employer",
        "experience_location": "location",
        "experience_dates": "start",
        "experience_description": "description",
    }
    if step in experience:
        return _item_field(state, "experiences", experience[step])
    training = {
        "training_title": "title",
        "training_institution": "institution",
        "training_year": "year",
    }
    if step in training:
        return _item_field(state, "trainings", training[step])
    if step == "languages" and cv["languages"]:
        return Join(tuple(Term("language", lang["code"]) for lang in cv["languages"]))
    if step == "language_level" and state.index < len(cv["languages"]):
        level = cv["languages"][state.index].get("level")
        return Term("level", level) if level else None
    if step == "skills" and cv["skills"]:
        return Join(tuple(term_of("skill", s) for s in cv["skills"]))
    if step == "interests" and cv["interests"]:
        return Join(tuple(Raw(i["text"]) for i in cv["interests"]))
    if step in ("story", "catchphrase") and cv.get(step):
        return Raw(cv[step]["text"])
    return None
