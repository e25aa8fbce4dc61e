"""Dates of other wikis: CLDR shapes per language (babel), precision and written style
kept, calendar checked, English unchanged, the date checks per language."""

from __future__ import annotations

import datetime as dt

import pytest

from checker.checks import CheckConfig, run_checks
from checker.dates import DateError, parse_date
from checker.i18n.dates import grammar, parse_in, render
from checker.model import DateFormat, Precision, Reference

D = dt.date

# (lang, written, earliest, latest, precision, order, style)
VALID = [
    ("de", "18. April 2023", D(2023, 4, 18), D(2023, 4, 18), "day", "dmy", "d. MMMM y"),
    ("de", "18.04.2023", D(2023, 4, 18), D(2023, 4, 18), "day", "dmy", "dd.MM.y"),
    ("de", "18. Apr. 2023", D(2023, 4, 18), D(2023, 4, 18), "day", "dmy", "d. MMM y"),
    ("de", "April 2023", D(2023, 4, 1), D(2023, 4, 30), "month", "my", "MMMM y"),
    ("de", "2023-04-18", D(2023, 4, 18), D(2023, 4, 18), "day", "ymd", ""),
    ("fr", "1er mars 2019", D(2019, 3, 1), D(2019, 3, 1), "day", "dmy", "d MMMM y"),
    ("fr", "23 juillet 2016", D(2016, 7, 23), D(2016, 7, 23), "day", "dmy", "d MMMM y"),
    ("fr", "décembre 2004", D(2004, 12, 1), D(2004, 12, 31), "month", "my", "MMMM y"),
    ("fr", "29-06-2020", D(2020, 6, 29), D(2020, 6, 29), "day", "dmy", "dd-MM-y"),
    ("es", "18 de abril de 2023", D(2023, 4, 18), D(2023, 4, 18), "day", "dmy",
     "d 'de' MMMM 'de' y"),
    ("es", "abril de 2023", D(2023, 4, 1), D(2023, 4, 30), "month", "my", "MMMM 'de' y"),
    ("it", "18 aprile 2023", D(2023, 4, 18), D(2023, 4, 18), "day", "dmy", "d MMMM y"),
    ("it", "1º gennaio 2020", D(2020, 1, 1), D(2020, 1, 1), "day", "dmy", "d MMMM y"),
    ("pt", "22 de dezembro de 2013", D(2013, 12, 22), D(2013, 12, 22), "day", "dmy",
     "d 'de' MMMM 'de' y"),
    ("ru", "18 апреля 2023", D(2023, 4, 18), D(2023, 4, 18), "day", "dmy", "d MMMM y"),
    ("ru", "17 февраля 2012 года", D(2012, 2, 17), D(2012, 2, 17), "day", "dmy",
     "d MMMM y 'года'"),
    ("ru", "апрель 2023", D(2023, 4, 1), D(2023, 4, 30), "month", "my", "LLLL y"),
    ("pl", "3 grudnia 2008", D(2008, 12, 3), D(2008, 12, 3), "day", "dmy", "d MMMM y"),
    ("pl", "kwiecień 2023", D(2023, 4, 1), D(2023, 4, 30), "month", "my", "LLLL y"),
    ("nl", "18 april 2023", D(2023, 4, 18), D(2023, 4, 18), "day", "dmy", "d MMMM y"),
    ("sv", "18 april 2023", D(2023, 4, 18), D(2023, 4, 18), "day", "dmy", "d MMMM y"),
    ("ja", "2023年4月18日", D(2023, 4, 18), D(2023, 4, 18), "day", "ymd", "y年M月d日"),
    ("ja", "2023年4月", D(2023, 4, 1), D(2023, 4, 30), "month", "my", "y年M月"),
    ("zh", "2023年4月18日", D(2023, 4, 18), D(2023, 4, 18), "day", "ymd", "y年M月d日"),
    ("de", "2023", D(2023, 1, 1), D(2023, 12, 31), "year", "y", ""),
]  # fmt: skip


@pytest.mark.parametrize(("lang", "text", "start", "end", "precision", "order", "style"), VALID)
def test_dates_of_other_wikis(
    lang: str, text: str, start: dt.date, end: dt.date, precision: str, order: str, style: str
) -> None:
    value = parse_in(text, lang)
    assert value is not None
    assert (value.earliest, value.latest) == (start, end)
    assert value.precision is Precision(precision)
    assert value.format is DateFormat(order)
    assert value.style == style
    assert value.raw == text


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("de", "31.02.2023"),  # no 31 February
        ("de", "29. Februar 2023"),  # not a leap year
        ("de", "18. Foo 2023"),
        ("fr", "32 mars 2019"),
        ("es", "18 de abrill de 2023"),
        ("ru", "18 апрелья 2023"),
        ("ja", "2023年13月1日"),
        ("pl", "18.13.2023"),
    ],
)
def test_invalid_dates_of_other_wikis(lang: str, text: str) -> None:
    with pytest.raises(DateError):
        parse_in(text, lang)


def test_month_names_come_from_cldr_format_and_stand_alone() -> None:
    ru = grammar("ru")
    assert ru is not None
    assert ru.wide["апреля"] == 4 and ru.wide["апрель"] == 4  # genitive and nominative
    pl = grammar("pl")
    assert pl is not None and pl.wide["kwietnia"] == 4 and pl.wide["kwiecień"] == 4


def test_english_is_the_cs1_grammar_unchanged() -> None:
    for text in ("13 April 2017", "April 13, 2017", "2017-04-13", "1–3 May 2017", "c. 1900"):
        assert parse_in(text, "") == parse_date(text)
        assert parse_in(text, "en") == parse_date(text)
    with pytest.raises(DateError):
        parse_in("18. April 2023", "")


def test_another_wiki_also_reads_english_cs1_dates() -> None:
    value = parse_in("8 December 2016", "pt")  # {{Citar web}} written with English dates
    assert value is not None and value.earliest == D(2016, 12, 8) and value.style == ""


@pytest.mark.parametrize(
    ("lang", "style", "expected"),
    [
        ("de", "d. MMMM y", "18. April 2023"),
        ("fr", "d MMMM y", "18 avril 2023"),
        ("es", "d 'de' MMMM 'de' y", "18 de abril de 2023"),
        ("ru", "d MMMM y", "18 апреля 2023"),
        ("ja", "y年M月d日", "2023年4月18日"),
    ],
)
def test_render_in_a_language(lang: str, style: str, expected: str) -> None:
    assert render(D(2023, 4, 18), lang, style) == expected
    value = parse_in(expected, lang)
    assert value is not None and value.render(D(2024, 1, 2)) == render(D(2024, 1, 2), lang, style)


def _refs(*dates: tuple[str, str]) -> list[Reference]:
    return [
        Reference(id=str(n), url="https://example.org/", date=date, access_date=access)
        for n, (date, access) in enumerate(dates, start=1)
    ]


def test_mixed_formats_per_language() -> None:
    config = CheckConfig(today=D(2024, 1, 1), lang="de")
    same = _refs(("1. März 2020", "18. April 2023"), ("2. März 2020", "19. April 2023"))
    assert not [f for f in run_checks(same, config) if f.code == "mixed-date-formats"]
    mixed = _refs(("1. März 2020", "18. April 2023"), ("2. März 2020", "19.04.2023"))
    found = [f for f in run_checks(mixed, config) if f.code == "mixed-date-formats"]
    assert len(found) == 1
    assert found[0].related == ("2",)
    assert set(found[0].values) == {"d. MMMM y", "dd.MM.y"}


def test_date_checks_parse_in_the_list_language() -> None:
    refs = _refs(("18. April 2023", "17. April 2023"))
    german = run_checks(refs, CheckConfig(today=D(2024, 1, 1), lang="de"))
    assert {f.code for f in german} >= {"access-before-publication"}
    assert "invalid-date" not in {f.code for f in german}
    english = run_checks(refs, CheckConfig(today=D(2024, 1, 1)))
    assert "invalid-date" in {f.code for f in english}


def test_a_mistyped_year_is_fixed_in_the_languages_own_format() -> None:
    refs = _refs(("10. Dezember 2022", "5. Januar 2022"))
    found = run_checks(refs, CheckConfig(today=D(2024, 1, 1), lang="de"))
    before = next(f for f in found if f.code == "access-before-publication")
    assert before.suggested == {"access_date": "5. Januar 2023"}
