"""The report ``patch`` applies: read it safely, and refuse what must not be patched.

* A report that is not JSON, is nested too deeply, or lacks the shape ``patch`` reads
  is refused with one line naming what is wrong (never a traceback).
* A report from an inconclusive run, about another file, with input problems or with
  ids that are not unique is refused (the ids named).
* Staleness is judged by content, not modification times: the report holds
  ``run.input_digest``, a hash of every cell the check read (:func:`cells_digest`);
  ``patch`` reads the file again and compares.  Cells that already hold the value the
  patch would write count as the report saw them, so a second ``patch --write`` finds
  "nothing to patch" instead of refusing.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from checker.dates import DateError, analyse
from checker.importers import load
from checker.importers.decoding import encoding_of
from checker.model import DATE_FIELDS

#: Reports larger than this are not a citewatch report of a sane list (2 GiB).
MAX_REPORT_BYTES = 2 << 30


class PatchRefused(Exception):
    """The patch must not be applied (the message says why)."""


def cells_digest(rows: Iterable[tuple[str, Mapping[str, str], Mapping[str, str]]]) -> str:
    """SHA-256 of every (id, known fields, extra columns) row, in order: each value
    length-prefixed, so no value can pass for two."""
    digest = hashlib.sha256()
    for ref_id, fields, extra in rows:
        parts = [f"{len(ref_id)}:{ref_id}"]
        parts += [f"{k}={len(v)}:{v}" for k, v in sorted(fields.items()) if v]
        parts.append("|")
        parts += [f"{len(k)}:{k}={len(v)}:{v}" for k, v in sorted(extra.items())]
        digest.update("\n".join(parts).encode("utf-8", "replace") + b"\n\n")
    return digest.hexdigest()


def load_report(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_REPORT_BYTES:
            raise PatchRefused(f"{path} is too large to be a citewatch report")
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PatchRefused(f"no report at {path}: run citewatch check first") from None
    except RecursionError:
        raise PatchRefused(f"{path} is not a citewatch report (JSON nested too deeply)") from None
    except UnicodeDecodeError as err:
        raise PatchRefused(f"cannot read the report {path}: not UTF-8 ({err.reason})") from None
    except ValueError as err:
        raise PatchRefused(f"cannot read the report {path}: not JSON ({err})") from None
    except OSError as err:
        raise PatchRefused(f"cannot read the report {path}: {err.strerror or err}") from None
    if not isinstance(report, dict) or report.get("schema") != "citewatch-report":
        raise PatchRefused(f"{path} is not a citewatch report")
    _validate(report, path)
    return report


def _validate(report: dict[str, Any], path: Path) -> None:
    """Every part ``patch`` reads has the type it expects."""

    def bad(where: str, what: str) -> PatchRefused:
        return PatchRefused(f"{path} is a malformed report: {where} {what}")

    for key in ("run", "summary"):
        if not isinstance(report.get(key, {}), dict):
            raise bad(key, "is not an object")
    if not isinstance(report.get("problems", []), list):
        raise bad("problems", "is not a list")
    refs = report.get("references")
    if not isinstance(refs, list):
        raise bad("references", "is not a list")
    for index, ref in enumerate(refs):
        where = f"references[{index}]"
        if not isinstance(ref, dict) or not isinstance(ref.get("id"), str):
            raise bad(where, "has no string id")
        for key in ("fields", "extra"):
            value = ref.get(key, {})
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise bad(f"{where}.{key}", "is not an object of strings")
        if not isinstance(ref.get("link") or {}, dict):
            raise bad(f"{where}.link", "is not an object")
        if not isinstance(ref.get("location") or {}, dict):
            raise bad(f"{where}.location", "is not an object")
        findings = ref.get("findings", [])
        if not isinstance(findings, list):
            raise bad(f"{where}.findings", "is not a list")
        for number, finding in enumerate(findings):
            suggested = finding.get("suggested") if isinstance(finding, dict) else None
            if not isinstance(finding, dict) or not isinstance(finding.get("code", ""), str):
                raise bad(f"{where}.findings[{number}]", "is not a finding")
            if suggested is not None and not (
                isinstance(suggested, dict)
                and all(isinstance(k, str) and isinstance(v, str) for k, v in suggested.items())
            ):
                raise bad(f"{where}.findings[{number}].suggested", "is not an object of strings")


def _listed(items: Sequence[str], most: int = 5) -> str:
    shown = ", ".join(repr(i) for i in items[:most])
    return shown + (f" and {len(items) - most} more" if len(items) > most else "")


def check_report(report: dict[str, Any], report_path: Path, input_path: Path) -> None:
    """Refuse a report that must not be applied to ``input_path``."""
    run = report.get("run", {})
    if report.get("summary", {}).get("inconclusive") or run.get("exit_code") == 3:
        raise PatchRefused(
            "the report comes from an inconclusive run (the network was "
            "unusable); re-run citewatch check first"
        )
    if Path(str(run.get("input", ""))).name != input_path.name:
        raise PatchRefused(f"the report is about {run.get('input')!r}, not {input_path.name!r}")
    counts = Counter(ref["id"] for ref in report["references"])
    repeated = [ref_id for ref_id, n in counts.items() if n > 1]
    if repeated:
        raise PatchRefused(
            f"ids are not unique ({_listed(repeated)}): a patch could write one "
            "reference's fix into another; give every row its own id and re-run check"
        )
    problems = [p for p in report.get("problems", []) if isinstance(p, dict)]
    if problems:
        named = list(dict.fromkeys(str(p["ref_id"]) for p in problems if p.get("ref_id")))
        rows = [str(p["row"]) for p in problems if not p.get("ref_id") and p.get("row")]
        where = f"; ids {_listed(named)}" if named else ""
        where += f"; rows {', '.join(rows[:5])}" if rows else ""
        raise PatchRefused(
            f"the report lists {len(problems)} input problem{'s' if len(problems) > 1 else ''}"
            f"{where}; fix the input and re-run check before patching"
        )


def _same(field: str, a: str, b: str) -> bool:
    if a.strip() == b.strip():
        return True
    if field not in DATE_FIELDS:
        return False
    try:
        x, y = analyse(a), analyse(b)
    except DateError:
        return False
    if x is None or y is None or x.value is None or y.value is None:
        return False
    # The same days written differently count as done, except a spelling CS1 itself
    # asks to fix (a hyphen where the range wants an en dash).
    same_days = (x.value.earliest, x.value.latest) == (y.value.earliest, y.value.latest)
    return same_days and bool(x.hyphen_fix) == bool(y.hyphen_fix)


#: The wikitext patch's pseudo-field for a {{dead link}} mark (see patch.wikitext).
DEAD_LINK_MARK = "dead_link"


def report_digest(report: dict[str, Any]) -> str:
    stored = report.get("run", {}).get("input_digest")
    if isinstance(stored, str) and stored:
        return stored
    return cells_digest(
        (r["id"], r.get("fields", {}), r.get("extra", {})) for r in report["references"]
    )


def still_to_do(report: dict[str, Any], input_path: Path, changes: Sequence[Any]) -> list[Any]:
    """The ``changes`` not yet in ``input_path``; refuses when the file's cells differ
    from what the report saw (other than by these very changes)."""
    fmt = report.get("run", {}).get("input_format") or None
    try:
        encoding = encoding_of(input_path.read_bytes()[:4096])
    except OSError as err:
        raise PatchRefused(f"cannot read {input_path}: {err.strerror or err}") from None
    if encoding != "utf-8":  # writing it back as UTF-8 would change every byte
        raise PatchRefused(
            f"{input_path} is {encoding.upper()}; patch edits UTF-8 files only "
            "(convert it with citewatch import first)"
        )
    try:
        imported = load(input_path, fmt)
    except (ValueError, OSError) as err:
        raise PatchRefused(f"cannot read {input_path}: {err}") from None
    if any(p.fatal for p in imported.problems):
        raise PatchRefused(f"cannot read {input_path}: {imported.problems[0].message}")
    current = {ref.id: (ref.fields(), dict(ref.extra)) for ref in imported.references}
    saw = {r["id"]: (r.get("fields", {}), r.get("extra", {})) for r in report["references"]}
    todo = []
    for change in changes:
        fields = current.get(change.ref_id, ({}, {}))[0]
        if change.field == DEAD_LINK_MARK:  # {{dead link}} reads back as url_status=dead
            if fields.get("url_status", "").strip().lower() == "dead":
                fields["url_status"] = saw.get(change.ref_id, ({}, {}))[0].get("url_status", "")
                continue
            todo.append(change)
            continue
        now = fields.get(change.field)
        if now is not None and _same(change.field, now, change.new):
            if not _same(change.field, now, change.old):
                fields[change.field] = change.old  # applied already: as the report saw it
            continue
        todo.append(change)
    order = [ref.id for ref in imported.references]
    if len(order) != len(current) or cells_digest((i, *current[i]) for i in order) != report_digest(
        report
    ):
        differ = [i for i in order if saw.get(i) != current[i]] + [
            i for i in saw if i not in current
        ]
        raise PatchRefused(
            f"{input_path} changed after the report was written"
            + (f" (cells of {_listed(differ)} differ)" if differ else " (rows moved)")
            + "; re-run citewatch check first"
        )
    return todo
