"""One turn of the conversation: the state being changed and the replies being written.

Handlers and commands act through a ``Turn``: ``say`` a message, ``ask`` the current question,
``go`` to a question, ``advance`` along the flow, ``reject`` an answer. Navigation rules live here
once: save points at the end of each part, the return to where the person was after EDIT, the
history BACK walks, and the offer of HELP or SKIP after three failed tries.
"""

from dataclasses import replace
from datetime import datetime

from conversations.events import Capabilities, Invitations
from conversations.outputs import Msg, Output, Say, Summary, Term, Text, msg, msg_from
from conversations.questions import PARTS, Flow, Question
from conversations.saved import saved_answer
from conversations.state import State

__all__ = ["END_PART", "MAX_TRIES", "NEVER_SKIPPED", "Turn"]

MAX_TRIES = 3
NEVER_SKIPPED = ("language", "consent")
"""Steps SKIP never passes: without a language or a consent there is no conversation."""
END_PART = "END_PART"
"""A handler's target meaning: the current part is finished."""

# Steps that are not questions of the flow but places the conversation can rest.
_RESTING = ("start", "checkpoint", "submitted", "declined")


class Turn:
    def __init__(self, flow: Flow, state: State, now: datetime, caps: Capabilities) -> None:
        self.flow = flow
        self.state = state
        self.now = now
        self.caps = caps
        self.invitations: Invitations | None = None
        """The coaches' codes the message may mean, when the service looked them up."""
        self.outputs: list[Output] = []

    # Replies -------------------------------------------------------------------------------
    def say(self, message_id: str, count: int | None = None, **params: Text | str | int) -> None:
        self.outputs.append(Say(self.in_their_languages(msg(message_id, count, **params))))

    def in_their_languages(self, message: Msg) -> Msg:
        """Before a language is chosen, a message goes out in every language the person may
        read: those of the script they wrote in, else every language of the menu."""
        if self.state.locale is not None:
            return message
        return replace(message, locales=self.menu_locales())

    def menu_locales(self) -> tuple[str, ...]:
        offered = self.state.offered
        if not offered:
            return self.flow.locales
        own = tuple(locale for locale in offered if locale not in ("fr", "en"))
        return own or tuple(offered)

    def emit(self, output: Output) -> None:
        self.outputs.append(output)

    @property
    def question(self) -> Question | None:
        return self.flow.by_id.get(self.state.step)

    def ask(self) -> None:
        """Ask the current question (or show the resting step's menu)."""
        state = self.state
        if state.step == "checkpoint":
            self.outputs.append(
                Say(
                    msg("checkpoint", part=state.checkpoint_part),
                    step="checkpoint",
                    choices=(Term("continue", "continue"), Term("continue", "later")),
                    expects="choice",
                )
            )
            return
        if state.step == "submitted":
            self.say("published_waiting" if state.status == "published" else "submitted_waiting")
            return
        question = self.question
        if question is None:
            return
        prompt = question.prompt_of(state) if question.prompt_of else Msg(question.prompt)
        choices = tuple(label for _, label in question.choices(state)) if question.choices else ()
        # A text question can ask a yes/no on top of itself (a coach's code nearly typed).
        expects = "choice" if choices and question.expects == "text" else question.expects
        self.outputs.append(Say(prompt, step=question.id, choices=choices, expects=expects))

    # Navigation ----------------------------------------------------------------------------
    def go(self, step: str, index: int | None = None, *, remember: bool = True) -> None:
        """Move to a question and ask it; ``remember`` lets BACK come here again."""
        state = self.state
        if remember and state.step not in _RESTING and state.step in self.flow.by_id:
            here = [state.step, state.index]
            if not state.history or state.history[-1] != here:
                state.history.append(here)
                del state.history[:-50]
        state.step = step
        if index is not None:
            state.index = index
        state.tries = 0
        state.pending = None
        state.summary_page = None
        if state.return_to is not None:
            # Editing a part: show each saved answer so it can be kept with SKIP.
            answer = saved_answer(state)
            if answer is not None:
                self.say("back_saved", answer=answer)
        self.ask()

    def start_part(self, part: int) -> None:
        self.say("part_start", part=part, title=Term("part", str(part)))
        self.go(self.flow.first_of_part(part).id, 0)

    def advance(self) -> None:
        """Go to the next question of the flow that applies, closing the part when it ends."""
        current = self.question
        if current is None:
            return
        for question in self.flow.after(current.id):
            if question.part != current.part:
                break
            if question.when(self.state, self.caps):
                self.go(question.id)  # same loop item: the next field of this experience
                return
        self.end_part(current.part)

    def end_part(self, part: int) -> None:
        state = self.state
        self.mark_answered()
        if state.return_to is not None:
            step, index = state.return_to
            state.return_to = None
            if state.status == "submitted" or step in ("submitted", "review"):
                state.status = "in_progress" if state.status == "submitted" else state.status
                self.say("resend")
                self.go("review", 0, remember=False)
                return
            self.say("edit_done")
            self.go(step, index, remember=False)
            return
        if part == 0:
            self.start_part(1)
        elif part in PARTS[:-1]:
            state.history.clear()  # BACK stays within the part in progress after a save point
            state.step = "checkpoint"
            state.checkpoint_part = part
            state.tries = 0
            state.pending = None
            self.ask()
        else:
            self.go("review", 0)

    def mark_answered(self) -> None:
        step = self.state.step
        if step in self.flow.by_id and step not in self.state.answered:
            self.state.answered.append(step)

    def accept(self, target: str | None = None, index: int | None = None) -> None:
        """The answer is saved: go on along the flow, or to ``target``."""
        self.mark_answered()
        if target == END_PART:
            question = self.question
            self.end_part(question.part if question else 0)
        elif target is not None:
            self.go(target, index)
        else:
            self.advance()

    def reject(self, message_id: str = "not_understood", **params: Text | str | int) -> None:
        """The answer cannot be used: say why kindly, with an example, and ask again.

        After ``MAX_TRIES`` failed tries on one question, offer HELP or SKIP instead of looping.
        """
        state = self.state
        state.tries += 1
        question = self.question
        if "example" not in params and message_id in _WITH_EXAMPLE:
            # Resting steps (the save point's menu) have no question: their answer is a number.
            params["example"] = Msg(question.example if question else "example_choice")
        self.outputs.append(Say(self.in_their_languages(msg_from(message_id, params))))
        if state.tries >= MAX_TRIES:
            # Offer SKIP only where it is taken, and ask again: the question is still the one.
            self.say("too_many_tries" if self.can_skip() else "too_many_tries_help")
        self.ask()

    def can_skip(self) -> bool:
        """Whether SKIP moves on from here once the tries are spent (see ``actions._skip``)."""
        return self.question is not None and self.state.step not in NEVER_SKIPPED

    def show_summary(self, lines: tuple[Msg, ...], page: int = 0) -> None:
        self.state.summary_page = page
        self.outputs.append(Summary(lines, page))


_WITH_EXAMPLE = frozenset(
    {"not_understood", "date_unreadable", "date_future", "date_birth", "date_order", "date_too_old"}
)
