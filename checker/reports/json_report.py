"""report.json: the machine-readable report (schema: docs/report-schema.md).

Streamed reference by reference, so a list of a million references never needs the
whole document in memory; each record is encoded with orjson (a value it refuses, such
as a lone surrogate from a broken input file, falls back to the standard encoder with
``\\u`` escapes).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

import orjson

from checker.model import CheckResult
from checker.reports import records


def dump(obj: object) -> bytes:
    try:
        return orjson.dumps(obj)
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(obj, ensure_ascii=True).encode()


def head(recs: records.Records, out: IO[bytes]) -> None:
    result = recs.result
    out.write(b'{"schema": ' + dump(records.SCHEMA))
    out.write(b', "schema_version": ' + dump(records.SCHEMA_VERSION))
    out.write(b',\n "run": ' + dump(recs.run))
    out.write(b',\n "summary": ' + dump(recs.summary))
    out.write(b',\n "columns": ' + dump(list(result.columns)))
    out.write(b',\n "problems": ' + dump([records.problem_record(p) for p in result.problems]))
    out.write(b',\n "list_findings": ' + dump(recs.list_findings))
    out.write(b',\n "captures": ' + dump(records.captures_record(result)))
    out.write(b',\n "references": [')


def item(index: int, record: dict[str, Any], out: IO[bytes]) -> None:
    out.write((b"\n  " if index == 0 else b",\n  ") + dump(record))


def tail(out: IO[bytes]) -> None:
    out.write(b"\n ]\n}\n")


def write_stream(
    result: CheckResult, exit_code: int, out: IO[bytes], recs: records.Records | None = None
) -> None:
    recs = recs or records.Records(result, exit_code)
    head(recs, out)
    for index, ref in enumerate(result.references):
        item(index, recs.reference(ref), out)
    tail(out)


def write(
    result: CheckResult, exit_code: int, path: Path, recs: records.Records | None = None
) -> None:
    with path.open("wb", buffering=1 << 20) as out:
        write_stream(result, exit_code, out, recs)
