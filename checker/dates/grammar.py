"""The date shapes of Module:Citation/CS1/Date_validation, as a table.

:data:`SHAPES` is the module's ``patterns`` list, in the order ``check_date()`` tries it,
under the module's own names (``dMy`` is "day Month year", ``Md-dy`` "Month day–day,
year", ``Sy4-y2`` "Season YYYY–YY"…).  Each regular expression is the module's Lua pattern
written in Python; the first shape that matches decides, as in the module, and its rule
function applies the module's checks for that shape (range order, month style, the
Winter/Summer year ranges, two-digit range ends, the Julian calendar before 1582).

Every shape takes a disambiguating letter after the year (``2017a``, ``13 April 2017b``)
and a hyphen where an en dash belongs (CS1 accepts and converts it; citewatch warns).
What the module checks against the run date (years at most next year, access dates not
after tomorrow) is left to :mod:`checker.checks.dates`, which knows the run date.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from checker.dates import names
from checker.model import DateFormat, DateValue, Precision

EN_DASH = "\u2013"

#: First year of the Gregorian calendar as CS1 counts it: earlier dates are Julian.
GREGORIAN_FROM = 1582
#: CS1 does not accept years before 100 (Help:CS1 errors: "years before 100 AD").
FIRST_YEAR = 100


class DateError(ValueError):
    """A value that is not a valid date; ``suggestion`` is a corrected spelling if found."""

    def __init__(self, message: str, suggestion: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.suggestion = suggestion


class Reading(NamedTuple):
    """What a shape's rule makes of a match."""

    start: dt.date
    end: dt.date
    precision: Precision
    fmt: DateFormat
    last_year: int
    date_only: bool = False  # a season, quarter or named date: CS1 takes it in |date= only


Rule = Callable[[re.Match[str], str], Reading]


@dataclass(frozen=True, slots=True)
class Shape:
    name: str  # the module's name for the pattern
    pattern: re.Pattern[str]
    rule: Rule
    digit_runs: int  # how many runs of digits a text of this shape has (a quick filter)


# The module's Lua classes, in Python: %d, %D, %a, and the range separator [%-–].
_TOKENS = {
    "<d>": r"(?P<d>[1-9][0-9]?)",  # no zero-padded days
    "<d2>": r"(?P<d2>[1-9][0-9]?)",
    "<m>": r"(?P<m>[^0-9]*?)",  # lazy, like the module's %D-
    "<m2>": r"(?P<m2>[^0-9]*?)",
    "<mx>": "(?P<m>[^0-9\u2013]*?)",  # My: no en dash, or it would read May–June 2017
    "<y>": r"(?P<y>[0-9]{4})",
    "<y3>": r"(?P<y>[0-9]{3,4})",
    "<y2>": r"(?P<y2>[0-9]{4})",
    "<y23>": r"(?P<y2>[0-9]{3,4})",
    "<cy>": r"(?P<y>(?P<c>[0-9]{2})[0-9]{2})",
    "<yy>": r"(?P<yy>[0-9]{2})",
    "<mo>": r"(?P<mo>[0-9]{2})",
    "<dd>": r"(?P<dd>[0-9]{2})",
    "<a>": r"[A-Za-z]?",  # the CITEREF disambiguator
    "<->": "[-\u2013]",
}


_DIGIT_TOKENS = ("<d>", "<d2>", "<y>", "<y3>", "<y2>", "<y23>", "<cy>", "<yy>", "<mo>", "<dd>")
_DIGIT_RUNS = re.compile("[0-9]+")


def _shape(name: str, template: str, rule: Rule) -> Shape:
    """A shape from a template in the tokens above (``<d> +<m> +<y3><a>`` is dMy)."""
    out = template
    for token, regex in _TOKENS.items():
        out = out.replace(token, regex)
    runs = sum(template.count(token) for token in _DIGIT_TOKENS)
    return Shape(name, re.compile(out), rule, runs)


# --- shared rules -------------------------------------------------------------------------


def _year(text: str, raw: str) -> int:
    year = int(text)
    if year < FIRST_YEAR:
        raise DateError(f"{raw!r}: years before {FIRST_YEAR} are not accepted (use orig-date)")
    return year


def _month(name: str, raw: str) -> int:
    number = names.month_number(name)
    if not number:
        raise DateError(
            f"{raw!r}: {name!r} is not a month name (full or three-letter, capitalised)"
        )
    return number


def _day(year: int, month: int, day: int, raw: str) -> tuple[dt.date, dt.date]:
    """The day as an interval; before 1582 the Julian calendar's leap years count."""
    julian_leap = year < GREGORIAN_FROM and year % 4 == 0
    if month == 2 and day == 29 and julian_leap and not calendar.isleap(year):
        # A Julian leap day the proleptic Gregorian calendar lacks: the days around it.
        return dt.date(year, 2, 28), dt.date(year, 3, 1)
    try:
        value = dt.date(year, month, day)
    except ValueError:
        if month == 2 and day == 29:
            raise DateError(f"{raw!r}: {year} is not a leap year, February has 28 days") from None
        if not 1 <= month <= 12:
            raise DateError(f"{raw!r}: there is no month {month}") from None
        last = calendar.monthrange(year, month)[1]
        raise DateError(
            f"{raw!r}: {calendar.month_name[month]} {year} has {last} days, not {day}"
        ) from None
    return value, value


def _month_span(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _period_span(spec: tuple[int, int, bool], year: int) -> tuple[dt.date, dt.date]:
    first, last, spills = spec
    return _month_span(year, first)[0], _month_span(year + 1 if spills else year, last)[1]


def _after(start: dt.date, end: dt.date, raw: str) -> None:
    if end < start:
        raise DateError(f"{raw!r}: a range must end after it starts")


def _month_pair(name1: str, name2: str, raw: str) -> tuple[int, int]:
    """Two months of a range: both real, in order, not the same, written alike."""
    m1, m2 = _month(name1, raw), _month(name2, raw)
    if m1 >= m2:
        raise DateError(f"{raw!r}: a range must end after it starts (write one month once)")
    if not names.same_style(name1, name2):
        raise DateError(f"{raw!r}: write both months long or both short, not {name1}–{name2}")
    return m1, m2


def _two_years(first: int, second: int, raw: str) -> None:
    if second <= first:
        raise DateError(f"{raw!r}: a range must end after it starts")


# --- the rules, one per shape -------------------------------------------------------------


def _ymd(m: re.Match[str], raw: str) -> Reading:
    year, month, day = int(m["y"]), int(m["mo"]), int(m["dd"])
    if not 1 <= month <= 12:
        raise DateError(f"{raw!r}: there is no month {month}")
    if year < GREGORIAN_FROM:
        raise DateError(
            f"{raw!r}: CS1 takes YYYY-MM-DD dates from {GREGORIAN_FROM} only (earlier "
            "dates are Julian); write the month's name"
        )
    if day == 0:
        raise DateError(f"{raw!r}: there is no day 0")
    start, end = _day(year, month, day, raw)
    return Reading(start, end, Precision.DAY, DateFormat.YMD, year)


def _single_day(fmt: DateFormat) -> Rule:
    def rule(m: re.Match[str], raw: str) -> Reading:
        year = _year(m["y"], raw)
        start, end = _day(year, _month(m["m"], raw), int(m["d"]), raw)
        return Reading(start, end, Precision.DAY, fmt, year)

    return rule


def _day_range(fmt: DateFormat) -> Rule:
    def rule(m: re.Match[str], raw: str) -> Reading:
        if int(m["d"]) >= int(m["d2"]):
            raise DateError(f"{raw!r}: a range must end after it starts")
        year, month = _year(m["y"], raw), _month(m["m"], raw)
        start = _day(year, month, int(m["d"]), raw)[0]
        end = _day(year, month, int(m["d2"]), raw)[1]
        return Reading(start, end, Precision.RANGE, fmt, year)

    return rule


def _day_month_range(fmt: DateFormat) -> Rule:
    def rule(m: re.Match[str], raw: str) -> Reading:
        m1, m2 = _month_pair(m["m"], m["m2"], raw)
        year = _year(m["y"], raw)
        start = _day(year, m1, int(m["d"]), raw)[0]
        end = _day(year, m2, int(m["d2"]), raw)[1]
        return Reading(start, end, Precision.RANGE, fmt, year)

    return rule


def _full_range(fmt: DateFormat) -> Rule:
    def rule(m: re.Match[str], raw: str) -> Reading:
        y1, y2 = _year(m["y"], raw), _year(m["y2"], raw)
        if y2 <= y1:
            raise DateError(
                f"{raw!r}: a range of full dates must end in a later year (within one year "
                "write '1 May – 3 June 2017')"
            )
        if not names.same_style(m["m"], m["m2"]):
            raise DateError(f"{raw!r}: write both months long or both short")
        start = _day(y1, _month(m["m"], raw), int(m["d"]), raw)[0]
        end = _day(y2, _month(m["m2"], raw), int(m["d2"]), raw)[1]
        return Reading(start, end, Precision.RANGE, fmt, y2)

    return rule


def _season_years(m: re.Match[str], raw: str) -> Reading:
    """``Winter 2017–18`` / ``Summer 2017–2018``: the only season year ranges CS1 takes."""
    y1 = _year(m["y"], raw)
    y2 = int(m["c"] + m["yy"]) if m.groupdict().get("yy") else _year(m["y2"], raw)
    spec = names.season(m["m"])
    if spec is None:
        raise DateError(f"{raw!r}: {m['m']!r} is not a season (Winter, Spring, Summer, Fall)")
    if m["m"] not in ("Winter", "Summer") or y2 - y1 != 1:
        raise DateError(
            f"{raw!r}: a season year range must be Winter or Summer over two consecutive "
            "years ('Winter 2017–18'); otherwise write 'Spring 2017 – Spring 2018'"
        )
    start, end = _period_span(spec, y1)[0], _period_span(spec, y2)[1]
    return Reading(start, end, Precision.RANGE, DateFormat.Y, y2, date_only=True)


def _month_year_range(m: re.Match[str], raw: str) -> Reading:
    """``May 2017 – June 2018`` or ``Spring 2017 – Summer 2018``."""
    y1, y2 = _year(m["y"], raw), _year(m["y2"], raw)
    if y2 <= y1:
        raise DateError(
            f"{raw!r}: a range of month-year dates must end in a later year (within one "
            "year write 'May–June 2017')"
        )
    n1, n2 = m["m"], m["m2"]
    if names.month_number(n1) and names.month_number(n2):
        if not names.same_style(n1, n2):
            raise DateError(f"{raw!r}: write both months long or both short")
        start = _month_span(y1, names.month_number(n1))[0]
        end = _month_span(y2, names.month_number(n2))[1]
        return Reading(start, end, Precision.RANGE, DateFormat.MY, y2)
    s1, s2 = names.season(n1), names.season(n2)
    if s1 is None or s2 is None:
        raise DateError(f"{raw!r}: a range joins two months or two seasons, not {n1}–{n2}")
    start, end = _period_span(s1, y1)[0], _period_span(s2, y2)[1]
    return Reading(start, end, Precision.RANGE, DateFormat.Y, y2, date_only=True)


def _month_range(m: re.Match[str], raw: str) -> Reading:
    """``May–June 2017`` or ``Spring–Summer 2017`` (any two different seasons)."""
    year = _year(m["y"], raw)
    n1, n2 = m["m"], m["m2"]
    if names.month_number(n1):
        m1, m2 = _month_pair(n1, n2, raw)
        start, end = _month_span(year, m1)[0], _month_span(year, m2)[1]
        return Reading(start, end, Precision.RANGE, DateFormat.MY, year)
    s1, s2 = names.season(n1), names.season(n2)
    if s1 is None or s2 is None:
        raise DateError(f"{raw!r}: a range joins two months or two seasons, not {n1}–{n2}")
    if n1 == n2:
        raise DateError(f"{raw!r}: a range must end after it starts (write one season once)")
    spans = (_period_span(s1, year), _period_span(s2, year))
    start, end = min(s[0] for s in spans), max(s[1] for s in spans)
    return Reading(start, end, Precision.RANGE, DateFormat.Y, year, date_only=True)


def _month_year(m: re.Match[str], raw: str) -> Reading:
    """``April 2017``, or a season, quarter or named date: ``Spring 2017``, ``Easter 2017``."""
    year = _year(m["y"], raw)
    month = names.month_number(m["m"])
    if month:
        start, end = _month_span(year, month)
        return Reading(start, end, Precision.MONTH, DateFormat.MY, year)
    spec = names.period(m["m"])
    if spec is None:
        raise DateError(
            f"{raw!r}: {m['m']!r} is not a month name (full or three-letter, capitalised), "
            "season, quarter ('First Quarter') or named date (Easter, Christmas)"
        )
    start, end = _period_span(spec, year)
    return Reading(start, end, Precision.SEASON, DateFormat.Y, year, date_only=True)


def _year_range(m: re.Match[str], raw: str) -> Reading:
    y1, y2 = _year(m["y"], raw), _year(m["y2"], raw)
    _two_years(y1, y2, raw)
    return Reading(dt.date(y1, 1, 1), dt.date(y2, 12, 31), Precision.RANGE, DateFormat.Y, y2)


def _year_range_short(m: re.Match[str], raw: str) -> Reading:
    y1 = _year(m["y"], raw)
    if int(m["yy"]) < 13:
        raise DateError(
            f"{raw!r}: a two-digit range end below 13 reads like a month ({m['y']}-{m['yy']}); "
            "write both years in full"
        )
    y2 = int(m["c"] + m["yy"])
    _two_years(y1, y2, raw)
    return Reading(dt.date(y1, 1, 1), dt.date(y2, 12, 31), Precision.RANGE, DateFormat.Y, y2)


def _year_only(m: re.Match[str], raw: str) -> Reading:
    year = _year(m["y"], raw)
    return Reading(dt.date(year, 1, 1), dt.date(year, 12, 31), Precision.YEAR, DateFormat.Y, year)


DMY, MDY = DateFormat.DMY, DateFormat.MDY

#: The module's ``patterns`` table, in ``check_date()``'s order.
SHAPES: tuple[Shape, ...] = (
    _shape("ymd", "<y>-<mo>-<dd>", _ymd),
    _shape("Mdy", "<m> +<d>, +<y3><a>", _single_day(MDY)),
    _shape("Md-dy", "<m> +<d><-><d2>, +<y><a>", _day_range(MDY)),
    _shape("dMy", "<d> +<m> +<y3><a>", _single_day(DMY)),
    _shape("d-dMy", "<d><-><d2> +<m> +<y><a>", _day_range(DMY)),
    _shape("dM-dMy", "<d> +<m> +<-> +<d2> +<m2> +<y><a>", _day_month_range(DMY)),
    _shape("Md-Mdy", "<m> +<d> +<-> +<m2> +<d2>, +<y><a>", _day_month_range(MDY)),
    _shape("dMy-dMy", "<d> +<m> +<y> +<-> +<d2> +<m2> +<y2><a>", _full_range(DMY)),
    _shape("Mdy-Mdy", "<m> +<d>, +<y> +<-> +<m2> +<d2>, +<y2><a>", _full_range(MDY)),
    _shape("Sy4-y2", "<m> +<cy><-><yy><a>", _season_years),
    _shape("Sy-y", "<m> +<y><-><y2><a>", _season_years),
    _shape("My-My", "<m> +<y> +<-> +<m2> +<y2><a>", _month_year_range),
    _shape("M-My", "<m><-><m2> +<y><a>", _month_range),
    _shape("My", "<mx> +<y><a>", _month_year),
    _shape("y-y", "<y3><-><y23><a>", _year_range),
    _shape("y4-y2", "<cy><-><yy><a>", _year_range_short),
    _shape("y", "<y3><a>", _year_only),
)
# Every digit token is a whole run of digits (its neighbours are never digits), so a text
# can only match the shapes with as many runs as it has: try those, in the module's order.
_BY_RUNS: dict[int, tuple[Shape, ...]] = {
    n: tuple(shape for shape in SHAPES if shape.digit_runs == n)
    for n in {shape.digit_runs for shape in SHAPES}
}

#: ``c. 1900`` (with the space), disambiguator allowed; ``|date=`` only.
CIRCA = re.compile(r"c\. (?P<y>[1-9][0-9]{2,3})[A-Za-z]?")
#: ``n.d.`` / ``nd`` (no date), disambiguator allowed; ``|date=`` only.
NO_DATE = re.compile(r"(?:n\.d\.|nd)[A-Za-z]?")


@dataclass(frozen=True, slots=True)
class Parsed:
    """A date as CS1 reads it."""

    value: DateValue | None  # None for n.d.
    shape: str  # the module's pattern name, or "circa" / "n.d."
    last_year: int = 0  # the last year the text names (a range's end year)
    date_only: bool = False  # season, quarter, named date, circa, n.d.: |date= only
    hyphen_fix: str = ""  # the en-dash spelling, when the text separates a range with "-"


def match(text: str) -> Parsed:
    """Read ``text`` (already stripped) with the first shape that matches; DateError if none."""
    if NO_DATE.fullmatch(text):
        return Parsed(None, "n.d.", date_only=True)
    circa = CIRCA.fullmatch(text)
    if circa:
        year = int(circa["y"])
        value = DateValue(
            text, dt.date(year, 1, 1), dt.date(year, 12, 31), Precision.YEAR, DateFormat.Y, True
        )
        return Parsed(value, "circa", year, date_only=True)
    for shape in _BY_RUNS.get(len(_DIGIT_RUNS.findall(text)), ()):
        m = shape.pattern.fullmatch(text)
        if m is None:
            continue
        reading = shape.rule(m, text)
        _after(reading.start, reading.end, text)
        value = DateValue(text, reading.start, reading.end, reading.precision, reading.fmt)
        fix = text.replace("-", EN_DASH) if shape.name != "ymd" and "-" in text else ""
        return Parsed(value, shape.name, reading.last_year, reading.date_only, fix)
    raise DateError(_unmatched(text))


_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^c\.[0-9]"), "write 'c. ' with a space before the year"),
    (re.compile(r"(?:^|[ \u2013-])0[1-9](?:[ ,\u2013-]|$)"), "CS1 does not take zero-padded days"),
    (
        re.compile(r"^(?:Quarter [1-4]|Q[1-4]) "),
        "the English Wikipedia's quarters are 'First Quarter' … 'Fourth Quarter'",
    ),
)


def _unmatched(text: str) -> str:
    for pattern, hint in _HINTS:
        if pattern.search(text) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            return f"{text!r} is not a date shape Wikipedia's citation templates accept: {hint}"
    return f"{text!r} is not a date shape Wikipedia's citation templates accept"
