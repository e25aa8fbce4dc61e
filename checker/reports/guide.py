"""What a report tells a person first: the headline, and the command that applies it.

Shared by index.html and summary.md so both say the same thing:

* :func:`headline` -- the verdict in words, never "Passed" above errors: "8 errors,
  6 warnings — not failing (fail-on: never)".
* :func:`patch_advice` -- the exact ``citewatch patch`` command (shell-quoted paths, with
  ``--accept-date-fixes`` when the report holds date fixes) and how many cells it would
  change, computed with the patch planner itself (:mod:`checker.patch.plan`) on the
  references that carry a suggestion, so the advice cannot drift from what ``patch`` does.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from checker.model import CheckResult, Severity
from checker.reports import records

#: Input suffixes ``citewatch patch`` edits (see checker.cli.patch_command).
CSV_SUFFIXES = (".csv", ".tsv")
WIKITEXT_SUFFIXES = (".wiki", ".wikitext", ".mediawiki")

#: Short verdicts by state, for the badge next to the headline.
LABELS = {
    "passed": "Passed",
    "not-failing": "Not failing",
    "failing": "Failing",
    "input-error": "Input error",
    "inconclusive": "Inconclusive",
    "crashed": "Internal error",
}


def stamp(timestamp: str) -> str:
    """A 14-digit archive timestamp as ``YYYY-MM-DD hh:mm:ss`` (anything else as it is)."""
    if len(timestamp) == 14 and timestamp.isdigit():
        t = timestamp
        return f"{t[:4]}-{t[4:6]}-{t[6:8]} {t[8:10]}:{t[10:12]}:{t[12:]}"
    return timestamp


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 or noun == "info" else "s")


@dataclass(frozen=True, slots=True)
class Headline:
    """``state`` (a key of :data:`LABELS`), its ``label`` and the sentence ``text``."""

    state: str
    label: str
    text: str
    counts: str


def finding_counts(counts: dict[str, int]) -> str:
    """Like "8 errors, 6 warnings, 10 info" (the severities present), or "no findings"."""
    parts = [
        _count(counts.get(s.label, 0), s.label)
        for s in sorted(Severity, reverse=True)
        if counts.get(s.label, 0)
    ]
    return ", ".join(parts) or "no findings"


def headline(run: dict[str, Any], summary: dict[str, Any]) -> Headline:
    """The verdict of a run in words, from its run and summary records."""
    exit_code, fail_on = run["exit_code"], run["fail_on"]
    counts = finding_counts(summary["findings"])
    total = sum(summary["findings"].values())
    policy = f"(fail-on: {fail_on})"
    if exit_code == 0:
        state = "passed" if total == 0 else "not-failing"
        text = f"{counts} — {'passed' if total == 0 else 'not failing'} {policy}"
    elif exit_code == 1:
        state, text = "failing", f"{counts} — failing {policy}"
    elif exit_code == 2:
        problems = _count(summary["input_problems"], "input problem")
        state, text = "input-error", f"{problems}, {counts} — input error (exit 2)"
    elif exit_code == 3:
        state = "inconclusive"
        text = f"links not judged (the network was unusable), {counts} — inconclusive (exit 3)"
    else:
        state, text = "crashed", f"{counts} — internal error (exit {exit_code})"
    return Headline(state, LABELS[state], text, counts)


@dataclass(frozen=True, slots=True)
class PatchAdvice:
    """What ``citewatch patch`` would do with this report.

    ``preview`` and ``write`` are the commands (empty when there is nothing to run);
    ``note`` says why not, or what to mind."""

    archive_cells: int
    date_cells: int
    preview: str
    write: str
    note: str

    @property
    def cells(self) -> int:
        return self.archive_cells + self.date_cells


def _planned(result: CheckResult, wikitext: bool) -> tuple[int, int]:
    """(cells patch writes without date fixes, cells it writes with them), one reference
    at a time: only the parts of its record the planner reads are built."""
    from checker.patch.plan import ARCHIVE_CODES, DATE_FIX_CODES, plan
    from checker.patch.wikitext import plan_wikitext

    # plan() writes only archive and date fixes: a reference whose suggestions are all
    # of other kinds (a generic author removed) gets no cell from it
    planned = ARCHIVE_CODES | DATE_FIX_CODES
    wanted = {
        f.ref_id
        for f in result.findings
        if (f.suggested and (wikitext or f.code in planned))
        or (wikitext and f.code == "archive-none")
    }
    if not wanted:
        return 0, 0
    grouped = result.findings_by_ref()
    safe = with_dates = 0
    for ref in result.references:
        if ref.id not in wanted:
            continue
        findings = grouped[ref.id]
        if wikitext:
            record = records.reference_record(ref, findings, result.link_of(ref))
            report = {"references": [record]}
            safe += len(plan_wikitext(report, False))
            with_dates += len(plan_wikitext(report, True))
            continue
        link = result.link_of(ref)
        ordered = sorted(findings, key=lambda f: (-f.severity, f.code))
        suggested = [dict(f.suggested) for f in ordered]
        minimal = {
            "id": ref.id,
            "fields": {name: getattr(ref, name, None) for s in suggested for name in s},
            "link": {"status": link.status.value} if link is not None else None,
            "findings": [
                {"code": f.code, "suggested": s} for f, s in zip(ordered, suggested, strict=True)
            ],
        }
        report = {"references": [minimal]}
        cells = len(plan(report, False))
        safe += cells
        dates = any(f.code in DATE_FIX_CODES and f.suggested for f in ordered)
        with_dates += len(plan(report, True)) if dates else cells
    return safe, with_dates


def patch_advice(result: CheckResult, report_dir: PurePath | str) -> PatchAdvice:
    """The ``citewatch patch`` commands that apply this report's suggestions."""
    input_path = result.run.input_path
    suffix = PurePath(input_path).suffix.lower()
    wikitext = suffix in WIKITEXT_SUFFIXES
    if result.inconclusive:
        note = "Nothing to patch: the run was inconclusive, and patch refuses such a report."
        return PatchAdvice(0, 0, "", "", note)
    if not wikitext and suffix not in CSV_SUFFIXES:
        safe, with_dates = _planned(result, False)
        note = (
            "citewatch patch edits references.csv (CSV/TSV) and wikitext only: convert this "
            "input with citewatch import, check that file and patch it."
        )
        return PatchAdvice(safe, with_dates - safe, "", "", note if with_dates else "")
    safe, with_dates = _planned(result, wikitext)
    if not with_dates:
        return PatchAdvice(0, 0, "", "", "Nothing for citewatch patch to write.")
    args = ["citewatch", "patch", input_path, "--report", str(PurePath(report_dir, "report.json"))]
    if with_dates > safe:
        args.append("--accept-date-fixes")
    preview = shlex.join(args)
    note = ""
    if result.problems:
        note = (
            f"The input has {_count(len(result.problems), 'problem')}: fix them and run "
            "citewatch check again before patching."
        )
    elif with_dates > safe:
        note = (
            f"Without --accept-date-fixes only the {_count(safe, 'archive cell')} are written; "
            "review the date fixes in the diff first."
        )
    return PatchAdvice(safe, with_dates - safe, preview, preview + " --write", note)
