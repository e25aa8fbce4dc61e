"""Findings of the save stage: a new capture (with the cells ``patch
--accept-new-captures`` writes), a capture that failed, saving stopped, no keys."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from checker.checks.archive import render_like
from checker.model import Finding, Reference, SaveResult, SaveStatus, Severity
from checker.save.client import ENV_ACCESS, ENV_SECRET
from checker.save.runner import SaveRun

NO_KEYS = (
    f"--save was given but {ENV_ACCESS} and {ENV_SECRET} are not both set: nothing was "
    "saved (Save Page Now needs the archive.org S3 keys of an account)"
)


def capture_cells(ref: Reference, result: SaveResult) -> dict[str, str]:
    """The cells a new capture fills: archive_url, archive_date, url_status=live."""
    captured = result.captured
    assert captured is not None
    return {
        "archive_url": result.archive_url,
        "archive_date": render_like(ref, captured.date()),
        "url_status": "live",
    }


def save_findings(refs: Sequence[Reference], run: SaveRun) -> Iterator[Finding]:
    if run.no_keys:
        yield Finding("save-no-keys", Severity.WARNING, NO_KEYS, None)
        return
    if run.stopped:
        yield Finding(
            "save-stopped",
            Severity.WARNING,
            f"Save Page Now requests stopped: {run.stopped}",
            None,
            suggestion="re-run later; captures made so far are kept in the state file",
        )
    for ref in refs:
        result = run.results.get(ref.url.strip()) if ref.url.strip() else None
        if result is None or ref.archive_url.strip():
            continue
        if result.status is SaveStatus.CAPTURED and result.captured is not None:
            cells = capture_cells(ref, result)
            when = "earlier run" if result.cached else "this run"
            yield Finding(
                "new-capture",
                Severity.INFO,
                f"Saved to the Wayback Machine ({when}): captured "
                f"{result.captured:%Y-%m-%d %H:%M} UTC",
                ref.id,
                fields=("archive_url", "archive_date", "url_status"),
                values=(cells["archive_url"], cells["archive_date"], cells["url_status"]),
                suggestion=", ".join(f"{k} = {v!r}" for k, v in cells.items())
                + " (citewatch patch --accept-new-captures)",
                suggested=cells,
            )
        elif result.status is SaveStatus.ERROR or result.status is SaveStatus.TIMEOUT:
            what = result.error or result.status.value
            yield Finding(
                "save-failed",
                Severity.INFO,
                f"Save Page Now could not capture it: {what}"
                + (f" — {result.message}" if result.message else ""),
                ref.id,
                fields=("url",),
                values=(ref.url,),
            )
