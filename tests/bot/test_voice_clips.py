"""The espeak-ng clips of the languages Twilio cannot speak (Dari): the checked-in catalogue
matches its texts, a changed text is caught, and spoken-once clips stay private."""

import json
import shutil
from pathlib import Path

import pytest

from bot.channels.voice.clips import CATALOGUE_DIR, ClipStore, check_catalogue, clip_key
from bot.channels.voice.voices import CLIP_VOICES

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (Debian espeak-ng)"
)


def test_the_checked_in_clips_match_every_catalogue_text() -> None:
    found = check_catalogue()
    assert found.stale == [] and found.orphans == [], "run `tremplin voice clips`"


def test_a_changed_text_a_missing_clip_and_a_left_over_one_are_caught(tmp_path: Path) -> None:
    copy = tmp_path / "voice"
    shutil.copytree(CATALOGUE_DIR, copy)
    manifest = json.loads((copy / "clips.json").read_text())
    manifest["fa_AF"]["voice_silence"] = clip_key("fa", "an older text")
    (copy / "clips.json").write_text(json.dumps(manifest))
    missing = manifest["fa_AF"]["voice_goodbye"]
    (copy / f"{missing}.gsm").unlink()
    (copy / f"{'0' * 32}.gsm").write_bytes(b"old")
    found = check_catalogue(copy)
    assert sorted(found.stale) == ["fa_AF:voice_goodbye", "fa_AF:voice_silence"]
    assert found.orphans == [f"{'0' * 32}.gsm"]


@needs_espeak
def test_a_clip_with_the_callers_words_is_made_once_unguessable_and_pruned(
    tmp_path: Path,
) -> None:
    store = ClipStore(tmp_path)
    words = "شما گفتید: امینه"
    name = store.clip("fa_AF", words)
    assert name.endswith(".wav") and name[:-4] != clip_key(CLIP_VOICES["fa_AF"], words)
    path = store.path(name)
    assert path is not None and path.read_bytes()[:4] == b"RIFF"
    assert store.clip("fa_AF", words) == name  # made once
    assert ClipStore(tmp_path).clip("fa_AF", words) != name  # another server, another secret
    assert store.path("../../etc/passwd") is None
    assert store.prune(now=path.stat().st_mtime + 25 * 3600) == 2
    assert store.path(name) is None


def test_a_catalogue_text_is_played_from_the_checked_in_clips(tmp_path: Path) -> None:
    from bot.channels.render import renderer
    from conversations.outputs import Msg

    text = renderer("fa_AF").message(Msg("voice_silence"))
    name = ClipStore(tmp_path).clip("fa_AF", text)
    assert name == clip_key("fa", text) + ".gsm"
    assert list(tmp_path.iterdir()) == []  # nothing made: it is in locales/voice/


def test_the_readme_says_who_speaks_each_language() -> None:
    from bot.channels.voice.voices import SAY_VOICES, SPEECH_LANGUAGES, engine_of
    from bot.i18n import available_locales
    from conversations.vocabulary.lists import LOCALE_NAMES

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    rows = {
        line.split("|")[1].strip(): line
        for line in readme.splitlines()
        if line.startswith("| ") and "|" in line[2:]
    }
    for locale in available_locales():
        row = next(line for name, line in rows.items() if name.startswith(LOCALE_NAMES[locale]))
        engine = engine_of(locale)
        if engine == "twilio":
            assert SAY_VOICES[locale].name in row and SPEECH_LANGUAGES[locale] in row
        elif engine == "espeak-ng":
            assert "espeak-ng" in row and SPEECH_LANGUAGES[locale] in row
        else:
            assert ("no voice" in row and "call-back" in row) or "the same" in row
