"""report.csv: one row per (reference, finding), for spreadsheets and ad-hoc scripts.

Columns: ``id, line, severity, code, field, message, suggestion`` and then the known
fields of the reference (``KNOWN_FIELDS`` minus ``id``).  A reference without findings
gets one row with the finding columns empty; list-level findings come first, with the id
``(list)``.  References follow in input order, each one's findings worst first (the
order of report.json).

Rows are streamed with the csv module, so a list of a million references never needs
the whole table in memory.  Every text cell that a spreadsheet would read as a formula
(starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) gets a leading ``'``;
that guard belongs to this report only, never to files citewatch reads or writes back.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from checker.model import KNOWN_FIELDS, CheckResult
from checker.reports import records

FINDING_COLUMNS: tuple[str, ...] = (
    "id",
    "line",
    "severity",
    "code",
    "field",
    "message",
    "suggestion",
)
REFERENCE_COLUMNS: tuple[str, ...] = tuple(name for name in KNOWN_FIELDS if name != "id")
HEADER: tuple[str, ...] = FINDING_COLUMNS + REFERENCE_COLUMNS
LIST_ID = "(list)"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(_FORMULA_START)  #: every start is one character


def guard(value: str) -> str:
    """Defuse a cell a spreadsheet would evaluate as a formula."""
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _finding_cells(finding: dict[str, Any]) -> list[str]:
    return [
        finding["severity"],
        finding["code"],
        finding["field"],
        finding["message"],
        finding["suggestion"],
    ]


def list_rows(recs: records.Records) -> Iterator[list[str | int]]:
    """The rows of the list-level findings."""
    empty_reference = [""] * len(REFERENCE_COLUMNS)
    for finding in recs.list_findings:
        cells = _finding_cells(finding)
        yield [LIST_ID, "", *(guard(c) for c in cells), *empty_reference]


def reference_rows(record: dict[str, Any]) -> Iterator[list[str | int]]:
    """The rows of one reference's record (one row when it has no findings)."""
    line = records.place(record["location"])  # the line, or #anchor (HTML input)
    fields: dict[str, str] = record["fields"]
    ref_id = guard(record["id"])
    # guard() inlined: a million references have some fifteen million cells
    reference = [
        "'" + value if value[:1] in _FORMULA_FIRST else value
        for value in map(fields.__getitem__, REFERENCE_COLUMNS)
    ]
    if not record["findings"]:
        yield [ref_id, line, "", "", "", "", "", *reference]
        return
    for finding in record["findings"]:
        cells = [guard(c) for c in _finding_cells(finding)]
        yield [ref_id, line, *cells, *reference]


def rows(result: CheckResult, recs: records.Records | None = None) -> Iterator[list[str | int]]:
    """The data rows (without the header), formula guard applied."""
    recs = recs or records.Records(result)
    yield from list_rows(recs)
    for ref in result.references:
        yield from reference_rows(recs.reference(ref))


def write(
    result: CheckResult, exit_code: int, path: Path, recs: records.Records | None = None
) -> None:
    """Write report.csv (UTF-8, no BOM, CRLF line ends as RFC 4180 asks)."""
    del exit_code  # the CSV has no run metadata; report.json carries it
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows(result, recs))
