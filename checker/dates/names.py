"""The date names CS1 knows (Module:Citation/CS1/Configuration, ``date_names['en']``).

Month names come from :mod:`calendar` (C locale: English), not from a table of our own;
the seasons, quarters and named dates are the module's short lists.  Seasons, quarters
and named dates are accepted only in ``|date=`` (the module's ``get_season_number``,
``get_quarter_number`` and ``get_proper_name_number`` return 0 for other parameters).
"""

from __future__ import annotations

import calendar
import re

#: Long month names: January … December.
LONG_MONTHS: dict[str, int] = {calendar.month_name[i]: i for i in range(1, 13)}
#: Three-letter month names: Jan … Dec (``May`` is both long and short).
SHORT_MONTHS: dict[str, int] = {calendar.month_abbr[i]: i for i in range(1, 13)}

#: Seasons, hemisphere-neutral: (first month, last month, spills into the next year).
#: CS1 cannot tell the hemisphere, so Spring, Summer and Fall/Autumn may fall anywhere in
#: the year and Winter runs from January of its year to March of the next.
SEASONS: dict[str, tuple[int, int, bool]] = {
    "Winter": (1, 3, True),
    "Spring": (1, 12, False),
    "Summer": (1, 12, False),
    "Fall": (1, 12, False),
    "Autumn": (1, 12, False),
}

#: The quarters the English Wikipedia defines (no "Quarter 1", no "Q1").
QUARTERS: dict[str, tuple[int, int, bool]] = {
    "First Quarter": (1, 3, False),
    "Second Quarter": (4, 6, False),
    "Third Quarter": (7, 9, False),
    "Fourth Quarter": (10, 12, False),
}

#: Named dates: Easter (Western or Eastern: 22 March … 8 May) and Christmas.
NAMED: dict[str, tuple[int, int, bool]] = {
    "Easter": (3, 5, False),
    "Christmas": (12, 12, False),
}


def month_number(name: str) -> int:
    """1–12 for a correctly spelled and capitalised month name, else 0."""
    return LONG_MONTHS.get(name) or SHORT_MONTHS.get(name) or 0


def season(name: str) -> tuple[int, int, bool] | None:
    return SEASONS.get(name)


def period(name: str) -> tuple[int, int, bool] | None:
    """A season, quarter or named date (the module's ``get_element_number`` minus months)."""
    name = re.sub(" +", " ", name)
    return SEASONS.get(name) or QUARTERS.get(name) or NAMED.get(name)


def same_style(name1: str, name2: str) -> bool:
    """Both month names long, or both short (``May`` is both)."""
    return (name1 in LONG_MONTHS and name2 in LONG_MONTHS) or (
        name1 in SHORT_MONTHS and name2 in SHORT_MONTHS
    )
