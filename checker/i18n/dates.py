"""Dates in the languages CLDR knows, read with babel's month names and date patterns.

For a language, the accepted shapes are compiled from CLDR (via :mod:`babel`), never
from a table of our own:

* the ``long``, ``medium`` and ``short`` date patterns of the locale (``d. MMMM y``,
  ``dd.MM.y`` in German; ``d 'de' MMMM 'de' y`` in Spanish; ``y年M月d日`` in Japanese),
  except those with a two-digit year; a literal that ends a pattern is optional (Russian
  ``18 апреля 2023`` as well as ``18 апреля 2023 г.``);
* the month-and-year skeletons ``yMMMM`` and ``yMMM`` (``April 2023``, ``abril de 2023``);
* the year alone, and ISO ``2023-04-18`` (every wiki's templates take it);
* the patterns a language's data file adds in the same CLDR syntax (``extra_date_patterns``,
  e.g. Russian ``d MMMM y 'года'``), and its ordinal day suffixes (French ``1er``).

Month tokens accept the wide or abbreviated names in both the format and the
stand-alone forms (Russian ``апреля`` and ``апрель``, Polish ``kwietnia`` and
``kwiecień``), case-insensitively.  Each value is a :class:`~checker.model.DateValue`
with its precision, its order (dmy/mdy/ymd), its ``lang`` and its ``style`` (the CLDR
pattern it was written in), so a list can be told it mixes ``18. April 2023`` and
``18.04.2023``.  English keeps the CS1 grammar of :mod:`checker.dates` unchanged; other
languages fall back to it (a German article may cite with ``{{cite web}}``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import get_date_format, get_month_names

from checker.dates import DateError, parse_date
from checker.i18n import language
from checker.model import DateFormat, DateValue, Precision

ISO_STYLE = "y-MM-dd"
_TOKEN = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|.", re.S)
_SPACE = r"[\s\u00a0\u202f]+"


@dataclass(frozen=True)
class _Compiled:
    pattern: re.Pattern[str]
    body: str  #: the regex without named groups, for embedding in phrases
    style: str
    fmt: DateFormat
    precision: Precision


def is_english(lang: str) -> bool:
    return not lang or lang.split("-")[0].split("_")[0].lower() == "en"


@lru_cache(maxsize=64)
def locale_of(lang: str) -> Locale | None:
    """The babel locale for a language code, or None if CLDR does not know it."""
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None


def _month_names(locale: Locale, width: Literal["wide", "abbreviated"]) -> dict[str, int]:
    names: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for number, name in get_month_names(width, context, locale).items():
            names.setdefault(name.lower(), number)
            if name.endswith("."):
                names.setdefault(name[:-1].lower(), number)
    return names


def _tokens(pattern: str) -> list[tuple[str, str]]:
    """``(kind, text)`` pairs: kind is the field letter run or ``'`` for a literal."""
    out: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(pattern):
        text = match.group(0)
        if match.group(1):
            out.append((text, text))
        elif text.startswith("'") and len(text) > 1:
            out.append(("'", text[1:-1].replace("''", "'")))
        else:
            out.append(("'", text))
    return out


def _literal(text: str) -> str:
    parts = re.split(r"[\s\u00a0\u202f]+", text)
    return _SPACE.join(re.escape(part) for part in parts)


class _Builder:
    def __init__(self, locale: Locale, day_suffixes: tuple[str, ...]) -> None:
        self.wide = _month_names(locale, "wide")
        self.abbr = _month_names(locale, "abbreviated")
        suffix = "|".join(re.escape(s) for s in day_suffixes)
        self.day = r"\d{1,2}" + (f"(?:{suffix})?" if suffix else "")

    def names(self, table: dict[str, int]) -> str:
        return "|".join(re.escape(n) for n in sorted(table, key=len, reverse=True))

    def compile(self, style: str) -> list[_Compiled]:
        tokens = _tokens(style)
        kinds = [k[0] for k, _ in tokens if k != "'"]
        if any(k in "EecGaHhKkmsSzZvVOXxQqwWDFgAuU" for k in kinds):
            return []
        if any(k[0] == "y" and len(k) == 2 for k, _ in tokens):
            return []  # a two-digit year is ambiguous
        if "y" not in kinds or ("d" in kinds and not ({"M", "L"} & set(kinds))):
            return []
        variants = [tokens]
        while variants[-1] and variants[-1][-1][0] == "'":
            variants.append(variants[-1][:-1])  # a trailing literal (" г.") is optional
        return [self._one(v) for v in variants if v]

    def _one(self, tokens: list[tuple[str, str]]) -> _Compiled:
        grouped: list[str] = []
        order: list[str] = []
        for kind, text in tokens:
            letter = kind[0]
            if kind == "'":
                grouped.append(_literal(text))
            elif letter == "d":
                grouped.append(f"(?P<d>{self.day})")
                order.append("d")
            elif letter in "ML" and len(kind) >= 4:
                grouped.append(f"(?P<mw>{self.names(self.wide)})")
                order.append("m")
            elif letter in "ML" and len(kind) == 3:
                grouped.append(f"(?P<ma>{self.names(self.abbr)})")
                order.append("m")
            elif letter in "ML":
                grouped.append(r"(?P<mn>\d{1,2})")
                order.append("m")
            elif letter == "y":
                grouped.append(r"(?P<y>\d{4})")
                order.append("y")
        body = "".join(grouped)
        style = "".join(text if kind != "'" else _quote(text) for kind, text in tokens)
        if order == ["y"]:
            fmt = DateFormat.Y
        elif order and order[0] == "y":
            fmt = DateFormat.YMD if "d" in order else DateFormat.MY
        elif "d" in order:
            fmt = DateFormat.DMY if order.index("d") < order.index("m") else DateFormat.MDY
        else:
            fmt = DateFormat.MY if "m" in order else DateFormat.Y
        precision = (
            Precision.DAY if "d" in order else Precision.MONTH if "m" in order else Precision.YEAR
        )
        return _Compiled(
            re.compile(f"^{body}$", re.IGNORECASE),
            re.sub(r"\(\?P<\w+>", "(?:", body),
            style,
            fmt,
            precision,
        )


def _quote(text: str) -> str:
    if re.fullmatch(r"[\s.,/\-年月日\u00a0\u202f]*", text):
        return text
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Grammar:
    """The compiled date shapes of one language."""

    lang: str
    shapes: tuple[_Compiled, ...]
    wide: dict[str, int]
    abbr: dict[str, int]

    @property
    def regex(self) -> str:
        """One regex (no groups) matching any date of the language, for phrases."""
        bodies = sorted({s.body for s in self.shapes}, key=len, reverse=True)
        return "(?:" + "|".join(bodies) + ")"


@lru_cache(maxsize=64)
def grammar(lang: str) -> Grammar | None:
    """The date grammar of ``lang`` (None for English and for languages CLDR lacks)."""
    if is_english(lang):
        return None
    locale = locale_of(lang)
    if locale is None:
        return None
    data = language(lang)
    builder = _Builder(locale, data.day_suffixes if data else ())
    styles: list[str] = []
    for width in ("long", "medium", "short"):
        styles.append(get_date_format(width, locale).pattern)
    for skeleton in ("yMMMM", "yMMM", "yMMMMd", "yMMMd"):
        if skeleton in locale.datetime_skeletons:
            styles.append(locale.datetime_skeletons[skeleton].pattern)
    styles.extend(data.extra_date_patterns if data else ())
    styles.append(ISO_STYLE)
    styles.append("y")
    shapes: list[_Compiled] = []
    seen: set[str] = set()
    for style in styles:
        for compiled in builder.compile(style):
            if compiled.body not in seen:
                seen.add(compiled.body)
                shapes.append(compiled)
    return Grammar(lang, tuple(shapes), builder.wide, builder.abbr)


def _value(text: str, shape: _Compiled, match: re.Match[str], g: Grammar) -> DateValue:
    year = int(match["y"])
    if year < 1:
        raise DateError(f"{text!r}: year 0 does not exist")
    groups = match.groupdict()
    month = 0
    if groups.get("mw"):
        month = g.wide[groups["mw"].lower()]
    elif groups.get("ma"):
        month = g.abbr[groups["ma"].lower()]
    elif groups.get("mn"):
        month = int(groups["mn"])
        if not 1 <= month <= 12:
            raise DateError(f"{text!r}: there is no month {month}")
    style = ISO_STYLE if shape.style == ISO_STYLE else shape.style
    if shape.precision is Precision.YEAR:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    elif shape.precision is Precision.MONTH:
        start = dt.date(year, month, 1)
        end = dt.date(year, month, calendar.monthrange(year, month)[1])
    else:
        day = int(re.sub(r"\D+$", "", groups["d"]))  # "1er", "1º" -> 1
        try:
            start = end = dt.date(year, month, day)
        except ValueError:
            last = calendar.monthrange(year, month)[1]
            raise DateError(f"{text!r}: that month of {year} has {last} days, not {day}") from None
    fmt = DateFormat.YMD if style == ISO_STYLE else shape.fmt
    if style in (ISO_STYLE, "y"):
        style = ""  # the shapes every language shares are compared by their order only
    return DateValue(text, start, end, shape.precision, fmt, False, style, g.lang)


@lru_cache(maxsize=131072)
def _parse_cached(text: str, lang: str) -> DateValue | DateError | None:
    g = grammar(lang)
    if g is not None:
        for shape in g.shapes:
            match = shape.pattern.match(text)
            if match:
                try:
                    return _value(text, shape, match, g)
                except DateError as err:
                    return err
    try:
        return parse_date(text)
    except DateError as err:
        if g is None:
            return err
        return DateError(
            f"{text!r} is not a date shape of the {lang!r} wiki (CLDR) nor of the "
            "English citation templates",
            err.suggestion,
        )


def parse_in(text: str, lang: str = "") -> DateValue | None:
    """Parse a cited date written in ``lang`` (English: exactly :func:`parse_date`).

    Empty and ``n.d.`` give ``None``; an invalid value raises :class:`DateError`."""
    if is_english(lang):
        return parse_date(text)
    stripped = " ".join(text.split())
    if not stripped:
        return None
    result = _parse_cached(stripped, lang)
    if isinstance(result, DateError):
        raise DateError(result.message, result.suggestion)
    return result


def render(day: dt.date, lang: str, style: str) -> str:
    """``day`` written in ``lang`` with the CLDR pattern ``style`` (e.g. ``d. MMMM y``)."""
    locale = locale_of(lang)
    if locale is None or not style:
        return day.isoformat()
    return str(babel_format_date(day, format=style, locale=locale))


__all__ = ["ISO_STYLE", "Grammar", "grammar", "is_english", "locale_of", "parse_in", "render"]
