"""``tremplin voice``: the clips of the languages Twilio cannot speak, and who speaks what.

- ``tremplin voice clips`` makes, with espeak-ng (and sox, for GSM), every catalogue clip that
  is missing or stale under ``locales/voice/``, removes the clips no message says any more and
  rewrites the manifest. Run it after changing a Dari catalogue text, and commit the result.
- ``tremplin voice clips --check`` changes nothing and fails (exit 1) when a catalogue text
  changed since its clip was made, a clip is missing, or one is left over (CI runs it).
- ``tremplin voice languages`` prints, for each language, the engine that speaks it on a call
  and the language Twilio listens in (the README's table).
"""

import argparse
from typing import Any

from bot.runtime.settings import Settings

__all__ = ["add_parser", "run"]


def add_parser(commands: Any) -> None:
    voice = commands.add_parser("voice", help="phone calls: clips, and who speaks each language")
    sub = voice.add_subparsers(dest="voice_command", required=True)
    clips = sub.add_parser("clips", help="make the espeak-ng clips of the catalogue texts")
    clips.add_argument("--check", action="store_true", help="exit 1 when a clip is stale")
    sub.add_parser("languages", help="which engine speaks each language on a call")


def run(args: argparse.Namespace, settings: Settings) -> int:
    del settings
    if args.voice_command == "languages":
        return _languages()
    from bot.channels.voice.clips import ClipError, check_catalogue, make_catalogue

    if args.check:
        found = check_catalogue()
        for name in found.stale:
            print(f"stale: {name} (its text changed, or it has no clip)")
        for name in found.orphans:
            print(f"left over: {name}")
        if not found.ok:
            print("Run `tremplin voice clips` and commit locales/voice/.")
            return 1
        print("Every catalogue clip matches its text.")
        return 0
    try:
        made, removed = make_catalogue()
    except ClipError as error:
        print(f"error: {error}")
        return 1
    print(f"{made} clips made, {removed} removed: locales/voice/ is up to date.")
    return 0


def _languages() -> int:
    from bot.channels.voice.voices import NEAREST, SAY_VOICES, SPEECH_LANGUAGES, engine_of
    from bot.i18n import available_locales
    from conversations.vocabulary.lists import LOCALE_NAMES

    print(f"{'locale':8} {'language':12} {'speaks':32} listens")
    for locale in available_locales():
        engine = engine_of(locale)
        if engine == "twilio":
            speaks = f"Twilio {SAY_VOICES[locale].name}"
        elif engine == "espeak-ng":
            speaks = "espeak-ng clips"
        else:
            speaks = "none: offers " + ", ".join(NEAREST.get(locale, ()))
        listens = SPEECH_LANGUAGES.get(locale, "-")
        print(f"{locale:8} {LOCALE_NAMES.get(locale, locale):12} {speaks:32} {listens}")
    return 0
