"""The events a phone call gives the engine: ``Resumed`` (a call begins, no word yet) and
``Repeated`` (``#``: the question again). The draft never changes; the greeting says the first
name once it is known; someone new gets the language menu."""

from datetime import UTC, datetime

from conversations.engine import step
from conversations.events import Repeated, Resumed
from conversations.flow import build_flow
from conversations.outputs import Raw, Say
from conversations.state import State

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
FLOW = build_flow(("fr", "en"))


def said(outputs: list[object]) -> list[str]:
    return [o.text.id for o in outputs if isinstance(o, Say)]


def at(step_id: str, first_name: str | None = None) -> State:
    state = State(locale="fr", step=step_id, consent_at=NOW.isoformat())
    state.person["first_name"] = first_name
    return state


def test_a_call_from_someone_new_opens_with_the_language_menu() -> None:
    state, outputs = step(FLOW, State(), Resumed(), now=NOW)
    assert state.step == "language" and said(outputs) == ["ask_language"]


def test_a_call_back_greets_by_name_and_asks_where_it_stopped() -> None:
    before = at("location", first_name="Amina")
    state, outputs = step(FLOW, before, Resumed(), now=NOW)
    assert said(outputs) == ["hello_named", "welcome_back", "ask_location"]
    hello = next(o for o in outputs if isinstance(o, Say) and o.text.id == "hello_named")
    assert dict(hello.text.params)["first_name"] == Raw("Amina")
    assert state.step == "location" and state.draft == before.draft


def test_without_a_name_yet_the_call_back_says_where_it_stopped() -> None:
    _, outputs = step(FLOW, at("first_name"), Resumed(), now=NOW)
    assert said(outputs) == ["welcome_back", "ask_first_name"]


def test_before_anything_was_begun_or_after_it_was_sent_only_the_question_or_the_state() -> None:
    _, outputs = step(FLOW, State(locale="fr", step="consent"), Resumed(), now=NOW)
    assert said(outputs) == ["ask_consent"]
    _, outputs = step(FLOW, at("submitted", first_name="Amina"), Resumed(), now=NOW)
    assert said(outputs) == ["hello_named", "submitted_waiting"]


def test_after_stop_a_call_gets_no_word() -> None:
    stopped = at("location")
    stopped.opted_out = True
    _, outputs = step(FLOW, stopped, Resumed(), now=NOW)
    assert outputs == []


def test_hash_says_the_question_again_and_changes_nothing() -> None:
    before = at("location", first_name="Amina")
    state, outputs = step(FLOW, before, Repeated(), now=NOW)
    assert said(outputs) == ["ask_location"]
    assert state.step == "location" and state.draft == before.draft
