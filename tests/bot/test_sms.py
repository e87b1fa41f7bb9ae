"""SMS arithmetic as the operator bills it, and the budget of every message
(docs/conversation.md)."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.sms.budget import budget
from bot.channels.sms.render import render_sms
from bot.channels.text import measure, split_pages, to_gsm7
from bot.i18n import available_locales
from conversations.outputs import Msg, Raw, Say, Summary


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # extension characters count twice
        ("€" * 81, "GSM-7", 2),
        ("é" * 160, "GSM-7", 1),  # é is GSM-7, ê is not
        ("ê" * 70, "UCS-2", 1),
        ("ê" * 71, "UCS-2", 2),
        ("ا" * 134, "UCS-2", 2),
        ("ا" * 135, "UCS-2", 3),
    ],
)
def test_segments_are_counted_like_the_operator(text: str, encoding: str, segments: int) -> None:
    info = measure(text)
    assert (info.encoding, info.segments) == (encoding, segments)


def test_french_is_made_gsm7_without_losing_meaning() -> None:
    assert to_gsm7("Ça s’écrit « être » — œuvre…") == 'Ça s\'écrit "etre" - oeuvre...'
    assert measure(to_gsm7("Français, hôtel, Noël, naïf, Où ? À pied")).encoding == "GSM-7"
    # Other scripts are left alone: the message becomes UCS-2, as it must.
    assert to_gsm7("آشپز") == "آشپز"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=120), min_size=1, max_size=30))
def test_pages_stay_within_three_segments_and_keep_every_word(lines: list[str]) -> None:
    text = "\n".join(line.replace("\n", " ") for line in lines)
    pages = split_pages(text, 3, reserve="\nSUITE : voir la suite")
    for page in pages:
        assert measure(page + "\nSUITE : voir la suite").segments <= 3
    assert "".join("".join(pages).split()) == "".join(text.split())


def test_a_long_summary_is_paged_with_suite_until_the_end() -> None:
    lines = tuple(
        Msg("line_story", (("value", Raw(f"phrase numéro {i} " * 6)),)) for i in range(12)
    )
    first = render_sms([Summary(lines, 0)], "fr")[0].text
    assert first.endswith("SUITE : voir la suite") and measure(first).segments <= 3
    pages = [render_sms([Summary(lines, n)], "fr")[0].text for n in range(10)]
    assert pages[-1] == "C'est tout pour ton CV."


@pytest.mark.parametrize("locale", available_locales())
def test_every_message_of_every_locale_is_within_the_sms_budget(locale: str) -> None:
    lines = budget((locale,))
    assert len(lines) > 300
    over = [
        f"{line.message}: {line.segments} segments: {line.text!r}" for line in lines if not line.ok
    ]
    assert over == []
    consent = [line for line in lines if line.message == "consent"]
    assert consent and all(line.segments <= 3 for line in consent)
    if locale in ("fr", "en"):
        # Accents are kept only where UCS-2 costs no more segments than the GSM-7 spelling.
        dearer = [
            line.text
            for line in lines
            if line.message != "language"
            and line.encoding != "GSM-7"
            and line.segments > measure(to_gsm7(line.text)).segments
        ]
        assert dearer == []
    unfilled = [line.text for line in lines if re.search(r"\{[a-z_]+\}", line.text)]
    assert unfilled == []  # every placeholder of every translation is filled


def test_one_rule_for_accents_every_accent_when_free_none_when_it_would_cost() -> None:
    short = render_sms([Say(Msg("ask_target_jobs_more"))], "fr")[0]
    assert short.text.startswith("As-tu un 2e métier en tête ?")  # UCS-2, still one segment
    assert short.sms.segments == 1
    long = render_sms([Say(Msg("ask_has_experience"))], "fr")[0]
    assert long.text.startswith("As-tu deja travaille ? Meme sans contrat, benevole")
    assert not any(char in long.text for char in "éèêàçâîôû")  # none, not some
    assert long.sms.encoding == "GSM-7"
