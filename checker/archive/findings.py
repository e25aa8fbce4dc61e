"""Findings from the archive stage: a validated capture to cite (with the exact cells
``patch`` will write), no usable capture, a blocked site, pending lookups, and existing
archive links that are broken."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from checker.archive.rescue import ArchiveRun
from checker.checks.archive import render_like
from checker.model import (
    ArchiveResult,
    ArchiveStatus,
    Finding,
    LinkResult,
    LinkStatus,
    Reference,
    Severity,
    Snapshot,
)


def url_status_for(link: LinkResult | None) -> str:
    if link is not None and link.status is LinkStatus.USURPED:
        return "usurped"
    if link is not None and link.status.rotten:
        return "dead"
    return "live"


def patch_cells(ref: Reference, snapshot: Snapshot, link: LinkResult | None) -> dict[str, str]:
    """The cells ``patch`` fills for a rescued reference."""
    return {
        "archive_url": snapshot.url,
        "archive_date": render_like(ref, snapshot.captured.date()),
        "url_status": url_status_for(link),
    }


def distance_text(snapshot: Snapshot, ref: Reference) -> str:
    if snapshot.distance_days is None:
        return "the newest usable capture"
    what = "retrieval date" if ref.access_date else "publication date"
    days = snapshot.distance_days
    if days == 0:
        return f"the day of the {what}"
    return (
        f"{abs(days)} day{'s' if abs(days) != 1 else ''} {'before' if days < 0 else 'after'} "
        f"the {what}"
    )


def archive_findings(
    refs: Sequence[Reference], run: ArchiveRun, links: Mapping[str, LinkResult]
) -> Iterator[Finding]:
    if run.stopped:
        yield Finding(
            "archive-stopped",
            Severity.WARNING,
            f"Archive lookups stopped: {run.stopped}",
            None,
            suggestion="re-run later; cached results are kept",
        )
    for ref in refs:
        url = ref.url.strip()
        existing = run.existing.get(ref.archive_url) if ref.archive_url else None
        result = run.results.get(url) if url else None
        if existing is not None and not existing.ok:
            yield _broken(ref, existing.reason, result, links.get(url))
        elif result is not None:
            yield from _rescue(ref, result, links.get(url))


def _broken(
    ref: Reference, reason: str, better: ArchiveResult | None, link: LinkResult | None
) -> Finding:
    suggestion, suggested = "find another capture", {}
    if better is not None and better.snapshot is not None:
        suggested = patch_cells(ref, better.snapshot, link)
        suggestion = (
            f"archive_url = {better.snapshot.url!r} (captured "
            f"{better.snapshot.captured:%Y-%m-%d}, {better.snapshot.reason})"
        )
    return Finding(
        "archive-url-broken",
        Severity.ERROR,
        f"The archived copy is unusable: {reason}",
        ref.id,
        fields=("archive_url",),
        values=(ref.archive_url,),
        suggestion=suggestion,
        suggested=suggested,
    )


def _rescue(ref: Reference, result: ArchiveResult, link: LinkResult | None) -> Iterator[Finding]:
    if result.status is ArchiveStatus.FOUND and result.snapshot is not None:
        snap = result.snapshot
        if ref.archive_url:
            return  # the reference already links an archived copy that works
        cells = patch_cells(ref, snap, link)
        yield Finding(
            "archive-found",
            Severity.INFO,
            f"Archived copy captured {snap.captured:%Y-%m-%d} ({distance_text(snap, ref)}): "
            f"{snap.reason}",
            ref.id,
            fields=("archive_url", "archive_date", "url_status"),
            values=(snap.url, cells["archive_date"], cells["url_status"]),
            suggestion=", ".join(f"{k} = {v!r}" for k, v in cells.items()),
            suggested=cells,
        )
    elif result.status is ArchiveStatus.NONE:
        rejected = "; ".join(f"{c.timestamp}: {c.reason}" for c in result.candidates)
        yield Finding(
            "archive-none",
            Severity.WARNING,
            f"No usable archived copy ({result.detail}{': ' + rejected if rejected else ''})",
            ref.id,
            fields=("url",),
            values=(ref.url,),
            suggestion="find another source, or mark the link dead ({{dead link}})",
        )
    elif result.status is ArchiveStatus.BLOCKED:
        yield Finding(
            "archive-blocked",
            Severity.WARNING,
            "The Internet Archive excludes this site: no archived copy can be linked",
            ref.id,
            fields=("url",),
            values=(ref.url,),
        )
    elif result.status is ArchiveStatus.PENDING:
        yield Finding(
            "archive-pending",
            Severity.INFO,
            f"Archive lookup pending: {result.detail}",
            ref.id,
            fields=("url",),
            values=(ref.url,),
        )
