"""A local double of the Internet Archive's Wayback Machine APIs, on loopback only.

Standard library only.  ``with ArchiveDouble() as ia:`` serves on 127.0.0.1 (or the
127.0.0.x given), port chosen by the OS, at :attr:`~ArchiveDouble.base_url`.  Answers take
the real service's shapes, as recorded in ``tests/cassettes/`` (origins in its README).

Captures (:meth:`~ArchiveDouble.add_capture`, 14-digit timestamps; adding the same row twice
makes a duplicate, as the real index has) are matched by a SURT-like key (:func:`surt`):
scheme, ``www.``, ``:80``/``:443``, case, a trailing slash and query order do not matter;
``original`` keeps the stored text (e.g. ``http://example.com:80/``).  ``revisit=True``
stores a ``warc/revisit`` row (statuscode ``-``) replaying the previous capture.

``GET /cdx/search/cdx``
    ``url`` (exact; trailing ``*`` or ``matchType=prefix``: prefix), ``fl`` (among
    urlkey,timestamp,original,mimetype,statuscode,digest,length; default all),
    ``filter=[!][~]field:regex`` (repeatable; full match, ``~`` contains), ``from``/``to``
    (timestamp prefixes), ``collapse=field[:n]`` (adjacent rows), ``closest`` with
    ``sort=closest`` (nearest in time first, ties earlier first), ``limit`` (negative: the
    last N).  ``output=json``: an array of arrays of strings, header row first, ``[]`` for
    none; otherwise space-separated lines.  Odd rows come back as stored.
``GET /wayback/available``
    ``url``, ``timestamp`` (optional, may be partial): the nearest capture with status 200
    (none given: the newest) as ``{"url", "archived_snapshots": {"closest": {"status",
    "available", "url", "timestamp"}}, "timestamp"}`` (snapshot URL on ``base_url``), or
    ``"archived_snapshots": {}`` (so for blocked sites too).
``GET /web/<timestamp><flag>/<url>``
    flag optional (``id_``, ``if_``…; all answer the raw capture).  Exact timestamp: the
    capture's status and body, ``Memento-Datetime``, ``Link`` (original, timemap, timegate,
    first/prev/next/last memento), ``X-Archive-Src``.  Else 302 to the nearest capture
    (``<base_url>/web/<its timestamp><flag>/<its original>``, ``X-Archive-Redirect-Reason:
    found capture at <its timestamp>``); no capture: 404 "Hrm. The Wayback Machine has not
    archived that URL."
Anything else: 404.  Bad parameters: 400.

Hostile answers (each for the next ``count`` requests, any path, before anything else):
:meth:`~ArchiveDouble.trickle_next` (200, then one body byte every ``interval`` seconds,
endlessly), :meth:`~ArchiveDouble.oversize_next` (a 429 or a 302 to the same path with a
body of ``mb`` MB, or ``mb`` MB of gzip inflating to ``mb`` GB), and
:meth:`~ArchiveDouble.redirect_playback` (playback of one URL answers 302 to any URL, e.g.
off the archive's host).

Faults: :meth:`~ArchiveDouble.block` (CDX and playback answer 403 with the body and
``X-Archive-Wayback-Runtime-Error`` header the real CDX server sends),
:meth:`~ArchiveDouble.rate_limit` (429 with ``Retry-After``), :meth:`~ArchiveDouble.fail_next`
(5xx).  Every request is logged in :attr:`~ArchiveDouble.requests` as ``(time.monotonic(),
method, path, query)``.  Each answer closes its connection (``Connection: close``), so
stopping is prompt and leaves nothing open.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import gzip
import hashlib
import html
import ipaddress
import json
import re
import socketserver
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import groupby
from time import monotonic
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
BLOCKED_ERROR = (
    "org.archive.util.io.RuntimeIOException: org.archive.wayback.exception."
    "AdministrativeAccessControlException: Blocked Site Error"
)
_NOT_ARCHIVED = (
    '<!DOCTYPE html><html lang="en"><head><title>Wayback Machine</title></head><body>'
    '<div id="error"><h2>Hrm.</h2><p>The Wayback Machine has not archived that URL.</p>'
    '<p>Click here to search for all archived pages under <a href="/web/*/{u}*">{u}</a>.</p>'
    "</div></body></html>"
)
_FILLER = (
    "This page was archived by the Wayback Machine. It reports the events in some detail, "
    "quotes the people involved and lists the sources it relied on, with dates and places."
)
_PLAYBACK = re.compile(r"/web/(\d{1,14})([a-z]{2}_)?/(.+)")


class LoggedRequest(NamedTuple):
    time: float  #: time.monotonic() on arrival
    method: str
    path: str
    query: str  #: the raw query string


@dataclass(frozen=True, slots=True)
class Capture:
    """One CDX row, plus what playback serves."""

    urlkey: str
    timestamp: str
    original: str
    mimetype: str
    statuscode: str
    digest: str
    length: str
    body: bytes
    content_type: str  #: the Content-Type playback sends


def surt(url: str) -> str:
    """A SURT-like key: ``https://www.Example.com:443/A/?b=1&a=2`` → ``com,example)/a?a=2&b=1``."""
    parts = urlsplit(url.strip() if "://" in url else "http://" + url.strip())
    host = re.sub(r"^www\d*\.", "", (parts.hostname or "").rstrip("."))
    key = ",".join(reversed(host.split(".")))
    if parts.port not in (None, 80, 443):
        key += f":{parts.port}"
    path = parts.path.rstrip("/") or "/"
    query = "&".join(sorted(parts.query.split("&"))) if parts.query else ""
    return f"{key}){path}{'?' + query if query else ''}".lower()


def page(title: str, text: str = _FILLER) -> bytes:
    """A small HTML page with that title."""
    t = html.escape(title)
    doc = f"<!doctype html><html><head><title>{t}</title></head><body><h1>{t}</h1><p>{text}</p>"
    return (doc + "</body></html>").encode()


def _when(ts: str) -> datetime:
    return datetime.strptime(ts + "00000101000000"[len(ts) :], "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def http_date(ts: str) -> str:
    """``20171124151315`` → ``Fri, 24 Nov 2017 15:13:15 GMT`` (as in Memento-Datetime)."""
    return format_datetime(_when(ts), usegmt=True)


def _nearest(caps: list[Capture], ts: str) -> list[Capture]:
    target = _when(ts)  # a stable sort: ties keep index order, the earlier first
    return sorted(caps, key=lambda c: abs((_when(c.timestamp) - target).total_seconds()))


def _keep(cap: Capture, spec: str) -> bool:
    m = re.fullmatch(r"(!?)(~?)(\w+):(.*)", spec)
    if not m or m[3] not in FIELDS:
        raise ValueError(f"bad filter {spec!r}")
    value = str(getattr(cap, m[3]))
    hit = re.search(m[4], value) if m[2] else re.fullmatch(m[4], value)
    return (hit is None) == bool(m[1])


def _collapse(rows: list[Capture], spec: str) -> list[Capture]:
    name, _, n = spec.partition(":")
    if name not in FIELDS:
        raise ValueError(f"bad collapse {spec!r}")
    return [next(g) for _, g in groupby(rows, lambda c: str(getattr(c, name))[: int(n or 99)])]


@functools.lru_cache(maxsize=1)
def _bomb_chunk() -> bytes:
    """One gzip member of about 16 KB inflating to 16 MB."""
    return gzip.compress(b"\0" * (16 << 20), compresslevel=9)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ArchiveDouble/1.0"
    timeout = 10
    server: _Server

    def do_GET(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionError, TimeoutError):
            self.server.double._handle(self)

    do_HEAD = do_GET

    def reply(
        self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")  # no idle keep-alive left behind at stop
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, double: ArchiveDouble, host: str) -> None:
        self.double = double
        super().__init__((host, 0), _Handler)

    def server_bind(self) -> None:  # HTTPServer's would look the name up (getfqdn)
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.double.host, self.server_address[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up is normal here


class ArchiveDouble:
    """See the module docstring.  Safe to use from several threads."""

    _captures: list[Capture]
    _blocked: set[str]  # SURT keys, and host prefixes ending in ","
    _limit: tuple[int, int, int | None, bool] | None  # after, retry_after, times, playback
    _limit_seen: int
    _fail: tuple[int, int]  # status, count

    def __init__(self, host: str = "127.0.0.1") -> None:
        ip = ipaddress.ip_address(host)
        if ip.version != 4 or not ip.is_loopback:
            raise ValueError(f"ArchiveDouble binds to 127.0.0.0/8 only, not {host}")
        self.host = host
        self._server: _Server | None = None
        self._lock = threading.Lock()
        self._log: list[LoggedRequest] = []
        self._halt = threading.Event()
        self.reset()

    def __enter__(self) -> ArchiveDouble:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self._halt.clear()
        self._server = _Server(self, self.host)
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        server, self._server = self._server, None
        self._halt.set()  # ends trickles and oversized answers at once
        if server is not None:
            server.shutdown()
            server.server_close()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("ArchiveDouble is not running")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def cli_args(self, rate_per_minute: int = 600) -> list[str]:
        """``citewatch check`` flags that send archive lookups here (fast: no real limit)."""
        return ["--wayback-url", self.base_url, "--archive-rate", str(rate_per_minute)]

    # --- what the archive holds, and how it misbehaves ---------------------------------

    def add_capture(
        self,
        url: str,
        timestamp: str,
        *,
        status: int = 200,
        mimetype: str = "text/html",
        body: bytes | str | None = None,
        title: str | None = None,
        digest: str | None = None,
        original: str | None = None,
        revisit: bool = False,
    ) -> Capture:
        """Store one capture.  ``body`` defaults to a small page titled ``title`` (or
        "Archived page"); ``digest`` to the body's base32 SHA-1, as the archive computes it."""
        if not re.fullmatch(r"\d{14}", timestamp):
            raise ValueError(f"timestamp must have 14 digits: {timestamp!r}")
        key, ctype = surt(url), mimetype
        data = body.encode() if isinstance(body, str) else body
        with self._lock:
            earlier = [c for c in self._captures if c.urlkey == key and c.timestamp <= timestamp]
            if revisit and data is None and earlier:
                data, digest, ctype = earlier[-1].body, earlier[-1].digest, earlier[-1].content_type
            data = page(title or "Archived page") if data is None else data
            digest = digest or base64.b32encode(hashlib.sha1(data).digest()).decode()
            cdx_type, code = ("warc/revisit", "-") if revisit else (mimetype, str(status))
            size = str(len(data) + 500)  # the WARC record is a little longer than the body
            cap = Capture(
                key, timestamp, original or url, cdx_type, code, digest, size, data, ctype
            )
            self._captures.append(cap)
            self._captures.sort(key=lambda c: (c.urlkey, c.timestamp))
        return cap

    def block(self, url_or_host: str) -> None:
        """Block one URL (given with a path or scheme) or a host and its subdomains."""
        with self._lock:
            if "/" in url_or_host:
                self._blocked.add(surt(url_or_host))
            else:
                self._blocked.add(surt(url_or_host).split(")")[0] + ",")

    def rate_limit(
        self,
        after: int = 0,
        *,
        retry_after: int = 60,
        times: int | None = None,
        playback: bool = False,
    ) -> None:
        """Counting from now, API requests after the first ``after`` answer 429 with
        ``Retry-After: retry_after`` — ``times`` of them (None: until :meth:`reset`) — then
        normally again.  ``playback=True`` counts and limits ``/web/`` requests too."""
        with self._lock:
            self._limit = (after, retry_after, times, playback)
            self._limit_seen = 0

    def fail_next(self, status: int = 503, count: int = 1) -> None:
        """The next ``count`` requests (any path) answer ``status``."""
        HTTPStatus(status)  # ValueError for a status http.server could not send
        with self._lock:
            self._fail = (status, count)

    def trickle_next(self, count: int = 1, interval: float = 0.2) -> None:
        """The next ``count`` requests answer 200 and then trickle one byte per
        ``interval`` seconds until the client hangs up (or the double stops)."""
        with self._lock:
            self._hostile += [("trickle", interval, 0, False)] * count

    def oversize_next(
        self, status: int = 429, mb: int = 200, *, gzip_bomb: bool = False, count: int = 1
    ) -> None:
        """The next ``count`` requests answer ``status`` (429, or a 302 to the same path)
        with a body of ``mb`` MB (``gzip_bomb``: ``mb`` MB of gzip inflating to ``mb`` GB)."""
        with self._lock:
            self._hostile += [("oversize", float(status), mb, gzip_bomb)] * count

    def redirect_playback(self, url: str, location: str) -> None:
        """Playback of ``url`` (any timestamp) answers 302 to ``location``."""
        with self._lock:
            self._redirects[surt(url)] = location

    def _serve_hostile(self, h: _Handler, mode: tuple[str, float, int, bool]) -> None:
        kind, value, mb, bomb = mode
        if kind == "trickle":
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Connection", "close")
            h.end_headers()
            h.wfile.write(b"[")
            while not self._halt.wait(value):
                h.wfile.write(b" ")
                h.wfile.flush()
            return
        status = int(value)
        chunk = _bomb_chunk() if bomb else b"x" * (1 << 20)
        count = mb * 64 if bomb else mb
        h.send_response(status)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(len(chunk) * count))
        h.send_header("Connection", "close")
        if bomb:
            h.send_header("Content-Encoding", "gzip")
        if status == 429:
            h.send_header("Retry-After", "1")
        else:
            h.send_header("Location", h.path)
        h.end_headers()
        for _ in range(count):
            if self._halt.is_set():
                return
            h.wfile.write(chunk)

    def reset(self) -> None:
        """Forget captures, blocks, limits and failures (the log stays)."""
        with self._lock:
            self._hostile: list[tuple[str, float, int, bool]] = []
            self._redirects: dict[str, str] = {}
            self._captures = []
            self._blocked = set()
            self._limit = None
            self._limit_seen = 0
            self._fail = (503, 0)
            self._mementos: dict[str, list[tuple[str, str]]] = {}

    def add_memento(self, url: str, timestamp: str, memento_uri: str) -> None:
        """A capture of ``url`` held by *another* archive, listed in the TimeMap that
        ``/timemap/link/<url>`` serves (RFC 7089 link format, as Memento aggregators do)."""
        with self._lock:
            self._mementos.setdefault(url, []).append((timestamp, memento_uri))

    @property
    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    # --- the server side ---------------------------------------------------------------

    def _handle(self, h: _Handler) -> None:
        parts = urlsplit(h.path)
        path, query = parts.path, parts.query
        api = path in ("/cdx/search/cdx", "/wayback/available")
        with self._lock:
            self._log.append(LoggedRequest(monotonic(), h.command, path, query))
            hostile = self._hostile.pop(0) if self._hostile else None
            fail, limited = self._fail, None
            if fail[1] > 0:
                self._fail = (fail[0], fail[1] - 1)
            elif self._limit and (api or (self._limit[3] and path.startswith("/web/"))):
                self._limit_seen += 1
                after, retry_after, times, _ = self._limit
                if self._limit_seen > after and (
                    times is None or self._limit_seen <= after + times
                ):
                    limited = retry_after
        if hostile is not None:
            return self._serve_hostile(h, hostile)
        if fail[1] > 0 or limited is not None:
            code = fail[0] if fail[1] > 0 else 429
            title = f"{code} {HTTPStatus(code).phrase}"  # nginx's own error page
            doc = f"<html>\n<head><title>{title}</title></head>\n<body>\n<center><h1>{title}</h1>"
            doc += "</center>\n<hr><center>nginx</center>\n</body>\n</html>\n"
            extra = {"Retry-After": str(limited)} if limited is not None else {}
            return h.reply(code, doc.encode(), "text/html", extra)
        q = parse_qs(query)
        try:
            if path == "/cdx/search/cdx":
                return self._cdx(h, q)
            if path == "/wayback/available":
                return self._available(h, q)
            if path.startswith("/timemap/link/"):
                return self._timemap(h, path[len("/timemap/link/") :], query)
            if m := _PLAYBACK.fullmatch(path):
                return self._playback(h, m[1], m[2] or "", m[3] + (f"?{query}" if query else ""))
        except (ValueError, re.error) as exc:
            return h.reply(400, f"{exc}\n".encode(), "text/plain;charset=UTF-8")
        h.reply(404, b"Not Found\n", "text/plain;charset=UTF-8")

    def _timemap(self, h: _Handler, url: str, query: str) -> None:
        url += f"?{query}" if query else ""
        with self._lock:
            mementos = sorted(self._mementos.get(url, []))
        if not mementos:
            return h.reply(404, b"Not Found\n", "text/plain;charset=UTF-8")
        lines = [f'<{url}>; rel="original"']
        lines += [f'<{uri}>; rel="memento"; datetime="{http_date(ts)}"' for ts, uri in mementos]
        h.reply(200, (",\n".join(lines) + "\n").encode(), "application/link-format")

    def _find(self, key: str, prefix: bool = False) -> list[Capture]:
        with self._lock:
            return [
                c
                for c in self._captures
                if c.urlkey == key or (prefix and c.urlkey.startswith(key))
            ]

    def _is_blocked(self, key: str, h: _Handler | None = None) -> bool:
        """Is ``key`` blocked?  If so, and ``h`` is given, answer 403 as the real CDX does."""
        host = key.split(")")[0].split(":")[0] + ","
        with self._lock:
            blocked = key in self._blocked or any(host.startswith(b) for b in self._blocked)
        if blocked and h is not None:
            headers = {"X-Archive-Wayback-Runtime-Error": BLOCKED_ERROR}
            h.reply(403, f"{BLOCKED_ERROR}\n".encode(), "text/plain;charset=UTF-8", headers)
        return blocked

    def _cdx(self, h: _Handler, q: dict[str, list[str]]) -> None:
        def arg(name: str) -> str:
            return q.get(name, [""])[0]

        url = arg("url")
        if not url:
            raise ValueError("Request must include a url parameter")
        key = surt(url.rstrip("*"))
        if self._is_blocked(key, h):
            return
        prefix = url.endswith("*") or arg("matchType") == "prefix"
        rows = self._find(key, prefix)
        frm, to = arg("from"), arg("to")
        rows = [c for c in rows if c.timestamp[: len(frm)] >= frm]
        rows = [c for c in rows if not to or c.timestamp[: len(to)] <= to]
        for spec in q.get("filter", []):
            rows = [c for c in rows if _keep(c, spec)]
        for spec in q.get("collapse", []):
            rows = _collapse(rows, spec)
        if arg("closest") and arg("sort") == "closest":
            rows = _nearest(rows, arg("closest"))
        if arg("limit"):
            limit = int(arg("limit"))
            rows = rows[limit:] if limit < 0 else rows[:limit]
        fl = [f for f in arg("fl").split(",") if f in FIELDS] or list(FIELDS)
        table = [fl] + [[str(getattr(c, f)) for f in fl] for c in rows]
        if arg("output") == "json":
            lines = [json.dumps(row, separators=(",", ":")) for row in table] if rows else []
            return h.reply(200, ("[" + ",\n".join(lines) + "]\n").encode(), "application/json")
        text = "".join(" ".join(row) + "\n" for row in table[1:])
        h.reply(200, text.encode(), "text/plain;charset=UTF-8")

    def _available(self, h: _Handler, q: dict[str, list[str]]) -> None:
        url, ts = q.get("url", [""])[0], q.get("timestamp", [""])[0]
        doc: dict[str, Any] = {"url": url, "archived_snapshots": {}}
        key = surt(url) if url else ""
        pool = [c for c in self._find(key) if c.statuscode == "200"] if url else []
        if pool and not self._is_blocked(key):
            best = _nearest(pool, ts)[0] if ts else pool[-1]
            where = f"{self.base_url}/web/{best.timestamp}/{best.original}"
            snap = {"status": "200", "available": True, "url": where, "timestamp": best.timestamp}
            doc["archived_snapshots"] = {"closest": snap}
        if ts:
            doc["timestamp"] = ts
        h.reply(200, json.dumps(doc).encode(), "application/json")

    def _playback(self, h: _Handler, ts: str, flag: str, original: str) -> None:
        key = surt(original)
        if self._is_blocked(key, h):
            return
        with self._lock:
            elsewhere = self._redirects.get(key)
        if elsewhere is not None:
            return h.reply(302, b"", "text/plain; charset=utf-8", {"Location": elsewhere})
        caps = self._find(key)
        if not caps:
            doc = _NOT_ARCHIVED.format(u=html.escape(original)).encode()
            return h.reply(404, doc, "text/html; charset=utf-8")
        web = f"{self.base_url}/web"
        cap = next((c for c in caps if c.timestamp == ts), None)
        if cap is None:
            best = _nearest(caps, ts)[0]
            where = f"{web}/{best.timestamp}{flag}/{best.original}"
            reason = {"X-Archive-Redirect-Reason": f"found capture at {best.timestamp}"}
            return h.reply(302, b"", "text/plain; charset=utf-8", {"Location": where, **reason})

        def memento(c: Capture, rel: str) -> str:
            when = http_date(c.timestamp)
            return f'<{web}/{c.timestamp}/{c.original}>; rel="{rel}"; datetime="{when}"'

        i = caps.index(cap)
        links = [
            f'<{cap.original}>; rel="original"',
            f'<{web}/timemap/link/{cap.original}>; rel="timemap"; type="application/link-format"',
            f'<{web}/{cap.original}>; rel="timegate"',
            memento(caps[0], "first memento"),
            *([memento(caps[i - 1], "prev memento")] if i > 0 else []),
            memento(cap, "memento"),
            *([memento(caps[i + 1], "next memento")] if i + 1 < len(caps) else []),
            memento(caps[-1], "last memento"),
        ]
        headers = {
            "Memento-Datetime": http_date(cap.timestamp),
            "Link": ", ".join(links),
            "X-Archive-Src": f"archive-double/{cap.timestamp}.warc.gz",
        }
        status = 200 if cap.statuscode == "-" else int(cap.statuscode)
        h.reply(status, cap.body, cap.content_type, headers)
