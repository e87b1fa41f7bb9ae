"""The WhatsApp templates: what may be sent outside the 24-hour window, per purpose and locale.

WhatsApp delivers a free-form message only within 24 hours of the person's last message. Outside
it, a business may send only a template Meta approved beforehand, in a language Meta lists. This
module is the checked-in catalogue of ours: each template is a catalogue message (its text lives in
the gettext catalogues like every other text, so translators see it and ``locales.workflow check``
guards it), named, with a category and the placeholders it fills.

Two kinds, by what the outside-turn messages are:

- a message that is itself a template (a reminder): it goes as that template, with its values;
- anything else (a coach's words and the part's question, the link to a published CV): the
  purpose's *notice* goes ("your coach wrote to you… reply HELLO"), and the messages wait, held,
  until the person answers; their answer opens the window again and releases them
  (bot/channels/whatsapp/intercept.py).

An operator submits each (template, language) to Meta through Twilio's Content API and sets the
Content sid it gets (``TWILIO_WHATSAPP_CONTENT_SIDS``, ``<template>:<locale>=HX…``).
``tremplin whatsapp templates`` prints what to submit and checks what is missing.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.channels.contract import Outgoing
from bot.channels.render import renderer
from conversations.messages import MESSAGES
from conversations.outputs import Msg, Output, Raw, Say

__all__ = [
    "NOTICE",
    "TEMPLATES",
    "WHATSAPP_LANGUAGE",
    "Template",
    "placeholders",
    "template_body",
    "template_for",
]


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    """The name submitted to Meta (lowercase, underscores)."""
    purpose: str
    """``reminder``, ``coach`` or ``published`` (bot/delivery/rows.py ``Purpose``)."""
    message: str
    """The catalogue message whose translations are the template's bodies."""
    variables: tuple[str, ...] = ()
    """The message's ``{names}``, in the order of WhatsApp's ``{{1}}``, ``{{2}}``…"""
    category: str = "UTILITY"
    """Meta's category: these follow up on the person's own request (their CV), not marketing."""
    notice: bool = False
    """A notice: sent in place of held messages (see the module's text), never for itself."""


TEMPLATES: tuple[Template, ...] = (
    Template("tremplin_reminder", "reminder", "reminder_first"),
    Template("tremplin_reminder_named", "reminder", "reminder_first_named", ("first_name",)),
    Template("tremplin_reminder_last", "reminder", "reminder_last"),
    Template("tremplin_reminder_last_named", "reminder", "reminder_last_named", ("first_name",)),
    Template("tremplin_coach_message", "coach", "whatsapp_template_coach", notice=True),
    Template("tremplin_cv_published", "published", "whatsapp_template_published", notice=True),
)
_BY_MESSAGE = {template.message: template for template in TEMPLATES if not template.notice}
NOTICE = {template.purpose: template for template in TEMPLATES if template.notice}
"""The notice of each purpose whose messages are not templates themselves."""
NOTICE["reply"] = NOTICE["coach"]  # a reply delayed past the window (error 63016): the same words

# Meta's template language codes for our locales (its "Supported Languages" page, read as of its
# 2026-05-21 update: Dari is there as prs_AF). We found neither Pashto nor Tigrinya there: their
# candidates get the SMS fallback, or their messages wait for them, and the coach sees why. Add
# the code here when Meta lists the language.
WHATSAPP_LANGUAGE: Mapping[str, str | None] = {
    "fr": "fr",
    "en": "en",
    "ar": "ar",
    "fa_AF": "prs_AF",
    "ps": None,
    "uk": "uk",
    "ti": None,
}


def placeholders(template: Template, text: str) -> str:
    """A catalogue text with its ``{names}`` as WhatsApp's ``{{1}}``, ``{{2}}``…"""
    for number, name in enumerate(template.variables, start=1):
        text = text.replace("{" + name + "}", "{{" + str(number) + "}}")
    return text


def template_body(template: Template, locale: str) -> str:
    """The template's text in a locale, with WhatsApp's placeholders."""
    return placeholders(template, renderer(locale).gettext(MESSAGES[template.message]))


def _matching(outputs: list[Output]) -> tuple[Template, dict[str, str]] | None:
    """The template these outputs are, with its values, when they are one templated message."""
    says = [output for output in outputs if isinstance(output, Say)]
    if len(says) != 1 or len(outputs) != 1:
        return None
    found = _BY_MESSAGE.get(says[0].text.id)
    if found is None:
        return None
    given = dict(says[0].text.params)
    values: dict[str, str] = {}
    for name in found.variables:
        value = given.get(name)
        if not isinstance(value, Raw):
            return None
        values[name] = value.value
    return found, values


def template_for(
    purpose: str,
    outputs: list[Output],
    locale: str,
    content_sids: Mapping[str, str],
) -> tuple[Outgoing | None, bool, str | None]:
    """The template to send outside the window for these outputs.

    Returns ``(message, holds, missing)``: the template as a message to queue (its ``payload``
    names the Content sid and its variables) or None; whether the outputs themselves must wait
    for the person's answer (a notice); and, when there is no template to send, why, as a
    reason code the coach's page puts in words (bot/coach/deliveries.py).
    """
    matched = _matching(outputs)
    if matched is not None:
        template, values = matched
        holds = False
    elif purpose in NOTICE:
        template, values, holds = NOTICE[purpose], {}, True
    else:
        return None, False, f"no_template:{purpose}"
    if WHATSAPP_LANGUAGE.get(locale) is None:
        return None, holds, f"no_template_language:{locale}"
    sid = content_sids.get(f"{template.name}:{locale}")
    if sid is None:
        return None, holds, f"template_not_approved:{template.name}:{locale}"
    r = renderer(locale)
    text = r.message(Msg(template.message, tuple((k, Raw(v)) for k, v in values.items())))
    variables = {
        str(number): values[name] for number, name in enumerate(template.variables, start=1)
    }
    payload: dict[str, Any] = {
        "template": {"name": template.name, "content_sid": sid, "variables": variables}
    }
    return Outgoing(text, None, payload=payload), holds, None
