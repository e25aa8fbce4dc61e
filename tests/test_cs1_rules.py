"""Each date rule of Module:Citation/CS1 (issue 11), both directions, through the checks.

``accepted`` means the date checks give no error on the field (a warning is allowed:
CS1 accepts hyphen ranges and converts them); the run date is fixed.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.checks import CheckConfig
from checker.checks import dates as date_checks
from checker.cli import main
from checker.dates import DateError, analyse, parse_date
from checker.dates.grammar import SHAPES
from checker.model import DateFormat, Finding, Precision, Reference, Severity

TODAY = dt.date(2026, 11, 27)
D = dt.date


def findings(field: str, value: str) -> list[Finding]:
    ref = Reference(id="1", **{field: value})
    return list(date_checks.check(ref, CheckConfig(today=TODAY)))


def accepted(value: str, field: str = "date") -> bool:
    return not any(
        f.severity is Severity.ERROR and field in f.fields for f in findings(field, value)
    )


# rule: (accepted examples, rejected examples) — CS1's verdicts on each.
RULES: dict[str, tuple[list[str], list[str]]] = {
    "disambiguating letter after every form": (
        ["2017a", "13 April 2017a", "April 13, 2017b", "2017–2018a", "c. 1900a", "n.d.a"],
        ["2017ab", "13 April 2017ab", "2017A1"],
    ),
    "years of three digits, from 100": (
        ["999", "1 January 999", "c. 950", "999–1000"],
        ["99", "c. 99", "1 January 099"],
    ),
    "Julian leap days before 1582": (
        ["29 February 1500", "29 February 1300", "February 29, 1100"],
        ["29 February 1301", "29 February 1700", "29 February 1900"],
    ),
    "season ranges across years": (
        ["Spring 2017 – Summer 2018", "Fall 2016 – Spring 2017"],
        ["Spring 2018 – Summer 2017", "Spring 2017 – June 2018", "Spring 2017 – Spring 2017"],
    ),
    "named dates": (
        ["Easter 2017", "Christmas 2017"],
        ["Thanksgiving 2017", "easter 2017", "Christmas–Easter 2017"],
    ),
    "no zero-padded days": (
        ["January 4, 1987", "4 January 1987", "1–3 June 2015"],
        ["January 04, 1987", "04 January 1987", "01–03 June 2015"],
    ),
    "numeric year-first dates from 1582": (
        ["1582-10-15", "2017-04-13"],
        ["1500-02-03", "1581-12-31"],
    ),
    "short-form ranges": (
        ["1–3 May 2017", "May 1–3, 2017", "May–June 2017", "1 May – 3 June 2017"],
        [
            "1 May – 3 May 2017",
            "May 2017 – June 2017",
            "1 May 2017 – 3 June 2017",
            "May 1, 2017 – June 3, 2017",
        ],
    ),
    "no empty ranges": (
        ["2–3 May 2017", "2016–2017"],
        ["May–May 2017", "3–3 May 2017", "2017–2017", "Summer–Summer 2017"],
    ),
    "months in a range both long or both short": (
        ["Jan–Mar 2017", "May–Jun 2017", "May–June 2017", "30 Jan – 1 Feb 2017"],
        ["Jan–March 2017", "30 Jan – 1 February 2017", "Dec 30, 2016 – January 1, 2017"],
    ),
    "season year ranges only Winter/Summer over consecutive years": (
        ["Winter 2017–18", "Summer 2017–2018", "Winter 1900–1901"],
        ["Spring 2017–18", "Fall 2017–2018", "Winter 2017–19", "Winter, 1900–1901"],
    ),
    "only the quarters the English Wikipedia defines": (
        ["First Quarter 2017", "Fourth Quarter 2017"],
        ["Quarter 1 2017", "Q1 2017", "Fifth Quarter 2017", "1st Quarter 2017"],
    ),
    "two-digit range ends that could read as months": (
        ["2003–13", "1998–99", "1999–2000"],
        ["2003–05", "2003–12", "2015-06"],
    ),
    "a range's end at most next year": (
        ["2025–2027", "2026–27", "December 2026 – January 2027"],
        ["2025–2028", "2026–28", "Winter 2027–28", "December 2026 – January 2028"],
    ),
    "c. with a space": (
        ["c. 1900", "c. 1900a"],
        ["c.1900", "c 1900", "ca. 1900", "circa 1900"],
    ),
}


@pytest.mark.parametrize("rule", list(RULES))
def test_rule_both_directions(rule: str) -> None:
    good, bad = RULES[rule]
    assert [v for v in good if not accepted(v)] == [], f"{rule}: rejected wrongly"
    assert [v for v in bad if accepted(v)] == [], f"{rule}: accepted wrongly"


def test_a_future_range_end_says_which_year() -> None:
    [finding] = findings("date", "2025–2028")
    assert finding.code == "date-in-future" and finding.severity is Severity.ERROR
    assert "names 2028, beyond next year" in finding.message
    [archive] = findings("archive_date", "2026–81")  # found by bench/cs1_oracle/fuzz.py
    assert archive.severity is Severity.ERROR and "names 2081" in archive.message
    [soon] = findings("date", "March 2027")  # a forthcoming work: a warning only
    assert soon.code == "date-in-future" and soon.severity is Severity.WARNING


@pytest.mark.parametrize("field", ["access_date", "archive_date"])
def test_no_date_and_periods_only_in_the_publication_date(field: str) -> None:
    assert accepted("n.d.") and accepted("Spring 2017") and accepted("c. 2015")
    for value in ["n.d.", "nd", "Spring 2017", "Christmas 2017", "First Quarter 2017", "c. 2015"]:
        assert not accepted(value, field), (field, value)
        invalid = [f for f in findings(field, value) if f.code == "invalid-date"]
        assert len(invalid) == 1 and "publication date only" in invalid[0].message


def test_retrieval_dates_follow_cs1() -> None:
    assert accepted("28 November 2026", "access_date")  # tomorrow: time zones
    assert not accepted("29 November 2026", "access_date")
    assert accepted("15 January 2001", "access_date")
    assert not accepted("14 January 2001", "access_date")
    assert not accepted("June 2015", "access_date")


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("2002-2003", "2002–2003"),
        ("1-3 May 2017", "1–3 May 2017"),
        ("April-May 2004", "April–May 2004"),
        ("2014-15", "2014–15"),
        ("30 May - 1 June 2015", "30 May – 1 June 2015"),
    ],
)
def test_hyphen_ranges_are_a_warning_with_the_en_dash(text: str, fixed: str) -> None:
    found = findings("date", text)
    assert [f.code for f in found] == ["date-range-hyphen"]
    assert found[0].severity is Severity.WARNING
    assert found[0].suggested == {"date": fixed}
    assert _interval(fixed) == _interval(text)  # the hyphen is read as the en dash


def _interval(text: str) -> tuple[dt.date, dt.date, Precision, DateFormat]:
    value = parse_date(text)
    assert value is not None
    return value.earliest, value.latest, value.precision, value.format


def test_hyphens_that_are_not_ranges_stay_quiet_or_invalid() -> None:
    assert findings("date", "2017-04-13") == []
    with pytest.raises(DateError):
        parse_date("2003-05")  # May 2003? CS1 rejects it


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("January 04, 1987", "January 4, 1987"),
        ("c.1900", "c. 1900"),
        ("Quarter 1 2017", "First Quarter 2017"),
        ("Q3 2017", "Third Quarter 2017"),
        ("1 May – 3 May 2017", "1–3 May 2017"),
        ("May 1 – May 3, 2017", "May 1–3, 2017"),
        ("May 2017 – June 2017", "May–June 2017"),
        ("1 May 2017 – 3 June 2017", "1 May – 3 June 2017"),
        ("May 1, 2017 – June 3, 2017", "May 1 – June 3, 2017"),
        ("Jan–March 2017", "January–March 2017"),
        ("May–May 2017", "May 2017"),
        ("2002/2003", "2002–2003"),
        ("July/August 2003", "July–August 2003"),
        ("3–3 May 2017", "3 May 2017"),
        ("February, 1900", "February 1900"),
        ("Winter, 1900–1901", "Winter 1900–1901"),
    ],
)
def test_suggestions_for_cs1_rules(text: str, fixed: str) -> None:
    with pytest.raises(DateError) as info:
        parse_date(text)
    assert info.value.suggestion == fixed
    assert parse_date(fixed) is not None


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "precision", "fmt"),
    [
        ("Easter 2017", D(2017, 3, 1), D(2017, 5, 31), Precision.SEASON, DateFormat.Y),
        ("Christmas 2017", D(2017, 12, 1), D(2017, 12, 31), Precision.SEASON, DateFormat.Y),
        ("29 February 1300", D(1300, 2, 28), D(1300, 3, 1), Precision.DAY, DateFormat.DMY),
        ("999", D(999, 1, 1), D(999, 12, 31), Precision.YEAR, DateFormat.Y),
        ("Winter 2017–18", D(2017, 1, 1), D(2019, 3, 31), Precision.RANGE, DateFormat.Y),
        ("Summer–Spring 2017", D(2017, 1, 1), D(2017, 12, 31), Precision.RANGE, DateFormat.Y),
        ("13 April 2017a", D(2017, 4, 13), D(2017, 4, 13), Precision.DAY, DateFormat.DMY),
    ],
)
def test_values_of_the_new_shapes(
    text: str, earliest: dt.date, latest: dt.date, precision: Precision, fmt: DateFormat
) -> None:
    value = parse_date(text)
    assert value is not None
    assert (value.earliest, value.latest, value.precision, value.format) == (
        earliest,
        latest,
        precision,
        fmt,
    )


def test_the_shape_table_reads_like_the_module() -> None:
    names = [shape.name for shape in SHAPES]
    assert names == [
        "ymd", "Mdy", "Md-dy", "dMy", "d-dMy", "dM-dMy", "Md-Mdy", "dMy-dMy", "Mdy-Mdy",
        "Sy4-y2", "Sy-y", "My-My", "M-My", "My", "y-y", "y4-y2", "y",
    ]  # fmt: skip
    parsed = analyse("Winter 2017–18")
    assert parsed is not None and parsed.shape == "Sy4-y2" and parsed.last_year == 2018


def test_hyphen_range_warning_and_fix_through_the_cli(tmp_path: Path) -> None:
    src = tmp_path / "references.csv"
    src.write_text(
        "id,title,date,access_date\n"
        "1,Annual report,2002-2003,\n"
        '2,Padded,"January 04, 1987",\n'
        "3,Fine,Easter 2017,\n",
        encoding="utf-8",
    )
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        main, ["check", str(src), "--offline", "--out", str(out), "--today", TODAY.isoformat()]
    )
    assert result.exit_code == 1, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    by_ref = {r["id"]: r["findings"] for r in report["references"]}
    assert [(f["code"], f["severity"]) for f in by_ref["1"]] == [("date-range-hyphen", "warning")]
    assert by_ref["1"][0]["suggested"] == {"date": "2002–2003"}
    assert [(f["code"], f["suggested"]) for f in by_ref["2"]] == [
        ("invalid-date", {"date": "January 4, 1987"})
    ]
    assert by_ref.get("3", []) == []
    patched = CliRunner().invoke(
        main,
        ["patch", str(src), "--report", str(out / "report.json"), "--accept-date-fixes", "--write"],
    )
    assert patched.exit_code == 0, patched.output
    assert src.read_text(encoding="utf-8") == (
        "id,title,date,access_date\n"
        "1,Annual report,2002–2003,\n"
        '2,Padded,"January 4, 1987",\n'
        "3,Fine,Easter 2017,\n"
    )
