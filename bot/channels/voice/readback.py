"""How a call's read-back says an answer before the caller keeps it with 1.

Dates are said as the caller's language says them, from what the engine will read in the
answer (the same parsers, conversations/parsing/dates.py): "01.03" at the availability question
becomes "à partir du 1 mars 2027" or "з 1 березня 2027 р.", "2018-2022" the locale's range
("2018 تا 2022" in Dari), "depuis 2022" its own words. An answer the parser cannot read is read
back as heard, so the caller hears what the engine will then ask about again. Digits typed on
the keypad for anything else (a postal code, a phone number) are read one by one: "7 5 0 1 1".
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from babel.dates import format_date, format_interval

from bot.channels.render import Renderer, renderer
from conversations.outputs import Msg, Raw, Term, msg
from conversations.parsing.dates import Period, parse_period, parse_start_date, parse_year
from conversations.parsing.normalize import fold

__all__ = ["read_back_text"]


def read_back_text(pending: Mapping[str, Any], locale: str, today: date) -> str:
    """The words a read-back says for the answer ``pending`` (``text``, ``source``, ``step``)."""
    text = str(pending.get("text", ""))
    said = _said_as_a_date(str(pending.get("step") or ""), text, renderer(locale), today)
    if said is not None:
        # CLDR's thin and no-break spaces, as plain ones: a voice reads words, not typography.
        return " ".join(said.split())
    if pending.get("source") == "keypad":
        return " ".join(text)
    return text


def _said_as_a_date(step: str, text: str, r: Renderer, today: date) -> str | None:
    if step == "availability":
        if fold(text) == "1":  # the question's own "1: right away"
            return r.message(Msg("value_now"))
        start = parse_start_date(text, today=today)
        if isinstance(start, date):
            return r.message(msg("value_from", date=Term("date", start.isoformat())))
    elif step == "experience_dates":
        period = parse_period(text, today=today)
        if isinstance(period, Period):
            return _period(period, r)
    elif step == "training_year":
        year = parse_year(text, today=today)
        if isinstance(year, int):
            return str(year)
    return None


def _period(period: Period, r: Renderer) -> str | None:
    months = period.duration_months
    if months:
        if months % 12 == 0:
            return r.message(Msg("value_years", count=months // 12))
        return r.message(Msg("value_months", count=months))
    if period.start is None:
        return None
    if period.current:
        since = _month_or_year(period.start, r, pattern="MMMM y")  # "з березня 2022": genitive
        return r.message(msg("value_since", start=Raw(since)))
    if period.end is None or period.end == period.start:
        return _month_or_year(period.start, r)
    start, end = _first_day(period.start), _first_day(period.end)
    with_months = "-" in period.start or "-" in period.end
    return str(format_interval(start, end, "yMMMM" if with_months else "y", locale=r.cldr))


def _month_or_year(partial: str, r: Renderer, *, pattern: str = "LLLL y") -> str:
    """ "2019" as it is; "2019-03" as "mars 2019", "березень 2019" (the month standing alone,
    unless ``pattern`` says otherwise)."""
    if "-" not in partial:
        return partial
    return str(format_date(_first_day(partial), pattern, locale=r.cldr))


def _first_day(partial: str) -> date:
    year, _, month = partial.partition("-")
    return date(int(year), int(month or 1), 1)
