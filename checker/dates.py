"""A strict grammar for the date shapes Wikipedia's citation module accepts.

Accepted (field-notes §4, Module:Citation/CS1):

* full dates: ``2017-04-13`` (ymd), ``13 April 2017`` (dmy), ``April 13, 2017`` (mdy);
  month names full or three-letter (``Apr``), capitalised;
* ``April 2017``, ``2017``, ``2017a`` (Harvard disambiguator), seasons
  (``Spring 2017``), quarters (``Third Quarter 2017``), ``Christmas 2017``;
* ranges with an en dash: ``1–3 May 2017``, ``1 May – 3 June 2017``,
  ``1 May 2017 – 3 June 2018``, ``May 1–3, 2017``, ``May 1 – June 3, 2017``,
  ``May 1, 2017 – June 3, 2018``, ``May–June 2017``, ``May 2017 – June 2018``,
  ``Spring–Summer 2017``, ``2016–2017``, ``2016–17``;
* ``c. 2017`` and ``n.d.`` (no date).

Every value is checked against the real calendar (``datetime`` knows leap years) and
kept as the interval of days it can mean, with its precision and written format.
Month names come from :mod:`calendar`, not from a table of our own.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from checker.model import DateFormat, DateValue, Precision

EN_DASH = "\u2013"


class DateError(ValueError):
    """A value that is not a valid date; ``suggestion`` is a corrected spelling if found."""

    def __init__(self, message: str, suggestion: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.suggestion = suggestion


_MONTHS: dict[str, int] = {}
for _i in range(1, 13):
    _MONTHS[calendar.month_name[_i]] = _i
    _MONTHS[calendar.month_abbr[_i]] = _i

_MONTHS_LOWER = {name.lower(): num for name, num in _MONTHS.items()}
_MONTHS_LOWER["sept"] = 9

# Seasons and other named periods: (first month, last month, spills into next year).
_PERIODS: dict[str, tuple[int, int, bool]] = {
    "Winter": (1, 3, True),  # hemisphere- and convention-neutral: Jan of Y .. Mar of Y+1
    "Spring": (1, 12, False),
    "Summer": (1, 12, False),
    "Fall": (1, 12, False),
    "Autumn": (1, 12, False),
    "First Quarter": (1, 3, False),
    "Second Quarter": (4, 6, False),
    "Third Quarter": (7, 9, False),
    "Fourth Quarter": (10, 12, False),
    "Quarter 1": (1, 3, False),
    "Quarter 2": (4, 6, False),
    "Quarter 3": (7, 9, False),
    "Quarter 4": (10, 12, False),
    "Christmas": (12, 12, False),
}

_M = "(?P<{0}>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + ")"
_P = "(?P<{0}>" + "|".join(sorted(_PERIODS, key=len, reverse=True)) + ")"
_D = r"(?P<{0}>\d{{1,2}})"
_Y = r"(?P<{0}>\d{{4}})"
_DASH = EN_DASH
_SDASH = f" {EN_DASH} "


def _pat(template: str) -> re.Pattern[str]:
    """Compile a template where ``M1``/``D1``/``Y1``/``P1`` stand for named groups."""
    out = template
    for token, group in (("M", _M), ("D", _D), ("Y", _Y), ("P", _P)):
        for n in (1, 2):
            out = out.replace(f"<{token}{n}>", group.format(f"{token.lower()}{n}"))
    return re.compile(f"^{out}$")


@dataclass(frozen=True)
class _Shape:
    pattern: re.Pattern[str]
    fmt: DateFormat
    precision: Precision


_SHAPES: tuple[_Shape, ...] = (
    _Shape(_pat(r"<Y1>-(?P<mm>\d{2})-(?P<dd>\d{2})"), DateFormat.YMD, Precision.DAY),
    _Shape(_pat("<D1> <M1> <Y1>"), DateFormat.DMY, Precision.DAY),
    _Shape(_pat("<M1> <D1>, <Y1>"), DateFormat.MDY, Precision.DAY),
    _Shape(_pat("<M1> <Y1>"), DateFormat.MY, Precision.MONTH),
    _Shape(_pat(r"<Y1>[a-z]?"), DateFormat.Y, Precision.YEAR),
    _Shape(_pat("<P1> <Y1>"), DateFormat.Y, Precision.SEASON),
    # Ranges.
    _Shape(_pat(f"<D1>{_DASH}<D2> <M1> <Y1>"), DateFormat.DMY, Precision.RANGE),
    _Shape(_pat(f"<D1> <M1>{_SDASH}<D2> <M2> <Y1>"), DateFormat.DMY, Precision.RANGE),
    _Shape(_pat(f"<D1> <M1> <Y1>{_SDASH}<D2> <M2> <Y2>"), DateFormat.DMY, Precision.RANGE),
    _Shape(_pat(f"<M1> <D1>{_DASH}<D2>, <Y1>"), DateFormat.MDY, Precision.RANGE),
    _Shape(_pat(f"<M1> <D1>{_SDASH}<M2> <D2>, <Y1>"), DateFormat.MDY, Precision.RANGE),
    _Shape(_pat(f"<M1> <D1>, <Y1>{_SDASH}<M2> <D2>, <Y2>"), DateFormat.MDY, Precision.RANGE),
    _Shape(_pat(f"<M1>{_DASH}<M2> <Y1>"), DateFormat.MY, Precision.RANGE),
    _Shape(_pat(f"<M1> <Y1>{_SDASH}<M2> <Y2>"), DateFormat.MY, Precision.RANGE),
    _Shape(_pat(f"<P1>{_DASH}<P2> <Y1>"), DateFormat.Y, Precision.RANGE),
    _Shape(_pat(f"<P1> <Y1>{_DASH}(?P<y2>\\d{{2}}|\\d{{4}})"), DateFormat.Y, Precision.RANGE),
    _Shape(_pat(f"<Y1>{_DASH}(?P<y2>\\d{{2}}|\\d{{4}})"), DateFormat.Y, Precision.RANGE),
)

_NO_DATE = frozenset({"n.d.", "nd"})
_CIRCA = re.compile(r"^c\.\s?(?P<rest>\d{4})$")


def _day(year: int, month: int, day: int, raw: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        if month == 2 and day == 29:
            raise DateError(f"{raw!r}: {year} is not a leap year, February has 28 days") from None
        last = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
        if not 1 <= month <= 12:
            raise DateError(f"{raw!r}: there is no month {month}") from None
        raise DateError(
            f"{raw!r}: {calendar.month_name[month]} {year} has {last} days, not {day}"
        ) from None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _second_year(first: int, text: str, raw: str) -> int:
    second = first // 100 * 100 + int(text) if len(text) == 2 else int(text)
    if second <= first:
        raise DateError(f"{raw!r}: a range must end after it starts")
    return second


def _period(name: str, year: int) -> tuple[dt.date, dt.date]:
    first, last, spills = _PERIODS[name]
    end_year = year + 1 if spills else year
    return dt.date(year, first, 1), _month_end(end_year, last)


def _interval(shape: _Shape, m: re.Match[str], raw: str) -> tuple[dt.date, dt.date]:
    g = m.groupdict()
    y1 = int(g["y1"])
    if y1 < 1:
        raise DateError(f"{raw!r}: year 0 does not exist")
    if "mm" in g and g["mm"] is not None:
        day = _day(y1, int(g["mm"]), int(g["dd"]), raw)
        return day, day
    m1 = _MONTHS[g["m1"]] if g.get("m1") else None
    m2 = _MONTHS[g["m2"]] if g.get("m2") else m1
    y2 = g.get("y2")
    if shape.precision is Precision.YEAR:
        return dt.date(y1, 1, 1), dt.date(y1, 12, 31)
    if g.get("p1"):
        start, end = _period(g["p1"], y1)
        if g.get("p2"):
            end = _period(g["p2"], y1)[1]
            if end < start:
                raise DateError(f"{raw!r}: a range must end after it starts")
        elif y2:
            end = _period(g["p1"], _second_year(y1, y2, raw))[1]
        return start, end
    if m1 is None:  # plain year range
        assert y2 is not None
        return dt.date(y1, 1, 1), dt.date(_second_year(y1, y2, raw), 12, 31)
    assert m2 is not None
    end_year = int(y2) if y2 else y1
    if g.get("d1"):
        start = _day(y1, m1, int(g["d1"]), raw)
        end = _day(end_year, m2, int(g["d2"]), raw) if g.get("d2") else start
    else:
        start = dt.date(y1, m1, 1)
        end = _month_end(end_year, m2)
    if end < start or (shape.precision is Precision.RANGE and end == start):
        raise DateError(f"{raw!r}: a range must end after it starts")
    return start, end


def _match(text: str) -> DateValue | None:
    if text in _NO_DATE:
        return None
    circa = _CIRCA.match(text)
    if circa:
        year = int(circa["rest"])
        return DateValue(
            text, dt.date(year, 1, 1), dt.date(year, 12, 31), Precision.YEAR, DateFormat.Y, True
        )
    for shape in _SHAPES:
        m = shape.pattern.match(text)
        if m:
            start, end = _interval(shape, m, text)
            return DateValue(text, start, end, shape.precision, shape.fmt)
    raise DateError(f"{text!r} is not a date shape Wikipedia's citation templates accept")


_ORDINAL = re.compile(r"\b(\d{1,2})(st|nd|rd|th)\b")
_MDY_NO_COMMA = re.compile(r"^([A-Za-z]+) (\d{1,2}) (\d{4})$")


def _suggest(text: str) -> str:
    """A corrected spelling of an invalid date, if a common slip explains it."""
    candidate = re.sub(r"\s+", " ", text.strip())
    candidate = _ORDINAL.sub(r"\1", candidate)
    words = []
    for word in candidate.split(" "):
        bare = word.rstrip(".,")
        tail = word[len(bare) :].replace(".", "")
        num = _MONTHS_LOWER.get(bare.lower())
        words.append(f"{calendar.month_name[num]}{tail}" if num else word)
    candidate = " ".join(words)
    candidate = _MDY_NO_COMMA.sub(r"\1 \2, \3", candidate)
    # Hyphens or em dashes used for ranges.
    if re.search(r"\d{4}-\d{2}-\d{2}", candidate) is None:
        spaced = re.sub(r"\s+[-\u2014]\s+", _SDASH, candidate)
        candidate = re.sub(r"(?<=\w)[-\u2014](?=\w)", _DASH, spaced)
    if candidate == text:
        return ""
    try:
        _match(candidate)
    except DateError:
        return ""
    return candidate


@lru_cache(maxsize=131072)
def _parse_cached(text: str) -> DateValue | DateError | None:
    try:
        return _match(text)
    except DateError as err:
        return DateError(err.message, _suggest(text))


def parse_date(text: str) -> DateValue | None:
    """Parse one cited date.  Empty and ``n.d.`` give ``None``; invalid raises DateError."""
    stripped = text.strip()
    if not stripped:
        return None
    result = _parse_cached(stripped)
    if isinstance(result, DateError):
        raise DateError(result.message, result.suggestion)
    return result


def parse_timestamp(stamp: str) -> dt.datetime:
    """Parse a Wayback 14-digit ``YYYYMMDDhhmmss`` timestamp (raises DateError)."""
    if not re.fullmatch(r"\d{14}", stamp):
        raise DateError(f"{stamp!r} is not a 14-digit timestamp")
    try:
        return dt.datetime.strptime(stamp, "%Y%m%d%H%M%S")
    except ValueError:
        raise DateError(f"{stamp!r} is not a real date and time") from None
