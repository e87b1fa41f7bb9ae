"""Rendering the engine's outputs as text in the candidate's language.

The engine says ``Msg("ask_first_name")``; here it becomes "Quel est ton prénom ?" or "What is
your first name?". Vocabulary terms are translated through their gettext context (``job``,
``skill``, ``contract``…) or, for languages, countries and dates, through Babel's CLDR data.
Channel-specific layout (SMS segments, Telegram keyboards) builds on ``Renderer.say_text``.
"""

import dataclasses
from datetime import date

from babel import Locale
from babel.dates import format_date

from bot.channels.contract import RenderedChoice
from bot.i18n import translations
from conversations.messages import MESSAGES, PLURALS
from conversations.outputs import Join, Msg, Raw, Say, Term, Text
from conversations.vocabulary.jobs import JOB_BY_CODE, SECTORS, SKILLS
from conversations.vocabulary.languages import babel_key
from conversations.vocabulary.lists import LISTS, LOCALE_NAMES

__all__ = ["Renderer", "renderer"]


# Names CLDR lacks in a locale fall back to English, never to a bare code.
_ENGLISH = Locale.parse("en")


class _Params(dict[str, str]):
    """Format parameters that leave an unknown placeholder visible instead of crashing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Renderer:
    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.cldr = Locale.parse(locale)
        self._t = translations(locale)

    def gettext(self, message: str) -> str:
        return self._t.gettext(message)

    def pgettext(self, context: str, message: str) -> str:
        return self._t.pgettext(context, message)

    def message(self, message: Msg) -> str:
        if message.locales:
            alone = dataclasses.replace(message, locales=())
            lines = dict.fromkeys(renderer(locale).message(alone) for locale in message.locales)
            return "\n".join(lines)
        if message.id in PLURALS:
            singular, plural = PLURALS[message.id]
            template = self._t.ngettext(singular, plural, message.count or 0)
        else:
            template = self._t.gettext(MESSAGES[message.id])
        params = _Params({name: self.text(value) for name, value in message.params})
        if message.count is not None:
            params.setdefault("count", str(message.count))
        return template.format_map(params)

    def term(self, term: Term) -> str:
        kind, code = term.kind, term.code
        if kind == "job" and code in JOB_BY_CODE:
            return self.pgettext("job", JOB_BY_CODE[code].label)
        if kind == "skill" and code in SKILLS:
            return self.pgettext("skill", SKILLS[code])
        if kind == "sector" and code in SECTORS:
            return self.pgettext("sector", SECTORS[code])
        if kind == "locale":
            return LOCALE_NAMES.get(code, code)
        if kind == "language":
            key = babel_key(code)
            name = str(self.cldr.languages.get(key) or _ENGLISH.languages.get(key, code))
            return name[:1].upper() + name[1:]
        if kind == "country":
            return str(self.cldr.territories.get(code, code))
        if kind == "date":
            return format_date(date.fromisoformat(code), format="long", locale=self.cldr)
        if kind in LISTS and code in LISTS[kind]:
            return self.pgettext(kind, LISTS[kind][code])
        return code

    def text(self, value: Text) -> str:
        if isinstance(value, Raw):
            return value.value
        if isinstance(value, Term):
            return self.term(value)
        if isinstance(value, Join):
            return self.message(Msg("list_separator")).join(self.text(v) for v in value.items)
        return self.message(value)

    def choices(self, say: Say) -> list[RenderedChoice]:
        return [RenderedChoice(i, self.text(c)) for i, c in enumerate(say.choices, start=1)]

    def say_text(self, say: Say) -> str:
        """A message with its choices numbered: ``1 Oui  2 Non`` or one per line when long."""
        text = self.message(say.text)
        choices = self.choices(say)
        if not choices:
            return text
        inline = len(choices) <= 4 and all(len(c.label) <= 12 for c in choices)
        listed = [f"{c.number} {c.label}" for c in choices]
        return f"{text}\n" + ("  ".join(listed) if inline else "\n".join(listed))


def renderer(locale: str | None) -> Renderer:
    return _cached(locale or "fr")


_CACHE: dict[str, Renderer] = {}


def _cached(locale: str) -> Renderer:
    if locale not in _CACHE:
        _CACHE[locale] = Renderer(locale)
    return _CACHE[locale]
