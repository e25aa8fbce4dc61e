"""Cell-exact CSV editing: find every cell's span in the original text and replace only
the cells asked for, so quoting style, line endings, encoding, column order and every
other byte stay as they were.

The scanner follows RFC 4180 (and what Python's ``csv`` module reads): ``"`` quotes a
cell, ``""`` is a quote inside one, records end at LF, CRLF or CR outside quotes.  Its
reading is checked against the ``csv`` module's on every row; if the two disagree the
file is not edited at all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

from checker.importers.csv_format import allow_cells_up_to


class CsvEditError(ValueError):
    """The file cannot be edited safely (the reason says why)."""


@dataclass(frozen=True, slots=True)
class Cell:
    start: int  #: offset of the first character (the opening quote when quoted)
    end: int  #: offset after the last character (after the closing quote)
    quoted: bool
    value: str


@dataclass(frozen=True, slots=True)
class Record:
    cells: tuple[Cell, ...]
    end: int  #: offset of the record's line ending (or of the end of the text)


def scan(text: str, delimiter: str = ",") -> list[Record]:
    records: list[Record] = []
    cells: list[Cell] = []
    i, n = 0, len(text)
    while i < n or cells:
        start = i
        if i < n and text[i] == '"':
            value, i = _quoted(text, i)
            cells.append(Cell(start, i, True, value))
        else:
            while i < n and text[i] not in (delimiter, "\n", "\r"):
                i += 1
            cells.append(Cell(start, i, False, text[start:i]))
        if i < n and text[i] == delimiter:
            i += 1
            continue
        records.append(Record(tuple(cells), i))
        cells = []
        if i < n and text[i] == "\r":
            i += 1
        if i < n and text[i] == "\n":
            i += 1
        if i >= n:
            break
    return records


def _quoted(text: str, i: int) -> tuple[str, int]:
    out: list[str] = []
    i += 1
    while True:
        j = text.find('"', i)
        if j < 0:
            raise CsvEditError("a quoted cell is never closed")
        out.append(text[i:j])
        if j + 1 < len(text) and text[j + 1] == '"':
            out.append('"')
            i = j + 2
            continue
        return "".join(out), j + 1


def _blank(record: Record) -> bool:
    return len(record.cells) == 1 and not record.cells[0].quoted and not record.cells[0].value


def render(value: str, was_quoted: bool, delimiter: str = ",") -> str:
    """A cell as written: quoted if it was, or if the value needs it."""
    needs = any(ch in value for ch in (delimiter, '"', "\n", "\r")) or value != value.strip()
    if was_quoted or needs:
        return '"' + value.replace('"', '""') + '"'
    return value


def verify(text: str, records: list[Record], delimiter: str = ",") -> None:
    """Refuse to edit when our reading differs from the csv module's."""
    allow_cells_up_to(len(text))
    theirs = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    blank = [len(r.cells) == 1 and not r.cells[0].quoted and not r.cells[0].value for r in records]
    ours = [
        [c.value for c in r.cells] for r, empty in zip(records, blank, strict=True) if not empty
    ]
    theirs = [row for row in theirs if row]
    if ours != theirs:
        raise CsvEditError("the file's CSV dialect is ambiguous; not editing it")


def edit(
    text: str,
    changes: Mapping[int, Mapping[int, str]],
    delimiter: str = ",",
    pad_to: int | None = None,
) -> str:
    """``text`` with ``changes`` {record index: {column index: new value}} applied; with
    ``pad_to``, every record (blank lines aside) shorter than that gets empty cells."""
    records = scan(text, delimiter)
    verify(text, records, delimiter)
    pieces: list[str] = []
    pos = 0
    indexes = set(changes)
    if pad_to is not None:
        indexes.update(i for i, r in enumerate(records) if len(r.cells) < pad_to and not _blank(r))
    for index in sorted(indexes):
        if index >= len(records):
            raise CsvEditError(f"record {index} does not exist")
        record = records[index]
        width = len(record.cells)
        wanted = changes.get(index, {})
        inside = {c: v for c, v in wanted.items() if c < width}
        beyond = {c: v for c, v in wanted.items() if c >= width}
        if pad_to is not None and width < pad_to:
            beyond = {c: beyond.get(c, "") for c in range(width, max(pad_to, *beyond, width))}
        for column in sorted(inside):
            cell = record.cells[column]
            pieces.append(text[pos : cell.start])
            # An empty lone cell must be quoted, or the row would read as a blank line.
            lone_empty = width == 1 and not inside[column]
            pieces.append(render(inside[column], cell.quoted or lone_empty, delimiter))
            pos = cell.end
        if beyond:  # a short row: pad it with empty cells up to the last column changed
            pieces.append(text[pos : record.end])
            extra = [
                render(beyond.get(c, ""), False, delimiter) for c in range(width, max(beyond) + 1)
            ]
            pieces.append(delimiter + delimiter.join(extra))
            pos = record.end
    pieces.append(text[pos:])
    return "".join(pieces)
