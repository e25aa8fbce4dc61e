"""Talking to the Wayback Machine: CDX search, the availability API, raw playback.

Transport is the maintained ``wayback`` package's :class:`wayback.WaybackSession`
(default timeouts on every request, connection pooling, its own rate limiter), with
one :class:`wayback.RateLimit` shared by every endpoint so the run never exceeds
``rate_per_minute`` calls in all (default 24/min: 80 % of the reported hard limit).
Requests go one at a time, each with a total deadline (``call_deadline``: headers,
redirects and body, kept by the link fetcher's one timer thread, which shuts the socket
down), bodies read raw and inflated with a cap, and 429 and redirect bodies read at most
``ERROR_BODY_CAP`` raw bytes (never inflated).  Redirects are followed by hand and only on
the archive's own host: a playback redirect elsewhere is never followed and never taken
for the capture.  On a 429 the client pauses for ``Retry-After`` (capped);
after ``max_429`` of them it stops for the rest of the run (:class:`ArchiveStopped`),
so a CI machine never gets firewalled by the archive.  ``base_url`` is configurable
so a mirror or the local double stands in for web.archive.org.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3 import exceptions as u3
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from wayback import RateLimit, WaybackSession
from wayback.exceptions import RateLimitError, WaybackRetryError

from checker.archive.config import AVAILABILITY as AVAILABILITY
from checker.archive.config import USER_AGENT as USER_AGENT
from checker.archive.config import WAYBACK as WAYBACK
from checker.archive.config import ArchiveConfig as ArchiveConfig
from checker.links import safety
from checker.links.page import decode_html
from checker.links.pool import DEADLINES
from checker.links.safety import CappedInflater

CDX_FIELDS = "timestamp,original,statuscode,mimetype,digest"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
ERROR_BODY_CAP = 64 * 1024  #: raw bytes kept of a 429 or redirect answer


class ArchiveStopped(Exception):
    """Lookups stopped for the rest of the run (repeated 429s)."""


class ArchiveUnavailable(Exception):
    """One call failed (timeout, 5xx, bad answer); other lookups may go on."""


class SiteBlocked(Exception):
    """The archive excludes this site (403 Blocked Site Error)."""


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
    note: str = ""  #: why it cannot be the capture (e.g. a redirect off the archive)


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
        adapter = _CappedAdapter()
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)
        self._origins = {_origin(self.config.base_url), _origin(self.config.availability_url)}
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

    def _call(
        self, url: str, params: dict[str, str] | None = None, *, playback: bool = False
    ) -> tuple[requests.Response, str]:
        """One call: (the final answer, its text, capped).  Redirects are followed by
        hand, only on the archive's own host; each attempt has a total deadline (headers,
        redirects and body), so a trickling answer is cut off."""
        with self._lock:
            while True:
                if self.stopped:
                    raise ArchiveStopped("lookups stopped after repeated 429 answers")
                deadline = _CallDeadline(self.config.call_deadline)
                try:
                    response, text = self._attempt(url, params, deadline, playback)
                except _RateLimited as limited:
                    self._rate_limited(limited.retry_after)
                    continue
                finally:
                    deadline.close()
                return response, text

    def _before_request(self) -> None:
        """Called before every HTTP request (a hook: a cluster-wide budget takes its slot)."""

    def _attempt(
        self,
        url: str,
        params: dict[str, str] | None,
        deadline: _CallDeadline,
        playback: bool,
    ) -> tuple[requests.Response, str]:
        current, query = url, params
        for _ in range(MAX_REDIRECTS + 1):
            self._before_request()
            self.calls += 1
            try:
                response: requests.Response = self._session.get(
                    current, params=query, allow_redirects=False, stream=True
                )
            except RateLimitError as err:
                raise _RateLimited(err.retry_after) from None
            except (WaybackRetryError, requests.RequestException) as err:
                if deadline.expired:
                    raise ArchiveUnavailable(deadline.message) from None
                raise ArchiveUnavailable(f"{type(err).__name__}: {err}") from None
            deadline.track(response)
            # A capture whose original status was 429 carries Memento-Datetime: it is
            # an answer to judge, not the archive limiting us.
            if response.status_code == 429 and "Memento-Datetime" not in response.headers:
                retry_after = response.headers.get("Retry-After", "")
                response.close()
                raise _RateLimited(float(retry_after) if retry_after.isdigit() else None)
            location = response.headers.get("Location", "")
            if response.status_code in REDIRECTS and location:
                response.close()
                target = urljoin(response.url or current, location)
                if not self._own(target):
                    if playback:  # judged (and rejected) by the caller, never followed
                        return response, ""
                    raise ArchiveUnavailable(f"the archive redirected off its host to {target}")
                current, query = target, None
                continue
            return response, self._text(response, deadline)
        raise ArchiveUnavailable(f"more than {MAX_REDIRECTS} redirects")

    def _own(self, url: str) -> bool:
        """Is ``url`` on one of the archive's own endpoints (scheme, host and port)?"""
        return _origin(url) in self._origins

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

    def _text(self, response: requests.Response, deadline: _CallDeadline) -> str:
        """At most ``body_cap`` decoded bytes, read raw and inflated by hand (capped), the
        deadline checked between reads; a body cut by the deadline is an error."""
        cap = self.config.body_cap
        raw: Any = response.raw
        inflater = CappedInflater(response.headers.get("Content-Encoding", ""))
        out, wire = bytearray(), 0
        try:
            while not deadline.expired:
                chunk: bytes = raw.read(64 * 1024, decode_content=False)
                if not chunk:
                    break
                wire += len(chunk)
                out += inflater.feed(chunk, cap + 1 - len(out))
                if len(out) > cap or wire > 4 * cap + 65536:
                    break
        except (OSError, HTTPException, u3.HTTPError, requests.RequestException) as err:
            if not deadline.expired:
                raise ArchiveUnavailable(f"{type(err).__name__}: {err}") from None
        finally:
            response.close()
        if deadline.expired:
            raise ArchiveUnavailable(deadline.message)
        return decode_html(bytes(out[:cap]), response.headers.get("Content-Type", ""))

    @staticmethod
    def _blocked(response: requests.Response, text: str) -> bool:
        return response.status_code == 403 and (
            "X-Archive-Wayback-Runtime-Error" in response.headers or "Blocked Site" in text
        )

    # -- endpoints ----------------------------------------------------------------------

    def get_text(self, url: str) -> tuple[int, str]:
        """Any other endpoint of the archive service (e.g. a Memento TimeMap), under the
        same rate limit, timeouts and 429 policy: (HTTP status, text)."""
        response, text = self._call(url)
        return response.status_code, text

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
        response, text = self._call(f"{self.config.base_url}/cdx/search/cdx", params)
        if self._blocked(response, text):
            raise SiteBlocked(url)
        if response.status_code != 200:
            raise ArchiveUnavailable(f"CDX answered HTTP {response.status_code}")
        return parse_cdx(text)

    def available(self, url: str, timestamp: str) -> tuple[str, str] | None:
        """The availability API's closest capture: (timestamp, original) or None."""
        response, text = self._call(
            f"{self.config.availability_url}/wayback/available",
            {"url": url, "timestamp": timestamp},
        )
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
        """The raw capture (``id_``), following the archive's redirect to the nearest.

        A redirect off the archive's own host is never followed: the capture is that
        redirect (never accepted), its target vetted like any other hop for the record."""
        url = f"{self.config.base_url}/web/{timestamp}id_/{quote(original, safe=':/?&=%#+,;@~')}"
        response, text = self._call(url, playback=True)
        if self._blocked(response, text):
            raise SiteBlocked(original)
        location = response.headers.get("Location", "")
        if response.status_code in REDIRECTS and location:
            target = urljoin(response.url or url, location)
            return Capture(timestamp, response.status_code, "", target, _vetted(target))
        return Capture(
            _stamp_of(response.url) or timestamp, response.status_code, text, response.url
        )


class _RateLimited(Exception):
    def __init__(self, retry_after: float | None) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


_CURRENT = threading.local()  #: the call running on this thread (for the socket hook)


def _track_current(conn: Any) -> None:
    deadline: _CallDeadline | None = getattr(_CURRENT, "deadline", None)
    if deadline is not None:
        deadline.track(conn)


class _CallDeadline:
    """A total deadline for one archive call, kept by the fetcher's one timer thread:
    when it passes, the call's sockets are shut down (a trickle cannot hold the run)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self.finished = False
        self._connections: list[Any] = []
        self._lock = threading.Lock()
        _CURRENT.deadline = self
        DEADLINES.add(time.monotonic() + seconds, self)

    @property
    def message(self) -> str:
        return f"the archive did not answer in full within {self.seconds:g} s"

    def track(self, conn: Any) -> None:
        """A connection taken from the pool for this call (its socket may come later)."""
        with self._lock:
            self._connections.append(conn)
            if self.expired:
                _shut(conn)

    def expire(self) -> None:
        with self._lock:
            if self.finished:
                return
            self.expired = True
            for conn in self._connections:
                _shut(conn)

    def close(self) -> None:
        with self._lock:
            self.finished = True
            self._connections.clear()
        _CURRENT.deadline = None


def _shut(conn: Any) -> None:
    """Shut the socket of a connection, or of a response (http.client hands the socket
    over to the response of a ``Connection: close`` answer)."""
    sock = getattr(conn, "sock", None)
    if sock is None and isinstance(conn, requests.Response):
        fp = getattr(getattr(conn.raw, "_fp", None), "fp", None)
        sock = getattr(getattr(fp, "raw", None), "_sock", None)
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class _TrackedPool(HTTPConnectionPool):
    """Tells the current call's deadline of every connection it hands out (the
    connection class stays urllib3's own, so recorders such as vcrpy still see it)."""

    def _get_conn(self, timeout: float | None = None) -> Any:
        conn = super()._get_conn(timeout)
        _track_current(conn)
        return conn


class _TrackedHTTPSPool(HTTPSConnectionPool):
    def _get_conn(self, timeout: float | None = None) -> Any:
        conn = super()._get_conn(timeout)
        _track_current(conn)
        return conn


class _CappedAdapter(HTTPAdapter):
    """Tells the current call's deadline of every socket, and caps the body of a 429 or
    redirect answer: the ``wayback`` session reads such bodies whole (``.content``,
    inflated) before raising or following, so they are read raw here, at most
    ``ERROR_BODY_CAP`` bytes, and never inflated."""

    def __init__(self) -> None:
        super().__init__(max_retries=0)

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        super().init_poolmanager(connections, maxsize, block=block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _TrackedPool,
            "https": _TrackedHTTPSPool,
        }

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
             ) -> requests.Response:  # fmt: skip
        response = super().send(request, *args, **kwargs)
        if response.status_code == 429 or response.status_code in REDIRECTS:
            raw: Any = response.raw
            try:
                body = raw.read(ERROR_BODY_CAP, decode_content=False) or b""
            except (OSError, HTTPException, u3.HTTPError):
                body = b""
            response._content = body
            setattr(response, "_content_consumed", True)  # noqa: B010 (private in stubs)
            response.close()
        return response


def _origin(url: str) -> tuple[str, str, int | None]:
    try:
        parts = urlsplit(url)
        default = {"http": 80, "https": 443}.get(parts.scheme.lower())
        return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or default
    except ValueError:
        return "", "", None


def _vetted(url: str) -> str:
    """Why a redirect off the archive was not followed (vetting its target)."""
    host = _origin(url)[1]
    try:
        safety.vet_host(host, safety.system_resolver)
    except safety.UnsafeTarget as exc:
        return f"the archive redirected off its host to {url}: refused ({exc})"
    except (OSError, UnicodeError) as exc:
        return f"the archive redirected off its host to {url} ({host}: {exc})"
    return f"the archive redirected off its host to {url}: not the archive's capture"


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
