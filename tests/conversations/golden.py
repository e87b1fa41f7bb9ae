"""Golden transcripts: readable ``*.chat`` files replayed through the engine and the SMS renderer.

A transcript holds a scenario's header, what the candidate sends (``> …``) and what the bot
answers (``< …`` lines, one SMS per block, ``[step:id]`` before a question), and ends with the
final state (``= …``). Only the ``>`` lines and the header are inputs: the rest is regenerated and
compared. Before every turn the state goes through JSON and back, as storage does.

Directives on ``>`` lines: ``@wait 3d`` (or ``5h``, ``20m``) moves the clock; ``@contact +33…`` and
``@photo REF`` and ``@media voice`` send non-text events; ``@coach 3 words`` is a coach asking for
changes to part 3 in those words, ``@publish URL`` a coach publishing (``conversations.coach``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.channels.sms.render import render_sms
from bot.i18n import available_locales, lexicon
from conversations.coach import publish, request_changes
from conversations.draft import progress
from conversations.engine import step
from conversations.events import (
    Capabilities,
    ContactShared,
    Event,
    MediaReceived,
    PhotoReceived,
    TextReceived,
)
from conversations.flow import build_flow
from conversations.outputs import Output
from conversations.state import State

GOLDEN_DIR = Path(__file__).parent / "golden"
# The flow as the product runs it: every locale whose catalog is complete, with its vocabulary.
FLOW = build_flow(available_locales(), lexicon(available_locales()))
START = datetime(2026, 11, 26, 10, 0, tzinfo=timezone(timedelta(hours=1)))
_ESCAPE = re.compile(r"\\x([0-9a-fA-F]{2})")
_WAIT = re.compile(r"^@wait (\d+)([dhm])$")
_COACH = re.compile(r"^@coach (\d) (.+)$")
_PUBLISH = re.compile(r"^@publish (\S+)$")


@dataclass
class Scenario:
    title: str
    inputs: list[str]
    locale: str | None = None
    caps: Capabilities = field(default_factory=Capabilities)
    start: datetime = START
    show_draft: bool = True


def parse(path: Path) -> Scenario:
    header: dict[str, str] = {}
    inputs: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# ") and ":" in line and not inputs:
            key, value = line[2:].split(":", 1)
            header[key.strip()] = value.strip()
        elif line.startswith(">"):
            inputs.append(line[2:] if line.startswith("> ") else "")
    caps_words = set(header.get("caps", "").replace(",", " ").split())
    caps = Capabilities(
        share_contact="contact" in caps_words,
        send_photo="photo" in caps_words,
        buttons="buttons" in caps_words,
        knows_phone="no_phone" not in caps_words,
    )
    return Scenario(
        title=header.get("scenario", path.stem),
        inputs=inputs,
        locale=header.get("locale") or None,
        caps=caps,
        start=datetime.fromisoformat(header["now"]) if "now" in header else START,
        show_draft=header.get("draft", "yes") != "no",
    )


def _event(line: str, caps: Capabilities) -> Event:
    if line.startswith("@contact "):
        return ContactShared(line.split(" ", 1)[1], caps=caps)
    if line.startswith("@photo "):
        return PhotoReceived(line.split(" ", 1)[1], caps=caps)
    if line.startswith("@media "):
        return MediaReceived(line.split(" ", 1)[1], caps=caps)
    # Escapes let a transcript send what a file cannot hold: newlines and control characters.
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), line.replace("\\n", "\n"))
    return TextReceived(text, caps=caps)


def _header(scenario: Scenario, path: Path) -> list[str]:
    lines = [f"# scenario: {scenario.title}"]
    if scenario.locale:
        lines.append(f"# locale: {scenario.locale}")
    caps = [
        name
        for name, on in (
            ("contact", scenario.caps.share_contact),
            ("photo", scenario.caps.send_photo),
            ("buttons", scenario.caps.buttons),
            ("no_phone", not scenario.caps.knows_phone),
        )
        if on
    ]
    if caps:
        lines.append(f"# caps: {', '.join(caps)}")
    lines.append(f"# now: {scenario.start.isoformat()}")
    if not scenario.show_draft:
        lines.append("# draft: no")
    del path
    return lines


@dataclass
class TurnReplayed:
    """One input of a transcript and what the engine answered (before any rendering)."""

    line: str
    outputs: list[Output]
    locale: str | None
    state: State


def turns(scenario: Scenario) -> Iterator[TurnReplayed]:
    """The scenario's inputs replayed through the engine, one turn at a time; renderer-free, so
    that every channel's renderer can be checked against the same conversations."""
    state = State(locale=scenario.locale)
    now = scenario.start
    for line in scenario.inputs:
        wait = _WAIT.match(line)
        if wait:
            amount, unit = int(wait.group(1)), wait.group(2)
            now += {"d": timedelta(days=amount), "h": timedelta(hours=amount)}.get(
                unit, timedelta(minutes=amount)
            )
            yield TurnReplayed(line, [], state.locale, state)
            continue
        now += timedelta(minutes=1)
        state = State.from_json(json.loads(json.dumps(state.to_json())))
        before = state.locale
        coach, published = _COACH.match(line), _PUBLISH.match(line)
        if coach:
            part, words = int(coach.group(1)), coach.group(2)
            state, outputs = request_changes(FLOW, state, part, words, now=now)
        elif published:
            state, outputs = publish(state, published.group(1))
        else:
            state, outputs = step(FLOW, state, _event(line, scenario.caps), now=now)
        yield TurnReplayed(line, outputs, state.locale or before, state)


def run(scenario: Scenario, path: Path) -> tuple[str, State]:
    """Replay a scenario and return the full transcript text (as SMS) and the final state."""
    state = State(locale=scenario.locale)
    out = [*_header(scenario, path), ""]
    for turn in turns(scenario):
        out.append(f"> {turn.line}".rstrip())
        state = turn.state
        if _WAIT.match(turn.line):
            out.append("")
            continue
        for sms in render_sms(turn.outputs, turn.locale):
            if sms.step:
                out.append(f"[step:{sms.step}]")
            out.extend(f"< {text}".rstrip() for text in sms.text.split("\n"))
            out.append("")
        if not turn.outputs:
            out.append("(no reply)")
            out.append("")
    out.append(f"= step: {state.step}, status: {state.status}, progress: {progress(state)} %")
    if scenario.show_draft:
        draft = json.dumps(state.draft, ensure_ascii=False, indent=1, sort_keys=True)
        out.extend(f"= {line}" for line in draft.splitlines())
    return "\n".join(out) + "\n", state
