"""Read the dates candidates type by SMS: work periods, start dates and training years.

Answers are compared in their folded form (no case, no accents, ASCII digits), so "Fév.", "fev"
and Persian digits read alike. Month names are French or English, full or short; small typos in
long month names are tolerated. The day comes before the month: "03/2020" is March 2020 and
"12/05/2019" is 12 May 2019. Two dates in a row make a range whatever joins them ("-", "à",
"to"); "depuis"/"since" or an end such as "aujourd'hui"/"now" marks work still going on.
Durations ("2 ans", "six mois", "1 an et demi") are kept as a number of months. Unknown words are
skipped, but a number we cannot place, or a word such as "avant"/"hier", makes the whole answer
unreadable: asking again is better than guessing. Nothing here reads the clock: "today" is given.
"""

import datetime
import enum
import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from conversations.parsing.normalize import fold, fold_digits

__all__ = ["DateProblem", "Period", "parse_period", "parse_start_date", "parse_year"]

FIRST_YEAR = 1940
BIRTH_DATE_YEARS = 15  # a full day/month/year older than this is more likely a birth date
MAX_DURATION_MONTHS = 60 * 12


class DateProblem(enum.Enum):
    UNREADABLE = "unreadable"  # nothing we could read as a date
    FUTURE = "future"  # an experience date after today
    PAST = "past"  # an availability date before today
    BIRTH_DATE = "birth_date"  # a full date more than 15 years ago: looks like a birth date
    END_BEFORE_START = "end_before_start"
    TOO_OLD = "too_old"  # a year before 1940


@dataclass(frozen=True, slots=True)
class Period:
    start: str | None  # "2019" or "2019-03", as cv.schema partial_date
    end: str | None  # same form; None when current or unknown
    current: bool  # still doing it ("depuis 2022", "2020 - aujourd'hui")
    duration_months: int | None  # for "2 ans", "6 mois" (start and end are None then)


@dataclass(frozen=True, slots=True)
class _Sym:
    """One meaningful word: kind is num, mname, year/month/week/day (units), half, current,
    today, since, next, in, rel, weekday, mod or block; value is its number."""

    kind: str
    value: int = 0
    width: int = 0  # number of digits typed, 0 for number words


@dataclass(frozen=True, slots=True)
class _Item:
    """A date as read: full (d/m/y), dm, ym, y, m, or a marker symbol passed through."""

    kind: str
    year: int = 0
    month: int = 0
    day: int = 0


_MONTH_NAMES = (
    "janvier january janv jan", "fevrier february fevr fev feb", "mars march mar",
    "avril april avr apr", "mai may", "juin june jun", "juillet july juil juill jul",
    "aout august aou aug", "septembre september sept sep", "octobre october oct",
    "novembre november nov", "decembre december dec",
)  # fmt: skip
# The months in the product's other languages: Arabic, Dari and Pashto (Afghan forms),
# Ukrainian (nominative and genitive: "1 березня"), Tigrinya.
_OTHER_MONTH_NAMES = (
    "يناير جنوری січень січня ጥሪ", "فبراير فبروری лютий лютого ለካቲት",
    "مارس مارچ березень березня መጋቢት", "ابريل اپریل квітень квітня ሚያዝያ",
    "مايو می травень травня ግንቦት", "يونيو جون червень червня ሰነ",
    "يوليو جولای липень липня ሓምለ", "اغسطس اگست серпень серпня ነሓሰ",
    "سبتمبر سپتمبر вересень вересня መስከረም", "اكتوبر اکتوبر жовтень жовтня ጥቅምቲ",
    "نوفمبر نومبر листопад листопада ሕዳር", "ديسمبر دسمبر грудень грудня ታሕሳስ",
)  # fmt: skip
_MONTHS = {name: i for i, names in enumerate(_MONTH_NAMES, 1) for name in names.split()}
_MONTHS.update(
    {fold(name): i for i, names in enumerate(_OTHER_MONTH_NAMES, 1) for name in names.split()}
)
# Typos are only forgiven on long names: "marche" must not become March.
_FUZZY_MONTHS = [name for name in _MONTHS if len(name) >= 6]

_NUMBERS = {
    "un": 1, "une": 1, "one": 1, "a": 1, "deux": 2, "two": 2, "trois": 3, "three": 3,
    "quatre": 4, "four": 4, "cinq": 5, "five": 5, "six": 6, "sept": 7, "seven": 7, "huit": 8,
    "eight": 8, "neuf": 9, "nine": 9, "dix": 10, "ten": 10, "onze": 11, "eleven": 11,
    "douze": 12, "twelve": 12, "quinze": 15, "fifteen": 15, "vingt": 20, "twenty": 20,
}  # fmt: skip
# Number words of the product's other languages, folded as answers are ("دو سال", "два роки").
_NUMBERS.update(
    {
        fold(word): value
        for value, words in (
            (1, "واحد واحدة یک یو один одна один ሓደ"),
            (2, "اثنان اثنين دو دوه два дві ክልተ"),
            (3, "ثلاثة ثلاث سه درې три ሰለስተ"),
            (4, "اربعة اربع چهار څلور чотири ኣርባዕተ"),
            (5, "خمسة خمس پنج پنځه п'ять пять ሓሙሽተ"),
            (6, "ستة ست شش شپږ шість ሽዱሽተ"),
            (10, "عشرة عشر ده لس десять ዓሰርተ"),
            (12, "دوازده دولس дванадцять"),
        )
        for word in words.split()
    }
)
# Arabic says "two years" in one word, the dual: سنتان is "2 سنة", أسبوعين "2 أسبوع".
_DUALS = {
    fold(word): unit
    for unit, words in (
        ("year", "سنتان سنتين عامان عامين"),
        ("month", "شهران شهرين"),
        ("week", "أسبوعان أسبوعين اسبوعان اسبوعين"),
        ("day", "يومان يومين"),
    )
    for word in words.split()
}

# Each kind of word with its value: units, markers of "still doing it", relative days, weekdays.
_VOCABULARY = (
    ("year", 0, "an ans annee annees year years yr yrs"), ("month", 0, "mois month months"),
    ("week", 0, "semaine semaines sem week weeks"), ("day", 0, "jour jours day days"),
    ("half", 0, "demi demie half"), ("today", 0, "aujourdhui aujourd auj ajd today"),
    ("current", 0, "maintenant mtn present now actuellement actuel actuelle toujours"),
    ("current", 0, "current currently ongoing immediatement"),
    ("since", 0, "depuis dpuis depui dps dp since"), ("in", 0, "dans in"),
    ("next", 0, "prochain prochaine prochains suivant suivante next"),
    ("rel", 1, "demain tomorrow"), ("num", 1, "premier first"),
    ("mod", 1, "debut early beginning"), ("mod", 15, "mi mid"), ("mod", 31, "fin end late"),
    # Words that turn the meaning around: better unreadable than a wrong date.
    ("block", 0, "avant before apres after hier yesterday ago pas not"),
    *(("weekday", i, days) for i, days in enumerate(
        ("lundi monday", "mardi tuesday", "mercredi wednesday", "jeudi thursday",
         "vendredi friday", "samedi saturday", "dimanche sunday")
    )),
)  # fmt: skip
# The same kinds of words in the product's other languages (Arabic, Dari, Pashto, Ukrainian,
# Tigrinya), folded like answers are. Month names there are written as numbers ("1/3").
_OTHER_LANGUAGES = (
    (
        "year",
        0,
        "سنة سنه سنوات سنين عام اعوام سال سالها ساله کال کاله کلونه рік роки років року ዓመት ዓመታት",
    ),
    ("month", 0, "شهر اشهر شهور ماه ماهها میاشت میاشتی میاشتو місяць місяці місяців ወርሒ ኣዋርሕ"),
    ("week", 0, "اسبوع اسابیع هفته هفتهها اونی اونیو тиждень тижні тижнів ሰሙን ሰሙናት"),
    ("day", 0, "یوم ایام روز روزها ورځ ورځی ورځو день дні днів መዓልቲ"),
    ("half", 0, "نصف نیم половина пів ፍርቂ"),
    ("today", 0, "الیوم امروز نن сьогодні ሎሚ"),
    ("current", 0, "الان حالیا حالا اکنون فعلا اوس зараз тепер досі ሕጂ"),
    # "from" words read as "since": "from 2019 to 2021" still reads as a range.
    ("since", 0, "منذ راهیسی راهیسې از з від відколи ካብ ጀሚሩ"),
    ("in", 0, "خلال بعد через ድሕሪ"),
    ("block", 0, "قبل پیش مخکی тому назад ቅድሚ"),
)
_WORDS = {
    word: _Sym(kind, value, 1 if kind == "num" else 0)
    for kind, value, words in _VOCABULARY
    for word in words.split()
}
_WORDS.update(
    {
        fold(word): _Sym(kind, value)
        for kind, value, words in _OTHER_LANGUAGES
        for word in words.split()
    }
)
_UNIT_WORDS = {"year": "ans", "month": "mois", "week": "semaines", "day": "jours"}
_PHRASES = {
    ("aujourd", "hui"): _Sym("today"), ("ce", "jour"): _Sym("current"),
    ("nos", "jours"): _Sym("current"), ("en", "cours"): _Sym("current"),
    ("tout", "de", "suite"): _Sym("current"), ("apres", "demain"): _Sym("rel", 2),
    ("day", "after", "tomorrow"): _Sym("rel", 2), ("il", "y", "a"): _Sym("block"),
}  # fmt: skip

# "1,5 an" reads as "1 et demi an"; "12.05.2019" is left alone (the lookarounds refuse it).
_DECIMAL_HALF = re.compile(r"(?<![\d.,])(\d{1,2})[.,]5(?![.,]?\d)")
_LETTER_DIGIT = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
_NONE = _Sym("none")
_DATE_KINDS = ("full", "ym", "y", "m")


def _tokens(text: str) -> list[str]:
    text = _DECIMAL_HALF.sub(r"\1 et demi", fold_digits(text))
    return _LETTER_DIGIT.sub(" ", fold(text)).split()  # "2ans" -> "2 ans", "1er" -> "1 er"


def _word(tok: str, nxt: str) -> _Sym | None:
    if tok.isascii() and tok.isdigit():
        # Very long digit runs are never dates; int() of them would also be slow.
        return _Sym("num", int(tok) if len(tok) <= 9 else -1, len(tok))
    if tok in _NUMBERS and nxt in _WORDS and _WORDS[nxt].kind in ("year", "month", "week", "day"):
        return _Sym("num", _NUMBERS[tok])  # "sept ans" is seven years, "a year" is one
    if tok in _MONTHS:
        return _Sym("mname", _MONTHS[tok])
    if tok in _NUMBERS and tok != "a":  # "a" alone is the French "à" of "2019 à 2021"
        return _Sym("num", _NUMBERS[tok])
    if tok in _WORDS:
        return _WORDS[tok]
    if len(tok) >= 5 and tok.isalpha():
        best = process.extractOne(tok, _FUZZY_MONTHS, scorer=fuzz.ratio, score_cutoff=85)
        if best is not None:
            return _Sym("mname", _MONTHS[best[0]])
    return None


def _symbols(text: str) -> list[_Sym]:
    tokens, out, i = _tokens(text), list[_Sym](), 0
    while i < len(tokens):
        for phrase, sym in _PHRASES.items():
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                out.append(sym)
                i += len(phrase)
                break
        else:
            if tokens[i] in _DUALS:
                out += [_Sym("num", 2), _WORDS[_UNIT_WORDS[_DUALS[tokens[i]]]]]
                i += 1
                continue
            sym_or_none = _word(tokens[i], tokens[i + 1] if i + 1 < len(tokens) else "")
            if sym_or_none is not None:
                out.append(sym_or_none)
            i += 1
    if len(out) > 1 and out[-1].kind == "since":
        out.insert(0, out.pop())  # Pashto puts "since" after the date: "له 2022 راهیسې"
    return out


def _is_day(s: _Sym) -> bool:
    return s.kind == "num" and 1 <= s.width <= 2 and 1 <= s.value <= 31


def _is_year(s: _Sym) -> bool:
    return s.kind == "num" and s.width == 4


def _month_of(s: _Sym) -> int:
    if s.kind == "mname" or (s.kind == "num" and 1 <= s.width <= 2 and 1 <= s.value <= 12):
        return s.value
    return 0


def _items(syms: list[_Sym]) -> list[_Item] | None:
    """Group numbers and month names into dates; None when a number is left over."""
    items, i = list[_Item](), 0
    while i < len(syms):
        a, b, c = [*syms[i : i + 3], _NONE, _NONE, _NONE][:3]
        if _is_day(a) and _month_of(b) and _is_year(c):
            item, step = _Item("full", c.value, _month_of(b), a.value), 3
        elif _is_year(a) and _month_of(b) and b.kind == "num" and _is_day(c):
            item, step = _Item("full", a.value, b.value, c.value), 3  # ISO 2027-03-15
        elif _month_of(a) and _is_year(b):
            item, step = _Item("ym", b.value, _month_of(a)), 2
        elif _is_day(a) and _month_of(b):
            item, step = _Item("dm", 0, _month_of(b), a.value), 2
        elif a.kind == "mname" and _is_day(b) and not _is_year(b):
            item, step = _Item("dm", 0, a.value, b.value), 2  # "መጋቢት 1", "March 1"
        elif _is_year(a) and b.kind == "num" and _month_of(b) and not _is_year(c):
            item, step = _Item("ym", a.value, b.value), 2  # ISO 2019-03, not "2019 - 03/2020"
        elif _is_year(a):
            item, step = _Item("y", a.value), 1
        elif a.kind == "num":
            return None
        else:  # month names alone and markers ("depuis", "maintenant") go through as they are
            item, step = _Item("m" if a.kind == "mname" else a.kind, 0, a.value), 1
        items.append(item)
        i += step
    return items


def _valid_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _add_months(day: datetime.date, months: int) -> datetime.date | None:
    year, month = divmod(day.month - 1 + months, 12)
    for d in (day.day, 30, 29, 28):  # 31 January + 1 month is the end of February
        found = _valid_date(day.year + year, month + 1, d)
        if found is not None:
            return found
    return None


def _duration(syms: list[_Sym]) -> int | None:
    kinds, v = tuple(s.kind for s in syms), [s.value for s in syms]
    match kinds:
        case ("num", "year"):
            return 12 * v[0]
        case ("num", "year", "half") | ("num", "half", "year"):
            return 12 * v[0] + 6
        case ("num", "year", "num", "month"):
            return 12 * v[0] + v[2]
        case ("num", "month"):
            return v[0]
        case ("half", "year") | ("half", "num", "year"):
            return 6
    return None


def _resolve(item: _Item, other: _Item | None, is_start: bool, today: datetime.date) -> _Item:
    """Give a year to a month typed alone: from the other end of the range, else the last one."""
    if item.kind != "m":
        return item
    if other is None or other.kind == "m":
        year = today.year if item.month <= today.month else today.year - 1
        if other is not None and is_start:
            end = _resolve(other, None, False, today)
            year = end.year if item.month <= end.month else end.year - 1
        return _Item("ym", year, item.month)
    if is_start:
        return _Item("ym", other.year - (item.month > (other.month or 12)), item.month)
    return _Item("ym", other.year + (item.month < (other.month or 1)), item.month)


def _partial(item: _Item) -> str:
    return f"{item.year:04d}" if item.kind == "y" else f"{item.year:04d}-{item.month:02d}"


def parse_period(text: str, *, today: datetime.date) -> Period | DateProblem:
    """When the candidate did a job: a range, a single date, "since ..." or a duration."""
    syms = [s for s in _symbols(text) if s.kind not in ("in", "mod")]
    since = bool(syms) and syms[0].kind == "since"
    syms = syms[1:] if since else syms
    months = _duration(syms)
    if months is not None:
        if not 0 < months <= MAX_DURATION_MONTHS:
            return DateProblem.UNREADABLE
        return Period(None, None, since, months)
    items = _items(syms)
    if not items:
        return DateProblem.UNREADABLE
    current = items[-1].kind in ("current", "today")
    items = items[:-1] if current else items
    if not 0 < len(items) <= (1 if current else 2) or any(
        it.kind not in _DATE_KINDS
        or (it.kind == "full" and _valid_date(it.year, it.month, it.day) is None)
        for it in items
    ):
        return DateProblem.UNREADABLE
    first = items[0]
    if len(items) == 1 and not (since or current) and first.kind == "full":
        born = datetime.date(first.year, first.month, first.day)
        if born < (_add_months(today, -12 * BIRTH_DATE_YEARS) or today):
            return DateProblem.BIRTH_DATE
    current = current or (since and len(items) == 1)
    last = items[1] if len(items) == 2 else None
    start = _resolve(first, last, True, today)
    end = _resolve(last, first, False, today) if last else (None if current else start)
    bounds = [start] + ([end] if end else [])
    if any(b.year < FIRST_YEAR for b in bounds):
        return DateProblem.TOO_OLD
    if any((b.year, b.month if b.kind != "y" else 0) > (today.year, today.month) for b in bounds):
        return DateProblem.FUTURE
    if end and (start.year, start.month) > (end.year, end.month or 12):
        return DateProblem.END_BEFORE_START
    return Period(_partial(start), _partial(end) if end else None, current, None)


def _weekday(today: datetime.date, weekday: int, strictly_after: bool) -> datetime.date:
    delta = (weekday - today.weekday()) % 7
    return today + datetime.timedelta(days=delta or (7 if strictly_after else 0))


def _shift(today: datetime.date, count: int, unit: str) -> datetime.date | None:
    if count <= 0:
        return None
    if unit in ("month", "year"):
        return _add_months(today, count * (12 if unit == "year" else 1))
    return today + datetime.timedelta(days=count * (7 if unit == "week" else 1))


def _relative(syms: list[_Sym], today: datetime.date) -> datetime.date | None:
    """Answers relative to today: "demain", "dans 2 semaines", "lundi prochain"."""
    kinds = tuple(s.kind for s in syms if s.kind != "in")
    values = [s.value for s in syms if s.kind != "in"]
    match kinds:
        case ("rel",):
            return today + datetime.timedelta(days=values[0])
        case ("today",):
            return today
        case ("num", "day" | "week" | "month" | "year"):
            return _shift(today, values[0], kinds[1])
        case ("weekday",):
            return _weekday(today, values[0], strictly_after=False)
        case ("weekday", "next") | ("next", "weekday"):
            return _weekday(today, values[kinds.index("weekday")], strictly_after=True)
        case ("next", "week") | ("week", "next"):
            return _weekday(today, 0, strictly_after=True)
        case ("next", "month") | ("month", "next"):
            return _add_months(today.replace(day=1), 1)
        case ("next", "year") | ("year", "next"):
            return _valid_date(today.year + 1, 1, 1)
    return None


def parse_start_date(text: str, *, today: datetime.date) -> datetime.date | DateProblem:
    """When the candidate can start: a date, a month, or a delay from today."""
    syms = _symbols(text)
    try:
        found = _relative(syms, today)
    except OverflowError:  # a delay that runs past year 9999
        return DateProblem.UNREADABLE
    if found is not None:
        return found
    mod = syms[0].value if syms and syms[0].kind == "mod" else 0
    # "lundi 15 mars" and "in March": the weekday and the "in" add nothing to the date.
    syms = [s for s in syms if s.kind not in ("mod", "in", "weekday")]
    items = _items(syms)
    if items is None or len(items) != 1:
        return DateProblem.UNREADABLE
    (item,) = items
    if item.kind == "full":
        found = _valid_date(item.year, item.month, item.day)
    elif item.kind == "dm":
        # The next time this day comes, today included; 29 February may be years away.
        candidates = (
            _valid_date(y, item.month, item.day) for y in range(today.year, today.year + 9)
        )
        found = next((d for d in candidates if d is not None and d >= today), None)
    elif item.kind in ("ym", "m"):
        year = item.year if item.kind == "ym" else today.year + (item.month < today.month)
        # "fin février" is the last day of the month, whatever its length.
        days = (_valid_date(year, item.month, d) for d in (mod or 1, 30, 29, 28))
        found = next((d for d in days if d is not None), None)
        if found is not None and (year, item.month) == (today.year, today.month):
            found = max(found, today)  # this very month: from today on
    if found is None:
        return DateProblem.UNREADABLE
    return DateProblem.PAST if found < today else found


def parse_year(text: str, *, today: datetime.date) -> int | DateProblem:
    """The year of a training: one 4-digit year, alone or in a short sentence."""
    years = {int(t) for t in _tokens(text) if t.isascii() and t.isdigit() and len(t) == 4}
    if len(years) != 1:
        return DateProblem.UNREADABLE
    (year,) = years
    if year < FIRST_YEAR:
        return DateProblem.TOO_OLD
    if year > today.year + 4:  # a training can end in the coming years
        return DateProblem.FUTURE
    return year
