"""From a report to the exact cells to change in references.csv, and the change itself.

Filled for references whose link is confirmed rotten (``dead``, ``usurped``,
``soft-404``) and has a validated capture: ``archive_url``, ``archive_date`` (in the
format the reference already uses for its dates) and ``url_status``; a broken existing
archive link is replaced by the validated capture offered.  Date fixes are applied only
with ``accept_date_fixes``.  A cell changes only if the file still holds the value the
report saw.  Patching refuses an inconclusive run and a report older than the input.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.importers.csv_format import sniff_delimiter
from checker.importers.decoding import decode
from checker.patch.atomic import diff_and_write
from checker.patch.csvcells import CsvEditError, edit, scan

CONFIRMED_ROTTEN = frozenset({"dead", "usurped", "soft-404"})
ARCHIVE_CODES = frozenset({"archive-found", "archive-url-broken"})
DATE_FIX_CODES = frozenset(
    {
        "access-before-publication",
        "invalid-date",
        "archive-date-mismatch",
        "archive-url-without-date",
    }
)


class PatchRefused(Exception):
    """The patch must not be applied (the message says why)."""


@dataclass(frozen=True, slots=True)
class CellChange:
    ref_id: str
    field: str
    old: str
    new: str
    code: str


def load_report(path: Path) -> dict[str, Any]:
    try:
        report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PatchRefused(f"no report at {path}: run citewatch check first") from None
    except (OSError, ValueError) as err:
        raise PatchRefused(f"cannot read the report {path}: {err}") from None
    if report.get("schema") != "citewatch-report":
        raise PatchRefused(f"{path} is not a citewatch report")
    return report


def check_report(report: dict[str, Any], report_path: Path, input_path: Path) -> None:
    run = report.get("run", {})
    if report.get("summary", {}).get("inconclusive") or run.get("exit_code") == 3:
        raise PatchRefused(
            "the report comes from an inconclusive run (the network was "
            "unusable); re-run citewatch check first"
        )
    if Path(str(run.get("input", ""))).name != input_path.name:
        raise PatchRefused(f"the report is about {run.get('input')!r}, not {input_path.name!r}")
    finished = dt.datetime.fromisoformat(str(run.get("finished")))
    if finished.tzinfo is None:
        finished = finished.replace(tzinfo=dt.UTC)
    modified = dt.datetime.fromtimestamp(input_path.stat().st_mtime, dt.UTC)
    if modified > finished + dt.timedelta(seconds=1):
        raise PatchRefused(
            f"{input_path} changed after the report was written "
            f"({modified:%Y-%m-%d %H:%M} > {finished:%Y-%m-%d %H:%M}); "
            "re-run citewatch check first"
        )


def plan(report: dict[str, Any], accept_date_fixes: bool = False) -> list[CellChange]:
    changes: list[CellChange] = []
    for ref in report.get("references", []):
        fields = ref.get("fields", {})
        link = ref.get("link") or {}
        taken: set[str] = set()
        for finding in ref.get("findings", []):
            code = finding.get("code", "")
            suggested: dict[str, str] = finding.get("suggested") or {}
            if code in ARCHIVE_CODES and suggested:
                if code == "archive-found" and link.get("status") not in CONFIRMED_ROTTEN:
                    continue
            elif not (accept_date_fixes and code in DATE_FIX_CODES and suggested):
                continue
            for name, value in suggested.items():
                if name in taken or fields.get(name) == value:
                    continue
                taken.add(name)
                changes.append(CellChange(ref["id"], name, fields.get(name, ""), value, code))
    return changes


def apply_csv(input_path: Path, changes: list[CellChange], write: bool) -> str:
    """Apply ``changes`` to the CSV file; return the unified diff (written only if
    ``write``)."""
    data = input_path.read_bytes()
    bom = data.startswith(b"\xef\xbb\xbf")
    text = decode(data)
    delimiter = sniff_delimiter(text, str(input_path))
    try:
        records = scan(text, delimiter)
    except CsvEditError as err:
        raise PatchRefused(f"{input_path}: {err}") from None
    if not records:
        raise PatchRefused(f"{input_path} is empty")
    header = [c.value.strip().lower().replace("-", "_") for c in records[0].cells]
    rows = {
        r.cells[header.index("id")].value.strip(): i
        for i, r in enumerate(records)
        if i and "id" in header and len(r.cells) > header.index("id")
    }
    edits: dict[int, dict[int, str]] = {}
    for change in changes:
        if change.field not in header:
            raise PatchRefused(
                f"{input_path} has no {change.field!r} column; add it to the header first"
            )
        row = rows.get(change.ref_id)
        if row is None:
            continue
        column = header.index(change.field)
        cells = records[row].cells
        current = cells[column].value if column < len(cells) else ""
        if current.strip() != change.old.strip():
            raise PatchRefused(
                f"{input_path}: reference {change.ref_id}'s {change.field} is "
                f"{current!r}, the report saw {change.old!r}; re-run check"
            )
        edits.setdefault(row, {})[column] = change.new
    try:
        new_text = edit(text, edits, delimiter) if edits else text
    except CsvEditError as err:
        raise PatchRefused(f"{input_path}: {err}") from None
    bom_bytes = b"\xef\xbb\xbf" if bom else b""
    return diff_and_write(input_path, text, new_text, write, bom_bytes, "surrogateescape")


NEW_CAPTURE = "new-capture"


def capture_changes(report: dict[str, Any]) -> list[CellChange]:
    """``patch --accept-new-captures``: the cells of each Save Page Now capture
    (archive_url, archive_date, url_status=live), for references still without an
    archive_url."""
    changes: list[CellChange] = []
    for ref in report.get("references", []):
        fields = ref.get("fields", {})
        if str(fields.get("archive_url", "")).strip():
            continue
        finding = next((f for f in ref.get("findings", []) if f.get("code") == NEW_CAPTURE), None)
        for name, value in ((finding or {}).get("suggested") or {}).items():
            if fields.get(name) != value:
                changes.append(
                    CellChange(ref["id"], name, fields.get(name, ""), value, NEW_CAPTURE)
                )
    return changes
