"""A call's read-back says dates as the caller's language says them, and typed digits one by one."""

from datetime import date

import pytest

from bot.channels.voice.readback import read_back_text

TODAY = date(2026, 12, 7)


def said(step: str, text: str, locale: str, source: str = "speech") -> str:
    return read_back_text({"text": text, "step": step, "source": source}, locale, TODAY)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("fr", "à partir du 1 mars 2027"),
        ("en", "from March 1, 2027"),
        ("uk", "з 1 березня 2027 р."),
        ("fa_AF", "از 1 مارچ 2027"),
    ],
)
def test_a_start_date_is_said_as_a_date_the_engine_will_read(locale: str, expected: str) -> None:
    assert said("availability", "01.03", locale) == expected


def test_the_availability_questions_1_is_said_as_right_away() -> None:
    assert said("availability", "1", "fr", source="keypad") == "tout de suite"
    assert said("availability", "1", "uk", source="keypad") == "одразу"


def test_work_periods_in_the_locales_words() -> None:
    assert said("experience_dates", "2018-2022", "fa_AF") == "2018 تا 2022"
    assert said("experience_dates", "03/2018 - 06/2022", "fr") == "mars 2018 – juin 2022"
    assert said("experience_dates", "depuis mars 2022", "fr") == "depuis mars 2022"
    assert said("experience_dates", "since 03/2022", "uk") == "з березня 2022"
    assert said("experience_dates", "2 ans", "en") == "2 years"
    assert said("experience_dates", "03/2019", "uk") == "березень 2019"


def test_a_year_typed_is_a_year_and_other_digits_are_read_one_by_one() -> None:
    assert said("training_year", "2019", "fr", source="keypad") == "2019"
    assert said("location", "75011", "fr", source="keypad") == "7 5 0 1 1"
    assert said("first_name", "Amina", "fr") == "Amina"


def test_what_the_engine_cannot_read_as_a_date_is_read_back_as_heard() -> None:
    assert said("experience_dates", "longtemps", "fr") == "longtemps"
    assert said("availability", "0103", "fr", source="keypad") == "0 1 0 3"
