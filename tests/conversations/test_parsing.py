"""Numbered answers, yes/no, commands and text folding, as people type them."""

import pytest

from conversations.parsing.choices import parse_choice, parse_choices, parse_yes_no
from conversations.parsing.commands import parse_command
from conversations.parsing.normalize import clean_answer, fold, has_visible_text
from conversations.parsing.phones import to_e164

LABELS = ["CDI", "CDD", "Intérim", "Insertion (CDDI)", "Alternance"]


@pytest.mark.parametrize(
    ("answer", "chosen"),
    [
        ("1 3", [0, 2]),
        ("1,3", [0, 2]),
        ("1, 3", [0, 2]),
        ("1 et 3", [0, 2]),
        ("1 and 3", [0, 2]),
        ("1;3;3", [0, 2]),
        ("3 1", [2, 0]),
        ("١ ٣", [0, 2]),  # Arabic-Indic digits
        ("۲", [1]),  # Persian digits
        ("interim", [2]),
        ("CDI", [0]),
        ("cdi et alternance", [0, 4]),
        ("6", None),
        ("0", None),
        ("1 9", None),  # one wrong number: nothing half-understood is kept
        ("plein", None),
        ("", None),
    ],
)
def test_multi_choice_answers(answer: str, chosen: list[int] | None) -> None:
    assert parse_choices(answer, LABELS) == chosen


def test_a_single_choice_wants_exactly_one() -> None:
    assert parse_choice("2", LABELS) == 1
    assert parse_choice("1 2", LABELS) is None


@pytest.mark.parametrize(
    ("answer", "meaning"),
    [
        ("1", True),
        ("2", False),
        ("oui", True),
        ("OUI !", True),
        ("ouais", True),
        ("yes", True),
        ("ok", True),
        ("d'accord", True),
        ("non", False),
        ("Non merci", False),
        ("no", False),
        ("نعم", True),
        ("так", True),
        ("ні", False),
        ("peut-être", None),
        ("3", None),
    ],
)
def test_yes_or_no_by_number_or_word(answer: str, meaning: bool | None) -> None:
    assert parse_yes_no(answer) is meaning


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("AIDE", "HELP"),
        ("aide", "HELP"),
        ("Aidé !", "HELP"),
        ("?", "HELP"),
        ("help", "HELP"),
        ("retour", "BACK"),
        ("PASSER", "SKIP"),
        ("skip", "SKIP"),
        ("voir", "VIEW"),
        ("CV", "VIEW"),
        ("modifier", "EDIT"),
        ("Envoyer", "SEND"),
        ("LANGUE", "LANGUAGE"),
        ("STOP", "STOP"),
        ("Arrêt", "STOP"),
        ("ARRET", "STOP"),
        ("unsubscribe", "STOP"),
        ("start", "START"),
        ("reprendre", "START"),
        ("SUPPRIMER", "DELETE"),
        ("fini", "DONE"),
        ("done", "DONE"),
        ("suite", "MORE"),
        ("je veux de l'aide", None),
        ("Paris", None),
        ("1", None),
    ],
)
def test_commands_are_the_whole_message_after_folding(text: str, command: str | None) -> None:
    assert parse_command(text) == command


def test_folding_and_cleaning() -> None:
    assert fold("  Cuisiné  DÉBUTANT ") == "cuisine debutant"
    assert fold("كيك") == fold("کیک")  # Arabic and Persian letter variants
    assert clean_answer("a\x00b\u202ec  d") == "a b c d"
    assert not has_visible_text("😀😀 !!")
    assert has_visible_text("Ça va ?")


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("+33612345678", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("12", None),
        ("bonjour", None),
    ],
)
def test_phone_numbers(typed: str, e164: str | None) -> None:
    assert to_e164(typed) == e164


def test_every_locales_command_words_are_recognised_and_are_no_answer() -> None:
    from conversations.parsing.choices import NO_WORDS, YES_WORDS
    from conversations.parsing.commands import LOCALE_COMMAND_WORDS

    assert set(LOCALE_COMMAND_WORDS) == {"ar", "fa_AF", "ps", "uk", "ti"}
    for table in LOCALE_COMMAND_WORDS.values():
        assert set(table) == {
            "HELP", "BACK", "SKIP", "VIEW", "EDIT", "SEND", "LANGUAGE", "STOP", "START",
            "DELETE", "DONE", "MORE", "LINK",
        }  # fmt: skip
        for command, words in table.items():
            for word in words:
                assert parse_command(word) == command, word
                assert parse_command(f" {word.upper()} ! ") == command, word
                assert fold(word) not in YES_WORDS | NO_WORDS, word
