"""The verify stage: does the cited page (or its snapshot) still say what is cited?

* **Quotes.** For a reference with a ``quote``, the live page (alive or redirected) is
  read again with a larger body cap (``quote_body_cap``, only for quoted citations) and
  searched; when the quote is not there, the snapshot (the reference's own Wayback
  ``archive_url``, else the capture the archive stage chose) is searched too.
* **Drift.** For a live link whose snapshot lies within ``drift_window_days`` of the
  access-date, the main texts of both (boilerplate stripped by ``trafilatura``) are
  compared by word-shingle Jaccard similarity; below ``drift_threshold`` is drift.

Snapshots are fetched raw (``id_``) through :class:`~checker.archive.client.ArchiveClient`,
so under the archive rate limit and its 429 policy, and at most ``snapshot_budget`` per
run; their texts are kept in the state file (a capture never changes), so a nightly run
fetches each once.  Over the budget (or once the archive rate-limits the run) a snapshot
is skipped and a list-level ``verify-skipped`` finding says how many.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from checker.archive.client import (
    ArchiveClient,
    ArchiveStopped,
    ArchiveUnavailable,
    SiteBlocked,
)
from checker.archiveurl import parse_archive_url
from checker.dates import DateError, parse_date
from checker.links.fetch import fetch
from checker.links.safety import Resolver
from checker.links.scheduler import run_polite
from checker.model import (
    ArchiveResult,
    ExistingArchive,
    Finding,
    LinkResult,
    LinkStatus,
    Reference,
)
from checker.verify.config import VerifyConfig as VerifyConfig
from checker.verify.findings import drift_finding, quote_finding, skipped_finding
from checker.verify.text import main_text, page_text

_LIVE = (LinkStatus.ALIVE, LinkStatus.REDIRECTED)
_MAX_TEXT = 2_000_000  #: characters of a snapshot's text kept in the state file


@dataclass(frozen=True, slots=True)
class SnapshotRef:
    timestamp: str
    original: str
    url: str  #: the playback URL to show

    @property
    def day(self) -> dt.date:
        return dt.datetime.strptime(self.timestamp[:8], "%Y%m%d").date()


@dataclass(frozen=True, slots=True)
class PageText:
    full: str  #: every visible word
    main: str  #: main text, boilerplate stripped


@dataclass(frozen=True, slots=True)
class VerifyRun:
    findings: tuple[Finding, ...]
    live_fetched: int = 0
    snapshots_fetched: int = 0
    snapshots_skipped: int = 0
    skipped_reason: str = ""


def snapshot_of(
    ref: Reference, archive: ArchiveResult | None, existing: ExistingArchive | None
) -> SnapshotRef | None:
    """The capture to compare with: the reference's own Wayback archive_url (unless found
    broken), else the capture the archive stage validated."""
    if ref.archive_url.strip() and (existing is None or existing.ok):
        link = parse_archive_url(ref.archive_url.strip())
        if link.service == "wayback" and not link.problem and link.timestamp is not None:
            return SnapshotRef(f"{link.timestamp:%Y%m%d%H%M%S}", link.original, ref.archive_url)
    if archive is not None and archive.snapshot is not None:
        snap = archive.snapshot
        return SnapshotRef(snap.timestamp, snap.original, snap.url)
    return None


def _access_day(ref: Reference) -> dt.date | None:
    try:
        value = parse_date(ref.access_date)
    except DateError:
        return None
    return value.latest if value is not None and value.is_full_date else None


class _Snapshots:
    """Snapshot texts: from the state file, else fetched within the budget."""

    def __init__(self, config: VerifyConfig) -> None:
        self.config = config
        archive = dataclasses.replace(config.archive, body_cap=config.quote_body_cap)
        self.client = ArchiveClient(archive)
        self.fetched = 0
        self.skipped = 0
        self.reason = ""
        path = config.state_path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            ":memory:" if path is None else str(path), timeout=30.0, isolation_level=None
        )
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS snapshot_texts (timestamp TEXT NOT NULL, "
            "original TEXT NOT NULL, full TEXT NOT NULL, main TEXT NOT NULL, "
            "PRIMARY KEY (timestamp, original))"
        )
        self._memo: dict[tuple[str, str], PageText | None] = {}

    def close(self) -> None:
        self.client.close()
        self._db.close()

    def text(self, snap: SnapshotRef) -> PageText | None:
        key = (snap.timestamp, snap.original)
        if key in self._memo:
            return self._memo[key]
        row = self._db.execute(
            "SELECT full, main FROM snapshot_texts WHERE timestamp = ? AND original = ?", key
        ).fetchone()
        if row is not None:
            self._memo[key] = PageText(row[0], row[1])
            return self._memo[key]
        if self.fetched >= self.config.snapshot_budget or self.client.stopped:
            self.skipped += 1
            if self.client.stopped:
                why = "the archive rate-limited the run"
            elif self.config.snapshot_budget == 0:
                why = "snapshots are not fetched (--no-archive, or --verify-budget 0)"
            else:
                why = (
                    f"over the budget of {self.config.snapshot_budget} snapshots per run "
                    "(--verify-budget)"
                )
            self.reason = self.reason or why
            return None
        self.fetched += 1
        try:
            capture = self.client.capture(snap.timestamp, snap.original)
        except ArchiveStopped:
            self.skipped += 1
            self.reason = self.reason or "the archive rate-limited the run"
            return None
        except (ArchiveUnavailable, SiteBlocked):
            self._memo[key] = None
            return None
        if capture.status != 200:
            self._memo[key] = None
            return None
        page = PageText(page_text(capture.body), main_text(capture.body))
        self._db.execute(
            "INSERT OR REPLACE INTO snapshot_texts VALUES (?, ?, ?, ?)",
            (*key, page.full[:_MAX_TEXT], page.main[:_MAX_TEXT]),
        )
        self._memo[key] = page
        return page


def _live_pages(
    urls: dict[str, bool], config: VerifyConfig, resolver: Resolver | None
) -> dict[str, PageText | None]:
    """The live pages of ``urls`` (url → whether it is cited with a quote)."""

    def work(url: str) -> PageText | None:
        cap = config.quote_body_cap if urls[url] else config.fetch.body_cap
        settings = dataclasses.replace(config.fetch, body_cap=cap, head_first=False)
        outcome = fetch(url, settings, resolver=resolver)
        if not outcome.ok or outcome.status != 200 or not outcome.body:
            return None
        return PageText(page_text(outcome.body), main_text(outcome.body))

    return run_polite(list(urls), work, config.politeness)


def verify(
    refs: Sequence[Reference],
    links: Mapping[str, LinkResult],
    archives: Mapping[str, ArchiveResult],
    existing: Mapping[str, ExistingArchive],
    config: VerifyConfig | None = None,
    *,
    resolver: Resolver | None = None,
) -> VerifyRun:
    config = config or VerifyConfig()
    plans: list[tuple[Reference, SnapshotRef | None, bool, bool]] = []
    wanted: dict[str, bool] = {}
    for ref in refs:
        url = ref.url.strip()
        link = links.get(url) if url else None
        if link is None:
            continue
        live = link.status in _LIVE
        snap = snapshot_of(
            ref, archives.get(url), existing.get(ref.archive_url) if ref.archive_url else None
        )
        access = _access_day(ref)
        near = (
            snap is not None
            and access is not None
            and abs((snap.day - access).days) <= config.drift_window_days
        )
        quoted = bool(ref.quote.strip()) and (live or (link.status.rotten and snap is not None))
        drift = live and near
        if quoted or drift:
            plans.append((ref, snap, quoted, drift))
            if live:
                wanted[url] = wanted.get(url, False) or quoted
    plans.sort(key=lambda plan: not plan[2])  # quotes first: they matter most
    pages = _live_pages(wanted, config, resolver) if wanted else {}
    snapshots = _Snapshots(config)
    findings: list[Finding] = []
    try:
        for ref, snap, quoted, drift in plans:
            live_page = pages.get(ref.url.strip())
            live = links[ref.url.strip()].status in _LIVE
            if live and live_page is None:
                continue  # the page could not be read again: nothing to judge
            if quoted:
                finding = quote_finding(ref, live_page, snap, snapshots.text, live)
                if finding is not None:
                    findings.append(finding)
            if drift and live_page is not None and snap is not None:
                snap_page = snapshots.text(snap)
                if snap_page is not None:
                    finding = drift_finding(ref, live_page.main, snap, snap_page.main, config)
                    if finding is not None:
                        findings.append(finding)
    finally:
        snapshots.close()
    if snapshots.skipped:
        findings.insert(0, skipped_finding(snapshots.skipped, snapshots.reason))
    return VerifyRun(
        tuple(findings), len(pages), snapshots.fetched, snapshots.skipped, snapshots.reason
    )
