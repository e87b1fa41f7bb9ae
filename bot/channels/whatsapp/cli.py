"""``tremplin whatsapp templates``: what to submit to Meta, and what this deployment still lacks.

It reads the checked-in catalogue (bot/channels/whatsapp/templates.py) and the gettext
catalogues, and prints, for each template and each of our locales, the name, Meta's language code,
the category and the body with WhatsApp's ``{{1}}`` placeholders; then the interactive shapes
(buttons and lists) whose Content templates carry choices inside the 24-hour window. ``--json``
prints the same as Twilio Content API requests (``POST https://content.twilio.com/v1/Content``).

``--check`` fails (exit 1) when a purpose has no template in a locale WhatsApp has a language for
(a catalogue text missing or untranslated), or, when WhatsApp is on, no approved Content sid for
it in ``TWILIO_WHATSAPP_CONTENT_SIDS``. A locale WhatsApp has no template language for (Pashto,
Tigrinya) is reported, not failed: those candidates get the SMS fallback, or their messages wait.
"""

import argparse
import json
from typing import Any

from bot.runtime.settings import Settings

__all__ = ["add_parser", "run"]


def add_parser(commands: Any) -> None:
    whatsapp = commands.add_parser("whatsapp", help="WhatsApp: the templates to submit to Meta")
    sub = whatsapp.add_subparsers(dest="whatsapp_command", required=True)
    templates = sub.add_parser("templates", help="print the templates, check what is missing")
    templates.add_argument("--json", action="store_true", help="as Twilio Content API requests")
    templates.add_argument("--check", action="store_true", help="exit 1 when one is missing")


def _shapes() -> list[tuple[str, dict[str, Any]]]:
    from bot.channels.whatsapp.render import MAX_BUTTONS, MAX_LIST_ROWS

    shapes: list[tuple[str, dict[str, Any]]] = []
    for count in range(1, MAX_BUTTONS + 1):
        actions = [{"title": f"{{{{{i + 2}}}}}", "id": str(i + 1)} for i in range(count)]
        shapes.append(
            (f"buttons_{count}", {"twilio/quick-reply": {"body": "{{1}}", "actions": actions}})
        )
    for count in range(2, MAX_LIST_ROWS + 1):
        items = [{"item": f"{{{{{i + 3}}}}}", "id": str(i + 1)} for i in range(count)]
        picker = {"body": "{{1}}", "button": "{{2}}", "items": items}
        shapes.append((f"list_{count}", {"twilio/list-picker": picker}))
    return shapes


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.channels.render import renderer
    from bot.channels.whatsapp.templates import TEMPLATES, WHATSAPP_LANGUAGE, template_body
    from bot.channels.whatsapp.twilio import whatsapp_enabled
    from bot.i18n import available_locales
    from conversations.messages import MESSAGES

    sids = dict(settings.twilio_whatsapp_content_sids)
    enabled = whatsapp_enabled(settings)
    problems: list[str] = []
    notes: list[str] = []
    requests: list[dict[str, Any]] = []
    lines: list[str] = []
    for template in TEMPLATES:
        lines.append(f"{template.name}  ({template.purpose}, {template.category})")
        for locale in available_locales():
            language = WHATSAPP_LANGUAGE.get(locale)
            translated = renderer(locale).gettext(MESSAGES[template.message])
            untranslated = locale != "fr" and translated == MESSAGES[template.message]
            body = template_body(template, locale)
            key = f"{template.name}:{locale}"
            if language is None:
                state = "no WhatsApp template language: SMS fallback, or held"
                notes.append(f"{key}: {state}")
            elif untranslated:
                state = "MISSING: the catalogue text is not translated"
                problems.append(f"{key}: {state}")
            elif key in sids:
                state = f"approved ({sids[key]})"
            else:
                state = "to submit"
                if enabled:
                    problems.append(f"{key}: no Content sid in TWILIO_WHATSAPP_CONTENT_SIDS")
            lines.append(f"  {locale:6} {language or '-':7} {state}")
            lines.append(f"         {body}")
            if language is not None:
                variables = {str(i): name for i, name in enumerate(template.variables, 1)}
                requests.append(
                    {
                        "friendly_name": f"{template.name}_{locale}".lower(),
                        "language": language,
                        "variables": variables,
                        "types": {"twilio/text": {"body": body}},
                        "approval": {"name": template.name, "category": template.category},
                    }
                )
    lines.append("")
    lines.append("Interactive messages inside the window (a Content template each, any language):")
    for name, types in _shapes():
        state = f"configured ({sids[name]})" if name in sids else "not configured: numbered text"
        lines.append(f"  {name:11} {state}")
        requests.append({"friendly_name": f"tremplin_{name}", "language": "fr", "types": types})
    if args.json:
        print(json.dumps(requests, ensure_ascii=False, indent=2))
    else:
        print("\n".join(lines))
    if args.check:
        for note in notes:
            print(f"note: {note}")
        for problem in problems:
            print(f"missing: {problem}")
        if problems:
            return 1
        print("every purpose has its template in every locale WhatsApp has a language for")
    return 0
