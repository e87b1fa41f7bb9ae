"""What each command does (docs/conversation.md, "Commands").

Commands never lose an answer: BACK and EDIT show the saved answer and SKIP keeps it; SEND lists
everything still missing in one message; STOP is confirmed once and then silences the
conversation until START; DELETE asks for an explicit confirmation before anything is erased.
"""

from conversations.draft import missing, summary_lines
from conversations.outputs import EraseRequested, Join, Msg, OptedIn, OptedOut, Say, Submitted, Term
from conversations.questions import PARTS
from conversations.saved import saved_answer
from conversations.state import State
from conversations.turn import END_PART, MAX_TRIES, NEVER_SKIPPED, Turn

__all__ = ["ask_menu", "run_command"]

_LOOP_TITLES = {"experience_title": "experiences", "training_title": "trainings"}
_LOOP_STARTS = ("has_experience", "has_training")


def ask_menu(turn: Turn, kind: str) -> None:
    """Ask a question on top of the current step: the EDIT, LANGUAGE or DELETE menu."""
    state = turn.state
    state.pending = {"kind": kind}
    if kind == "edit":
        choices = tuple(Term("part", str(p)) for p in PARTS)
        turn.emit(Say(Msg("edit_menu"), step="edit", choices=choices, expects="choice"))
    elif kind == "language":
        choices = tuple(Term("locale", code) for code in turn.flow.locales)
        turn.emit(Say(Msg("ask_language"), step="language", choices=choices, expects="choice"))
    elif kind == "delete":
        choices = (Term("delete", "yes"), Term("delete", "no"))
        turn.emit(Say(Msg("ask_delete"), step="delete", choices=choices, expects="choice"))


def _help(turn: Turn) -> None:
    question = turn.question
    if question is not None:
        turn.say(question.help)
        if question.optional and question.help != "help_optional":
            turn.say("help_optional")
    if turn.state.locale is not None:
        # The command words are the chosen language's; before that, the menu is all there is.
        turn.say("help_commands")
    _reask(turn)


def _reask(turn: Turn) -> None:
    pending = turn.state.pending
    if pending and pending.get("kind") in ("edit", "language", "delete"):
        ask_menu(turn, pending["kind"])
    else:
        turn.ask()


def _back(turn: Turn) -> None:
    state = turn.state
    if state.pending and state.pending.get("kind") in ("job_pick", "town_pick"):
        state.pending = None  # back from the list of jobs or towns to the words that found them
        turn.ask()
        return
    if state.step == "consent" and state.locale is not None:
        # Back from the first question to the language menu: the language may be the wrong one.
        turn.say("back_to_language")
        state.tries, state.pending = 0, None
        state.step = "language"
        state.history.clear()
        turn.ask()
        return
    if not state.history:
        turn.say("back_first")
        turn.ask()
        return
    step, index = state.history.pop()
    state.step, state.index, state.tries, state.pending = step, index, 0, None
    answer = saved_answer(state)
    if answer is not None:
        turn.say("back_saved", answer=answer)
    turn.ask()


def _skip(turn: Turn) -> None:
    state = turn.state
    question = turn.question
    if question is None or state.step in NEVER_SKIPPED:
        turn.say("skip_required")
        _reask(turn)
        return
    if state.pending and state.pending.get("kind") == "story":
        state.pending = None
        turn.accept()
        return
    kept = saved_answer(state) is not None
    if question.id in _LOOP_STARTS and state.tries >= MAX_TRIES:
        turn.accept(END_PART)  # "have you worked before?" skipped: nothing to ask about
        return
    if question.id in _LOOP_TITLES and not kept and state.tries >= MAX_TRIES:
        # No title, no item: end this loop rather than ask the employer of nothing.
        items = state.cv[_LOOP_TITLES[question.id]]
        if state.index < len(items) and not items[state.index].get("title"):
            del items[state.index]
        turn.accept(END_PART)
        return
    if question.optional or kept or state.tries >= MAX_TRIES:
        state.pending = None
        turn.accept()
        return
    turn.reject("skip_required")


def _send(turn: Turn) -> None:
    state = turn.state
    if state.status == "submitted" or (state.step == "submitted" and state.status == "published"):
        # Already with the coach, or online unchanged: nothing new to send.
        turn.say("published_waiting" if state.status == "published" else "submitted_waiting")
        return
    needs = missing(state)
    if needs:
        turn.say("missing", items=Join(tuple(needs)))
        _reask(turn)
        return
    state.status = "submitted"
    state.step = "submitted"
    state.pending = None
    state.return_to = None
    state.history.clear()
    turn.emit(Submitted())
    turn.say("submitted")


def _edit(turn: Turn) -> None:
    state = turn.state
    if state.return_to is None:
        state.return_to = [state.step, state.index]
    ask_menu(turn, "edit")


def _stop(turn: Turn) -> None:
    turn.state.opted_out = True
    turn.emit(OptedOut())
    turn.say("stopped")


def _start(turn: Turn) -> None:
    if turn.state.opted_out:
        turn.state.opted_out = False
        turn.emit(OptedIn())
        turn.say("restarted")
    _reask(turn)


def _done(turn: Turn) -> None:
    state = turn.state
    if state.step == "story" and state.pending and state.pending.get("kind") == "story":
        state.pending = None
        turn.accept()
        return
    turn.say("nothing_to_finish")
    _reask(turn)


def _more(turn: Turn) -> None:
    state = turn.state
    page = (state.summary_page or 0) + 1
    turn.show_summary(summary_lines(state), page)
    _reask(turn)


def _link(turn: Turn) -> None:
    # Channels that can link a chat to an SMS draft (Telegram) answer LINK before the engine;
    # anywhere else it can only say where to send it.
    turn.say("link_elsewhere")
    _reask(turn)


def _view(turn: Turn) -> None:
    turn.show_summary(summary_lines(turn.state))
    _reask(turn)


_COMMANDS = {
    "HELP": _help,
    "BACK": _back,
    "SKIP": _skip,
    "VIEW": _view,
    "EDIT": _edit,
    "SEND": _send,
    "LANGUAGE": lambda turn: ask_menu(turn, "language"),
    "STOP": _stop,
    "START": _start,
    "DELETE": lambda turn: ask_menu(turn, "delete"),
    "DONE": _done,
    "MORE": _more,
    "LINK": _link,
}


def run_command(turn: Turn, command: str) -> None:
    _COMMANDS[command](turn)


def erase(turn: Turn) -> None:
    """DELETE confirmed: the service erases everything; the conversation starts afresh."""
    turn.emit(EraseRequested())
    turn.say("deleted")
    turn.state = State()  # as storage does: the next message starts a new, empty conversation
