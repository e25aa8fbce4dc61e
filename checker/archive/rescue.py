"""Choosing and validating the capture to cite, and checking existing archive links.

For each rotten link: the captures with status 200 nearest the access-date (CDX
``closest`` + ``sort=closest``), those *before* it first, then those just after; never
one older than the publication date (that would be another page at the same URL).
Without an access-date, nearest the publication date; without either, the newest.
Each candidate is fetched raw (``id_``) and rejected if it is an error page, a parked
domain, near-empty, or titled unlike the citation; the next is tried, a bounded number
of times.  When CDX has nothing (or fails), the availability API is asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from checker.archive.cache import ArchiveCache
from checker.archive.client import (
    ArchiveClient,
    ArchiveStopped,
    ArchiveUnavailable,
    Capture,
    SiteBlocked,
)
from checker.archive.config import RescueConfig as RescueConfig
from checker.archive.memento import MementoSource
from checker.archiveurl import parse_archive_url
from checker.checks.content import generic_title
from checker.dates import DateError, parse_date
from checker.links.classify import drifted, is_error_title, title_similarity, visible_text
from checker.links.page import extract_title
from checker.links.safety import Resolver
from checker.model import (
    ArchiveResult,
    ArchiveStatus,
    Candidate,
    ExistingArchive,
    LinkResult,
    LinkStatus,
    Reference,
    Snapshot,
)


@dataclass(frozen=True, slots=True)
class ArchiveRun:
    results: dict[str, ArchiveResult]  #: by cited URL
    existing: dict[str, ExistingArchive]  #: by archive_url
    calls: int
    stopped: str = ""  #: why lookups stopped early ('' when they did not)


def target_of(ref: Reference) -> tuple[dt.date | None, dt.date | None]:
    """(the date to aim at, the earliest the page can have existed)."""

    def parsed(text: str) -> tuple[dt.date, dt.date] | None:
        try:
            value = parse_date(text)
        except DateError:
            return None
        return (value.earliest, value.latest) if value else None

    pub = parsed(ref.date)
    access = parsed(ref.access_date)
    floor = pub[0] if pub else None
    if access:
        return access[1], floor
    return (pub[0] if pub else None), floor


def _stamp(day: dt.date | None, today: dt.date) -> str:
    return f"{(day or today):%Y%m%d}235959"


def wanted(ref: Reference, link: LinkResult | None, archive_all: bool) -> bool:
    if link is None or not ref.url:
        return False
    if link.status.rotten:
        return True
    return archive_all and not ref.archive_url and link.status is LinkStatus.ALIVE


def _judge(capture: Capture, cited_title: str) -> tuple[bool, str, str]:
    """(accepted, reason, the capture's title)."""
    if capture.note:  # e.g. a playback redirect off the archive: never the capture
        return False, capture.note, ""
    if capture.status != 200:
        return False, f"the capture answers HTTP {capture.status}", ""
    title = extract_title(capture.body)
    if title and (is_error_title(title) or generic_title(title)):
        return False, f"an error or parked page ({title!r})", title
    if not title and len(visible_text(capture.body)) < 200:
        return False, "a near-empty page", title
    if cited_title and title:
        if drifted(cited_title, title):
            return False, f"title {title!r} does not match the cited title", title
        score = title_similarity(cited_title, title)
        return True, f"HTTP 200, title matches the citation (similarity {score:.2f})", title
    return True, "HTTP 200, a real page (no title to compare)", title


class Rescuer:
    def __init__(
        self,
        config: RescueConfig,
        client: ArchiveClient,
        cache: ArchiveCache,
        now: dt.datetime,
        memento: MementoSource | None = None,
    ) -> None:
        self.config = config
        self.client = client
        self.cache = cache
        self.now = now
        self.memento = memento

    def find(self, ref: Reference) -> ArchiveResult:
        target, floor = target_of(ref)
        key = _stamp(target, self.now.date())
        cached = self.cache.get(ref.url, key, self.now)
        if cached is not None:
            return cached
        before = self.client.calls
        result = self._lookup(ref, target, floor, key)
        result = ArchiveResult(
            result.url,
            result.status,
            result.snapshot,
            result.candidates,
            self.client.calls - before,
            result.detail,
        )
        self.cache.put(result, key, self.now)
        return result

    def _lookup(
        self, ref: Reference, target: dt.date | None, floor: dt.date | None, key: str
    ) -> ArchiveResult:
        examined: list[Candidate] = []
        try:
            try:
                rows = self.client.cdx(ref.url, key)
                source = "cdx"
                order = preferred([(r.timestamp, r.original) for r in rows], key, floor)
            except ArchiveUnavailable:
                order, source = [], "cdx"
            if not order:
                hit = self.client.available(ref.url, key)
                source = "availability"
                order = preferred([hit] if hit else [], key, floor)
            for stamp, original in order[: self.config.client.max_validations]:
                capture = self.client.capture(stamp, original)
                accepted, reason, title = _judge(capture, ref.title)
                url = self._playback(capture.timestamp, original)
                examined.append(Candidate(capture.timestamp, url, accepted, reason))
                if accepted:
                    snap = _snapshot(
                        url, original, capture.timestamp, target, title, reason, source
                    )
                    return ArchiveResult(
                        ref.url,
                        ArchiveStatus.FOUND,
                        snap,
                        tuple(examined),
                        detail=f"{len(examined)} capture(s) examined",
                    )
        except SiteBlocked:
            return ArchiveResult(
                ref.url,
                ArchiveStatus.BLOCKED,
                None,
                tuple(examined),
                detail="the archive excludes this site",
            )
        except (ArchiveStopped, ArchiveUnavailable) as err:
            return ArchiveResult(
                ref.url, ArchiveStatus.PENDING, None, tuple(examined), detail=str(err)
            )
        if self.memento is not None:
            found = self._other_archives(ref, target, floor, key, examined)
            if found is not None:
                return found
        detail = (
            "no capture with status 200"
            if not examined
            else (f"all {len(examined)} nearest captures rejected")
        )
        return ArchiveResult(ref.url, ArchiveStatus.NONE, None, tuple(examined), detail=detail)

    def _other_archives(
        self,
        ref: Reference,
        target: dt.date | None,
        floor: dt.date | None,
        key: str,
        examined: list[Candidate],
    ) -> ArchiveResult | None:
        """Mementos of other archives (RFC 7089), in the same order of preference."""
        assert self.memento is not None
        try:
            listed = self.memento.mementos(ref.url)
        except (ArchiveStopped, ArchiveUnavailable) as err:
            examined.append(Candidate("", self.memento.timemap_url, False, str(err)))
            return None
        for stamp, uri in preferred(listed, key, floor)[: self.config.client.max_validations]:
            accepted, reason, title = _judge(self.memento.capture(stamp, uri), ref.title)
            examined.append(Candidate(stamp, uri, accepted, reason))
            if accepted:
                source = f"memento ({urlsplit(uri).hostname})"
                snap = _snapshot(uri, ref.url, stamp, target, title, reason, source)
                return ArchiveResult(
                    ref.url,
                    ArchiveStatus.FOUND,
                    snap,
                    tuple(examined),
                    detail=f"{len(examined)} capture(s) examined",
                )
        return None

    def _playback(self, stamp: str, original: str) -> str:
        return f"{self.config.client.base_url}/web/{stamp}/{original}"

    def check_existing(self, ref: Reference) -> ExistingArchive | None:
        link = parse_archive_url(ref.archive_url)
        if link.service != "wayback" or link.problem or link.timestamp is None:
            return None
        stamp = f"{link.timestamp:%Y%m%d%H%M%S}"
        capture = self.client.capture(stamp, link.original)
        served = _parse_stamp(capture.timestamp)
        if capture.status != 200:
            reason = f"the archive answers HTTP {capture.status} for this capture"
            return ExistingArchive(ref.archive_url, False, reason, served)
        if served and abs((served - link.timestamp).days) > 1:
            reason = f"no capture at that time; the archive serves {served:%Y-%m-%d} instead"
            return ExistingArchive(ref.archive_url, False, reason, served)
        accepted, reason, _ = _judge(capture, ref.title)
        return ExistingArchive(ref.archive_url, accepted, reason, served)


def _parse_stamp(stamp: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(stamp, "%Y%m%d%H%M%S")
    except ValueError:
        return None


def preferred(
    captures: Sequence[tuple[str, str]], key: str, floor: dt.date | None
) -> list[tuple[str, str]]:
    """(timestamp, locator) pairs in the order to try them: none older than ``floor``
    (the publication date); those at or before ``key`` (the access-date) nearest first,
    then those after it, nearest first."""
    usable = [c for c in captures if floor is None or c[0][:8] >= f"{floor:%Y%m%d}"]
    before = sorted((c for c in usable if c[0] <= key), reverse=True)
    after = sorted(c for c in usable if c[0] > key)
    return before + after


def _snapshot(
    url: str,
    original: str,
    stamp: str,
    target: dt.date | None,
    title: str,
    reason: str,
    source: str,
) -> Snapshot:
    captured = dt.datetime.strptime(stamp, "%Y%m%d%H%M%S")
    distance = (captured.date() - target).days if target else None
    return Snapshot(url, original, stamp, captured, target, distance, title, reason, source)


def rescue(
    refs: Sequence[Reference],
    links: dict[str, LinkResult],
    config: RescueConfig | None = None,
    *,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    sleep: Callable[[float], None] | None = None,
    resolver: Resolver | None = None,
) -> ArchiveRun:
    """Look up captures for every rotten link and check existing archive links."""
    config = config or RescueConfig()
    client = ArchiveClient(config.client, sleep=sleep) if sleep else ArchiveClient(config.client)
    cache = ArchiveCache(config.state_path, config.miss_ttl)
    memento = (
        MementoSource(config.memento_url, client, config.fetch, resolver)
        if config.memento_url
        else None
    )
    rescuer = Rescuer(config, client, cache, now(), memento)
    results: dict[str, ArchiveResult] = {}
    existing: dict[str, ExistingArchive] = {}
    stopped = ""
    try:
        for ref in refs:
            url = ref.url.strip()
            if url and url not in results and wanted(ref, links.get(url), config.archive_all):
                results[url] = rescuer.find(ref)
            if config.check_existing and ref.archive_url and ref.archive_url not in existing:
                try:
                    verdict = rescuer.check_existing(ref)
                except SiteBlocked:
                    verdict = ExistingArchive(
                        ref.archive_url, False, "the archive excludes this site"
                    )
                except (ArchiveStopped, ArchiveUnavailable):
                    verdict = None
                if verdict is not None:
                    existing[ref.archive_url] = verdict
                    if not verdict.ok and url and url not in results:
                        results[url] = rescuer.find(ref)  # offer a better capture
            if client.stopped and not stopped:
                stopped = "the archive rate-limited the run; remaining lookups are pending"
    finally:
        client.close()
        cache.close()
    return ArchiveRun(results, existing, client.calls, stopped)
