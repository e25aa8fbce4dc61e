"""report.csv: one row per (reference, finding), for spreadsheets and ad-hoc scripts.

Columns: ``id, line, severity, code, field, message, suggestion`` and then the known
fields of the reference (``KNOWN_FIELDS`` minus ``id``).  A reference without findings
gets one row with the finding columns empty; list-level findings come first, with the id
``(list)``.  References follow in input order, each one's findings worst first (the
order of report.json).

Rows are streamed, so a list of a million references never needs the whole table in
memory.  The reference rows are written as text by :class:`Cells` (each cell exactly as
the csv module writes it; a short value, such as a date, an author or a message,
rendered once and then looked up), the header and the list-level rows by the csv
module itself.  Every text cell that a spreadsheet would read as a formula
(starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) gets a leading ``'``;
that guard belongs to this report only, never to files citewatch reads or writes back.
"""

from __future__ import annotations

import csv
import io
import operator
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from checker.model import KNOWN_FIELDS, CheckResult, Reference
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


#: A cell the csv module writes as it is (default dialect, QUOTE_MINIMAL): no delimiter,
#: quote, line end or other control character, no space at either end.  Anything else
#: is rendered by the csv module itself (:meth:`Cells.render`).
_PLAIN = re.compile('(?![\\s])[^,"\x00-\x1f\x7f]*(?<![\\s])')


class Cells:
    """report.csv's cells as ``csv.writer`` writes them in a row (formula guard
    applied): a value the csv module writes as it is passes through, any other is
    written by the csv module alone.  Values of the columns that repeat (short dates,
    names, outlets, ISBNs; the finding columns) are kept once rendered: a long list
    repeats a few thousand of them."""

    #: at most this many values are kept
    KEEP_MAX = 1 << 17

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)
        self._kept: dict[str, str] = {"": ""}

    def render(self, value: str) -> str:
        """``value`` guarded and quoted as the csv module writes it in a row."""
        if value[:1] in _FORMULA_FIRST:
            value = "'" + value
        if value and _PLAIN.fullmatch(value):
            return value
        buffer = self._buffer
        buffer.seek(0)
        buffer.truncate()
        self._writer.writerow((value, ""))  # two cells: a lone empty cell is written ""
        return buffer.getvalue()[:-3]  # without the second cell's "," and the "\r\n"

    def row(self, values: Sequence[str], keep: Sequence[int]) -> str:
        """The cells of ``values`` joined by commas (without a line end); a value is kept
        once rendered if it is at most its ``keep`` characters long."""
        kept = self._kept
        cells = list(map(kept.get, values))
        missing = cells.count(None)
        if missing:  # each found by the list's own search, not a loop over every cell
            room = len(kept) < self.KEEP_MAX
            index = -1
            for _ in range(missing):
                index = cells.index(None, index + 1)
                value = values[index]
                cell = cells[index] = self.render(value)
                if room and len(value) <= keep[index]:
                    kept[value] = cell
        return ",".join(cells)  # type: ignore[arg-type]  # no None is left


#: The reference columns whose values repeat across a list (the others: URLs, titles,
#: quotes, DOIs are mostly one of a kind, so they are rendered, not kept).
_REPEATING = frozenset(
    {"author", "work", "publisher", "date", "access_date", "archive_date", "url_status"}
    | {"isbn", "issn", "language"}
)
#: the longest value kept, by column: short values of the repeating reference columns,
#: every value of the finding columns (a few thousand messages and suggestions repeat)
_KEEP_REFERENCE = tuple(48 if name in _REPEATING else -1 for name in REFERENCE_COLUMNS)
_KEEP_FINDING = (1 << 20,) * 5
_REFERENCE_VALUES = operator.attrgetter(*REFERENCE_COLUMNS)


def reference_text(ref: Reference, findings: list[dict[str, Any]], line: str, cells: Cells) -> str:
    """The rows of ``ref`` (``line``: its place, :func:`records.place`) as report.csv's
    text: what ``csv.writer`` writes for its rows (its id, its place, the finding's five
    cells or five empty ones, its reference columns; the formula guard applied)."""
    reference = cells.row(_REFERENCE_VALUES(ref), _KEEP_REFERENCE)
    ref_id = ref.id
    if ref_id[:1] in _FORMULA_FIRST or not _PLAIN.fullmatch(ref_id):
        ref_id = cells.render(ref_id)
    if not line.isdigit():  # "#anchor" (HTML input), or none
        line = cells.render(line)
    if not findings:
        return f"{ref_id},{line},,,,,,{reference}\r\n"
    return "".join(
        [
            f"{ref_id},{line},{cells.row(_finding_cells(finding), _KEEP_FINDING)},{reference}\r\n"
            for finding in findings
        ]
    )


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


def head(recs: records.Records, out: IO[str]) -> Cells:
    """The header row and the list-level findings' rows, written by the csv module; the
    :class:`Cells` that :func:`item` writes the references' rows with."""
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(list_rows(recs))
    return Cells()


def item(ref: Reference, record: dict[str, Any], out: IO[str], cells: Cells) -> None:
    """The rows of one reference (its record from :class:`records.Records`)."""
    out.write(reference_text(ref, record["findings"], records.place(record["location"]), cells))


def write(
    result: CheckResult, exit_code: int, path: Path, recs: records.Records | None = None
) -> None:
    """Write report.csv (UTF-8, no BOM, CRLF line ends as RFC 4180 asks)."""
    del exit_code  # the CSV has no run metadata; report.json carries it
    recs = recs or records.Records(result)
    with path.open("w", encoding="utf-8", newline="") as out:
        cells = head(recs, out)
        for ref in result.references:
            item(ref, recs.reference(ref), out, cells)
