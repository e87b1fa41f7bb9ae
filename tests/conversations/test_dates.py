"""Dates as candidates type them by SMS: periods, start dates, training years."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conversations.parsing.dates import (
    DateProblem,
    Period,
    parse_period,
    parse_start_date,
    parse_year,
)

TODAY = date(2026, 11, 26)  # a Thursday


def span(start: str | None, end: str | None) -> Period:
    return Period(start=start, end=end, current=False, duration_months=None)


def since(start: str) -> Period:
    return Period(start=start, end=None, current=True, duration_months=None)


def lasting(months: int, *, current: bool = False) -> Period:
    return Period(start=None, end=None, current=current, duration_months=months)


PERIODS = [
    # Ranges of years, whatever joins them.
    ("2019-2021", span("2019", "2021")),
    ("2019 - 2021", span("2019", "2021")),
    ("2019/2021", span("2019", "2021")),
    ("2019 2021", span("2019", "2021")),
    ("de 2019 à 2021", span("2019", "2021")),
    ("de 2019 a 2021", span("2019", "2021")),
    ("2019 a 2021", span("2019", "2021")),
    ("from 2019 to 2021", span("2019", "2021")),
    ("۲۰۱۹ - ۲۰۲۱", span("2019", "2021")),
    ("٢٠١٩-٢٠٢١", span("2019", "2021")),
    ("2019 - 2026", span("2019", "2026")),
    ("2020 - 2020", span("2020", "2020")),
    # A single year or month.
    ("2018", span("2018", "2018")),
    ("en 2018", span("2018", "2018")),
    ("2026", span("2026", "2026")),
    ("mars 2020", span("2020-03", "2020-03")),
    ("Mars 2020", span("2020-03", "2020-03")),
    ("03/2020", span("2020-03", "2020-03")),
    ("3/2020", span("2020-03", "2020-03")),
    ("03-2020", span("2020-03", "2020-03")),
    ("2020-03", span("2020-03", "2020-03")),
    ("novembre 2026", span("2026-11", "2026-11")),
    ("mars", span("2026-03", "2026-03")),
    ("décembre", span("2025-12", "2025-12")),
    # Month names: French, English, short, no accents, typos.
    ("janvier 2020", span("2020-01", "2020-01")),
    ("janv 2020", span("2020-01", "2020-01")),
    ("jan 2020", span("2020-01", "2020-01")),
    ("January 2020", span("2020-01", "2020-01")),
    ("janvie 2020", span("2020-01", "2020-01")),
    ("février 2020", span("2020-02", "2020-02")),
    ("fevrier 2020", span("2020-02", "2020-02")),
    ("fév. 2020", span("2020-02", "2020-02")),
    ("feb 2020", span("2020-02", "2020-02")),
    ("fevier 2020", span("2020-02", "2020-02")),
    ("mar 2020", span("2020-03", "2020-03")),
    ("march 2020", span("2020-03", "2020-03")),
    ("avril 2020", span("2020-04", "2020-04")),
    ("avr 2020", span("2020-04", "2020-04")),
    ("apr 2020", span("2020-04", "2020-04")),
    ("mai 2020", span("2020-05", "2020-05")),
    ("may 2020", span("2020-05", "2020-05")),
    ("juin 2020", span("2020-06", "2020-06")),
    ("jun 2020", span("2020-06", "2020-06")),
    ("juillet 2020", span("2020-07", "2020-07")),
    ("juil 2020", span("2020-07", "2020-07")),
    ("jul 2020", span("2020-07", "2020-07")),
    ("juilet 2020", span("2020-07", "2020-07")),
    ("août 2020", span("2020-08", "2020-08")),
    ("aout 2020", span("2020-08", "2020-08")),
    ("aug 2020", span("2020-08", "2020-08")),
    ("septembre 2020", span("2020-09", "2020-09")),
    ("sept 2020", span("2020-09", "2020-09")),
    ("sep 2020", span("2020-09", "2020-09")),
    ("septambre 2020", span("2020-09", "2020-09")),
    ("octobre 2020", span("2020-10", "2020-10")),
    ("oct 2020", span("2020-10", "2020-10")),
    ("novembre 2020", span("2020-11", "2020-11")),
    ("nov 2020", span("2020-11", "2020-11")),
    ("novenbre 2020", span("2020-11", "2020-11")),
    ("decembre 2020", span("2020-12", "2020-12")),
    ("décembre 2020", span("2020-12", "2020-12")),
    ("dec 2020", span("2020-12", "2020-12")),
    ("DECEMBRE 2020", span("2020-12", "2020-12")),
    # Ranges of months.
    ("mars 2019 - juin 2020", span("2019-03", "2020-06")),
    ("03/2019 - 06/2020", span("2019-03", "2020-06")),
    ("3/2019-6/2020", span("2019-03", "2020-06")),
    ("janvier 2019 à mars 2020", span("2019-01", "2020-03")),
    ("de mars à juin 2020", span("2020-03", "2020-06")),
    ("novembre - février 2020", span("2019-11", "2020-02")),
    ("2019 - 03/2020", span("2019", "2020-03")),
    ("mars 2020 - 2021", span("2020-03", "2021")),
    ("01/03/2019 - 30/06/2020", span("2019-03", "2020-06")),
    # A recent full date is read as its month.
    ("15/03/2021", span("2021-03", "2021-03")),
    ("15 mars 2021", span("2021-03", "2021-03")),
    ("1er mars 2021", span("2021-03", "2021-03")),
    ("2021-03-15", span("2021-03", "2021-03")),
    # Still going on.
    ("depuis 2022", since("2022")),
    ("Depuis 2022", since("2022")),
    ("since 2022", since("2022")),
    ("depuis mars 2022", since("2022-03")),
    ("depuis 03/2022", since("2022-03")),
    ("depuis mars", since("2026-03")),
    ("2020 - aujourd'hui", since("2020")),
    ("2020 - aujourdhui", since("2020")),
    ("2020-maintenant", since("2020")),
    ("2020 to now", since("2020")),
    ("2020 - present", since("2020")),
    ("2020 - présent", since("2020")),
    ("2020 à ce jour", since("2020")),
    ("2020 en cours", since("2020")),
    ("depuis 2020 jusqu'à aujourd'hui", since("2020")),
    ("depuis 2019 jusqu'en 2021", span("2019", "2021")),
    ("depuis le 12/05/1990", since("1990-05")),
    # Durations.
    ("2 ans", lasting(24)),
    ("2ans", lasting(24)),
    ("2 ANS", lasting(24)),
    ("1 an", lasting(12)),
    ("un an", lasting(12)),
    ("une année", lasting(12)),
    ("deux ans", lasting(24)),
    ("trois ans", lasting(36)),
    ("quatre ans", lasting(48)),
    ("cinq ans", lasting(60)),
    ("six ans", lasting(72)),
    ("sept ans", lasting(84)),
    ("huit ans", lasting(96)),
    ("neuf ans", lasting(108)),
    ("dix ans", lasting(120)),
    ("6 mois", lasting(6)),
    ("six mois", lasting(6)),
    ("un mois", lasting(1)),
    ("1 an et demi", lasting(18)),
    ("un an et demi", lasting(18)),
    ("2 ans et demi", lasting(30)),
    ("1,5 an", lasting(18)),
    ("1.5 years", lasting(18)),
    ("1 an et 6 mois", lasting(18)),
    ("2 years and 3 months", lasting(27)),
    ("2 years", lasting(24)),
    ("6 months", lasting(6)),
    ("a year", lasting(12)),
    ("one year", lasting(12)),
    ("half a year", lasting(6)),
    ("pendant 2 ans", lasting(24)),
    ("environ 6 mois", lasting(6)),
    ("60 ans", lasting(720)),
    ("depuis 2 ans", lasting(24, current=True)),
    # Problems.
    ("2027", DateProblem.FUTURE),
    ("décembre 2026", DateProblem.FUTURE),
    ("12/2026", DateProblem.FUTURE),
    ("2019 - 2028", DateProblem.FUTURE),
    ("depuis 2030", DateProblem.FUTURE),
    ("15/03/2027", DateProblem.FUTURE),
    ("2021 - 2019", DateProblem.END_BEFORE_START),
    ("juin 2020 - mars 2020", DateProblem.END_BEFORE_START),
    ("06/2020 - 2019", DateProblem.END_BEFORE_START),
    ("1930", DateProblem.TOO_OLD),
    ("1935 - 1950", DateProblem.TOO_OLD),
    ("mars 1939", DateProblem.TOO_OLD),
    ("12/05/1990", DateProblem.BIRTH_DATE),
    ("12 mai 1990", DateProblem.BIRTH_DATE),
    ("12-05-1990", DateProblem.BIRTH_DATE),
    ("1990-05-12", DateProblem.BIRTH_DATE),
    ("25/11/2011", DateProblem.BIRTH_DATE),
    ("26/11/2011", span("2011-11", "2011-11")),
    ("0 mois", DateProblem.UNREADABLE),
    ("61 ans", DateProblem.UNREADABLE),
    ("100 years", DateProblem.UNREADABLE),
    ("31/02/2019", DateProblem.UNREADABLE),
    ("", DateProblem.UNREADABLE),
    ("   ", DateProblem.UNREADABLE),
    ("🙂🙂", DateProblem.UNREADABLE),
    ("hier soir", DateProblem.UNREADABLE),
    ("SELECT * FROM", DateProblem.UNREADABLE),
    ("je sais pas", DateProblem.UNREADABLE),
    ("il y a 2 ans", DateProblem.UNREADABLE),
    ("avant 2020", DateProblem.UNREADABLE),
    ("12", DateProblem.UNREADABLE),
    ("2019 2020 2021", DateProblem.UNREADABLE),
    ("2019 - 2021 - aujourd'hui", DateProblem.UNREADABLE),
    ("lundi", DateProblem.UNREADABLE),
    ("0612345678", DateProblem.UNREADABLE),
    ("3 semaines", DateProblem.UNREADABLE),
]


@pytest.mark.parametrize(("text", "expected"), PERIODS)
def test_parse_period(text: str, expected: Period | DateProblem) -> None:
    assert parse_period(text, today=TODAY) == expected


START_DATES = [
    ("1er mars", date(2027, 3, 1)),
    ("1 mars", date(2027, 3, 1)),
    ("premier mars", date(2027, 3, 1)),
    ("le 15 avril", date(2027, 4, 15)),
    ("15 avril 2027", date(2027, 4, 15)),
    ("15/03/2027", date(2027, 3, 15)),
    ("15-03-2027", date(2027, 3, 15)),
    ("2027-03-15", date(2027, 3, 15)),
    ("۱۵/۰۳/۲۰۲۷", date(2027, 3, 15)),
    ("03/2027", date(2027, 3, 1)),
    ("mars", date(2027, 3, 1)),
    ("mars 2027", date(2027, 3, 1)),
    ("in March", date(2027, 3, 1)),
    ("décembre", date(2026, 12, 1)),
    ("decembre 2026", date(2026, 12, 1)),
    ("novembre", TODAY),
    ("novembre 2026", TODAY),
    ("11/2026", TODAY),
    ("15/03", date(2027, 3, 15)),
    ("26 novembre", TODAY),
    ("25 novembre", date(2027, 11, 25)),
    ("30 novembre", date(2026, 11, 30)),
    ("29/02", date(2028, 2, 29)),
    ("lundi 7 décembre", date(2026, 12, 7)),
    ("début janvier", date(2027, 1, 1)),
    ("mi-décembre", date(2026, 12, 15)),
    ("fin février", date(2027, 2, 28)),
    ("dans 2 semaines", date(2026, 12, 10)),
    ("dans deux semaines", date(2026, 12, 10)),
    ("dans 3 jours", date(2026, 11, 29)),
    ("dans un mois", date(2026, 12, 26)),
    ("dans 2 mois", date(2027, 1, 26)),
    ("dans 15 jours", date(2026, 12, 11)),
    ("in 2 weeks", date(2026, 12, 10)),
    ("in 3 days", date(2026, 11, 29)),
    ("in a week", date(2026, 12, 3)),
    ("demain", date(2026, 11, 27)),
    ("tomorrow", date(2026, 11, 27)),
    ("après-demain", date(2026, 11, 28)),
    ("aujourd'hui", TODAY),
    ("lundi prochain", date(2026, 11, 30)),
    ("next monday", date(2026, 11, 30)),
    ("lundi", date(2026, 11, 30)),
    ("jeudi", TODAY),
    ("jeudi prochain", date(2026, 12, 3)),
    ("la semaine prochaine", date(2026, 11, 30)),
    ("le mois prochain", date(2026, 12, 1)),
    ("next year", date(2027, 1, 1)),
    ("15/03/2020", DateProblem.PAST),
    ("25/11/2026", DateProblem.PAST),
    ("10/2026", DateProblem.PAST),
    ("mars 2025", DateProblem.PAST),
    ("31/02", DateProblem.UNREADABLE),
    ("31/02/2027", DateProblem.UNREADABLE),
    ("32/01/2027", DateProblem.UNREADABLE),
    ("now", DateProblem.UNREADABLE),
    ("maintenant", DateProblem.UNREADABLE),
    ("tout de suite", DateProblem.UNREADABLE),
    ("hier", DateProblem.UNREADABLE),
    ("il y a 2 semaines", DateProblem.UNREADABLE),
    ("2027", DateProblem.UNREADABLE),
    ("bientôt", DateProblem.UNREADABLE),
    ("", DateProblem.UNREADABLE),
    ("🙂", DateProblem.UNREADABLE),
    ("dans 999999999 jours", DateProblem.UNREADABLE),
]


@pytest.mark.parametrize(("text", "expected"), START_DATES)
def test_parse_start_date(text: str, expected: date | DateProblem) -> None:
    assert parse_start_date(text, today=TODAY) == expected


YEARS = [
    ("2015", 2015),
    ("en 2015", 2015),
    ("2015 je crois", 2015),
    ("۲۰۱۵", 2015),
    ("1940", 1940),
    ("2030", 2030),
    ("06/2015", 2015),
    ("1939", DateProblem.TOO_OLD),
    ("2031", DateProblem.FUTURE),
    ("", DateProblem.UNREADABLE),
    ("je sais plus", DateProblem.UNREADABLE),
    ("15", DateProblem.UNREADABLE),
    ("75011", DateProblem.UNREADABLE),
    ("2014 ou 2015", DateProblem.UNREADABLE),
]


@pytest.mark.parametrize(("text", "expected"), YEARS)
def test_parse_year(text: str, expected: int | DateProblem) -> None:
    assert parse_year(text, today=TODAY) == expected


def test_problems_are_all_covered() -> None:
    seen = {e for _, e in PERIODS + START_DATES + YEARS if isinstance(e, DateProblem)}
    assert seen == set(DateProblem)


# Text people could send, plus a few date-like fragments so the parsers get past the first step.
ANSWERS = st.one_of(
    st.text(max_size=60),
    st.lists(
        st.sampled_from(
            [
                "2019",
                "03",
                "31",
                "mars",
                "sept",
                "ans",
                "mois",
                "depuis",
                "-",
                "/",
                "et",
                "demi",
                "dans",
                "prochain",
                "lundi",
                "a",
                "0",
                "9999",
                "1,5",
                "۲۰۱۹",
                "fin",
                "🙂",
                " ",
            ]
        ),  # fmt: skip
        max_size=8,
    ).map(" ".join),
)


@settings(max_examples=200, deadline=None)
@given(ANSWERS, st.dates())
def test_parse_period_never_raises(text: str, today: date) -> None:
    assert isinstance(parse_period(text, today=today), Period | DateProblem)


@settings(max_examples=200, deadline=None)
@given(ANSWERS, st.dates())
def test_parse_start_date_never_raises(text: str, today: date) -> None:
    assert isinstance(parse_start_date(text, today=today), date | DateProblem)


@settings(max_examples=200, deadline=None)
@given(ANSWERS, st.dates())
def test_parse_year_never_raises(text: str, today: date) -> None:
    result = parse_year(text, today=today)
    assert isinstance(result, int | DateProblem)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("منذ 2022", Period("2022", None, True, None)),
        ("له 2022 راهیسې", Period("2022", None, True, None)),
        ("2 سنوات", Period(None, None, False, 24)),
        ("2 سال", Period(None, None, False, 24)),
        ("۲ سال", Period(None, None, False, 24)),
        ("2 کاله", Period(None, None, False, 24)),
        ("2 роки", Period(None, None, False, 24)),
        ("6 місяців", Period(None, None, False, 6)),
        ("2 ዓመት", Period(None, None, False, 24)),
        ("2019 - الآن", Period("2019", None, True, None)),
        ("2020 - зараз", Period("2020", None, True, None)),
        ("٢٠١٩-٢٠٢١", Period("2019", "2021", False, None)),
    ],
)
def test_periods_in_the_other_languages_of_the_product(text: str, expected: Period) -> None:
    assert parse_period(text, today=TODAY) == expected


@pytest.mark.parametrize("text", ["خلال 2 أسبوع", "через 2 тижні", "in 2 weeks"])
def test_start_dates_in_the_other_languages(text: str) -> None:
    assert parse_start_date(text, today=TODAY) == date(2026, 12, 10)


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("سنتان", 24), ("سنتين", 24), ("أو سنتان", 24), ("عامين", 24), ("شهران", 2),
        ("شهرين", 2), ("دو سال", 24), ("دوه کاله", 24), ("два роки", 24), ("ክልተ ዓመት", 24),
    ],
)  # fmt: skip
def test_two_years_in_the_arabic_dual_and_in_number_words(text: str, months: int) -> None:
    assert parse_period(text, today=TODAY) == Period(None, None, False, months)


@pytest.mark.parametrize(("text", "days"), [("بعد أسبوعين", 14), ("بعد يومين", 2), ("أسبوعين", 14)])
def test_a_start_in_two_weeks_in_the_arabic_dual(text: str, days: int) -> None:
    assert parse_start_date(text, today=TODAY) == TODAY + timedelta(days=days)
