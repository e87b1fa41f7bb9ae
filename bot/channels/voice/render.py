"""The engine's outputs, spoken: what a call says, in which voice, and what it listens for.

A call cannot show a numbered list, so a choice question is read as "Kitchen: press 1. Cleaning:
press 2."; the language menu reads each option in its own language and voice (a language with no
voice is announced in the nearest ones, bot/channels/voice/voices.py). Each message becomes one
``Outgoing`` whose payload is the plan the TwiML is built from (bot/channels/voice/twiml.py):

``{"speak": [[locale, text], …], "gather": "choice" | "text" | None, "choices": n, "codes": […]}``

``gather`` is set on a question: ``choice`` listens for a key, ``text`` for speech (the keypad
still works). ``codes`` are the locales of the language menu, in its order. The text of the
``Outgoing`` is what the message log keeps: every segment, one per line.
"""

from typing import Any

from bot.channels.contract import Outgoing, RenderedChoice
from bot.channels.render import Renderer, renderer
from bot.channels.voice.voices import NEAREST, speaks
from conversations.outputs import Msg, Output, Raw, Say, Summary, Term, msg

__all__ = ["Segment", "render_voice", "spoken", "voice_outgoing"]

Segment = tuple[str, str]
"""One thing said: the locale whose voice says it, and the words."""


def render_voice(outputs: list[Output], locale: str | None) -> list[Outgoing]:
    """``locale`` None: no language chosen yet (the plans say so, and the menu speaks them all)."""
    chosen = locale
    locale = locale or "fr"
    r = renderer(locale)
    rendered: list[Outgoing] = []
    for output in outputs:
        if isinstance(output, Say):
            outgoing = _say(output, r)
        elif isinstance(output, Summary):
            lines = [r.message(Msg("summary_title")), *(r.message(line) for line in output.lines)]
            outgoing = voice_outgoing([(locale, line) for line in lines if line.strip()])
        else:
            continue
        assert outgoing.payload is not None
        outgoing.payload["locale"] = chosen
        rendered.append(outgoing)
    return rendered


def spoken(message: Msg, locale: str) -> list[Segment]:
    """A catalogue message as segments: one per language for a message said in several."""
    if not message.locales:
        return [(locale, renderer(locale).message(message))]
    alone = Msg(message.id, message.params, message.count)
    voiced = [code for code in message.locales if speaks(code)] or [locale]
    return [(code, renderer(code).message(alone)) for code in voiced]


def voice_outgoing(
    segments: list[Segment],
    *,
    step: str | None = None,
    gather: str | None = None,
    choices: tuple[RenderedChoice, ...] = (),
    codes: list[str] | None = None,
) -> Outgoing:
    plan: dict[str, Any] = {
        "speak": [list(segment) for segment in segments],
        "gather": gather,
        "choices": len(choices),
    }
    if codes is not None:
        plan["codes"] = codes
    return Outgoing(
        text="\n".join(text for _, text in segments),
        step=step,
        choices=choices,
        expects="choice" if gather == "choice" else "text",
        payload=plan,
    )


def _say(say: Say, r: Renderer) -> Outgoing:
    locale = r.locale
    choices = tuple(r.choices(say))
    if say.step == "language":
        codes = [choice.code for choice in say.choices if isinstance(choice, Term)]
        greeting = spoken(say.text, locale)  # "Bonjour / Hello! …", before any language is known
        return voice_outgoing(
            greeting + _language_menu(codes),
            step=say.step,
            gather="choice",
            choices=choices,
            codes=codes,
        )
    segments = spoken(say.text, locale)
    for choice in choices:
        press = msg("voice_press", label=choice.label, number=choice.number)
        segments.append((locale, r.message(press)))
    if say.step is None:
        return voice_outgoing(segments)
    return voice_outgoing(
        segments, step=say.step, gather="choice" if choices else "text", choices=choices
    )


def _language_menu(codes: list[str]) -> list[Segment]:
    """Each language offered in its own voice: "Français : tape 1. English: press 2. …"; one
    no engine speaks, in the nearest languages' voices, under its name in those languages."""
    segments: list[Segment] = []
    for number, code in enumerate(codes, start=1):
        if speaks(code):
            label = renderer(code).term(Term("locale", code))
            segments.append((code, _press(code, label, number)))
            continue
        for near in [near for near in NEAREST.get(code, ("en",)) if speaks(near)][:2]:
            label = renderer(near).term(Term("language", code.partition("_")[0]))
            segments.append((near, _press(near, label, number)))
    return segments


def _press(locale: str, label: str, number: int) -> str:
    return renderer(locale).message(msg("voice_press", label=Raw(label), number=number))
