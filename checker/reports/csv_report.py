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


def rows(result: CheckResult) -> Iterator[list[str | int]]:
    """The data rows (without the header), formula guard applied."""
    empty_reference = [""] * len(REFERENCE_COLUMNS)
    for finding in result.list_findings():
        cells = _finding_cells(records.finding_record(finding))
        yield [LIST_ID, "", *(guard(c) for c in cells), *empty_reference]

    grouped = result.findings_by_ref()
    for ref in result.references:
        record = records.reference_record(ref, grouped.get(ref.id, []))
        line = records.place(record["location"])  # the line, or #anchor (HTML input)
        fields: dict[str, str] = record["fields"]
        ref_id = guard(ref.id)
        reference = [guard(fields[name]) for name in REFERENCE_COLUMNS]
        if not record["findings"]:
            yield [ref_id, line, "", "", "", "", "", *reference]
            continue
        for finding in record["findings"]:
            cells = [guard(c) for c in _finding_cells(finding)]
            yield [ref_id, line, *cells, *reference]


def write(result: CheckResult, exit_code: int, path: Path) -> None:
    """Write report.csv (UTF-8, no BOM, CRLF line ends as RFC 4180 asks)."""
    del exit_code  # the CSV has no run metadata; report.json carries it
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows(result))
