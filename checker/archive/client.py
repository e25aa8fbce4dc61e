"""Talking to the Wayback Machine: CDX search, the availability API, raw playback.

Transport is the maintained ``wayback`` package's :class:`wayback.WaybackSession`
(default timeouts on every request, connection pooling, its own rate limiter), with
one :class:`wayback.RateLimit` shared by every endpoint so the run never exceeds
``rate_per_minute`` calls in all (default 24/min: 80 % of the reported hard limit).
Requests go one at a time.  On a 429 the client pauses for ``Retry-After`` (capped);
after ``max_429`` of them it stops for the rest of the run (:class:`ArchiveStopped`),
so a CI machine never gets firewalled by the archive.  ``base_url`` is configurable
so a mirror or the local double stands in for web.archive.org.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests
from wayback import RateLimit, WaybackSession
from wayback.exceptions import RateLimitError, WaybackRetryError

from checker import __version__
from checker.links.page import decode_html
from checker.links.safety import CappedInflater

WAYBACK = "https://web.archive.org"
AVAILABILITY = "https://archive.org"
USER_AGENT = f"citewatch/{__version__} (+https://github.com/citewatch/citewatch)"
CDX_FIELDS = "timestamp,original,statuscode,mimetype,digest"


class ArchiveStopped(Exception):
    """Lookups stopped for the rest of the run (repeated 429s)."""


class ArchiveUnavailable(Exception):
    """One call failed (timeout, 5xx, bad answer); other lookups may go on."""


class SiteBlocked(Exception):
    """The archive excludes this site (403 Blocked Site Error)."""


@dataclass(frozen=True, slots=True)
class ArchiveConfig:
    """Settings of the archive stage (each a CLI flag / config key)."""

    base_url: str = WAYBACK
    availability_url: str = AVAILABILITY
    rate_per_minute: float = 24.0
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_429: int = 2
    max_retry_after: float = 120.0
    cdx_limit: int = 12  #: rows asked of CDX around the target
    max_validations: int = 3  #: captures fetched to validate, per link
    body_cap: int = 512 * 1024
    user_agent: str = USER_AGENT

    @classmethod
    def for_endpoint(cls, url: str, **kwargs: Any) -> ArchiveConfig:
        """A config whose every endpoint (CDX, availability, playback) is ``url``."""
        base = url.rstrip("/")
        return cls(base_url=base, availability_url=base, **kwargs)


@dataclass(frozen=True, slots=True)
class CdxRow:
    timestamp: str
    original: str
    statuscode: str
    mimetype: str
    digest: str


@dataclass(frozen=True, slots=True)
class Capture:
    """A raw capture fetched for validation."""

    timestamp: str  #: the capture actually served (after any redirect to the nearest)
    status: int
    body: str
    url: str


class ArchiveClient:
    def __init__(
        self, config: ArchiveConfig | None = None, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.config = config or ArchiveConfig()
        self._sleep = sleep
        limit = RateLimit(self.config.rate_per_minute / 60.0)
        self._session = WaybackSession(
            retries=0,
            timeout=(self.config.connect_timeout, self.config.read_timeout),
            user_agent=self.config.user_agent,
            search_calls_per_second=limit,
            memento_calls_per_second=limit,
        )
        self._lock = threading.Lock()  # one call at a time
        self.calls = 0
        self.rate_limited = 0
        self.stopped = False

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> ArchiveClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport ----------------------------------------------------------------------

    def _get(
        self, url: str, params: dict[str, str] | None = None, redirects: bool = True
    ) -> requests.Response:
        with self._lock:
            while True:
                if self.stopped:
                    raise ArchiveStopped("lookups stopped after repeated 429 answers")
                self.calls += 1
                try:
                    response: requests.Response = self._session.get(
                        url, params=params, allow_redirects=redirects, stream=True
                    )
                except RateLimitError as err:
                    self._rate_limited(err.retry_after)
                    continue
                except (WaybackRetryError, requests.RequestException) as err:
                    raise ArchiveUnavailable(f"{type(err).__name__}: {err}") from None
                # A capture whose original status was 429 carries Memento-Datetime: it is
                # an answer to judge, not the archive limiting us.
                if response.status_code == 429 and "Memento-Datetime" not in response.headers:
                    retry_after = response.headers.get("Retry-After", "")
                    response.close()
                    self._rate_limited(float(retry_after) if retry_after.isdigit() else None)
                    continue
                return response

    def _rate_limited(self, retry_after: float | None) -> None:
        self.rate_limited += 1
        if self.rate_limited >= self.config.max_429:
            self.stopped = True
            raise ArchiveStopped(
                f"the archive answered 429 {self.rate_limited} times; lookups stopped for "
                "this run to avoid being firewalled"
            )
        wait = retry_after if retry_after is not None else 60.0
        self._sleep(min(wait, self.config.max_retry_after))

    def _text(self, response: requests.Response) -> str:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(64 * 1024):
            chunks.append(chunk)
            size += len(chunk)
            if size >= self.config.body_cap:
                break
        response.close()
        body = b"".join(chunks)
        if body[:2] == b"\x1f\x8b" and "gzip" in response.headers.get("Content-Encoding", ""):
            # Still compressed (a transport that did not decode): inflate, bounded.
            body = CappedInflater("gzip").feed(body, self.config.body_cap)
        return decode_html(body[: self.config.body_cap], response.headers.get("Content-Type", ""))

    @staticmethod
    def _blocked(response: requests.Response, text: str) -> bool:
        return response.status_code == 403 and (
            "X-Archive-Wayback-Runtime-Error" in response.headers or "Blocked Site" in text
        )

    # -- endpoints ----------------------------------------------------------------------

    def get_text(self, url: str) -> tuple[int, str]:
        """Any other endpoint of the archive service (e.g. a Memento TimeMap), under the
        same rate limit, timeouts and 429 policy: (HTTP status, text)."""
        response = self._get(url)
        return response.status_code, self._text(response)

    def cdx(self, url: str, closest: str) -> list[CdxRow]:
        """Captures of ``url`` with status 200, nearest to ``closest`` first."""
        params = {
            "url": url,
            "output": "json",
            "fl": CDX_FIELDS,
            "filter": "statuscode:200",
            "closest": closest,
            "sort": "closest",
            "limit": str(self.config.cdx_limit),
        }
        response = self._get(f"{self.config.base_url}/cdx/search/cdx", params)
        text = self._text(response)
        if self._blocked(response, text):
            raise SiteBlocked(url)
        if response.status_code != 200:
            raise ArchiveUnavailable(f"CDX answered HTTP {response.status_code}")
        return parse_cdx(text)

    def available(self, url: str, timestamp: str) -> tuple[str, str] | None:
        """The availability API's closest capture: (timestamp, original) or None."""
        response = self._get(
            f"{self.config.availability_url}/wayback/available",
            {"url": url, "timestamp": timestamp},
        )
        text = self._text(response)
        if response.status_code != 200:
            raise ArchiveUnavailable(f"availability API answered HTTP {response.status_code}")
        try:
            closest = json.loads(text)["archived_snapshots"].get("closest")
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ArchiveUnavailable("availability API answered something else than JSON") from None
        if not closest or not closest.get("available") or str(closest.get("status")) != "200":
            return None
        stamp = str(closest.get("timestamp", ""))
        return (stamp, url) if len(stamp) == 14 and stamp.isdigit() else None

    def capture(self, timestamp: str, original: str) -> Capture:
        """The raw capture (``id_``), following the archive's redirect to the nearest."""
        url = f"{self.config.base_url}/web/{timestamp}id_/{quote(original, safe=':/?&=%#+,;@~')}"
        response = self._get(url)
        text = self._text(response)
        if self._blocked(response, text):
            raise SiteBlocked(original)
        return Capture(
            _stamp_of(response.url) or timestamp, response.status_code, text, response.url
        )


def _stamp_of(url: str) -> str:
    marker = "/web/"
    if marker not in url:
        return ""
    head = url.split(marker, 1)[1].split("/", 1)[0]
    digits = "".join(ch for ch in head if ch.isdigit())
    return digits if len(digits) == 14 else ""


def parse_cdx(text: str) -> list[CdxRow]:
    """CDX ``output=json``: header row, then rows of strings; ``[]`` for nothing.

    Odd rows are normalised or dropped: non-200 (``warc/revisit`` with ``-``),
    duplicates of a timestamp, ``:80`` in the original URL.
    """
    try:
        data = json.loads(text) if text.strip() else []
    except ValueError:
        raise ArchiveUnavailable("CDX answered something else than JSON") from None
    if not isinstance(data, list) or len(data) < 2:
        return []
    header = [str(h) for h in data[0]]
    rows: list[CdxRow] = []
    seen: set[str] = set()
    for raw in data[1:]:
        if not isinstance(raw, list) or len(raw) != len(header):
            continue
        cell = dict(zip(header, (str(v) for v in raw), strict=True))
        stamp = cell.get("timestamp", "")
        if cell.get("statuscode") != "200" or len(stamp) != 14 or stamp in seen:
            continue
        seen.add(stamp)
        original = cell.get("original", "").replace(":80/", "/", 1)
        rows.append(
            CdxRow(stamp, original, "200", cell.get("mimetype", ""), cell.get("digest", ""))
        )
    return rows
