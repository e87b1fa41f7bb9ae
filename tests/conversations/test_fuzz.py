"""Whatever a person sends, in any order: no exception, an answer, a valid state and draft."""

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cv_document import document_from_state
from bot.sms_render import render_sms
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
caps = st.builds(Capabilities, st.booleans(), st.booleans(), st.booleans(), st.booleans())
words = st.sampled_from(
    [w for ws in COMMAND_WORDS.values() for w in ws]
    + HAPPY
    + ["1", "2", "3", "9", "0", "oui", "non", "cuisine", "2019-2021", "Paris 75011", "", "wolof"]
    + ["سلام", "Привіт", "ሰላም", "۲", "٣", "بگذر", "مساعدة", "НАЗАД", "ሓገዝ", "LANGUE", "آشپز"]
)
texts = st.one_of(words, st.text(max_size=300), words.map(str.upper))
events = st.one_of(
    st.builds(TextReceived, texts, caps),
    st.builds(ContactShared, st.sampled_from(["+33612345678", "nonsense"]), caps),
    st.builds(PhotoReceived, st.just("photos/x.jpg"), caps),
    st.builds(MediaReceived, st.sampled_from(["voice", "sticker", "location"]), caps),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.integers(min_value=0, max_value=len(HAPPY)),
    script=st.lists(
        st.tuples(events, st.integers(min_value=1, max_value=60 * 24 * 10)), max_size=40
    ),
)
def test_the_engine_never_breaks(prefix: int, script: list[tuple[Event, int]]) -> None:
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    state = State()
    typed = ""
    steps = [(TextReceived(line), 1) for line in HAPPY[:prefix]] + script
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
        assert State.from_json(json.loads(json.dumps(state.to_json()))) == state
        document = document_from_state(
            state,
            status=state.status,
            locale=state.locale or "fr",
            candidate={"id": "c1", "channels": []},
        )
        VALIDATOR.validate(document)
