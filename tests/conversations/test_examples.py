"""Every example a step shows ("Ex : 2 ans", "مثلا: سنتان", "Наприклад: 2 роки"), in every
locale, is an answer that step's own parser accepts: a person who copies the example is never
told they were not understood."""

import re
from datetime import UTC, datetime

import pytest

from bot.channels.render import renderer
from bot.i18n import available_locales
from conversations.engine import step
from conversations.events import TextReceived
from conversations.outputs import Msg, Say
from conversations.state import State
from tests.conversations.golden import FLOW

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
# How each language introduces an example, and how it separates two of them.
_MARKERS = re.compile(
    r"(?:\bex ?:|\be\.g\.|مثلاً:?|مثلا:?|لکه:?|наприклад:|ንኣብነት፦?)\s*", re.IGNORECASE
)
_SEPARATORS = re.compile(
    r"\s*(?:,|،|፣|;)\s*(?:ou|or|أو|یا|або|ወይ)?:?\s*|\s+(?:ou|or|أو|یا|або|ወይ)\s+"
)
# Messages that say an answer was not understood or not accepted.
_REFUSALS = frozenset(
    {
        "not_understood", "choose_number", "date_unreadable", "date_future", "date_birth",
        "date_order", "date_too_old", "availability_past", "name_bad", "first_name_bad",
        "email_bad", "invite_code_bad", "invite_code_unknown", "location_long", "skip_required",
        "catchphrase_long",
    }
)  # fmt: skip
# Where each step is asked: the draft it needs to be asked at all.
_CONTEXT = {
    "skills": {"target_jobs": [{"code": "cuisinier", "text": "cuisine"}]},
    "language_level": {"languages": [{"code": "fr", "level": None}]},
    "experience_dates": {"experiences": [{"title": {"text": "x", "lang": "fr", "fr": None}}]},
    "training_year": {"trainings": [{"title": {"text": "x", "lang": "fr", "fr": None}}]},
}


# "1 pour tout de suite", "1 — одразу", "1 (ብኡንብኡ)", "د سمدستي لپاره 1": the 1 is typed.
_ONE_EXPLAINED = re.compile(r"^1\s*(?:pour|for|—|-|\(|للبدء|برای)|\b1$")


def _examples(text: str, step_id: str) -> list[str]:
    """The examples a message gives, one by one ("Lyon ou 93200" → Lyon, 93200)."""
    found = []
    for match in _MARKERS.finditer(text):
        rest = text[match.end() :]
        rest = re.split(r"[)\n]|\. |。", rest)[0].strip(" .።")
        for example in _SEPARATORS.split(rest):
            example = example.strip(" .،,፣።")
            if step_id == "availability" and _ONE_EXPLAINED.search(example):
                example = "1"
            # "ou envoie PASSER" is a way out, not an example of an answer.
            if example and not re.search(r"[«»\"]", example):
                found.append(example)
    return found


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for locale in available_locales():
        r = renderer(locale)
        for question in FLOW.questions:
            if question.id in ("phone", "review"):
                continue
            shown = f"{r.message(Msg(question.prompt))}\n{r.message(Msg(question.example))}"
            cases += [
                (locale, question.id, example)
                for example in dict.fromkeys(_examples(shown, question.id))
            ]
    return cases


@pytest.mark.parametrize(("locale", "step_id", "example"), _cases())
def test_every_example_is_accepted_by_its_step(locale: str, step_id: str, example: str) -> None:
    state = State(locale=locale, step=step_id, consent_at=NOW.isoformat())
    state.cv.update(_CONTEXT.get(step_id, {}))
    _, outputs = step(FLOW, state, TextReceived(example), now=NOW)
    refused = [o.text.id for o in outputs if isinstance(o, Say) and o.text.id in _REFUSALS]
    assert refused == [], f"{locale} {step_id}: {example!r}"


def test_the_examples_are_found_in_every_locale() -> None:
    cases = _cases()
    for locale in available_locales():
        steps = {step_id for case_locale, step_id, _ in cases if case_locale == locale}
        assert {"location", "availability", "experience_dates", "target_jobs"} <= steps, locale
