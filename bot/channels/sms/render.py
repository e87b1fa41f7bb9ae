"""Outputs of the engine as SMS: what a basic phone shows, also used by the terminal phone.

Consecutive short messages are sent as one SMS when that costs no more segments than the longest
of them; French and English keep their accents when that costs nothing, and lose them all
otherwise (``_spelled``); a summary is paged at three segments a page with a "SUITE" line while
more pages follow.
"""

import unicodedata
from dataclasses import replace

from bot.channels.contract import Outgoing
from bot.channels.render import renderer
from bot.channels.text import measure, split_pages, to_gsm7
from conversations.outputs import Msg, Output, Say, Summary

__all__ = ["GSM7_LOCALES", "SUMMARY_SEGMENTS", "render_sms"]

GSM7_LOCALES = frozenset({"fr", "en"})
SUMMARY_SEGMENTS = 3


def _summary_page(summary: Summary, locale: str) -> str:
    r = renderer(locale)
    body = "\n".join(
        [r.message(Msg("summary_title")), *(r.message(line) for line in summary.lines)]
    )
    more = "\n" + _gsm(r.message(Msg("summary_more")), locale)
    plain = _gsm(body, locale)
    if plain != body and locale in GSM7_LOCALES:
        plain = _without_accents(plain)  # pages of three GSM-7 segments: no accent, as one rule
    pages = split_pages(plain, SUMMARY_SEGMENTS, reserve=more)
    if summary.page >= len(pages):
        return r.message(Msg("summary_end"))
    page = pages[summary.page]
    return page + more if summary.page < len(pages) - 1 else page


def _gsm(text: str, locale: str) -> str:
    """The GSM-7 spelling of Latin-script text (ê→e, ç→c, « »→"), which sets what an SMS costs;
    text in other scripts is UCS-2 whatever is done, and stays as it is (the language menu)."""
    if locale not in GSM7_LOCALES:
        return text
    converted = to_gsm7(text)
    return converted if measure(converted).encoding == "GSM-7" else text


def _spelled(text: str, locale: str) -> str:
    """One rule for the accents of a French or English SMS, applied to the SMS as sent.

    Every accent is kept when that costs no more segments than the GSM-7 spelling (a short
    message goes as UCS-2 for the same price); otherwise the SMS loses all of them, é as well as
    ê and ç, so that no message reads "Même" beside "ca" or "métier" beside "tete".
    """
    converted = _gsm(text, locale)
    if converted == text or measure(converted).encoding != "GSM-7":
        return text
    if measure(text).segments <= measure(converted).segments:
        return text
    return _without_accents(converted)


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def _cost(text: str, locale: str) -> int:
    return measure(_gsm(text, locale)).segments


def render_sms(outputs: list[Output], locale: str | None) -> list[Outgoing]:
    locale = locale or "fr"
    r = renderer(locale)
    messages: list[Outgoing] = []
    for output in outputs:
        if isinstance(output, Say):
            text = r.say_text(output)
            item = Outgoing(text, output.step, tuple(r.choices(output)), output.expects)
        elif isinstance(output, Summary):
            messages.append(Outgoing(_summary_page(output, locale), None, joinable=False))
            continue
        else:
            continue
        if messages and _worth_joining(messages[-1], item, locale):
            last = messages[-1]
            messages[-1] = Outgoing(
                f"{last.text}\n{item.text}", item.step, item.choices, item.expects
            )
        else:
            messages.append(item)
    return [replace(message, text=_spelled(message.text, locale)) for message in messages]


def _worth_joining(first: Outgoing, second: Outgoing, locale: str) -> bool:
    """Join two messages when one SMS carries both for no more segments than the longer one."""
    if first.step is not None or not (first.joinable and second.joinable):
        return False  # a question stays last in its SMS, so the answer expected is clear
    joined = _cost(f"{first.text}\n{second.text}", locale)
    return joined <= max(_cost(first.text, locale), _cost(second.text, locale))
