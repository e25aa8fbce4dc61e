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
import itertools
import re
import sys
from collections.abc import Iterator

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


def allow_cells_up_to(size: int) -> None:
    """Raise the csv module's field limit (131,072 characters) to ``size``: a cell can
    never be longer than the file holding it, so the file's size bounds the limit."""
    if size >= csv.field_size_limit():
        csv.field_size_limit(min(size + 1, sys.maxsize))


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


def physical_lines(text: str) -> list[str]:
    """``text`` split after each LF, CRLF or CR (what the csv module calls a line)."""
    lines = _LINE.findall(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def read(path: str, data: bytes) -> ImportResult:
    text = decode(data)
    problems: list[InputProblem] = []
    if "\x00" in text:
        text = _replace_nul(path, text, problems)
    allow_cells_up_to(len(text))
    delimiter = sniff_delimiter(text, path)
    records = _records(path, text, delimiter, problems)
    met = len(problems)
    first = next(records, None)
    header_problems = len(problems) > met  # the header row itself was malformed
    if first is None:
        problem = InputProblem(path, 1, None, "no header row (empty)", fatal=True)
        return ImportResult((), (problem,), source=path, format="csv")
    header = [clean(cell) for cell in first[1]]
    if bad_bytes("".join(first[1])):
        problems.append(
            InputProblem(
                path,
                1,
                None,
                f"undecodable byte(s) {bad_bytes(''.join(first[1]))} in the header "
                "(not UTF-8); replaced with U+FFFD",
            )
        )
    columns, mapping = _read_header(path, header, problems)
    # One scan of the whole text: a file without undecodable bytes (the usual case)
    # skips the per-cell scan.
    suspect = not text.isascii() and bool(bad_bytes(text))  # isascii: no scan
    if not suspect and not header_problems and not problems_of_nul(problems):
        read = _parallel(path, text, delimiter, first, columns, mapping, problems)
        if read is not None:
            refs, digest = read
            return ImportResult(
                tuple(refs),
                tuple(problems),
                tuple(columns),
                source=path,
                format="csv",
                input_digest=digest,
            )
    refs = []
    seen_ids: dict[str, int] = {}
    shared: dict[str, str] = {}  # one string object per repeated value (see SHARED_FIELDS)
    for start, row in records:
        if not row or not "".join(row).strip():  # every cell blank
            continue
        first_problem = len(problems)
        ref = _row_reference(
            path, start, row, columns, mapping, seen_ids, problems, suspect, shared
        )
        # The row's own problems belong to its reference (shown on it in every report).
        if len(problems) > first_problem:
            problems[first_problem:] = [
                dataclasses.replace(p, ref_id=ref.id) for p in problems[first_problem:]
            ]
        refs.append(ref)
    return ImportResult(tuple(refs), tuple(problems), tuple(columns), source=path, format="csv")


def problems_of_nul(problems: list[InputProblem]) -> bool:
    """A NUL byte was replaced (the line numbers of the parallel reader would still be
    right, but the one-process reader is kept for such a file)."""
    return any(p.message.startswith("NUL byte") for p in problems)


def _parallel(
    path: str,
    text: str,
    delimiter: str,
    first: tuple[int, list[str]],
    columns: list[str],
    mapping: list[str | None],
    problems: list[InputProblem],
) -> tuple[list[Reference], str] | None:
    """The references of a long file and their input digest, parsed by forked workers
    (:mod:`checker.importers.csv_parallel`); None where that cannot be sure to read
    what the one-process reader reads (then it reads the rest)."""
    from checker.importers import csv_parallel

    if first[0] != 1 or not first[1] or not csv_parallel.usable(text):
        return None
    end = text.find("\n")
    if end < 0 or text.count('"', 0, end) % 2:  # the header is not one line
        return None
    parts = csv_parallel.rows(text, end + 1, delimiter, columns, mapping, SHARED_FIELDS)
    if parts is None:
        return None
    return csv_parallel.references(path, parts, columns, mapping, problems)


def _replace_nul(path: str, text: str, problems: list[InputProblem]) -> str:
    lines = [n for n, line in enumerate(physical_lines(text), 1) if "\x00" in line]
    shown = ", ".join(map(str, lines[:5])) + (
        f" and {len(lines) - 5} more" if len(lines) > 5 else ""
    )
    problems.append(
        InputProblem(
            path,
            lines[0],
            None,
            f"NUL byte(s) on line{'s' if len(lines) > 1 else ''} {shown} (a binary file, or "
            "UTF-16 read as UTF-8?); replaced with U+FFFD",
        )
    )
    return text.replace("\x00", "\ufffd")


def _lazy_lines(text: str) -> Iterator[str]:
    """What :func:`physical_lines` gives, one line at a time (no list of every line)."""
    # the only empty match is the one at the very end, which physical_lines drops
    return filter(None, map(re.Match.group, _LINE.finditer(text)))


def _records(
    path: str, text: str, delimiter: str, problems: list[InputProblem]
) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of every record, read strictly; a record the strict reading
    refuses (an unterminated quote, text after a closing quote) becomes a problem naming
    the line, is read leniently up to the end of the line where its quote opened, and
    reading resumes on the next line, so one stray quote never swallows the rest.  The
    lines are read lazily; the list of them is made only once a record is refused."""
    lines: list[str] | None = None
    pos = 0  # lines consumed before the current reader
    while lines is None or pos < len(lines):
        source = _lazy_lines(text) if lines is None else itertools.islice(lines, pos, None)
        reader = csv.reader(source, delimiter=delimiter, strict=True)
        start = pos + 1
        try:
            for row in reader:
                yield start, row
                start = pos + reader.line_num + 1
            return
        except csv.Error as err:
            failed, reason = pos + reader.line_num, str(err)
        if lines is None:
            lines = physical_lines(text)
        opened = _open_quote_line(lines, start, failed, delimiter)
        if opened is not None:
            message = (
                f"unterminated quote: the quoted cell opened on line {opened} is never "
                f"closed; line {opened} was read up to its end and reading resumed after it"
            )
            last = opened
        else:
            message = f"malformed CSV ({reason}); the line was read leniently"
            opened, last = failed, failed
        problems.append(InputProblem(path, opened, None, message))
        chunk = "".join(lines[start - 1 : last])
        for row in csv.reader(io.StringIO(chunk, newline=""), delimiter=delimiter):
            yield start, row
        pos = max(last, start)


def _open_quote_line(lines: list[str], first: int, last: int, delimiter: str) -> int | None:
    """The line (1-based) where a quoted cell opened that was still open at the end of a
    line, reading lines ``first``..``last``; None when no quote crossed a line end."""
    in_quote, field_start, opened = False, True, first
    for number in range(first, last + 1):
        line = lines[number - 1]
        i = 0
        while i < len(line):
            ch = line[i]
            if in_quote:
                if ch == '"':
                    if line[i + 1 : i + 2] == '"':
                        i += 2
                        continue
                    in_quote = False
            elif ch == '"' and field_start:
                in_quote, opened = True, number
            else:
                field_start = ch in (delimiter, "\r", "\n")
                i += 1
                continue
            field_start = False
            i += 1
        if in_quote:
            return opened
    return None


def _read_header(
    path: str, header: list[str], problems: list[InputProblem]
) -> tuple[list[str], list[str | None]]:
    """Column names for the table, and per input column its canonical field (or None)."""
    mapping: list[str | None] = []
    columns: list[str] = []
    taken: set[str] = set()
    names: dict[str, int] = {}  # column name -> its column number, to spot repeats
    for index, cell in enumerate(header):
        name = clean(cell).strip()
        known = canonical_name(name)
        if known in taken:
            known = None
        if known:
            taken.add(known)
            names[known] = index + 1
            mapping.append(known)
            columns.append(known)
            continue
        mapping.append(None)
        column = name or f"column_{index + 1}"
        if column in names or canonical_name(column) in taken:
            repeated = canonical_name(column) or column
            column = f"{column}_{index + 1}"
            problems.append(
                InputProblem(
                    path,
                    1,
                    name,
                    f"column {index + 1} repeats column {repeated!r}; its values are kept "
                    f"as {column!r}",
                )
            )
        names[column] = index + 1
        columns.append(column)
        close = difflib.get_close_matches(name.lower(), KNOWN_FIELDS, n=1, cutoff=0.8)
        if close and not canonical_name(name):
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


#: Fields whose values repeat across a list (names of people and outlets, dates, ISBNs):
#: each distinct value is kept once, however many rows hold it (a million references
#: hold a few thousand distinct dates), which saves memory and rehashing.
SHARED_FIELDS = frozenset(
    {"author", "work", "publisher", "date", "access_date", "archive_date", "url_status"}
    | {"isbn", "issn", "language"}
)


def _row_reference(
    path: str,
    line: int,
    row: list[str],
    header: list[str],
    mapping: list[str | None],
    seen_ids: dict[str, int],
    problems: list[InputProblem],
    suspect: bool = True,
    shared: dict[str, str] | None = None,
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
    if not suspect:  # no undecodable byte in the file: the cells as they are
        cells = row[: len(header)]
        known = {name: raw.strip() for name, raw in zip(mapping, cells, strict=False) if name}
        if shared is not None:
            for field in SHARED_FIELDS.intersection(known):
                cell = known[field]
                known[field] = shared.setdefault(cell, cell)
        if None in mapping:
            extra = {header[i]: raw for i, raw in enumerate(cells) if mapping[i] is None}
        return _reference(path, line, known, extra, mapping, seen_ids, problems)
    for index, raw in enumerate(row[: len(header)]):
        name = mapping[index]
        bad = bad_bytes(raw) if suspect else ""
        value = raw
        if bad:
            label = name or header[index]
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
            extra[header[index]] = value
    return _reference(path, line, known, extra, mapping, seen_ids, problems)


def _reference(
    path: str,
    line: int,
    known: dict[str, str],
    extra: dict[str, str],
    mapping: list[str | None],
    seen_ids: dict[str, int],
    problems: list[InputProblem],
) -> Reference:
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
