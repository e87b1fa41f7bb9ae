"""The WhatsApp renderer and the templates command: what a WhatsApp user sees, and what an
operator submits to Meta."""

import json
import re

import pytest

from bot.channels.whatsapp.render import (
    MAX_BODY,
    MAX_BUTTON_TITLE,
    clean_label,
    render_whatsapp,
    split_body,
)
from bot.channels.whatsapp.templates import TEMPLATES, template_for
from bot.runtime.cli import main
from conversations.outputs import Msg, Raw, Say, Summary, msg
from conversations.vocabulary.lists import LOCALE_NAMES


def _language_menu(*locales: str) -> Say:
    return Say(
        Msg("ask_language"),
        step="language",
        choices=tuple(Raw(LOCALE_NAMES[code]) for code in locales),
        expects="choice",
    )


def test_three_short_choices_are_buttons_and_the_text_still_numbers_them() -> None:
    (message,) = render_whatsapp([_language_menu("uk", "fr", "en")], "uk")
    interactive = (message.payload or {})["interactive"]
    assert interactive["kind"] == "buttons"
    assert [option["title"] for option in interactive["options"]] == [
        "Українська",
        "Français",
        "English",
    ]
    assert [option["id"] for option in interactive["options"]] == ["1", "2", "3"]
    assert "1 Українська" in message.text  # what goes without a Content sid, and what is logged


def test_four_to_ten_choices_are_a_list_with_a_translated_button() -> None:
    (message,) = render_whatsapp([_language_menu("ar", "fa_AF", "ps", "fr", "en")], "ar")
    interactive = (message.payload or {})["interactive"]
    assert interactive["kind"] == "list" and len(interactive["options"]) == 5
    assert interactive["button"] == "اختر"


def test_more_than_ten_choices_or_long_labels_stay_numbered_text() -> None:
    many = Say(Msg("ask_language"), step="x", choices=tuple(Raw(f"c{i}") for i in range(11)))
    long = Say(Msg("ask_language"), step="y", choices=(Raw("a" * 30), Raw("b")))
    for say in (many, long):
        (message,) = render_whatsapp([say], "fr")
        assert message.payload is None
        assert "1 " in message.text


def test_labels_lose_direction_marks_but_keep_their_words() -> None:
    assert clean_label("\u200fالعربية\u200e") == "العربية"
    say = Say(Msg("ask_language"), step="z", choices=(Raw("\u202bنعم\u202c"), Raw("لا")))
    (message,) = render_whatsapp([say], "ar")
    titles = [o["title"] for o in (message.payload or {})["interactive"]["options"]]
    assert titles == ["نعم", "لا"]
    assert not re.search("[\u200e\u200f\u202a-\u202e]", json.dumps(titles, ensure_ascii=False))


def test_a_long_message_is_split_between_paragraphs_within_the_limit() -> None:
    paragraphs = [f"Paragraphe {i}. " * 30 for i in range(8)]
    parts = split_body("\n\n".join(paragraphs))
    assert all(len(part) <= MAX_BODY for part in parts) and len(parts) > 1
    assert "\n\n".join(parts) == "\n\n".join(paragraphs)  # cut only where a paragraph ends
    one_huge = "mot " * 1000
    assert all(len(part) <= MAX_BODY for part in split_body(one_huge))


def test_the_summary_title_is_bold() -> None:
    (message,) = render_whatsapp([Summary((msg("line_name", value=Raw("Olena")),))], "uk")
    assert message.text.startswith("*") and message.text.split("\n")[0].endswith("*")


def test_buttons_carry_the_question_alone_and_what_came_before_goes_ahead() -> None:
    said = render_whatsapp([Say(Msg("language_set")), _language_menu("fr", "en")], "fr")
    assert len(said) == 2 and said[0].payload is None and said[1].payload is not None
    assert said[1].payload is not None
    assert said[1].payload["interactive"]["body"] == said[1].text.split("\n")[0]


def test_button_titles_fit_whatsapp() -> None:
    (message,) = render_whatsapp([_language_menu("uk", "fr", "en")], "uk")
    for option in (message.payload or {})["interactive"]["options"]:
        assert len(option["title"]) <= MAX_BUTTON_TITLE


def test_a_reminder_is_its_own_template_with_the_first_name_as_its_value() -> None:
    reminder = Say(Msg("reminder_first_named", (("first_name", Raw("Олена")),)))
    sids = {"tremplin_reminder_named:uk": "HX1"}
    message, holds, missing = template_for("reminder", [reminder], "uk", sids)
    assert message is not None and not holds and missing is None
    assert message.payload == {
        "template": {
            "name": "tremplin_reminder_named",
            "content_sid": "HX1",
            "variables": {"1": "Олена"},
        }
    }
    assert "Олена" in message.text


def test_a_coachs_words_get_the_notice_and_wait() -> None:
    words = Say(msg("coach_changes", comment=Raw("Більше деталей")))
    message, holds, _ = template_for("coach", [words], "uk", {"tremplin_coach_message:uk": "HX2"})
    assert (
        holds
        and message is not None
        and message.payload["template"]["name"]
        == (  # type: ignore[index]
            "tremplin_coach_message"
        )
    )
    _, _, missing = template_for("coach", [words], "ti", {})
    assert missing == "no_template_language:ti"
    _, _, missing = template_for("coach", [words], "fr", {})
    assert missing == "template_not_approved:tremplin_coach_message:fr"


def test_the_templates_command_prints_every_template_with_placeholders(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["whatsapp", "templates", "--check"]) == 0
    out = capsys.readouterr().out
    for template in TEMPLATES:
        assert template.name in out
    assert "Вітаю, {{1}}!" in out and "prs_AF" in out
    assert "note: tremplin_reminder:ps: no WhatsApp template language" in out


def test_the_templates_command_fails_when_whatsapp_is_on_without_approved_templates(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "token")
    monkeypatch.setenv("TWILIO_WHATSAPP_FROM", "+33757000002")
    monkeypatch.setenv("TWILIO_WHATSAPP_CONTENT_SIDS", "tremplin_reminder:uk=HXabc")
    assert main(["whatsapp", "templates", "--check"]) == 1
    out = capsys.readouterr().out
    assert "approved (HXabc)" in out
    assert "missing: tremplin_reminder:fr: no Content sid" in out
    assert main(["whatsapp", "templates", "--json"]) == 0
    requests = json.loads(capsys.readouterr().out)
    uk = next(r for r in requests if r["friendly_name"] == "tremplin_reminder_named_uk")
    assert uk["language"] == "uk" and uk["variables"] == {"1": "first_name"}
    assert any("twilio/quick-reply" in r["types"] for r in requests)


def test_a_question_longer_than_a_content_variable_goes_as_numbered_text() -> None:
    """Twilio takes at most 255 characters in a Content variable: the consent question, long in
    some languages, must not be refused by Twilio for being a button's body."""
    long_question = Say(Msg("ask_consent"), step="consent", choices=(Raw("Oui"), Raw("Non")))
    for locale in ("fr", "en", "ar", "fa_AF", "ps", "uk", "ti"):
        for message in render_whatsapp([long_question], locale):
            interactive = (message.payload or {}).get("interactive")
            if interactive is not None:
                assert len(interactive["body"]) <= 255
                assert all(len(o["title"]) <= 24 for o in interactive["options"])


def test_before_a_language_is_chosen_the_list_button_speaks_french_and_english() -> None:
    menu = _language_menu("ar", "fa_AF", "ps", "fr", "en")
    (before,) = render_whatsapp([menu], None)
    (after,) = render_whatsapp([menu], "fa_AF")
    assert (before.payload or {})["interactive"]["button"] == "Choisir / Choose"
    assert (after.payload or {})["interactive"]["button"] == "انتخاب"
