"""Corners of the parsers the conversation relies on: month arithmetic, ranges, yes/no by label."""

from datetime import date

from conversations.parsing.choices import parse_yes_no
from conversations.parsing.dates import DateProblem, Period, parse_period, parse_start_date
from conversations.vocabulary import jobs
from conversations.vocabulary.jobs import match_jobs
from conversations.vocabulary.languages import find_language

TODAY = date(2026, 11, 26)


def test_in_a_month_from_the_31st_is_the_end_of_the_next_month() -> None:
    assert parse_start_date("dans un mois", today=date(2026, 1, 31)) == date(2026, 2, 28)
    assert parse_start_date("dans 1 mois", today=date(2028, 1, 31)) == date(2028, 2, 29)


def test_a_delay_past_the_calendar_is_unreadable() -> None:
    assert parse_start_date("dans 9000 ans", today=TODAY) is DateProblem.UNREADABLE


def test_a_delay_of_zero_is_unreadable() -> None:
    assert parse_start_date("0 jours", today=TODAY) is DateProblem.UNREADABLE


def test_a_month_alone_at_the_end_of_a_range_takes_its_year_from_the_start() -> None:
    assert parse_period("juin 2019 à mars", today=TODAY) == Period(
        "2019-06", "2020-03", False, None
    )
    assert parse_period("mars 2019 à juin", today=TODAY) == Period(
        "2019-03", "2019-06", False, None
    )


def test_two_months_alone_take_the_latest_years_that_fit() -> None:
    assert parse_period("de novembre à février", today=TODAY) == Period(
        "2025-11", "2026-02", False, None
    )


def test_yes_or_no_can_be_the_words_of_the_choice() -> None:
    labels = ["Oui", "Pas du tout"]
    assert parse_yes_no("pas du tout", labels) is False
    assert parse_yes_no("peut-être", labels) is None


def test_a_language_name_made_only_of_stretching_marks_is_none() -> None:
    assert find_language("ـــ") is None


def test_a_number_word_alone_is_no_start_date() -> None:
    # "deux" is not "in two days" nor "the 2nd": the candidate is asked again.
    assert parse_start_date("deux", today=TODAY) is DateProblem.UNREADABLE
    assert parse_period("depuis deux", today=TODAY) is DateProblem.UNREADABLE


def test_short_job_words_find_the_job_they_name() -> None:
    assert [job.code for job in match_jobs("vtc")] == ["chauffeur_vtc"]
    assert [job.code for job in match_jobs("bar")] == ["barman"]


def test_translated_job_names_with_an_empty_side_of_a_slash_still_match() -> None:
    names = {"cuisinier": "آشپز /", "commis_cuisine": "/"}
    assert [job.code for job in match_jobs("آشپز", names)] == ["cuisinier"]


def test_the_index_of_translated_job_names_stays_small() -> None:
    for n in range(20):
        found = match_jobs("آشپز", {"cuisinier": "آشپز", "barman": f"بار {n}"})
        assert [job.code for job in found] == ["cuisinier"]
    assert len(jobs._TRANSLATED) <= 16
