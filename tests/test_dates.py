"""The strict date grammar: every accepted shape, calendar validation, precision, format."""

from __future__ import annotations

import datetime as dt

import pytest

from checker.dates import DateError, parse_date, parse_timestamp
from checker.model import DateFormat, Precision

D = dt.date

VALID = [
    ("2017-04-13", D(2017, 4, 13), D(2017, 4, 13), Precision.DAY, DateFormat.YMD),
    ("13 April 2017", D(2017, 4, 13), D(2017, 4, 13), Precision.DAY, DateFormat.DMY),
    ("13 Apr 2017", D(2017, 4, 13), D(2017, 4, 13), Precision.DAY, DateFormat.DMY),
    ("April 13, 2017", D(2017, 4, 13), D(2017, 4, 13), Precision.DAY, DateFormat.MDY),
    ("Sep 1, 2017", D(2017, 9, 1), D(2017, 9, 1), Precision.DAY, DateFormat.MDY),
    ("April 2017", D(2017, 4, 1), D(2017, 4, 30), Precision.MONTH, DateFormat.MY),
    ("February 2016", D(2016, 2, 1), D(2016, 2, 29), Precision.MONTH, DateFormat.MY),
    ("2017", D(2017, 1, 1), D(2017, 12, 31), Precision.YEAR, DateFormat.Y),
    ("2017a", D(2017, 1, 1), D(2017, 12, 31), Precision.YEAR, DateFormat.Y),
    ("c. 1850", D(1850, 1, 1), D(1850, 12, 31), Precision.YEAR, DateFormat.Y),
    ("Third Quarter 2017", D(2017, 7, 1), D(2017, 9, 30), Precision.SEASON, DateFormat.Y),
    ("1–3 May 2017", D(2017, 5, 1), D(2017, 5, 3), Precision.RANGE, DateFormat.DMY),
    ("1 May – 3 June 2017", D(2017, 5, 1), D(2017, 6, 3), Precision.RANGE, DateFormat.DMY),
    (
        "30 December 2016 – 2 January 2017",
        D(2016, 12, 30),
        D(2017, 1, 2),
        Precision.RANGE,
        DateFormat.DMY,
    ),
    ("May 1–3, 2017", D(2017, 5, 1), D(2017, 5, 3), Precision.RANGE, DateFormat.MDY),
    ("May 1 – June 3, 2017", D(2017, 5, 1), D(2017, 6, 3), Precision.RANGE, DateFormat.MDY),
    (
        "December 30, 2016 – January 2, 2017",
        D(2016, 12, 30),
        D(2017, 1, 2),
        Precision.RANGE,
        DateFormat.MDY,
    ),
    ("May–June 2017", D(2017, 5, 1), D(2017, 6, 30), Precision.RANGE, DateFormat.MY),
    (
        "December 2016 – January 2017",
        D(2016, 12, 1),
        D(2017, 1, 31),
        Precision.RANGE,
        DateFormat.MY,
    ),
    ("2016–2017", D(2016, 1, 1), D(2017, 12, 31), Precision.RANGE, DateFormat.Y),
    ("1998–99", D(1998, 1, 1), D(1999, 12, 31), Precision.RANGE, DateFormat.Y),
]


@pytest.mark.parametrize(("text", "earliest", "latest", "precision", "fmt"), VALID)
def test_valid_shapes(
    text: str, earliest: dt.date, latest: dt.date, precision: Precision, fmt: DateFormat
) -> None:
    value = parse_date(text)
    assert value is not None
    assert (value.earliest, value.latest) == (earliest, latest)
    assert value.precision is precision
    assert value.format is fmt
    assert value.raw == text


def test_seasons_are_wide_enough_for_both_hemispheres() -> None:
    spring = parse_date("Spring 2017")
    winter = parse_date("Winter 2017")
    assert spring is not None and winter is not None
    assert spring.precision is Precision.SEASON
    assert spring.earliest <= D(2017, 3, 1) and spring.latest >= D(2017, 11, 30)
    assert winter.latest >= D(2018, 2, 28)


def test_circa_is_marked() -> None:
    value = parse_date("c. 2017")
    assert value is not None and value.circa
    plain = parse_date("2017")
    assert plain is not None and not plain.circa


@pytest.mark.parametrize("text", ["", "   ", "n.d.", "nd"])
def test_no_date(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "year"),
    [("29 February 2016", 2016), ("February 29, 2000", 2000), ("2024-02-29", 2024)],
)
def test_leap_days(text: str, year: int) -> None:
    value = parse_date(text)
    assert value is not None and value.earliest == D(year, 2, 29)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("29 February 2017", "not a leap year"),
        ("February 29, 1900", "not a leap year"),  # century rule
        ("2100-02-29", "not a leap year"),
        ("31 April 2017", "30 days"),
        ("2017-02-30", "28 days"),
        ("2017-13-01", "no month 13"),
        ("0 May 2017", "not a date shape"),
        ("3–1 May 2017", "end after it starts"),
        ("2017–2016", "end after it starts"),
        ("June–May 2017", "end after it starts"),
        ("2017-04", "reads like a month"),
        ("13/04/2017", "not a date shape"),
        ("13 april 2017", "not a month name"),
        ("Sept 2017", "not a month name"),
        ("April 13 2017", "not a date shape"),
        ("13th April 2017", "not a date shape"),
        ("yesterday", "not a date shape"),
        ("0000", "before 100"),
    ],
)
def test_invalid(text: str, fragment: str) -> None:
    with pytest.raises(DateError) as info:
        parse_date(text)
    assert fragment in info.value.message


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("13 april 2017", "13 April 2017"),
        ("Sept 2017", "September 2017"),
        ("April 13 2017", "April 13, 2017"),
        ("13th April 2017", "13 April 2017"),
        ("1 May — 3 June 2017", "1 May – 3 June 2017"),
        ("2016—2017", "2016–2017"),
    ],
)
def test_suggestions_for_common_slips(text: str, fixed: str) -> None:
    with pytest.raises(DateError) as info:
        parse_date(text)
    assert info.value.suggestion == fixed
    assert parse_date(fixed) is not None


def test_no_suggestion_for_impossible_dates() -> None:
    with pytest.raises(DateError) as info:
        parse_date("31 April 2017")
    assert info.value.suggestion == ""


def test_render_keeps_the_format() -> None:
    for text, expected in [
        ("13 April 2017", "2 January 2019"),
        ("April 13, 2017", "January 2, 2019"),
        ("2017-04-13", "2019-01-02"),
    ]:
        value = parse_date(text)
        assert value is not None
        assert value.render(D(2019, 1, 2)) == expected


def test_timestamps() -> None:
    assert parse_timestamp("20170413123456") == dt.datetime(2017, 4, 13, 12, 34, 56)
    with pytest.raises(DateError):
        parse_timestamp("2017041312345")
    with pytest.raises(DateError):
        parse_timestamp("20170230123456")
