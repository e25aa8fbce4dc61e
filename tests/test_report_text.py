"""Report text written without the csv module's writer per row is what it writes:
report.csv's reference rows rendered cell by cell (short repeated values kept once
rendered) are the bytes ``csv.writer`` gives for the same rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from typing import Any

import pytest

from checker.model import CheckResult, Finding, Location, Reference, RunInfo, Severity
from checker.reports import csv_report, records

#: characters the csv module quotes for, the formula guard's starts, spaces at the ends,
#: control and non-ASCII characters, a lone surrogate
ALPHABET = list("ab ,\"\r\n\t=+-@\x00\x1f\x7f\x85é\u2028\ud800;'")


def _csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def _values(rng: random.Random, count: int) -> list[str]:
    return ["".join(rng.choices(ALPHABET, k=rng.randrange(0, 6))) for _ in range(count)]


@pytest.mark.parametrize("seed", range(5))
def test_cells_are_what_the_csv_module_writes(seed: int) -> None:
    rng = random.Random(seed)
    cells = csv_report.Cells()
    for _ in range(400):
        values = _values(rng, rng.randrange(1, 6))
        keep = [rng.choice([-1, 3, 100]) for _ in values]
        # in a row of more cells (a lone empty cell is written ""), without ",z\r\n"
        expected = _csv_text([[*(csv_report.guard(v) for v in values), "z"]])[:-4]
        assert cells.row(values, keep) == expected, values
        assert cells.row(values, keep) == expected, values  # again: kept ones looked up


def test_usual_cells_pass_through_and_repeated_ones_are_kept() -> None:
    cells = csv_report.Cells()
    assert cells.row(["Walker, Shaun", "plain", "=1+1", ""], [48] * 4) == (
        '"Walker, Shaun",plain,\'=1+1,'
    )
    assert "Walker, Shaun" in cells._kept and "plain" in cells._kept
    assert cells.row(["x" * 60, "unique"], [48, -1]) == "x" * 60 + ",unique"
    assert "x" * 60 not in cells._kept and "unique" not in cells._kept


def _reference(rng: random.Random, index: int) -> Reference:
    texts = _values(rng, 16)
    return Reference(
        id=texts[0] or str(index),
        url=texts[1],
        title=texts[2],
        author=rng.choice(["Walker, Shaun", "=cmd", texts[3]]),
        work=texts[4],
        date=rng.choice(["April 13, 2017", "13 April 2017", texts[5]]),
        access_date=texts[6],
        archive_url=texts[7],
        archive_date=texts[8],
        isbn=texts[9],
        quote=texts[10],
        location=rng.choice(
            [Location("refs.csv", index + 2), Location("page.html", None, texts[11]), None]
        ),
    )


def _rows(record: dict[str, Any]) -> list[list[str]]:
    """A reference's rows as report.csv's columns say (HEADER): id, line, the finding's
    five cells (five empty ones without a finding), the reference's fields; every cell
    behind the formula guard."""
    fields = [record["fields"][name] for name in csv_report.REFERENCE_COLUMNS]
    first = [record["id"], records.place(record["location"])]
    findings = [
        [f["severity"], f["code"], f["field"], f["message"], f["suggestion"]]
        for f in record["findings"]
    ] or [[""] * 5]
    rows = [[*first, *finding, *fields] for finding in findings]
    assert all(len(row) == len(csv_report.HEADER) for row in rows)
    return [[csv_report.guard(str(cell)) for cell in row] for row in rows]


@pytest.mark.parametrize("seed", range(3))
def test_reference_text_is_csv_writer_on_the_reference_rows(seed: int) -> None:
    rng = random.Random(seed)
    cells = csv_report.Cells()
    for index in range(300):
        ref = _reference(rng, index)
        findings = [
            Finding(
                rng.choice(["invalid-date", "=code"]),
                rng.choice(list(Severity)),
                rng.choice(["Retrieval date 'April 13, 2017' is late", *_values(rng, 1)]),
                ref.id,
                fields=("date",),
                suggestion=rng.choice(["", 'write "13 April 2017"', *_values(rng, 1)]),
            )
            for _ in range(rng.randrange(0, 3))
        ]
        record = records.reference_record(ref, findings)
        line = records.place(record["location"])
        expected = _csv_text(_rows(record))
        assert csv_report.reference_text(ref, record["findings"], line, cells) == expected


@pytest.mark.parametrize(
    "location",
    [Location("refs.csv", 12), Location("page.html", None, "cite_note-3"), Location("x.txt")],
)
def test_location_text_is_the_location_s(location: Location) -> None:
    record = records.location_record(Reference("1", location=location))
    assert record is not None and record["text"] == str(location)


def test_findings_of_a_reference_without_any_is_empty_and_others_worst_first() -> None:
    refs = (Reference("a"), Reference("b"), Reference("c"))
    findings = (
        Finding("w", Severity.WARNING, "warn", "b"),
        Finding("e", Severity.ERROR, "err", "b"),
        Finding("i", Severity.INFO, "note", "c"),
    )
    recs = records.Records(_result(refs, findings))
    assert recs.findings_of(refs[0]) == []
    assert [f["code"] for f in recs.findings_of(refs[1])] == ["e", "w"]
    assert [f["code"] for f in recs.findings_of(refs[2])] == ["i"]


def _result(refs: tuple[Reference, ...], findings: tuple[Finding, ...]) -> CheckResult:
    when = dt.datetime(2026, 11, 24, tzinfo=dt.UTC)
    run = RunInfo("0", when, when, when.date(), "refs.csv", "csv", True, "error")
    return CheckResult(refs, findings, (), run)
