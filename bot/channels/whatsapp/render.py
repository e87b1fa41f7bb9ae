"""Outputs of the engine as WhatsApp messages: the same words, with WhatsApp's buttons and lists.

Rules of this module:

- The short messages before a question ride in the same WhatsApp message as the question, and a
  question ends its message (as on Telegram), except before buttons or a list: those carry the
  question alone (at most 255 characters: a Content variable's limit), and what came before goes
  just ahead of it as text.
- Nothing is cut into SMS segments. A message longer than WhatsApp's 1,600 characters is split
  between paragraphs, else lines, else words (bot/channels/text.py's one splitter).
- A choice question of at most three short choices becomes quick-reply buttons; of at most ten,
  a list; more, or labels too long for WhatsApp, stay numbered text. The interactive form rides in
  ``payload["interactive"]`` and the sender turns it into a Twilio Content template; the body
  always holds the numbered text, which is what goes when no template is configured, what the
  message log keeps, and what a typed answer ("2", the label) is read against, as today.
- Labels carry no direction marks: WhatsApp lays a button out by its own text's direction, and
  a stray U+200F shows as a gap or a box on some phones.
- The summary's title is bold (``*…*``): the one heading the flow marks.
"""

import re
from collections.abc import Iterator
from typing import Any

from bot.channels.contract import Outgoing, RenderedChoice
from bot.channels.render import Renderer, renderer
from bot.channels.text import split
from conversations.outputs import Msg, Output, Say, Summary

__all__ = [
    "MAX_BODY",
    "MAX_BUTTONS",
    "MAX_BUTTON_TITLE",
    "MAX_INTERACTIVE_BODY",
    "MAX_LIST_ROWS",
    "MAX_ROW_TITLE",
    "clean_label",
    "render_whatsapp",
    "split_body",
]

MAX_BODY = 1600
"""WhatsApp's limit on a message body through Twilio."""
MAX_INTERACTIVE_BODY = 255
"""The question rides in a Content template's variable, and Twilio takes at most 255 characters
in one (the template's own body could hold 1,024): a longer question goes as numbered text."""
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_LIST_ROWS = 10
MAX_ROW_TITLE = 24
_DIRECTION_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")


def clean_label(label: str) -> str:
    """A label as a button shows it: no direction marks, no surrounding space."""
    return _DIRECTION_MARKS.sub("", label).strip()


def split_body(text: str, limit: int = MAX_BODY) -> list[str]:
    """Parts of at most ``limit`` characters, cut between paragraphs when one can be."""
    parts: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        joined = f"{current}\n\n{paragraph}" if current else paragraph
        if len(joined) <= limit:
            current = joined
            continue
        if current:
            parts.append(current)
        if len(paragraph) <= limit:
            current = paragraph
        else:
            *heads, current = split(paragraph, lambda part: len(part) <= limit)
            parts.extend(heads)
    if current or not parts:
        parts.append(current)
    return parts


def _list_button(r: Renderer | None) -> str:
    """The list's button in the conversation's language; before one is chosen (``None``), in
    French and English, as the language menu itself speaks ("Choisir / Choose")."""
    if r is None:
        labels = [renderer(code).message(Msg("whatsapp_list_button")) for code in ("fr", "en")]
        return clean_label(" / ".join(labels))[:MAX_BUTTON_TITLE]
    return clean_label(r.message(Msg("whatsapp_list_button")))[:MAX_BUTTON_TITLE]


def _interactive(say: Say, r: Renderer, body: str, *, chosen: bool = True) -> dict[str, Any] | None:
    """Buttons or a list for a choice question, or None when numbered text must do."""
    choices = [RenderedChoice(c.number, clean_label(c.label)) for c in r.choices(say)]
    if not choices or len(body) > MAX_INTERACTIVE_BODY or any(not c.label for c in choices):
        return None
    options = [{"id": str(c.number), "title": c.label} for c in choices]
    if len(choices) <= MAX_BUTTONS and all(len(c.label) <= MAX_BUTTON_TITLE for c in choices):
        return {"kind": "buttons", "body": body, "options": options}
    if len(choices) <= MAX_LIST_ROWS and all(len(c.label) <= MAX_ROW_TITLE for c in choices):
        button = _list_button(r if chosen else None)
        return {"kind": "list", "body": body, "button": button, "options": options}
    return None


def _messages(
    before: list[str], say: Say | None, r: Renderer, *, chosen: bool = True
) -> Iterator[Outgoing]:
    interactive = None
    if say is not None:
        interactive = _interactive(say, r, r.message(say.text), chosen=chosen)
    if interactive is not None:
        # Buttons carry the question alone: what came before goes just ahead of it, as text (a
        # Content template's variable is best kept to one short line).
        if before:
            yield from _texts("\n\n".join(before), None, r)
        assert say is not None
        yield Outgoing(
            r.say_text(say),
            say.step,
            tuple(r.choices(say)),
            say.expects,
            payload={"interactive": interactive},
        )
        return
    numbered = [r.say_text(say)] if say is not None else []
    yield from _texts("\n\n".join([*before, *numbered]), say, r)


def _texts(text: str, say: Say | None, r: Renderer) -> Iterator[Outgoing]:
    parts = split_body(text)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        yield Outgoing(
            part,
            say.step if say is not None and last else None,
            tuple(r.choices(say)) if say is not None and last else (),
            say.expects if say is not None and last else "text",
        )


def _summary(summary: Summary, r: Renderer) -> str:
    if summary.page > 0:
        return r.message(Msg("summary_end"))
    title = f"*{r.message(Msg('summary_title'))}*"
    return "\n".join([title, *(r.message(line) for line in summary.lines)])


def render_whatsapp(outputs: list[Output], locale: str | None) -> list[Outgoing]:
    r = renderer(locale or "fr")
    messages: list[Outgoing] = []
    waiting: list[str] = []
    for output in outputs:
        if isinstance(output, Summary):
            waiting.append(_summary(output, r))
        elif isinstance(output, Say):
            if output.step is not None or output.choices:
                messages.extend(_messages(waiting, output, r, chosen=locale is not None))
                waiting = []
            else:
                waiting.append(r.message(output.text))
    if waiting:
        messages.extend(_messages(waiting, None, r))
    return messages
