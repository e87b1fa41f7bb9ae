"""Outputs of the engine as SMS: what a basic phone shows, also used by the terminal phone.

Consecutive short messages are sent as one SMS when that costs no more segments than the longest
of them; Latin-script locales are made GSM-7; a summary is paged at three segments a page with a
"SUITE" line while more pages follow.
"""

from dataclasses import dataclass
from typing import Any

from bot.render import RenderedChoice, renderer
from bot.sms import SmsInfo, measure, split_pages, to_gsm7
from conversations.outputs import Msg, Output, Say, Summary

__all__ = ["GSM7_LOCALES", "SUMMARY_SEGMENTS", "Outgoing", "render_sms"]

GSM7_LOCALES = frozenset({"fr", "en"})
SUMMARY_SEGMENTS = 3


@dataclass(frozen=True, slots=True)
class Outgoing:
    text: str
    step: str | None
    """The step whose question this message asks, if any (``--trace``)."""
    choices: tuple[RenderedChoice, ...] = ()
    expects: str = "text"
    joinable: bool = True
    """False for a summary page: it keeps its own SMS and its "SUITE" line last."""
    payload: dict[str, Any] | None = None
    """What the channel sends beside the text (Telegram's keyboard), kept in ``outbox.payload``."""

    @property
    def sms(self) -> SmsInfo:
        return measure(self.text)


def _summary_page(summary: Summary, locale: str) -> str:
    r = renderer(locale)
    body = "\n".join(
        [r.message(Msg("summary_title")), *(r.message(line) for line in summary.lines)]
    )
    more = "\n" + _prepare(r.message(Msg("summary_more")), locale)
    pages = split_pages(_prepare(body, locale), SUMMARY_SEGMENTS, reserve=more)
    if summary.page >= len(pages):
        return r.message(Msg("summary_end"))
    page = pages[summary.page]
    return page + more if summary.page < len(pages) - 1 else page


def _prepare(text: str, locale: str) -> str:
    """Latin-script text made GSM-7, unless other scripts make the SMS UCS-2 anyway (the
    language menu): then "Français" keeps its ç."""
    if locale not in GSM7_LOCALES:
        return text
    converted = to_gsm7(text)
    return converted if measure(converted).encoding == "GSM-7" else text


def render_sms(outputs: list[Output], locale: str | None) -> list[Outgoing]:
    locale = locale or "fr"
    r = renderer(locale)
    messages: list[Outgoing] = []
    for output in outputs:
        if isinstance(output, Say):
            text = _prepare(r.say_text(output), locale)
            item = Outgoing(text, output.step, tuple(r.choices(output)), output.expects)
        elif isinstance(output, Summary):
            messages.append(Outgoing(_summary_page(output, locale), None, joinable=False))
            continue
        else:
            continue
        if messages and _worth_joining(messages[-1], item):
            last = messages[-1]
            messages[-1] = Outgoing(
                f"{last.text}\n{item.text}", item.step, item.choices, item.expects
            )
        else:
            messages.append(item)
    return messages


def _worth_joining(first: Outgoing, second: Outgoing) -> bool:
    """Join two messages when one SMS carries both for no more segments than the longer one."""
    if first.step is not None or not (first.joinable and second.joinable):
        return False  # a question stays last in its SMS, so the answer expected is clear
    joined = measure(f"{first.text}\n{second.text}").segments
    return joined <= max(first.sms.segments, second.sms.segments)
