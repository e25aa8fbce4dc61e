"""The date grammar of Wikipedia's citation module (Module:Citation/CS1/Date_validation).

Accepted (the shape table is :data:`checker.dates.grammar.SHAPES`, under the module's
own pattern names):

* full dates: ``2017-04-13`` (ymd, from 1582 only), ``13 April 2017`` (dmy),
  ``April 13, 2017`` (mdy); month names full or three-letter, capitalised; no
  zero-padded days; years from 100 (three digits allowed: ``1 January 999``);
* ``April 2017``, ``2017``, seasons (``Spring 2017``), the quarters ``First Quarter
  2017`` … ``Fourth Quarter 2017``, named dates (``Easter 2017``, ``Christmas 2017``);
* ranges in the short form CS1 wants: ``1–3 May 2017``, ``1 May – 3 June 2017``,
  ``1 May 2017 – 3 June 2018``, ``May 1–3, 2017``, ``May 1 – June 3, 2017``,
  ``May 1, 2017 – June 3, 2018``, ``May–June 2017``, ``May 2017 – June 2018``,
  ``Spring–Summer 2017``, ``Spring 2017 – Summer 2018``, ``Winter 2017–18``,
  ``2016–2017``, ``2016–17`` (not ``2003–05``: it reads like May 2003);
* ``c. 1900`` and ``n.d.``; every form may end in a disambiguating letter (``2017a``).

A hyphen in place of a range's en dash is read (CS1 converts it) and reported by the
checks as a warning with the en-dash spelling.  Every value is checked against the real
calendar (Julian leap years before 1582) and kept as the interval of days it can mean,
with its precision and written format.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache

from checker.dates import names
from checker.dates.grammar import EN_DASH, DateError, Parsed, match
from checker.model import DateValue

__all__ = ["EN_DASH", "DateError", "Parsed", "analyse", "parse_date", "parse_timestamp"]

_SDASH = f" {EN_DASH} "
_MONTHS_LOWER = {name.lower(): num for name, num in names.LONG_MONTHS.items()}
_MONTHS_LOWER |= {name.lower(): num for name, num in names.SHORT_MONTHS.items()}
_MONTHS_LOWER["sept"] = 9
_ORDINAL = re.compile(r"\b(\d{1,2})(st|nd|rd|th)\b")
_MDY_NO_COMMA = re.compile(r"^([A-Za-z]+) (\d{1,2}) (\d{4})$")
_QUARTER = re.compile(r"^(?:Quarter |Q)([1-4]) ")
_ORDINAL_WORDS = {"1": "First", "2": "Second", "3": "Third", "4": "Fourth"}
_W = r"[A-Z][a-z]+"
#: Long-form ranges CS1 wants short: (pattern, replacement).
_SHORTEN = (
    (re.compile(rf"^(\d+) ({_W}) {EN_DASH} (\d+) \2 (\d{{4}})$"), rf"\1{EN_DASH}\3 \2 \4"),
    (re.compile(rf"^({_W}) (\d+) {EN_DASH} \1 (\d+), (\d{{4}})$"), rf"\1 \2{EN_DASH}\3, \4"),
    (re.compile(rf"^({_W}) (\d{{4}}) {EN_DASH} ({_W}) \2$"), rf"\1{EN_DASH}\3 \2"),
    (re.compile(rf"^(\d+ {_W}) (\d{{4}}) {EN_DASH} (\d+ {_W}) \2$"), rf"\1{_SDASH}\3 \2"),
    (
        re.compile(rf"^({_W} \d+), (\d{{4}}) {EN_DASH} ({_W} \d+), \2$"),
        rf"\1{_SDASH}\3, \2",
    ),
)


def _long_months(text: str) -> str:
    """Short month names written long, when the text mixes both styles."""
    words = re.findall(r"[A-Z][a-z]+", text)
    short = [w for w in words if w in names.SHORT_MONTHS and w not in names.LONG_MONTHS]
    if not short or not any(w in names.LONG_MONTHS for w in words):
        return text
    for word in short:
        text = re.sub(rf"\b{word}\b", calendar.month_name[names.SHORT_MONTHS[word]], text)
    return text


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
    candidate = _QUARTER.sub(lambda m: f"{_ORDINAL_WORDS[m[1]]} Quarter ", candidate)
    candidate = _MDY_NO_COMMA.sub(r"\1 \2, \3", candidate)
    candidate = re.sub(r"^c\.(?=\d)", "c. ", candidate)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", candidate):
        candidate = re.sub(r"(?<![\d\u2013-])0([1-9])(?!\d)", r"\1", candidate)  # zero-padded day
        # Em dashes (or spaced hyphens) used for ranges.
        candidate = re.sub(r"\s+[-\u2014]\s+", _SDASH, candidate)
        candidate = re.sub(r"(?<=\w)[\u2014/](?=\w)", EN_DASH, candidate)  # em dash, slash
    candidate = re.sub(r"^([A-Z][a-z]+), (?=\d{4})", r"\1 ", candidate)  # "February, 1900"
    candidate = re.sub(rf"^(\w+){EN_DASH}\1 ", r"\1 ", candidate)  # "May–May 2017"
    for pattern, short in _SHORTEN:
        candidate = pattern.sub(short, candidate)
    candidate = _long_months(candidate)
    if candidate == text:
        return ""
    try:
        match(candidate)
    except DateError:
        return ""
    return candidate


@lru_cache(maxsize=131072)
def _analyse_cached(text: str) -> Parsed | DateError:
    try:
        return match(text)
    except DateError as err:
        return DateError(err.message, _suggest(text))


def analyse(text: str) -> Parsed | None:
    """Read one cited date as CS1 does: shape, value, range end, |date=-only, hyphen fix.

    Empty gives ``None``; an invalid date raises :class:`DateError`.
    """
    stripped = text.strip()
    if not stripped:
        return None
    result = _analyse_cached(stripped)
    if isinstance(result, DateError):
        raise DateError(result.message, result.suggestion)
    return result


def parse_date(text: str) -> DateValue | None:
    """Parse one cited date.  Empty and ``n.d.`` give ``None``; invalid raises DateError."""
    parsed = analyse(text)
    return parsed.value if parsed is not None else None


def parse_timestamp(stamp: str) -> dt.datetime:
    """Parse a Wayback 14-digit ``YYYYMMDDhhmmss`` timestamp (raises DateError)."""
    if not re.fullmatch(r"\d{14}", stamp):
        raise DateError(f"{stamp!r} is not a 14-digit timestamp")
    try:
        return dt.datetime.strptime(stamp, "%Y%m%d%H%M%S")
    except ValueError:
        raise DateError(f"{stamp!r} is not a real date and time") from None
