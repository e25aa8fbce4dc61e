"""From a report to the exact cells to change in references.csv, and the change itself.

Filled for references whose link is confirmed rotten (``dead``, ``usurped``,
``soft-404``) and has a validated capture: ``archive_url``, ``archive_date`` (in the
format the reference already uses for its dates) and ``url_status``; a broken existing
archive link is replaced by the validated capture offered.  Date fixes are applied only
with ``accept_date_fixes``.  A cell changes only if the file still holds the value the
report saw; the changes of one reference are checked together first (see
:mod:`checker.patch.coherence`).  What patching refuses is in :mod:`checker.patch.report`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.importers.csv_format import canonical_name, sniff_delimiter
from checker.importers.decoding import decode, encoding_of
from checker.patch.atomic import diff_and_write
from checker.patch.coherence import coherent_fields
from checker.patch.csvcells import CsvEditError, Record, edit, scan
from checker.patch.report import PatchRefused, check_report, load_report, still_to_do

__all__ = [
    "CellChange",
    "PatchRefused",
    "apply_csv",
    "check_report",
    "load_report",
    "plan",
    "still_to_do",
]

CONFIRMED_ROTTEN = frozenset({"dead", "usurped", "soft-404"})
ARCHIVE_CODES = frozenset({"archive-found", "archive-url-broken"})
DATE_FIX_CODES = frozenset(
    {
        "access-before-publication",
        "invalid-date",
        "archive-date-mismatch",
        "archive-url-without-date",
        "date-range-hyphen",
    }
)


@dataclass(frozen=True, slots=True)
class CellChange:
    ref_id: str
    field: str
    old: str
    new: str
    code: str


def plan(report: dict[str, Any], accept_date_fixes: bool = False) -> list[CellChange]:
    changes: list[CellChange] = []
    for ref in report.get("references", []):
        fields = ref.get("fields", {})
        link = ref.get("link") or {}
        taken: set[str] = set()
        chosen: list[tuple[str, dict[str, str]]] = []
        for finding in ref.get("findings", []):
            code = finding.get("code", "")
            suggested: dict[str, str] = finding.get("suggested") or {}
            if code in ARCHIVE_CODES and suggested:
                if code == "archive-found" and link.get("status") not in CONFIRMED_ROTTEN:
                    continue
            elif not (accept_date_fixes and code in DATE_FIX_CODES and suggested):
                continue
            fresh = {k: v for k, v in suggested.items() if k not in taken and fields.get(k) != v}
            taken.update(fresh)
            chosen.append((code, fresh))
        # Archive cells first: a date fix never undoes what the capture establishes.
        chosen.sort(key=lambda item: item[0] not in ARCHIVE_CODES)
        codes: list[tuple[str, dict[str, str]]] = [
            (f.get("code", ""), {}) for f in ref.get("findings", [])
        ]
        verdicts = coherent_fields(fields, [*codes, *chosen])[len(codes) :]
        for (code, fresh), why in zip(chosen, verdicts, strict=True):
            if why:
                continue
            for name, value in fresh.items():
                changes.append(CellChange(ref["id"], name, fields.get(name, ""), value, code))
    return changes


def apply_csv(input_path: Path, changes: list[CellChange], write: bool) -> str:
    """Apply ``changes`` to the CSV file; return the unified diff (written only if
    ``write``).  Columns a change needs and the header lacks (``archive_url``…) are
    added at the end of the header, every row padded with empty cells."""
    data = input_path.read_bytes()
    if encoding_of(data) != "utf-8":
        raise PatchRefused(
            f"{input_path} is {encoding_of(data).upper()}; patch edits UTF-8 files only "
            "(convert it with citewatch import first)"
        )
    bom = data.startswith(b"\xef\xbb\xbf")
    text = decode(data)
    delimiter = sniff_delimiter(text, str(input_path))
    try:
        records = scan(text, delimiter)
    except CsvEditError as err:
        raise PatchRefused(f"{input_path}: {err}") from None
    if not records:
        raise PatchRefused(f"{input_path} is empty")
    header = [_column(c.value) for c in records[0].cells]
    if "id" not in header:
        raise PatchRefused(f"{input_path} has no id column")
    id_column = header.index("id")
    rows: dict[str, int] = {}
    repeated: list[str] = []
    for index, record in enumerate(records[1:], 1):
        if len(record.cells) > id_column and not _blank(record):
            ref_id = record.cells[id_column].value.strip()
            if ref_id in rows:
                repeated.append(ref_id)
            rows[ref_id] = index
    if repeated:
        raise PatchRefused(
            f"{input_path}: ids are not unique ({', '.join(map(repr, dict.fromkeys(repeated)))});"
            " not patching"
        )
    edits: dict[int, dict[int, str]] = {}
    width = len(header)
    missing = [f for f in dict.fromkeys(c.field for c in changes if c.ref_id in rows)]
    missing = [f for f in missing if f not in header]
    if missing:  # the header lacks archive columns: add them, in the file's own spelling
        hyphens = any("-" in c.value for c in records[0].cells)
        edits[0] = {
            width + k: name.replace("_", "-") if hyphens else name for k, name in enumerate(missing)
        }
        header += missing
    for change in changes:
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
        new_text = edit(text, edits, delimiter, pad_to=len(header) if missing else None)
        _verify_edit(records, scan(new_text, delimiter), edits)
    except CsvEditError as err:
        raise PatchRefused(f"{input_path}: {err}") from None
    bom_bytes = b"\xef\xbb\xbf" if bom else b""
    return diff_and_write(
        input_path, text, new_text, write, bom_bytes, "surrogateescape", original=data
    )


def _column(name: str) -> str:
    return canonical_name(name) or name.strip().lower().replace("-", "_")


def _blank(record: Record) -> bool:
    return len(record.cells) == 1 and not record.cells[0].quoted and not record.cells[0].value


def _verify_edit(
    before: list[Record], after: list[Record], edits: dict[int, dict[int, str]]
) -> None:
    """Every cell not edited reads as before; cells added by padding are empty."""
    if len(before) != len(after):
        raise CsvEditError("the edit would change the number of rows; not editing")
    for index, (old, new) in enumerate(zip(before, after, strict=True)):
        changed = edits.get(index, {})
        for column, cell in enumerate(new.cells):
            if column in changed:
                ok = cell.value == changed[column]
            elif column < len(old.cells):
                ok = cell.value == old.cells[column].value
            else:
                ok = cell.value == ""
            if not ok or len(new.cells) < len(old.cells):
                raise CsvEditError(f"the edit would change record {index + 1}; not editing")


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
