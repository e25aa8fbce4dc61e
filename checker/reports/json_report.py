"""report.json: the machine-readable report (schema: docs/report-schema.md).

Streamed reference by reference, so a list of a million references never needs the
whole document in memory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO

from checker.model import CheckResult
from checker.reports import records


def _dump(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False)


def write_stream(result: CheckResult, exit_code: int, out: IO[str]) -> None:
    out.write('{"schema": ' + _dump(records.SCHEMA))
    out.write(', "schema_version": ' + _dump(records.SCHEMA_VERSION))
    run = {**records.run_record(result, exit_code), "input_digest": records.input_digest(result)}
    out.write(',\n "run": ' + _dump(run))
    out.write(',\n "summary": ' + _dump(records.summary_record(result)))
    out.write(',\n "columns": ' + _dump(list(result.columns)))
    out.write(',\n "problems": ' + _dump([records.problem_record(p) for p in result.problems]))
    out.write(
        ',\n "list_findings": ' + _dump([records.finding_record(f) for f in result.list_findings()])
    )
    out.write(',\n "captures": ' + _dump(records.captures_record(result)))
    out.write(',\n "references": [')
    grouped = result.findings_by_ref()
    for index, ref in enumerate(result.references):
        out.write("\n  " if index == 0 else ",\n  ")
        out.write(
            _dump(
                records.reference_record(
                    ref,
                    grouped.get(ref.id, []),
                    result.link_of(ref),
                    records.archive_of(result, ref),
                )
            )
        )
    out.write("\n ]\n}\n")


def write(result: CheckResult, exit_code: int, path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        write_stream(result, exit_code, out)
