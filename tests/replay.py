"""Check that what several processes saved is what one process would have saved, message by message.

For every candidate, the inbound messages are replayed through the pure engine in the order they
were committed (their ids), each at the time it was handled (``created_at``). If the processes
serialised the candidate's messages (row lock, BEGIN IMMEDIATE), the replies logged after each
message and the final conversation and draft are exactly the replay's. A lost update (two messages
stepping from the same state) or a half-saved message (an answer without its replies, or the
reverse) makes them differ.
"""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Engine, select

from bot.channels.sms.render import render_sms
from bot.i18n import available_locales, lexicon
from conversations.engine import step
from conversations.events import TextReceived
from conversations.flow import build_flow
from conversations.questions import Flow
from conversations.state import State
from storage import tables

__all__ = ["Replayed", "replay_all", "served_flow"]


def served_flow() -> Flow:
    """The flow ``tremplin serve`` builds (``open_runtime``): every locale with a full catalog."""
    locales = available_locales()
    return build_flow(locales, lexicon(locales))


@dataclass(frozen=True, slots=True)
class Replayed:
    address: str
    inbound: list[str]
    """The bodies of the saved inbound messages, in commit order."""
    replies: list[str]
    """The saved replies, in order (each after the message it answers, as the replay has it)."""


def replay_all(engine: Engine, flow: Flow) -> dict[str, Replayed]:
    """Replay every candidate's saved messages and assert they match; returns them by address."""
    m, c = tables.messages, tables.conversations
    with engine.connect() as connection:
        identities = {
            row.candidate_id: row.address
            for row in connection.execute(select(tables.channel_identities))
        }
        saved = {
            row.candidate_id: State.from_parts(row.state, row.document)
            for row in connection.execute(
                select(c.c.candidate_id, c.c.state, tables.cv_drafts.c.document).join(
                    tables.cv_drafts, tables.cv_drafts.c.candidate_id == c.c.candidate_id
                )
            )
        }
        rows = connection.execute(select(m).order_by(m.c.id)).all()
    by_candidate = defaultdict(list)
    for row in rows:
        by_candidate[row.candidate_id].append(row)
    result = {}
    for candidate_id, messages in by_candidate.items():
        state = State()
        expected: list[tuple[str, str]] = []
        inbound = [row for row in messages if row.direction == "in"]
        for row in inbound:
            new_state, outputs = step(flow, state, TextReceived(row.body), now=row.created_at)
            expected.append(("in", row.body))
            locale = new_state.locale or state.locale
            expected += [("out", reply.text) for reply in render_sms(outputs, locale)]
            state = new_state
        address = identities[candidate_id]
        logged = [(row.direction, row.body) for row in messages]
        assert logged == expected, f"{address}: the saved messages are not the replay's"
        assert saved[candidate_id] == state, f"{address}: the saved state is not the replay's"
        replies = [body for direction, body in logged if direction == "out"]
        result[address] = Replayed(address, [row.body for row in inbound], replies)
    return result
