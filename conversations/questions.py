"""The shape of the flow as data: questions, their parts, and the flow that orders them.

A ``Question`` says what to ask (message ids), how to read the answer (a handler), which numbered
choices it offers, when it is asked at all (``when``) and how to show the saved answer (BACK and
EDIT). ``Flow`` is the ordered list of questions: the linear path of docs/conversation.md; loops
and branches are
taken by the handlers.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from conversations.events import Capabilities
from conversations.outputs import Msg, Text
from conversations.state import State

if TYPE_CHECKING:
    from conversations.turn import Turn

__all__ = ["PARTS", "Choice", "Flow", "Question"]

Choice = tuple[str, Text]
"""A numbered option: its code and its label."""

Handler = Callable[["Turn", str], None]
ChoicesOf = Callable[[State], list[Choice]]
Condition = Callable[[State, Capabilities], bool]
SavedOf = Callable[[State], Text | None]

PARTS = (1, 2, 3, 4, 5, 6)
"""The six parts of the CV, each ended by a save point (docs/conversation.md)."""


def _always(state: State, caps: Capabilities) -> bool:
    del state, caps
    return True


@dataclass(frozen=True, slots=True, kw_only=True)
class Question:
    """One step of the flow, every field named where the flow lists it (conversations/flow.py),
    so that the whole conversation reads as a table; ``tremplin flow show`` prints it."""

    id: str
    part: int
    """0 for the welcome, 1 to 6 for the parts of the CV, 7 for the review."""
    prompt: str
    example: str
    help: str
    answer: Handler
    optional: bool = False
    expects: str = "text"
    """``text``, ``choice``, ``multi``, ``contact`` or ``photo``: how channels present it."""
    choices: ChoicesOf | None = None
    when: Condition = _always
    saved: SavedOf | None = None
    prompt_of: Callable[[State], Msg] | None = None
    """When the prompt depends on the state (a second job, a loop with items already)."""


@dataclass(frozen=True, slots=True)
class Flow:
    questions: tuple[Question, ...]
    locales: tuple[str, ...]
    """Locales offered in the language menu, in menu order."""
    max_items: int = 10
    """Experiences and trainings, at most (cv.schema.json)."""
    resume_after_hours: int = 6
    """After this long without a message, a greeting resumes with a reminder of where we are."""
    lexicon: Mapping[str, Mapping[tuple[str, str], str]] = field(default_factory=dict)
    """Per locale, the translation of each vocabulary label by (context, French label): lets the
    engine understand answers written in the candidate's language ("آشپز" finds the cooks)."""
    by_id: dict[str, Question] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {q.id: q for q in self.questions})

    def first_of_part(self, part: int) -> Question:
        return next(q for q in self.questions if q.part == part)

    def translate(self, locale: str | None, context: str, label: str) -> str | None:
        """The candidate's-language label of a vocabulary entry, when the lexicon has it."""
        return self.lexicon.get(locale or "fr", {}).get((context, label))

    def after(self, step: str) -> list[Question]:
        """The questions that follow ``step`` in order."""
        ids = [q.id for q in self.questions]
        return list(self.questions[ids.index(step) + 1 :])
