"""The conversation engine: ``step(flow, state, event, *, now) -> (state, outputs)``.

Rules of this module, in the spirit of h11's state machine:

1. It is pure. No I/O, no clock, no randomness: time comes in as ``now``; what a channel can do
   comes in with the event. The same inputs always give the same outputs.
2. The state is copied on entry and returned: the caller's state is never changed, and a state that
   went through JSON behaves exactly like the original.
3. Opt-out comes first: after STOP nothing at all is answered until START.
4. Commands come next, at any step, before any step logic (docs/conversation.md).
5. Then the current question reads the answer. An answer is either saved whole and the flow moves
   on, or refused with a kind message and an example, and the question is asked again.
6. The engine speaks in message ids; rendering in a language and for a channel happens elsewhere.
"""

from datetime import datetime

from conversations.actions import ask_menu, erase, run_command
from conversations.answers import choice_label_sets
from conversations.events import (
    ContactShared,
    Event,
    MediaReceived,
    PhotoReceived,
    Repeated,
    Resumed,
    TextReceived,
)
from conversations.outputs import InviteCodeGiven, Output
from conversations.parsing.choices import parse_choice, parse_yes_no
from conversations.parsing.codes import code_in_text
from conversations.parsing.commands import is_foreign_command, parse_command
from conversations.parsing.normalize import clean_answer, fold, has_visible_text
from conversations.parsing.phones import to_e164
from conversations.questions import Flow
from conversations.state import State
from conversations.turn import Turn
from conversations.vocabulary.lists import LISTS, LOCALE_NAMES

__all__ = ["GREETINGS", "step", "step_in_place"]

GREETINGS = frozenset(
    fold(word)
    for word in (
        "bonjour",
        "bonsoir",
        "salut",
        "slt",
        "bjr",
        "coucou",
        "hello",
        "hi",
        "hey",
        "yo",
        "good morning",
        "salam",
        "salam alaykoum",
        "salam aleykoum",
        "السلام عليكم",
        "سلام",
        "مرحبا",
        "привіт",
        "добрий день",
        "вітаю",
        "selam",
        "ሰላም",
        "سلام علیکم",
    )
)

# Commands that make sense only once the person has agreed to build a CV.
_AFTER_CONSENT = ("BACK", "SKIP", "VIEW", "EDIT", "SEND", "DONE", "MORE")
_BEFORE_CONSENT = ("start", "language", "consent", "declined")


def step(flow: Flow, state: State, event: Event, *, now: datetime) -> tuple[State, list[Output]]:
    """Handle one event and return the new state and what to answer."""
    return step_in_place(flow, state.copy(), event, now=now)


def step_in_place(
    flow: Flow, state: State, event: Event, *, now: datetime
) -> tuple[State, list[Output]]:
    """``step`` for a caller that gives the state up: it is changed in place (or replaced) and
    must not be read afterwards. Saves the deep copy of the state (and its draft) that ``step``
    makes, for the service, which builds a fresh state from storage for every message."""
    turn = Turn(flow, state, now, event.caps)
    if isinstance(event, TextReceived):
        turn.invitations = event.invitations
    _handle(turn, event, _hours_since(turn.state.last_seen, now))
    turn.state.last_seen = now.isoformat()
    return turn.state, turn.outputs


def _hours_since(last_seen: str | None, now: datetime) -> float:
    if last_seen is None:
        return 0.0
    return (now - datetime.fromisoformat(last_seen)).total_seconds() / 3600


def _handle(turn: Turn, event: Event, idle_hours: float) -> None:
    state = turn.state
    text = clean_answer(event.text) if isinstance(event, TextReceived) else ""
    command = parse_command(text, state.locale) if text else None
    if command is not None and is_foreign_command(text, state.locale) and _shown(turn, text):
        command = None  # another language's command word, but an answer offered in this one

    if state.opted_out:
        if command == "START":
            run_command(turn, "START")
        return
    if command == "STOP":
        run_command(turn, "STOP")
        return
    if state.step == "start":
        _begin(turn, text)
        return
    if isinstance(event, Resumed):
        _welcome_back(turn, named=True)
        return
    if isinstance(event, Repeated):
        turn.ask()
        return
    if state.step == "declined":
        turn.say("consent_again")
        turn.go("consent", remember=False)
        return
    if not isinstance(event, TextReceived):
        _non_text(turn, event)
        return
    if command is not None and _command_applies(turn, command):
        run_command(turn, command)
        return
    if (state.paused or idle_hours >= turn.flow.resume_after_hours) and fold(text) in GREETINGS:
        _welcome_back(turn)
        return
    state.paused = False
    if _pending_menu(turn, text):
        return
    if not text:
        turn.reject("empty")
    elif not has_visible_text(text):
        turn.reject("not_understood")
    elif state.step == "checkpoint":
        _checkpoint(turn, text)
    elif state.step == "submitted":
        turn.ask()
    elif turn.question is not None:
        turn.question.answer(turn, text)


def _shown(turn: Turn, text: str) -> bool:
    """Whether the text is one of the choices the person was just offered, in their language."""
    locale = turn.state.locale
    if turn.state.step == "checkpoint":
        french = list(LISTS["continue"].values())
        labels = [*french, *(turn.flow.translate(locale, "continue", f) or f for f in french)]
    else:
        labels = [label for labels in choice_label_sets(turn) for label in labels]
    return fold(text) in {fold(label) for label in labels}


def _command_applies(turn: Turn, command: str) -> bool:
    state = turn.state
    if command == "MORE":
        return state.summary_page is not None
    if command in ("BACK", "SKIP") and state.step in ("language", "consent"):
        return True  # BACK has somewhere to go; SKIP says kindly that this one is needed
    return not (command in _AFTER_CONSENT and state.step in _BEFORE_CONSENT)


def _begin(turn: Turn, text: str) -> None:
    """The very first message: it is a greeting, not an answer, but may carry a coach's code."""
    state = turn.state
    code = code_in_text(text)
    # A code the service does not know is not taken: the code question comes, and says so.
    if code is not None and (turn.invitations is None or code in dict(turn.invitations)):
        state.invite_code = code
        turn.emit(InviteCodeGiven(code))
    if state.locale in turn.flow.locales:
        turn.say("language_hint")
        turn.go("consent", remember=False)
    else:
        state.offered = _narrowed_menu(text, turn.flow.locales)
        turn.go("language", remember=False)


# Locales written in each non-Latin script, in menu order.
_SCRIPTS = {
    "arabic": ("ar", "fa_AF", "ps"),
    "cyrillic": ("uk",),
    "ethiopic": ("ti",),
}


def _script_of(char: str) -> str | None:
    code = ord(char)
    if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFEFF:
        return "arabic"
    if 0x0400 <= code <= 0x04FF:
        return "cyrillic"
    if 0x1200 <= code <= 0x139F or 0x2D80 <= code <= 0x2DDF:
        return "ethiopic"
    return None


def _narrowed_menu(text: str, locales: tuple[str, ...]) -> list[str] | None:
    """A first message in Arabic, Cyrillic or Ethiopic script narrows the language menu to the
    languages written that way (French and English stay, as a way out)."""
    scripts = [_script_of(char) for char in text if char.isalpha()]
    letters = [script for script in scripts if script is not None]
    if not letters or len(letters) * 2 < len(scripts):
        return None
    main = max(set(letters), key=letters.count)
    narrowed = [locale for locale in _SCRIPTS[main] if locale in locales]
    if not narrowed:
        return None
    return narrowed + [locale for locale in ("fr", "en") if locale in locales]


def _welcome_back(turn: Turn, *, named: bool = False) -> None:
    """Where the person stands, after a pause. ``named``: they called (a phone call starts with
    no word of theirs), so the greeting says their first name when it is known."""
    state = turn.state
    state.paused = False
    first_name = state.person.get("first_name") if named else None
    if first_name:
        turn.say("hello_named", first_name=first_name)
    if state.step == "checkpoint":
        turn.start_part(state.checkpoint_part + 1)
        return
    if named and state.step in ("language", "consent", "submitted"):
        turn.ask()  # nothing begun yet, or nothing left to do: the question (or the state) only
        return
    question = turn.question
    part = question.part if question is not None else state.checkpoint_part
    turn.say("welcome_back", part=min(max(part, 1), 6))
    turn.ask()


def _checkpoint(turn: Turn, text: str) -> None:
    state = turn.state
    labels = list(LISTS["continue"].values())
    own = [turn.flow.translate(state.locale, "continue", label) or label for label in labels]
    choice = parse_choice(text, labels)
    if choice is None:
        choice = parse_choice(text, own)  # "ادامه", "Продовжити": the label they were shown
    if choice is None and parse_yes_no(text) is not None:
        choice = 0 if parse_yes_no(text) else 1
    if choice == 1:
        turn.say("later")
        state.paused = True
    elif choice == 0:
        turn.start_part(state.checkpoint_part + 1)
    else:
        turn.reject("choose_number", max=2)


def _pending_menu(turn: Turn, text: str) -> bool:
    """Answer a menu asked on top of the current step (EDIT, LANGUAGE, DELETE)."""
    state = turn.state
    kind = (state.pending or {}).get("kind")
    if kind == "edit":
        part = parse_choice(text, list(LISTS["part"].values()))
        if part is None:
            turn.say("choose_number", max=len(LISTS["part"]))
            ask_menu(turn, "edit")
            return True
        state.pending = None
        if state.status == "submitted":
            state.status = "in_progress"
            state.return_to = ["review", 0]
        turn.start_part(part + 1)
        return True
    if kind == "language":
        index = parse_choice(text, [LOCALE_NAMES[code] for code in turn.flow.locales])
        if index is None:
            turn.say("choose_number", max=len(turn.flow.locales))
            ask_menu(turn, "language")
            return True
        state.locale = turn.flow.locales[index]
        state.pending = None
        turn.say("language_set")
        if state.step == "language":
            turn.accept()
        else:
            turn.ask()
        return True
    if kind == "delete":
        if parse_yes_no(text) is True:
            erase(turn)
        else:
            state.pending = None
            turn.say("delete_cancelled")
            turn.ask()
        return True
    return False


def _non_text(turn: Turn, event: Event) -> None:
    state = turn.state
    if isinstance(event, ContactShared) and state.step == "phone":
        phone = to_e164(event.phone)
        if phone is not None:
            state.person["phone"] = phone
            turn.accept()
            return
    if isinstance(event, PhotoReceived) and state.step == "photo":
        state.cv["photo"] = {"ref": event.ref}
        turn.say("photo_saved")
        turn.accept()
        return
    if isinstance(event, MediaReceived) and event.kind == "voice":
        turn.say("voice_kept")  # the channel kept it for the coach (Telegram)
    elif state.step == "photo" and isinstance(event, MediaReceived):
        # A photo that could not be used, or another kind of file, where a photo was asked for.
        turn.say("photo_unreadable" if event.kind in ("photo", "image") else "photo_expected")
    else:
        # Stickers, documents, locations, forwarded messages: the same kind answer.
        turn.say("media_unsupported")
    turn.ask()
