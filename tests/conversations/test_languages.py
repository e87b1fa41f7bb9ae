"""A newcomer's language: the menu narrowed by script, answers understood in their language."""

from datetime import UTC, datetime

from conversations.engine import step
from conversations.events import TextReceived
from conversations.flow import build_flow
from conversations.outputs import Say, Term
from conversations.state import State
from conversations.vocabulary.lists import SUPPORTED_LOCALES

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
ALL = build_flow(SUPPORTED_LOCALES)


def _menu(first_message: str) -> list[str]:
    _, outputs = step(ALL, State(), TextReceived(first_message), now=NOW)
    question = next(o for o in outputs if isinstance(o, Say) and o.step == "language")
    return [c.code for c in question.choices if isinstance(c, Term)]


def test_a_first_message_in_arabic_script_narrows_the_menu() -> None:
    assert _menu("سلام") == ["ar", "fa_AF", "ps", "fr", "en"]
    assert _menu("السلام عليكم") == ["ar", "fa_AF", "ps", "fr", "en"]


def test_cyrillic_and_ethiopic_narrow_too_and_latin_shows_everything() -> None:
    assert _menu("Привіт") == ["uk", "fr", "en"]
    assert _menu("ሰላም") == ["ti", "fr", "en"]
    assert _menu("Bonjour") == list(SUPPORTED_LOCALES)


def test_choosing_from_the_narrowed_menu_sets_that_language() -> None:
    state, _ = step(ALL, State(), TextReceived("سلام"), now=NOW)
    state, _ = step(ALL, state, TextReceived("۲"), now=NOW)  # Persian digit two: Dari
    assert state.locale == "fa_AF"
    assert state.step == "consent"


def test_language_keeps_the_draft() -> None:
    flow = build_flow(("fr", "en"))
    state = State()
    for text in ("Bonjour", "1", "oui", "PASSER", "Amina", "LANGUE", "2"):
        state, _ = step(flow, state, TextReceived(text), now=NOW)
    assert state.locale == "en"
    assert state.person["first_name"] == "Amina"
    assert state.step == "last_name"


def test_job_words_in_the_candidates_language_find_the_jobs() -> None:
    lexicon = {"fa_AF": {("job", "Cuisinier / Cuisinière"): "آشپز"}}
    flow = build_flow(("fr", "fa_AF"), lexicon)
    state = State(locale="fa_AF", step="target_jobs")
    state, outputs = step(flow, state, TextReceived("آشپز"), now=NOW)
    pick = next(o for o in outputs if isinstance(o, Say) and o.step == "target_jobs")
    assert Term("job", "cuisinier") in pick.choices
