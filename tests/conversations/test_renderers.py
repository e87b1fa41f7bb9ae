"""Every golden conversation through every channel's renderer (the registry's, so a new channel
is checked by being registered): nothing the engine says is lost, every choice is offered, and
each message fits its channel. The goldens themselves pin the SMS rendering to the letter."""

import pytest

from bot.channels import registry
from bot.channels.contract import Outgoing, Render
from bot.channels.render import renderer
from bot.channels.text import utf16_length
from bot.channels.voice.render import spoken
from bot.channels.voice.voices import speaks
from conversations.outputs import Say, Summary
from conversations.parsing.normalize import fold
from tests.conversations.golden import GOLDEN_DIR, parse, turns

GOLDENS = sorted(GOLDEN_DIR.glob("*.chat"))
# One renderer per kind of output (the local phones render as SMS), and each channel's limit.
RENDERERS: dict[str, Render] = {}
for _record in registry.CHANNELS:
    if _record.render not in RENDERERS.values():
        RENDERERS[_record.name] = _record.render
LIMITS = {"sms": 1600, "telegram": 4096, "whatsapp": 1600}


def _words(text: str) -> list[str]:
    return fold(text).split()


def _buttons(message: Outgoing) -> list[str]:
    keyboard = ((message.payload or {}).get("reply_markup") or {}).get("keyboard") or []
    return [button["text"] for row in keyboard for button in row]


def _check(channel: str, messages: list[Outgoing], outputs: list[object], locale: str) -> None:
    shown = " ".join(fold(message.text) for message in messages)
    buttons = " ".join(fold(text) for message in messages for text in _buttons(message))
    for message in messages:
        assert utf16_length(message.text) <= LIMITS.get(channel, 4096), message.text[:80]
    r = renderer(locale)
    for output in outputs:
        if isinstance(output, Say):
            said = fold(r.message(output.text))
            if channel == "voice" and output.text.locales:
                # A call says each language it has a voice for, and no other (voice/voices.py).
                said = fold(" ".join(text for _, text in spoken(output.text, locale)))
            assert all(word in shown for word in said.split()), said
            for number, choice in enumerate(r.choices(output)):
                if channel == "voice" and output.step == "language":
                    code = output.choices[number].code  # type: ignore[union-attr]
                    if not speaks(code):
                        continue  # named in the nearest languages' voices (voice/render.py)
                assert fold(choice.label) in shown or fold(choice.label) in buttons, choice.label
        elif isinstance(output, Summary) and output.page == 0:
            assert messages, "a summary is always shown"


@pytest.mark.parametrize("channel", sorted(RENDERERS))
@pytest.mark.parametrize("path", GOLDENS, ids=[path.stem for path in GOLDENS])
def test_every_golden_through_every_renderer(channel: str, path: object) -> None:
    render = RENDERERS[channel]
    for turn in turns(parse(path)):  # type: ignore[arg-type]
        messages = render(turn.outputs, turn.locale)
        _check(channel, messages, turn.outputs, turn.locale or "fr")
        asked = [o for o in turn.outputs if isinstance(o, Say) and o.step is not None]
        if asked:  # the last message asks the question, as the channel's last word
            assert messages[-1].step == asked[-1].step


def test_every_renderer_is_checked() -> None:
    assert set(RENDERERS) == {"sms", "telegram", "whatsapp", "voice"}
