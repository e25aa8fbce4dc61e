"""A long CSV file parsed by forked workers gives exactly what the one-process reader
gives: the same references (fields, extras, line numbers) and the same problems, word
for word; where the workers cannot be sure (stray quotes, a lone CR, bad bytes), the
one-process reader reads the file."""

from __future__ import annotations

import itertools
import os
import random
from types import SimpleNamespace

import pytest

from checker.importers import csv_format, csv_parallel
from checker.model import ImportResult, Location
from checker.reports import records

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def _rows(n: int, rng: random.Random, *, quotes: bool = False) -> list[str]:
    lines = []
    for i in range(n):
        ref_id = str(i) if rng.random() > 0.01 else rng.choice(["", "7", "12"])
        date = rng.choice(["13 April 2017", '"April 13, 2017"', "2017-04-13", ""])
        title = rng.choice(["A title", '"Title, with comma"', '"Two\nlines"', "  padded  "])
        if quotes and rng.random() < 0.01:
            title = '"He said ""no"""'
        extra = rng.choice(["x", "", '"y, z"'])
        cells = [ref_id, f"https://example.org/{i}", title, date, "Walker, Shaun", extra]
        if rng.random() < 0.01:
            cells = cells[:3]  # a short row
        elif rng.random() < 0.01:
            cells += ["surplus"]
        if rng.random() < 0.005:
            lines.append("")  # a blank line
        lines.append(",".join(c if c.startswith('"') or "," not in c else f'"{c}"' for c in cells))
    return lines


def _read_both(
    data: bytes, monkeypatch: pytest.MonkeyPatch
) -> tuple[ImportResult, ImportResult, list[int]]:
    used: list[int] = []
    real = csv_parallel.references

    def spy(*args: object, **kwargs: object) -> object:
        got = real(*args, **kwargs)  # type: ignore[arg-type]
        used.append(got is not None)
        return got

    monkeypatch.setattr(csv_parallel, "PARALLEL_MIN", 1)
    monkeypatch.setattr(csv_parallel, "SPANS_PER_WORKER", 5)
    monkeypatch.setattr(csv_parallel, "cores", lambda: 2)
    # threads other tests left idle (loopback servers) take no part in the parse
    monkeypatch.setattr(csv_parallel.threading, "active_count", lambda: 1)
    monkeypatch.setattr(csv_parallel, "references", spy)
    fast = csv_format.read("refs.csv", data)
    monkeypatch.setattr(csv_parallel, "PARALLEL_MIN", 10**12)
    plain = csv_format.read("refs.csv", data)
    return fast, plain, used


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_parallel_import_is_the_plain_import(newline: str, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(11)
    head = "id,url,title,date,author,notes"
    text = newline.join([head, *_rows(3000, rng)]) + newline
    fast, plain, used = _read_both(text.encode(), monkeypatch)
    assert used == [True]  # the workers really read it
    assert fast == plain
    assert [r.location for r in fast.references] == [r.location for r in plain.references]
    assert [r.extra for r in fast.references] == [r.extra for r in plain.references]
    messages = [str(p) for p in plain.problems]
    assert [str(p) for p in fast.problems] == messages
    assert any("cells but the header" in m for m in messages)
    assert any("already used on line" in m for m in messages)
    assert any("empty id" in m for m in messages)
    assert [p.ref_id for p in fast.problems] == [p.ref_id for p in plain.problems]
    # the workers' input digest is the report's, made from the references
    assert plain.input_digest == ""
    whole = SimpleNamespace(references=plain.references, input_digest="")
    assert fast.input_digest == records.input_digest(whole)  # type: ignore[arg-type]


def test_known_columns_only_share_the_empty_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(5)
    lines = ["id,url,title,date,author"]
    lines += [",".join(row.split(",")[:5]) for row in _rows(500, rng) if '"' not in row]
    fast, plain, used = _read_both(("\n".join(lines) + "\n").encode(), monkeypatch)
    assert used == [True] and fast == plain
    assert all(dict(r.extra) == {} for r in fast.references)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda t: t.replace("Walker, Shaun", 'Walker "Shaun"', 1),  # a quote in a plain cell
        lambda t: t.replace('"Two\nlines"', '"Two\nlines" tail', 1),  # text after a quote
        lambda t: t.replace("A title", "A\rtitle", 1),  # a lone carriage return
        lambda t: t + '9,"never closed\n',  # an unterminated quote at the end
    ],
)
def test_doubtful_files_are_read_by_the_plain_reader(
    spoil: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(3)
    text = "\n".join(["id,url,title,date,author,notes", *_rows(2000, rng)]) + "\n"
    text = spoil(text)  # type: ignore[operator]
    fast, plain, used = _read_both(text.encode(), monkeypatch)
    assert used in ([], [False])  # the workers gave up, or were never asked
    assert fast == plain
    assert [str(p) for p in fast.problems] == [str(p) for p in plain.problems]


def test_doubled_quotes_fall_back_and_read_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(4)
    text = "\n".join(["id,url,title,date,author,notes", *_rows(2000, rng, quotes=True)]) + "\n"
    fast, plain, used = _read_both(text.encode(), monkeypatch)
    assert used == [False]
    assert fast == plain


def test_spans_end_where_no_quoted_cell_is_open() -> None:
    rng = random.Random(8)
    text = "\n".join(["id,title", *_rows(3000, rng)]) + "\n"
    start = text.index("\n") + 1
    spans = csv_parallel._spans(text, start, 16)
    assert spans is not None and len(spans) > 8
    assert spans[0][0] == start and spans[-1][1] == len(text)
    for (_, end), (begin, _) in itertools.pairwise(spans):
        assert end == begin and text[end - 1] == "\n"
        assert text.count('"', start, end) % 2 == 0


def _dies(span: tuple[int, int]) -> None:
    os._exit(3)  # a worker killed (out of memory, say)


def test_a_worker_that_dies_leaves_the_file_to_the_plain_reader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(13)
    text = "\n".join(["id,url,title,date,author,notes", *_rows(2000, rng)]) + "\n"

    monkeypatch.setattr(csv_parallel, "_parse", _dies)
    fast, plain, used = _read_both(text.encode(), monkeypatch)
    assert used == [False]
    assert fast == plain
    assert [str(p) for p in fast.problems] == [str(p) for p in plain.problems]


def test_locations_made_without_init_are_the_dataclass_s() -> None:
    made = csv_parallel._location("refs.csv", 7)
    plain = Location("refs.csv", 7)
    assert made == plain and hash(made) == hash(plain) and repr(made) == repr(plain)
    assert (made.path, made.line, made.anchor) == ("refs.csv", 7, None)
