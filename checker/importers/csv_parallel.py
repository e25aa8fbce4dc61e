"""A long, clean CSV file parsed by forked worker processes, one span of lines each.

:func:`checker.importers.csv_format.read` hands a file here when it is long (at least
:data:`PARALLEL_MIN` characters), holds no NUL, no undecodable byte and no lone carriage
return, and fork is safe (no other thread).  The text after the header row is cut into
spans at line ends with an even number of quote characters before them, so no quoted
cell is cut (a quote doubled inside a quoted cell counts two).  Each worker parses its
span strictly and sends back, per row, its line number, its number of cells, the known
fields (stripped, in :data:`~checker.model.KNOWN_FIELDS` order) and the extra columns;
the parent turns them into references in file order, with every problem the one-process
reader reports (row length, empty or repeated id) worded and numbered as it words them.

Where the shortcut cannot be sure to read the same, it gives up and the one-process
reader reads the file: a span the strict reader refuses (a stray quote, an unterminated
one), or any cell holding a quote character (a quote inside an unquoted cell would make
the quote count lie about where quoted cells end).
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import itertools
import multiprocessing
import os
import re
import threading
from collections import deque
from collections.abc import Generator, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import repeat
from operator import call, itemgetter

from checker.bulk import cores
from checker.model import KNOWN_FIELDS, InputProblem, Location, Reference
from checker.reports import records

#: Files at least this many characters long (some 25,000 references) are parsed in
#: parallel.
PARALLEL_MIN = 5_000_000
#: Spans per worker: more than one, so the parent builds references from the first
#: spans while the workers parse the next.
SPANS_PER_WORKER = 8

_EMPTY = Reference("").extra  # the shared empty mapping of a reference without extras
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")

#: A row as a worker sends it: (line, cells in the row, known fields, extra columns).
Row = tuple[int, int, tuple[str, ...], dict[str, str] | None]


class Job:
    """What the forked workers inherit: the text and how to read its rows."""

    def __init__(
        self,
        text: str,
        delimiter: str,
        header: list[str],
        mapping: list[str | None],
        shared: frozenset[str],
    ) -> None:
        self.text, self.delimiter = text, delimiter
        self.header, self.mapping = header, mapping
        width = len(header)
        # each known field's column; absent fields read the "" appended after the cells
        columns = [mapping.index(name) if name in mapping else width for name in KNOWN_FIELDS]
        self.known = itemgetter(*columns)
        self.extra = [i for i, name in enumerate(mapping) if name is None]
        #: fields whose repeated values are kept as one string (per span)
        self.shared = [KNOWN_FIELDS.index(name) for name in sorted(shared) if name in mapping]
        #: the known fields in the order the input digest takes them
        self.digest_order = itemgetter(*map(KNOWN_FIELDS.index, records.DIGEST_FIELDS))


_JOB: Job | None = None  #: inherited by the forked workers


def usable(text: str) -> bool:
    """The file can be cut at line ends: long enough, no lone carriage return, and fork
    is safe here (fork exists, two cores or more, no other thread)."""
    if len(text) < PARALLEL_MIN or cores() < 2:
        return False
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    return "\r" not in text or text.count("\r") == text.count("\r\n")


def _spans(text: str, start: int, count: int) -> list[tuple[int, int]] | None:
    """``text[start:]`` cut into about ``count`` spans, each ending after a line end with
    an even number of quotes from ``start``; None when no such cut is found near a
    target (a long quoted cell spanning many lines)."""
    cuts = [start]
    quotes = 0  # quotes between start and the last cut
    size = (len(text) - start) // count
    for k in range(1, count):
        target = max(start + k * size, cuts[-1])
        for _ in range(1000):
            end = text.find("\n", target)
            if end < 0:
                break
            end += 1
            if (quotes + text.count('"', cuts[-1], end)) % 2 == 0:
                quotes = 0
                cuts.append(end)
                break
            target = end
        else:
            return None
    cuts.append(len(text))
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def _parse(span: tuple[int, int]) -> tuple[list[Row], bytes] | None:
    """The rows of ``text[start:end]`` (in a forked worker) and what the input digest
    hashes for their references (:func:`checker.reports.records.input_digest`); None
    when the span must be read by the one-process reader."""
    assert _JOB is not None
    job, (start, end) = _JOB, span
    text, width = job.text, len(job.header)
    base = text.count("\n", 0, start)  # lines before the span (every line end holds \n)
    lines = filter(None, map(re.Match.group, _LINE.finditer(text, start, end)))
    reader = csv.reader(lines, delimiter=job.delimiter, strict=True)
    known, extra_columns, header = job.known, job.extra, job.header
    shared_fields = job.shared
    kept: dict[str, str] = {}
    keep = kept.setdefault
    strip = str.strip
    rows: list[Row] = []
    digested: list[str] = []
    part, order = records.digest_part, job.digest_order
    begin = base + 1  # the line the next record starts on
    try:
        for row in reader:
            line, begin = begin, base + reader.line_num + 1
            joined = "".join(row)
            if not joined.strip():  # every cell blank
                continue
            if '"' in joined:
                return None
            cells = row[:width]
            count = len(row)
            if count < width:
                cells += [""] * (width - count)
            cells.append("")
            values = list(map(strip, known(cells)))
            for index in shared_fields:
                value = values[index]
                values[index] = keep(value, value)
            extra = None
            if extra_columns:
                extra = {header[i]: row[i] for i in extra_columns if i < count}
            rows.append((line, count, tuple(values), extra))
            if not values[0]:
                values[0] = f"line-{line}"  # the id the reference gets (references())
            digested.append(part(values[0], order(values), extra or {}))
    except csv.Error:
        return None
    return rows, records.digest_chunk(digested)


def rows(
    text: str,
    start: int,
    delimiter: str,
    header: list[str],
    mapping: list[str | None],
    shared: frozenset[str],
) -> Iterator[tuple[list[Row], bytes] | None] | None:
    """The rows after the header (which ends at ``start``), span by span in file order,
    parsed by forked workers; a None among them: read the file in one process.  None
    when the text cannot be cut."""
    global _JOB
    workers = min(cores(), 8)
    spans = _spans(text, start, workers * SPANS_PER_WORKER)
    if spans is None:
        return None
    context = multiprocessing.get_context("fork")
    _JOB = Job(text, delimiter, header, mapping, shared)

    def results() -> Iterator[tuple[list[Row], bytes] | None]:
        global _JOB
        pool = ProcessPoolExecutor(workers, mp_context=context)
        try:
            yield from pool.map(_parse, spans)
        finally:  # spans not started yet are dropped when the reading stops early
            pool.shutdown(wait=True, cancel_futures=True)
            _JOB = None

    return results()


def _guarded(
    parts: Iterator[tuple[list[Row], bytes] | None],
) -> Generator[tuple[list[Row], bytes] | None, None, None]:
    """``parts``, ending with None if the workers could not be started or one died (the
    one-process reader then reads the file, as it would have)."""
    try:
        yield from parts
    except (BrokenProcessPool, OSError):
        yield None
    finally:
        close = getattr(parts, "close", None)
        if close is not None:
            close()


def references(
    path: str,
    parts: Iterator[tuple[list[Row], bytes] | None],
    header: list[str],
    mapping: list[str | None],
    problems: list[InputProblem],
) -> tuple[list[Reference], str] | None:
    """References from the workers' rows, with the problems the one-process reader
    reports for them (appended to ``problems``), and their input digest; None
    (``problems`` as it was) when a span must be read in one process."""
    width = len(header)
    has_id = "id" in mapping
    before = len(problems)
    refs: list[Reference] = []
    seen_ids: dict[str, int] = {}
    new = object.__new__
    digest = hashlib.sha256()
    guarded = _guarded(parts)
    for part in guarded:
        if part is None:
            del problems[before:]
            guarded.close()
            return None
        rows, digested = part
        digest.update(digested)
        for line, count, values, extra in rows:
            first = len(problems)
            if count != width:
                problems.append(
                    InputProblem(
                        path,
                        line,
                        None,
                        f"row has {count} cells but the header has {width}"
                        + ("; extra cells ignored" if count > width else "; missing cells empty"),
                    )
                )
            ref_id = values[0]
            if not ref_id:
                ref_id = f"line-{line}"
                if has_id:
                    problems.append(InputProblem(path, line, "id", f"empty id; using {ref_id!r}"))
            if ref_id in seen_ids:
                problems.append(
                    InputProblem(
                        path, line, "id", f"id {ref_id!r} already used on line {seen_ids[ref_id]}"
                    )
                )
            else:
                seen_ids[ref_id] = line
            ref = new(Reference)
            deque(
                map(
                    call,
                    _SETTERS,
                    repeat(ref),
                    (ref_id, *values[1:], extra or _EMPTY, _location(path, line)),
                ),
                0,
            )
            refs.append(ref)
            if len(problems) > first:
                problems[first:] = [dataclasses.replace(p, ref_id=ref_id) for p in problems[first:]]
    return refs, digest.hexdigest()


# The references above are made as Reference.__init__ makes them, field by field
# (without its call per field): the known fields first, in order, then extra and location.
assert tuple(Reference.__dataclass_fields__) == (*KNOWN_FIELDS, "extra", "location")
assert not hasattr(Reference, "__post_init__")
_SETTERS = [getattr(Reference, name).__set__ for name in Reference.__dataclass_fields__]
# Their locations likewise: path, line, and no anchor.
assert tuple(Location.__dataclass_fields__) == ("path", "line", "anchor")
assert not hasattr(Location, "__post_init__")
_SET_PATH, _SET_LINE, _SET_ANCHOR = (
    getattr(Location, name).__set__ for name in Location.__dataclass_fields__
)


def _location(path: str, line: int) -> Location:
    """``Location(path, line)``, made as its ``__init__`` makes it (without the call)."""
    location = object.__new__(Location)
    _SET_PATH(location, path)
    _SET_LINE(location, line)
    _SET_ANCHOR(location, None)
    return location
