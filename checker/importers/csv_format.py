"""The canonical format: references.csv with a header row.

``id`` is the only required column.  Known columns follow Wikipedia's citation
parameters (hyphenated and run-together aliases such as ``access-date`` and
``accessdate`` are accepted); every other column is kept, in order, and written back
untouched.  A bad row never stops the read: it becomes an :class:`InputProblem`
naming file, line and field, and the row still appears in the table.
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import io

from checker.importers.decoding import bad_bytes, clean, decode
from checker.model import KNOWN_FIELDS, ImportResult, InputProblem, Location, Reference

#: Wikipedia parameter aliases and common spellings of the canonical columns.
ALIASES: dict[str, str] = {
    "accessdate": "access_date",
    "access_date": "access_date",
    "retrieved": "access_date",
    "archiveurl": "archive_url",
    "archivedate": "archive_date",
    "urlstatus": "url_status",
    "deadurl": "url_status",
    "website": "work",
    "newspaper": "work",
    "journal": "work",
    "magazine": "work",
    "periodical": "work",
    "authors": "author",
    "lang": "language",
}


def canonical_name(header: str) -> str | None:
    """The canonical column a header cell names, or None if it is not a known one."""
    key = header.strip().lower().replace("-", "_").replace(" ", "_")
    if key in KNOWN_FIELDS:
        return key
    return ALIASES.get(key) or ALIASES.get(key.replace("_", ""))


def sniff_delimiter(text: str, path: str = "") -> str:
    """Comma, tab (``.tsv`` or a tab-separated header) or semicolon (spreadsheets in
    locales with a decimal comma export that), judged from the header row."""
    if path.lower().endswith(".tsv"):
        return "\t"
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def read(path: str, data: bytes) -> ImportResult:
    text = decode(data)
    problems: list[InputProblem] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text, path))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as err:
        problem = InputProblem(path, 1, None, f"no header row ({err or 'empty'})", fatal=True)
        return ImportResult((), (problem,), source=path, format="csv")

    columns, mapping = _read_header(path, header, problems)
    refs: list[Reference] = []
    seen_ids: dict[str, int] = {}
    line = reader.line_num + 1
    while True:
        start = line
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            problems.append(InputProblem(path, start, None, f"malformed CSV: {err}"))
            line = reader.line_num + 1
            continue
        line = reader.line_num + 1
        if not row or all(not cell.strip() for cell in row):
            continue
        first = len(problems)
        ref = _row_reference(path, start, row, header, mapping, seen_ids, problems)
        # The row's own problems belong to its reference (shown on it in every report).
        problems[first:] = [dataclasses.replace(p, ref_id=ref.id) for p in problems[first:]]
        refs.append(ref)
    return ImportResult(tuple(refs), tuple(problems), tuple(columns), source=path, format="csv")


def _read_header(
    path: str, header: list[str], problems: list[InputProblem]
) -> tuple[list[str], list[str | None]]:
    """Column names for the table, and per input column its canonical field (or None)."""
    mapping: list[str | None] = []
    columns: list[str] = []
    taken: set[str] = set()
    for index, cell in enumerate(header):
        name = clean(cell).strip()
        known = canonical_name(name)
        if known in taken:
            problems.append(
                InputProblem(path, 1, name, f"column {index + 1} repeats column {known!r}")
            )
            known = None
        if known:
            taken.add(known)
            mapping.append(known)
            columns.append(known)
            continue
        mapping.append(None)
        columns.append(name or f"column_{index + 1}")
        close = difflib.get_close_matches(name.lower(), KNOWN_FIELDS, n=1, cutoff=0.8)
        if close:
            problems.append(
                InputProblem(
                    path,
                    1,
                    name,
                    f"unknown column {name!r}: did you mean {close[0]!r}? "
                    "(kept as an extra column)",
                )
            )
    if "id" not in taken:
        problems.append(
            InputProblem(
                path, 1, "id", "required column 'id' is missing; rows are numbered by line instead"
            )
        )
    return columns, mapping


def _row_reference(
    path: str,
    line: int,
    row: list[str],
    header: list[str],
    mapping: list[str | None],
    seen_ids: dict[str, int],
    problems: list[InputProblem],
) -> Reference:
    if len(row) != len(header):
        problems.append(
            InputProblem(
                path,
                line,
                None,
                f"row has {len(row)} cells but the header has {len(header)}"
                + ("; extra cells ignored" if len(row) > len(header) else "; missing cells empty"),
            )
        )
    known: dict[str, str] = {}
    extra: dict[str, str] = {}
    for index, raw in enumerate(row[: len(header)]):
        name = mapping[index]
        label = name or header[index]
        bad = bad_bytes(raw)
        value = raw
        if bad:
            problems.append(
                InputProblem(
                    path,
                    line,
                    label,
                    f"undecodable byte(s) {bad} (not UTF-8); replaced with U+FFFD",
                )
            )
            value = clean(raw)
        if name:
            known[name] = value.strip()
        else:
            extra[clean(header[index]).strip() or f"column_{index + 1}"] = value
    ref_id = known.pop("id", "")
    if not ref_id:
        ref_id = f"line-{line}"
        if "id" in mapping:
            problems.append(InputProblem(path, line, "id", f"empty id; using {ref_id!r}"))
    if ref_id in seen_ids:
        problems.append(
            InputProblem(path, line, "id", f"id {ref_id!r} already used on line {seen_ids[ref_id]}")
        )
    else:
        seen_ids[ref_id] = line
    return Reference(id=ref_id, **known, extra=extra, location=Location(path, line))
