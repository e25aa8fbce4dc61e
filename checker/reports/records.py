"""Plain-data records of a run: the one serialisation every report format shares.

The JSON report is these records verbatim (schema in docs/report-schema.md); the HTML,
CSV, Markdown and JUnit writers render the same records, so all formats agree.
"""

from __future__ import annotations

import hashlib
import operator
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from checker.model import (
    KNOWN_FIELDS,
    ArchiveResult,
    CheckResult,
    ExistingArchive,
    Finding,
    InputProblem,
    LinkResult,
    Reference,
    Severity,
)

SCHEMA = "citewatch-report"
SCHEMA_VERSION = "1.2"


#: Each severity's label (a dict lookup: the enum property is slow for a million).
_LABELS = {severity: severity.label for severity in Severity}


def finding_record(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "severity": _LABELS[finding.severity],
        "field": finding.main_field,
        "fields": list(finding.fields),
        "values": list(finding.values),
        "message": finding.message,
        "suggestion": finding.suggestion,
        "suggested": dict(finding.suggested),
        "related": list(finding.related),
    }


def problem_record(problem: InputProblem) -> dict[str, Any]:
    return {
        "path": problem.path,
        "row": problem.row,
        "field": problem.field,
        "message": problem.message,
        "ref_id": problem.ref_id,
        "fatal": problem.fatal,
    }


def link_record(link: LinkResult | None) -> dict[str, Any] | None:
    """The link verdict with its evidence (None when the link stage did not run)."""
    if link is None:
        return None
    return {
        "url": link.url,
        "status": link.status.value,
        "rule": link.rule,
        "detail": link.detail,
        "http_status": link.http_status,
        "final_url": link.final_url,
        "title": link.title,
        "page_date": link.page_date,
        "elapsed_ms": link.elapsed_ms,
        "checked_at": link.checked_at.isoformat(timespec="seconds") if link.checked_at else None,
        "failures": link.failures,
        "failing_since": (
            link.failing_since.isoformat(timespec="seconds") if link.failing_since else None
        ),
        "suggested_url": link.suggested_url,
        "hops": [
            {
                "method": h.method,
                "url": h.url,
                "status": h.status,
                "error": h.error,
                "location": h.location,
                "elapsed_ms": h.elapsed_ms,
            }
            for h in link.hops
        ],
    }


def archive_record(
    result: ArchiveResult | None, existing: ExistingArchive | None
) -> dict[str, Any] | None:
    """What the archive stage found (None when it did not look)."""
    if result is None and existing is None:
        return None
    record: dict[str, Any] = {
        "status": None,
        "snapshot": None,
        "candidates": [],
        "lookups": 0,
        "cached": False,
        "detail": "",
        "existing": None,
    }
    if result is not None:
        snap = result.snapshot
        record.update(
            status=result.status.value,
            lookups=result.lookups,
            cached=result.cached,
            detail=result.detail,
            candidates=[
                {"timestamp": c.timestamp, "url": c.url, "accepted": c.accepted, "reason": c.reason}
                for c in result.candidates
            ],
        )
        if snap is not None:
            record["snapshot"] = {
                "url": snap.url,
                "original": snap.original,
                "timestamp": snap.timestamp,
                "captured": snap.captured.isoformat(timespec="seconds"),
                "target": snap.target.isoformat() if snap.target else None,
                "distance_days": snap.distance_days,
                "title": snap.title,
                "reason": snap.reason,
                "source": snap.source,
            }
    if existing is not None:
        record["existing"] = {
            "archive_url": existing.archive_url,
            "ok": existing.ok,
            "reason": existing.reason,
            "captured": existing.captured.isoformat(timespec="seconds")
            if existing.captured
            else None,
        }
    return record


def location_record(ref: Reference) -> dict[str, Any] | None:
    location = ref.location
    if location is None:
        return None
    path, line = location.path, location.line
    return {
        "path": path,
        "line": line,
        "anchor": location.anchor,
        # str(location), without its call for the usual location (a line)
        "text": f"{path}:{line}" if line is not None else str(location),
    }


def reference_record(
    ref: Reference,
    findings: list[Finding],
    link: LinkResult | None = None,
    archive: dict[str, Any] | None = None,
) -> dict[str, Any]:
    ordered = sorted(findings, key=lambda f: (-f.severity, f.code))
    return {
        "id": ref.id,
        "location": location_record(ref),
        "fields": ref.fields(),
        "extra": dict(ref.extra),
        "findings": [finding_record(f) for f in ordered],
        "worst": ordered[0].severity.label if ordered else None,
        "link": link_record(link),
        "archive": archive,
    }


def place(location: dict[str, Any] | None) -> str:
    """Where a reference is in its file, short: the line, else ``#anchor``."""
    if location is None:
        return ""
    if location.get("line") is not None:
        return str(location["line"])
    return f"#{location['anchor']}" if location.get("anchor") else ""


def run_record(result: CheckResult, exit_code: int) -> dict[str, Any]:
    run = result.run
    return {
        "tool": "citewatch",
        "tool_version": run.tool_version,
        "started": run.started.isoformat(timespec="seconds"),
        "finished": run.finished.isoformat(timespec="seconds"),
        "today": run.today.isoformat(),
        "input": run.input_path,
        "input_format": run.input_format,
        "offline": run.offline,
        "fail_on": run.fail_on,
        "exit_code": exit_code,
        "trend": [dict(entry) for entry in result.trend],
    }


_FIELD_VALUES = operator.attrgetter(*KNOWN_FIELDS)

#: The known fields in the order :func:`cells_digest` hashes them (sorted by name).
DIGEST_FIELDS = tuple(sorted(KNOWN_FIELDS))
_DIGEST_FIELDS = DIGEST_FIELDS


_DIGEST_VALUES = operator.attrgetter(*_DIGEST_FIELDS)
_DIGEST_PREFIXES = tuple(f"{name}=" for name in _DIGEST_FIELDS)


def digest_part(ref_id: str, values: Sequence[str], extra: Mapping[str, str]) -> str:
    """One reference's text in :func:`input_digest`: ``values`` are its known fields in
    the order of :data:`DIGEST_FIELDS` (sorted by name)."""
    parts = [f"{len(ref_id)}:{ref_id}"]
    parts += [f"{p}{len(v)}:{v}" for p, v in zip(_DIGEST_PREFIXES, values, strict=True) if v]
    parts.append("|")
    if extra:
        parts += [f"{len(k)}:{k}={len(v)}:{v}" for k, v in sorted(extra.items())]
    return "\n".join(parts)


def digest_chunk(parts: list[str]) -> bytes:
    """What :func:`input_digest` hashes for consecutive references' :func:`digest_part`."""
    return ("\n\n".join(parts) + "\n\n").encode("utf-8", "replace")


def input_digest(result: CheckResult) -> str:
    """The hash of every cell the run read (``run.input_digest`` of report.json): the
    very bytes :func:`checker.patch.report.cells_digest` hashes for the references,
    made without a dict per reference and hashed in chunks of 4,096 references.  The
    digest an importer made on the way (``CheckResult.input_digest``) is the same."""
    if result.input_digest:
        return result.input_digest
    digest = hashlib.sha256()
    chunk: list[str] = []
    values = _DIGEST_VALUES
    for ref in result.references:
        chunk.append(digest_part(ref.id, values(ref), ref.extra))
        if len(chunk) == 4096:
            digest.update(digest_chunk(chunk))
            chunk.clear()
    if chunk:
        digest.update(digest_chunk(chunk))
    return digest.hexdigest()


def summary_record(result: CheckResult) -> dict[str, Any]:
    by_code = Counter(f.code for f in result.findings)
    flagged = {f.ref_id for f in result.findings if f.ref_id is not None}
    severity_of: dict[str, str] = {}
    for finding in result.findings:
        if finding.code not in severity_of:  # the label of the first finding of a code
            severity_of[finding.code] = _LABELS[finding.severity]
    return {
        "references": len(result.references),
        "with_findings": len(flagged),
        "findings": result.counts(),
        "by_code": [
            {"code": code, "severity": severity_of[code], "count": count}
            for code, count in sorted(by_code.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "input_problems": len(result.problems),
        "links": dict(Counter(link.status.value for link in result.links.values())),
        "inconclusive": result.inconclusive,
        "archives": dict(Counter(a.status.value for a in result.archives.values())),
    }


def archive_of(result: CheckResult, ref: Reference) -> dict[str, Any] | None:
    existing = result.existing_archives.get(ref.archive_url) if ref.archive_url else None
    return archive_record(result.archive_of(ref), existing)


def ordered_references(result: CheckResult) -> Iterator[tuple[Reference, list[Finding]]]:
    """References with their findings, worst first, then in input order."""
    grouped = result.findings_by_ref()
    keyed = []
    for index, ref in enumerate(result.references):
        findings = grouped.get(ref.id, [])
        worst = max((f.severity for f in findings), default=0)
        keyed.append((-int(worst), index))
    keyed.sort()
    for _, index in keyed:
        ref = result.references[index]
        yield ref, grouped.get(ref.id, [])


def captures_record(result: CheckResult) -> list[dict[str, Any]]:
    """Save Page Now results (``--save``), by cited URL: new captures first."""
    order = {"captured": 0, "timeout": 1, "error": 2, "not-sent": 3}
    rows = sorted(result.captures.values(), key=lambda c: (order.get(c.status.value, 9), c.url))
    return [
        {
            "url": c.url,
            "status": c.status.value,
            "archive_url": c.archive_url,
            "timestamp": c.timestamp,
            "job_id": c.job_id,
            "error": c.error,
            "message": c.message,
            "requested_at": c.requested_at.isoformat(timespec="seconds")
            if c.requested_at
            else None,
            "cached": c.cached,
        }
        for c in rows
    ]


def _worst_first(finding: Finding) -> tuple[int, str]:
    return (-finding.severity, finding.code)


class Records:
    """The records of one run, built once and shared by every report writer.

    What every format needs is computed here once: the findings grouped by reference
    and their records (worst first), the worst-first order, the run and summary
    records.  :meth:`reference` assembles a reference's record from those parts; the
    input-order writers (JSON, CSV, JUnit) are fed the very same record in one pass
    (:func:`checker.reports.write_reports`).
    """

    def __init__(self, result: CheckResult, exit_code: int = 0) -> None:
        self.result = result
        self.exit_code = exit_code
        self.grouped = result.findings_by_ref()
        self._finding_records: dict[str, list[dict[str, Any]]] = {}
        self._run: dict[str, Any] | None = None
        self._summary: dict[str, Any] | None = None
        self._ordered: list[int] | None = None
        self._list: list[dict[str, Any]] | None = None
        self._advice: dict[str, Any] = {}
        #: keep each reference's finding records once built (False where every record is
        #: needed once: a writer streaming in input order)
        self.keep = True

    def advice(self, report_dir: Any) -> Any:
        """:func:`checker.reports.guide.patch_advice` for ``report_dir``, planned once
        (the HTML and Markdown reports both show it)."""
        from checker.reports import guide

        key = str(report_dir)
        if key not in self._advice:
            self._advice[key] = guide.patch_advice(self.result, report_dir)
        return self._advice[key]

    @property
    def run_base(self) -> dict[str, Any]:
        """The run record without ``input_digest`` (cheap: no pass over the list)."""
        return run_record(self.result, self.exit_code)

    @property
    def run(self) -> dict[str, Any]:
        if self._run is None:
            self._run = {**self.run_base, "input_digest": input_digest(self.result)}
        return self._run

    @property
    def summary(self) -> dict[str, Any]:
        if self._summary is None:
            self._summary = summary_record(self.result)
        return self._summary

    @property
    def list_findings(self) -> list[dict[str, Any]]:
        """Records of the list-level findings, in run order."""
        if self._list is None:
            self._list = [finding_record(f) for f in self.grouped.get(None, [])]
        return self._list

    def findings_of(self, ref: Reference) -> list[dict[str, Any]]:
        """The finding records of ``ref``, worst first (built once per id)."""
        findings = self.grouped.get(ref.id)
        if not findings:  # most references: nothing to build or keep
            return []
        found = self._finding_records.get(ref.id)
        if found is None:
            if len(findings) > 1:
                findings = sorted(findings, key=_worst_first)
            found = [finding_record(f) for f in findings]
            if found and self.keep:
                self._finding_records[ref.id] = found
        return found

    def reference(self, ref: Reference) -> dict[str, Any]:
        """``ref``'s record: what :func:`reference_record` gives, from the shared parts."""
        found = self.findings_of(ref)
        result = self.result
        return {
            "id": ref.id,
            "location": location_record(ref),
            "fields": dict(zip(KNOWN_FIELDS, _FIELD_VALUES(ref), strict=True)),  # ref.fields()
            "extra": dict(ref.extra),
            "findings": found,
            "worst": found[0]["severity"] if found else None,
            # an offline run has no link or archive results: nothing to look up
            "link": link_record(result.link_of(ref)) if result.links else None,
            "archive": archive_of(result, ref)
            if result.archives or result.existing_archives
            else None,
        }

    def ordered(self) -> Iterator[tuple[Reference, list[Finding]]]:
        """What :func:`ordered_references` gives, its order computed once: the indexes
        put into one bucket per worst severity (each in input order, as the stable sort
        by worst severity leaves them), the references without findings last."""
        refs = self.result.references
        if self._ordered is None:
            grouped = self.grouped
            buckets: dict[int, list[int]] = {}
            for index, ref in enumerate(refs):
                findings = grouped.get(ref.id)
                if findings:
                    worst = int(max(f.severity for f in findings))
                    buckets.setdefault(worst, []).append(index)
            flagged: list[int] = []
            for worst in sorted(buckets, reverse=True):
                flagged += buckets[worst]
            self._ordered = flagged
        for index in self._ordered:
            ref = refs[index]
            yield ref, self.grouped.get(ref.id, [])
        if len(self._ordered) < len(refs):  # then the rest, in input order
            grouped = self.grouped
            for ref in refs:
                findings = grouped.get(ref.id)
                if not findings:
                    yield ref, []


def plural(n: int, noun: str) -> str:
    """``n`` (thousands separated) and ``noun``, in the plural unless one: "1 hop",
    "86 date fixes", "2 archive cells"."""
    if n == 1:
        return f"{n:,} {noun}"
    return f"{n:,} {noun}" + ("es" if noun.endswith(("s", "x", "z", "ch", "sh")) else "s")
