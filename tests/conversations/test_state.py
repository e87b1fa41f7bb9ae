"""The state survives storage: its two halves, JSON, and drafts that are missing or broken."""

from conversations.state import State, empty_draft


def _filled() -> State:
    state = State(locale="fr", step="skills", index=1, history=[["languages", 0]])
    state.person["first_name"] = "Amina"
    state.cv["languages"] = [{"code": "fr", "level": "fluent"}]
    return state


def test_the_conversation_half_holds_everything_but_the_draft() -> None:
    conversation = _filled().conversation_json()
    assert "draft" not in conversation
    assert conversation["step"] == "skills" and conversation["history"] == [["languages", 0]]


def test_the_two_halves_rebuild_the_same_state() -> None:
    state = _filled()
    assert State.from_parts(state.conversation_json(), state.to_json()["draft"]) == state


def test_a_missing_half_gives_a_fresh_conversation_or_an_empty_draft() -> None:
    assert State.from_parts(None, None) == State()
    rebuilt = State.from_parts(_filled().conversation_json(), None)
    assert rebuilt.step == "skills" and rebuilt.draft == empty_draft()


def test_a_broken_draft_is_replaced_by_an_empty_one_and_unknown_fields_are_ignored() -> None:
    state = State.from_json({"step": "email", "draft": {"candidate": {}}, "retired_field": 1})
    assert state.step == "email"
    assert state.draft == empty_draft()
    assert State.from_json({"draft": None}).cv["languages"] == []
