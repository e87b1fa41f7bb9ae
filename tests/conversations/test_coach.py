"""The coach's decisions on a conversation (``conversations.coach``), beyond the golden
transcripts ``*coach*.chat``: what is refused, and what is never changed."""

from datetime import UTC, datetime

import pytest

from conversations.coach import publish, request_changes, unpublish
from conversations.engine import step
from conversations.events import TextReceived
from conversations.flow import DEFAULT_FLOW
from conversations.outputs import Msg, Raw, Say
from conversations.state import State

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def _consented() -> State:
    state = State(locale="fr")
    for text in ("Bonjour", "oui", "passer", "Amina"):
        state, _ = step(DEFAULT_FLOW, state, TextReceived(text), now=NOW)
    assert state.step == "last_name"
    return state


@pytest.mark.parametrize("part", [0, 7, -1])
def test_a_part_outside_the_six_is_refused(part: int) -> None:
    with pytest.raises(ValueError, match="part"):
        request_changes(DEFAULT_FLOW, _consented(), part, "Précise", now=NOW)


def test_empty_words_are_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        request_changes(DEFAULT_FLOW, _consented(), 1, "  \n ", now=NOW)


def test_nothing_is_said_before_the_person_agreed_to_build_a_cv() -> None:
    state = State(locale="fr")
    state, _ = step(DEFAULT_FLOW, state, TextReceived("Bonjour"), now=NOW)
    assert state.step == "consent"
    changed, outputs = request_changes(DEFAULT_FLOW, state, 2, "Un métier ?", now=NOW)
    assert outputs == []
    assert changed.to_json() == state.to_json()


def test_the_callers_state_is_never_changed() -> None:
    state = _consented()
    before = state.to_json()
    changed, outputs = request_changes(DEFAULT_FLOW, state, 1, "  Ton nom complet ?  ", now=NOW)
    assert state.to_json() == before
    assert changed.status == "changes_requested"
    assert changed.step == "first_name"
    assert changed.return_to == ["last_name", 0]
    # The coach's words go as they were written, without the spaces around them.
    assert outputs[0] == Say(Msg("coach_changes", (("comment", Raw("Ton nom complet ?")),)))


def test_an_edit_already_open_keeps_its_way_back() -> None:
    state = _consented()
    state, _ = step(DEFAULT_FLOW, state, TextReceived("MODIFIER"), now=NOW)
    assert state.return_to == ["last_name", 0]
    changed, _ = request_changes(DEFAULT_FLOW, state, 2, "Quel métier ?", now=NOW)
    assert changed.return_to == ["last_name", 0]
    assert changed.pending is None  # the EDIT menu gives way to the coach's part


def test_publish_and_unpublish_change_only_the_status() -> None:
    state = _consented()
    published, outputs = publish(state, "https://t.example/cv/abc")
    assert published.status == "published" and state.status == "in_progress"
    assert published.draft == state.draft and published.step == state.step
    assert outputs == [Say(Msg("cv_published", (("url", Raw("https://t.example/cv/abc")),)))]
    withdrawn = unpublish(published)
    assert withdrawn.status == "unpublished" and published.status == "published"
