"""What a coach's decisions do to a conversation: ask for changes, publish, unpublish.

The coach workspace calls these pure functions with the candidate's state, as the service calls
``engine.step`` with a message: the state comes back changed, with what to send the candidate.
Rules of this module:

1. Pure, like the engine: no I/O, no clock (``now`` comes in), the caller's state is never changed.
2. "Request changes" follows docs/conversation.md: the candidate receives the coach's words, and the
   conversation opens that part for editing at once (its first question is asked, each saved
   answer shown so SKIP keeps it). When the part is done, a candidate who had sent the draft goes
   to the review, where the next SEND returns the draft to the coach; one who was still writing
   goes back to where they were.
3. Nothing is said to a person who sent STOP, or who has not agreed to build a CV yet: then the
   state comes back unchanged and the list of outputs is empty, so the caller can tell the coach.
"""

from datetime import datetime

from conversations.events import Capabilities
from conversations.outputs import Output, Say, msg
from conversations.questions import PARTS, Flow
from conversations.state import State
from conversations.turn import Turn

__all__ = [
    "CHANGES_REQUESTED",
    "PUBLISHED",
    "UNPUBLISHED",
    "publish",
    "request_changes",
    "unpublish",
]

CHANGES_REQUESTED = "changes_requested"
PUBLISHED = "published"
UNPUBLISHED = "unpublished"

# Where a candidate stands once the draft has gone to the coach: the edit ends at the review.
_SENT_STEPS = ("submitted", "review")


def request_changes(
    flow: Flow,
    state: State,
    part: int,
    comment: str,
    *,
    now: datetime,
    translation_follows: bool = False,
) -> tuple[State, list[Output]]:
    """The coach asks for changes to ``part`` (1 to 6) in their own words (``comment``).

    ``translation_follows``: the words are in French, not in the candidate's language, and the
    message says so (a translation will follow) rather than slip French into their sentence.
    """
    if part not in PARTS:
        raise ValueError(f"a CV part is one of {PARTS}, not {part!r}")
    words = comment.strip()
    if not words:
        raise ValueError("the coach's words are empty")
    turn = Turn(flow, state.copy(), now, Capabilities())
    changed = turn.state
    if changed.opted_out or changed.consent_at is None:
        return changed, []
    if changed.return_to is None:
        here = ["review", 0] if changed.step in _SENT_STEPS else [changed.step, changed.index]
        changed.return_to = here
    changed.status = CHANGES_REQUESTED
    changed.paused = False
    framed = "coach_changes_in_french" if translation_follows else "coach_changes"
    turn.emit(Say(msg(framed, comment=words)))
    turn.start_part(part)
    return changed, turn.outputs


def publish(state: State, url: str) -> tuple[State, list[Output]]:
    """The coach published the CV: the candidate receives its public link."""
    changed = state.copy()
    changed.status = PUBLISHED
    return changed, [Say(msg("cv_published", url=url))]


def unpublish(state: State) -> State:
    """The public page is withdrawn; the draft stays as it is."""
    changed = state.copy()
    changed.status = UNPUBLISHED
    return changed
