"""Outputs of the engine as Telegram messages: the same words, with buttons.

Rules of this module:

- Texts go out as plain text (no ``parse_mode``): the candidate's own words, shown back to them,
  can hold ``*``, ``_`` or ``<`` and are never read as markup.
- The short messages before a question ride in the same Telegram message as the question (one
  message a second per chat is the pace Telegram allows), and a question ends its message.
- Choices become a reply keyboard, one button per choice, each labelled with its number: pressing
  it sends that text, which the channel turns back into the number (``pressed_button``); typing
  the number still works. The phone question gets the contact-sharing button. Any other message
  removes the keyboard, so that free text is typed on the phone's own keyboard.
- A message longer than Telegram's 4,096 characters (counted in UTF-16, as Telegram does) is
  split at a line, else a word; the keyboard goes with the last part.
- The summary is shown whole: Telegram has no segments to save (MORE then says it is all there).
"""

import re
from collections.abc import Iterator, Mapping
from typing import Any

from bot.channels.contract import Outgoing, RenderedChoice
from bot.channels.render import Renderer, renderer
from bot.channels.text import split, utf16_length
from conversations.outputs import Msg, Output, Say, Summary

__all__ = [
    "MAX_TEXT",
    "button_text",
    "pressed_button",
    "render_telegram",
    "split_text",
]

MAX_TEXT = 4096
_SHORT_LABEL = 16
_BUTTON = re.compile(r"(\d{1,3})\. ")


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Parts of at most ``limit`` UTF-16 units (bot/channels/text.py's one splitter)."""
    return split(text, lambda part: utf16_length(part) <= limit)


def button_text(choice: RenderedChoice) -> str:
    return f"{choice.number}. {choice.label}"


def pressed_button(text: str, payload: Mapping[str, Any] | None) -> str | None:
    """The number of the button whose text this is, on the keyboard ``payload`` carried."""
    keyboard = ((payload or {}).get("reply_markup") or {}).get("keyboard") or []
    for row in keyboard:
        for button in row:
            label = button.get("text")
            found = _BUTTON.match(label or "")
            if label == text and found and not button.get("request_contact"):
                return found.group(1)
    return None


def _keyboard(say: Say, r: Renderer) -> dict[str, Any]:
    if say.expects == "contact":
        share = {"text": r.message(Msg("button_share_contact")), "request_contact": True}
        return {"keyboard": [[share]], "resize_keyboard": True, "one_time_keyboard": True}
    choices = r.choices(say)
    if not choices:
        return {"remove_keyboard": True}
    buttons = [{"text": button_text(choice)} for choice in choices]
    per_row = 2 if all(len(choice.label) <= _SHORT_LABEL for choice in choices) else 1
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    return {"keyboard": rows, "resize_keyboard": True, "one_time_keyboard": True}


def _summary(summary: Summary, r: Renderer) -> str:
    if summary.page > 0:
        return r.message(Msg("summary_end"))
    return "\n".join(
        [r.message(Msg("summary_title")), *(r.message(line) for line in summary.lines)]
    )


def _messages(text: str, say: Say | None, r: Renderer) -> Iterator[Outgoing]:
    parts = split_text(text)
    markup = _keyboard(say, r) if say is not None else {"remove_keyboard": True}
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        yield Outgoing(
            part,
            say.step if say is not None and last else None,
            tuple(r.choices(say)) if say is not None and last else (),
            say.expects if say is not None and last else "text",
            payload={"reply_markup": markup} if last else None,
        )


def render_telegram(outputs: list[Output], locale: str | None) -> list[Outgoing]:
    r = renderer(locale or "fr")
    messages: list[Outgoing] = []
    waiting: list[str] = []
    for output in outputs:
        if isinstance(output, Summary):
            waiting.append(_summary(output, r))
        elif isinstance(output, Say):
            waiting.append(r.message(output.text))
            if output.step is not None or output.choices:
                messages.extend(_messages("\n\n".join(waiting), output, r))
                waiting = []
    if waiting:
        messages.extend(_messages("\n\n".join(waiting), None, r))
    return messages
