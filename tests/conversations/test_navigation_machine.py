"""BACK, EDIT and VIEW in any order, between any answers: a stateful hypothesis test.

Commands never lose an answer (docs/conversation.md): whatever sequence
of answers and commands a person sends, BACK, EDIT and VIEW leave every saved answer saved (but
a refusal of consent, which keeps nothing), VIEW leaves the person where they were, and the
engine always answers."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from conversations.engine import step
from conversations.events import TextReceived
from conversations.state import State
from tests.conversations.golden import FLOW, GOLDEN_DIR, parse

ANSWERS = parse(GOLDEN_DIR / "fr_same_cv.chat").inputs
START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _saved(state: State) -> int:
    """How many answers the draft holds: filled fields and list items."""

    def count(value: Any) -> int:
        if isinstance(value, dict):
            return sum(count(item) for item in value.values())
        if isinstance(value, list):
            return sum(count(item) for item in value) + len(value)
        return 0 if value in (None, "", False) else 1

    return count(state.draft)


class Navigation(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state = State()
        self.now = START
        self.next_answer = 0

    def _send(self, text: str) -> list[Any]:
        self.now += timedelta(minutes=1)
        before = State.from_json(json.loads(json.dumps(self.state.to_json())))
        self.state, outputs = step(FLOW, before, TextReceived(text), now=self.now)
        assert outputs, f"no answer to {text!r} at {before.step}"
        return outputs

    @rule()
    def answer(self) -> None:
        if self.next_answer < len(ANSWERS):
            self._send(ANSWERS[self.next_answer])
            self.next_answer += 1

    @rule()
    def back(self) -> None:
        saved = _saved(self.state)
        self._send("RETOUR")
        assert _saved(self.state) >= saved

    @rule()
    def view(self) -> None:
        saved, where = _saved(self.state), (self.state.step, self.state.index)
        self._send("VOIR")
        assert _saved(self.state) == saved
        if where[0] not in ("start", "declined"):  # any message (re)opens the conversation there
            assert (self.state.step, self.state.index) == where

    @rule(part=st.integers(min_value=1, max_value=6))
    def edit(self, part: int) -> None:
        saved = _saved(self.state)
        self._send("MODIFIER")
        self._send(str(part))
        # The one way answers go: "2" read as a refusal of consent (BACK led there), which
        # keeps nothing by design.
        assert _saved(self.state) >= saved or self.state.step == "declined"

    @invariant()
    def the_state_survives_storage(self) -> None:
        copied = State.from_json(json.loads(json.dumps(self.state.to_json())))
        assert copied == self.state


Navigation.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
test_back_edit_and_view_never_lose_an_answer = Navigation.TestCase
