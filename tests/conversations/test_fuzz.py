"""Whatever a person sends, in any order: no exception, an answer, a valid state and draft."""

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.sms.render import render_sms
from bot.cv.document import document_from_state
from conversations.engine import step
from conversations.events import (
    Capabilities,
    ContactShared,
    Event,
    MediaReceived,
    PhotoReceived,
    TextReceived,
)
from conversations.parsing.commands import COMMAND_WORDS
from conversations.state import State
from tests.conversations.golden import FLOW, GOLDEN_DIR, parse

SCHEMA = json.loads((Path(__file__).parents[2] / "bot" / "schemas" / "cv.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
HAPPY = parse(GOLDEN_DIR / "fr_happy_path.chat").inputs

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
# Steps that are not questions of the flow: before the first message, after a refusal, the
# checkpoint summaries and the wait after SEND.
SPECIAL_STEPS = frozenset({"start", "declined", "checkpoint", "submitted"})
TRANSCRIPTS = {path.stem: parse(path).inputs for path in sorted(GOLDEN_DIR.glob("*.chat"))}

caps = st.builds(Capabilities, st.booleans(), st.booleans(), st.booleans(), st.booleans())
words = st.sampled_from(
    [w for ws in COMMAND_WORDS.values() for w in ws]
    + HAPPY
    + ["1", "2", "3", "9", "0", "oui", "non", "cuisine", "2019-2021", "Paris 75011", "", "wolof"]
    + ["سلام", "Привіт", "ሰላም", "۲", "٣", "بگذر", "مساعدة", "НАЗАД", "ሓገዝ", "LANGUE", "آشپز"]
)
# What phones and keyboards really put in a message: direction marks, joiners, byte order marks,
# combining accents, emoji sequences, full-width letters, NUL, line breaks, tabs.
oddities = st.sampled_from(
    [
        *["\u200f", "\u200e", "\u202e", "\u200d", "\ufeff", "\x00", "\u0301", "\u00a0", "\r\n"],
        *["\t", "🙂", "👩🏽\u200d🍳", "🇫🇷", "ＳＴＯＰ", "ﷺ", "٫", "…", "’", "\u0640", "A\u030a"],
    ]
)
mixed = st.lists(st.one_of(words, oddities, st.text(max_size=12)), max_size=6).map("".join)
shouted = words.map(lambda word: f"  {word.upper()} !! ")
long_text = st.builds(lambda word, times: (word + " ") * times, words, st.integers(50, 400))
texts = st.one_of(words, st.text(max_size=300), words.map(str.upper), mixed, shouted, long_text)
events = st.one_of(
    st.builds(TextReceived, texts, caps),
    st.builds(ContactShared, st.sampled_from(["+33612345678", "0612345678", "nonsense", ""]), caps),
    st.builds(PhotoReceived, st.sampled_from(["photos/x.jpg", ""]), caps),
    st.builds(MediaReceived, st.sampled_from(["voice", "sticker", "location", "video", ""]), caps),
)
scripts = st.lists(st.tuples(events, st.integers(min_value=1, max_value=60 * 24 * 10)), max_size=40)


def _assert_valid(state: State) -> None:
    """What the service and the coach workspace rely on in a saved state."""
    assert state.step in FLOW.by_id or state.step in SPECIAL_STEPS, state.step
    assert state.locale is None or state.locale in FLOW.locales
    assert state.status in ("in_progress", "submitted")
    assert all(step in FLOW.by_id or step in SPECIAL_STEPS for step, _ in state.history)
    assert 0 <= state.index <= FLOW.max_items
    stored = json.loads(json.dumps(state.to_json(), ensure_ascii=False))
    assert State.from_json(stored) == state  # the database's JSON round trip changes nothing
    document = document_from_state(
        state,
        status=state.status,
        locale=state.locale or "fr",
        candidate={"id": "c1", "channels": []},
    )
    VALIDATOR.validate(document)


def _run(prefix: list[str], script: list[tuple[Event, int]]) -> None:
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    state = State()
    typed = ""
    steps = [(TextReceived(line), 1) for line in prefix] + script
    for event, minutes in steps:
        now += timedelta(minutes=minutes)
        before = state.to_json()
        state, outputs = step(FLOW, state, event, now=now)
        typed += f" {event!r}"
        for sms in render_sms(outputs, state.locale or before.get("locale")):
            assert sms.text.strip()  # every reply renders, in every language
            unfilled = [p for p in PLACEHOLDER.findall(sms.text) if p not in typed]
            assert not unfilled, sms.text  # no placeholder left unfilled by a translation
        assert State.from_json(before).to_json() == before  # the caller's state is untouched
        if not state.opted_out and not (isinstance(event, TextReceived) and before["opted_out"]):
            assert outputs, f"no answer to {event!r} at {before['step']}"
        _assert_valid(state)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.integers(min_value=0, max_value=len(HAPPY)), script=scripts)
def test_the_engine_never_breaks(prefix: int, script: list[tuple[Event, int]]) -> None:
    _run(HAPPY[:prefix], script)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    transcript=st.sampled_from(sorted(TRANSCRIPTS)),
    cut=st.floats(min_value=0, max_value=1),
    script=scripts,
)
def test_the_engine_never_breaks_from_any_step_of_any_language(
    transcript: str, cut: float, script: list[tuple[Event, int]]
) -> None:
    """Random events from anywhere a golden transcript goes: every language, the EDIT and BACK
    menus, after SEND, after a refusal, in the middle of the loops."""
    inputs = TRANSCRIPTS[transcript]
    _run(inputs[: round(cut * len(inputs))], script)
