"""A simulated web on loopback: real HTTP servers playing the sites link checkers meet.

Standard library only.  Each site runs a ``ThreadingHTTPServer`` in a daemon thread on
its own 127.0.0.x address (port chosen by the OS); host names map to those addresses
through :meth:`SimWeb.resolver`, never through DNS.  Every request is recorded
(:attr:`SimWeb.requests`) so a test can prove what did, or did not, reach a server.

========================  ==================================================================
Site                      Behaviour
========================  ==================================================================
``news.example``          the routes below; unknown paths answer a real 404
``blog.example``          same routes (a second ordinary site, e.g. a redirect target)
``parked.example``        every path: 200 "This domain is for sale" parking page
``botwall.example``       every path: 403 Cloudflare challenge ("Just a moment...",
                          ``cf-mitigated: challenge``) unless the User-Agent looks like a
                          browser (``Mozilla/`` with ``Chrome/``/``Firefox/``/``Safari/``)
``slow.example``          ``/trickle``: 200, then one body byte every 0.5 s forever;
                          ``/trickle-headers``: one header byte every 0.5 s forever;
                          any other path: waits ``?s=`` seconds (default 30), then 200
``flaky.example``         any path: the first ``?fail=N`` (default 2) requests to that path
                          answer ``?code=`` (default 503, with ``Retry-After: ?retry_after=``
                          when given), then 200; counted per path, HEAD included
``spa.example``           ``/``, ``/about``, ``/article/real-story``: real pages; anything
                          else: 200 "Page not found" (soft 404; a random probe looks the same)
``generic.example``       ``/``, ``/article/real-story``: real pages; anything else: 200 with
                          the very same page as ``/``
``down.example``          nothing listens: connection refused (:meth:`SimWeb.take_down`
                          does the same to any site)
========================  ==================================================================

Routes of ``news.example`` and ``blog.example``:

==============================  ===============================================================
Path                            Answer
==============================  ===============================================================
``/``, ``/home``                200 home page, title "Example News — Home"
``/article/<slug>``             200 article, title "<Slug Words> — Example News", published
                                2019-03-14 (JSON-LD ``datePublished`` and meta tag)
``/chain/<code>/<n>``           ``<code>`` (301/302/303/307/308) redirect to
                                ``/chain/<code>/<n-1>``; n = 0 is the article "Chain End"
``/goto?to=<url>&code=<c>``     redirect (default 301) to any absolute or relative URL
``/loop/a``, ``/loop/b``        301 to each other (redirect loop)
``/to-root``                    301 to ``/`` (site root)
``/to-404``                     302 to ``/404.html``, which answers 200 with a neutral page
``/cookie-gate``                302 to itself setting a cookie, 200 once the cookie is sent
``/status/<code>``              that status with a small page; 429 and 503 carry
                                ``Retry-After: ?retry_after=`` (429 default 120); 999 is
                                LinkedIn's "Request denied"
``/head-405``, ``/head-404``    HEAD answers 405 / 404, GET answers 200 with the article
``/get-405``, ``/get-reset``    GET answers 405 / resets the connection, HEAD answers 200
``/tiny``                       200, near-empty body, no title
``/tiny-titled``                200, one sentence, meaningful title (a legitimate tiny page)
``/drifted``                    200, title "Completely Different Story — Example News"
``/notfound/<lang>``            200 error page titled in en, de, fr, ru, es, ja, or "code"
                                ("Error 404"), with enough navigation text to not be tiny
``/pdf``                        200 ``application/pdf``, a few bytes
``/gzip``                       200 article sent with ``Content-Encoding: gzip``
``/gzip-bomb``                  200, ``Content-Encoding: gzip``, ~2 MB inflating to 2 GiB
``/huge?mb=<n>``                200 text/html body of n MB (default 50), streamed
``/reset``                      connection reset (RST) without any answer
``/latin1``                     200, title "Café, économie et société à Zürich" in ISO-8859-1
                                (declared in Content-Type)
``/cp1251``                     200, Russian title in windows-1251 declared only in <meta>
anything else                   404 "Not Found"
==============================  ===============================================================

Fixture hosts: :meth:`SimWeb.serve` puts saved bytes (a real page from ``tests/data/pages``)
at any host name with a given status and headers; those hosts share one more server on its
own loopback address, which answers by ``Host`` header (path ``*`` matches every path,
anything unserved is a plain 404).
Hostile servers, started on demand (each on its own address, every name given maps to it):

* :meth:`SimWeb.add_portal` — a captive portal / proxy block page: every path of every
  name answers 200 with the same "sign in to the network" page (127.0.0.20).
* :meth:`SimWeb.add_tls` — HTTPS with the certificate and key given (a test makes a
  self-signed one with ``openssl`` at test time), serving the routes of news.example
  (127.0.0.21).  A client that trusts the system store fails the handshake.

:meth:`SimWeb.connections_opened` counts the TCP connections a site accepted (keep-alive
reuse shows as one connection for many requests).

Shutting down is prompt (well under a second) even with trickling connections open.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import struct
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from time import monotonic as now
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from checker.testing.simweb_pages import (
    _CHALLENGE,
    _HTML,
    _NAV,
    _NO,
    _PARKED,
    _PORTAL,
    _STATIC,
    _SUFFIX,
    HOME,
    PUBLISHED,
    Route,
    _bomb_member,
    article,
    page,
)

__all__ = ["DOWN_HOST", "FARM", "FIXTURE_SITE", "PUBLISHED", "SITES", "RecordedRequest", "SimWeb",
           "Span", "article", "page"]  # fmt: skip
_NAMES = ("news", "blog", "parked", "botwall", "slow", "flaky", "spa", "generic")
FIXTURE_SITE = "fixtures"  #: the server behind every :meth:`SimWeb.serve` host
SITES: tuple[str, ...] = tuple(f"{name}.example" for name in _NAMES)
DOWN_HOST = "down.example"
FARM = "farm"  #: the server behind the hosts of :meth:`SimWeb.add_farm`


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as a site received it."""

    site: str
    method: str
    host: str  #: the Host header
    path: str  #: path and query
    headers: Mapping[str, str]
    time: float  #: time.monotonic() on arrival


@dataclass(frozen=True, slots=True)
class Span:
    """When a request arrived and when its answer was written (time.monotonic())."""

    host: str  #: the Host header (with the port)
    path: str
    start: float
    end: float


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SimWeb/1.0"
    timeout = 10  # idle keep-alive connections
    disable_nagle_algorithm = True
    server: _SiteServer

    def do_GET(self) -> None:
        self._dispatch()

    do_HEAD = do_POST = do_GET

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query))
        web = self.server.web
        started = self.server.arrivals.pop(self.connection, None) or now()
        web._record(self.server.site, self)
        try:
            web._route(self.server.site, self, parts.path or "/", query)
        except (BrokenPipeError, ConnectionError, TimeoutError):
            self.close_connection = True
        finally:
            ended = getattr(self, "answered", None) or now()
            web._add_span(Span(self.headers.get("Host", ""), self.path, started, ended))

    def send(
        self, status: int, body: bytes, headers: Mapping[str, str] = _NO, ctype: str = _HTML
    ) -> None:
        self.send_response(status, "Request denied" if status == 999 else None)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def redirect(self, status: int, location: str, cookie: str = "") -> None:
        cookies = {"Set-Cookie": cookie} if cookie else {}
        self.send(status, b"", {"Location": location, **cookies})

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def finish(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            super().finish()


#: Linux's SO_TIMESTAMPNS (35), which Python's socket module does not name.
_SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35 if sys.platform == "linux" else 0)


def _arrival(sock: socket.socket) -> float:
    """When the request's first byte reached this machine (the kernel's receive
    timestamp, on time.monotonic()'s scale), so a busy server thread cannot blur it."""
    try:
        _, ancillary, _, _ = sock.recvmsg(1, socket.CMSG_SPACE(16), socket.MSG_PEEK)
    except (OSError, AttributeError):
        return 0.0
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == _SO_TIMESTAMPNS and _SO_TIMESTAMPNS:
            seconds, nanos = struct.unpack("qq", data[:16])
            return float(seconds + nanos / 1e9 - (time.time() - now()))
    return 0.0


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    #: listen backlog: the default (5) overflows when many clients connect at once (a
    #: farm of hosts on one server), and a dropped SYN comes back only after 1 s
    request_queue_size = 128

    def __init__(self, web: SimWeb, site: str, ip: str) -> None:
        self.web = web
        self.site = site
        self.connections: set[socket.socket] = set()
        self.accepted = 0
        self.lock = threading.Lock()
        self.arrivals: dict[Any, float] = {}
        super().__init__((ip, 0), _Handler)
        if site == FARM and _SO_TIMESTAMPNS:  # inherited by the accepted sockets
            self.socket.setsockopt(socket.SOL_SOCKET, _SO_TIMESTAMPNS, 1)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would look the address up in DNS (getfqdn): never here.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.site, self.server_address[1]

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.site == FARM:
            self.arrivals[request] = _arrival(request)
        with self.lock:
            self.connections.add(request)
            self.accepted += 1
        try:
            super().finish_request(request, client_address)
        finally:
            with self.lock:
                self.connections.discard(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up is normal here

    def drop_connections(self) -> None:
        with self.lock:
            for sock in list(self.connections):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


@dataclass
class SimWeb:
    """Start with ``with SimWeb() as web:``; see the module docstring for the sites."""

    trickle_interval: float = 0.5
    hosts: dict[str, tuple[str, int]] = field(default_factory=dict, init=False)
    _servers: dict[str, _SiteServer] = field(default_factory=dict, init=False, repr=False)
    _log: list[RecordedRequest] = field(default_factory=list, init=False, repr=False)
    _counts: dict[tuple[str, str], int] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False, repr=False)
    _pages: dict[tuple[str, str], bytes] = field(default_factory=dict, init=False, repr=False)
    _fixtures: dict[str, dict[str, Route]] = field(default_factory=dict, init=False, repr=False)
    _spans: list[Span] = field(default_factory=list, init=False, repr=False)
    farm_latency: float = 0.1  #: seconds a farm host takes to answer
    _tls_names: set[str] = field(default_factory=set, init=False, repr=False)

    def __enter__(self) -> SimWeb:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        for index, site in enumerate(SITES):
            server = _SiteServer(self, site, f"127.0.0.{2 + index}")
            self._servers[site] = server
            self.hosts[site] = (f"127.0.0.{2 + index}", server.server_address[1])
            serve = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
            serve.start()
        with socket.socket() as closed:  # a port nobody listens on: connection refused
            closed.bind(("127.0.0.2", 0))
            self.hosts[DOWN_HOST] = ("127.0.0.2", closed.getsockname()[1])

    def stop(self) -> None:
        self._stop.set()  # ends trickles and waits at once
        for site in list(self._servers):
            self.take_down(site)

    def take_down(self, host: str) -> None:
        """Close ``host``'s server: its port now refuses connections."""
        server = self._servers.pop(host)
        server.shutdown()
        server.drop_connections()
        server.server_close()

    def serve(
        self,
        host: str,
        body: bytes,
        *,
        path: str = "*",
        status: int = 200,
        headers: Mapping[str, str] = _NO,
        ctype: str = _HTML,
    ) -> None:
        """Answer ``path`` (``*``: every path) of ``host`` with these bytes, status and
        headers; ``host`` resolves (:meth:`resolver`) to the fixture server."""
        if FIXTURE_SITE not in self._servers:
            ip = f"127.0.0.{2 + len(SITES)}"
            server = _SiteServer(self, FIXTURE_SITE, ip)
            self._servers[FIXTURE_SITE] = server
            serve = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
            serve.start()
        address = self._servers[FIXTURE_SITE].server_address
        self.hosts[host.lower()] = (str(address[0]), int(address[1]))
        with self._lock:
            self._fixtures.setdefault(host.lower(), {})[path] = (status, body, dict(headers), ctype)

    def url(self, host: str, path: str = "/") -> str:
        scheme = "https" if host in self._tls_names else "http"
        return f"{scheme}://{host}:{self.hosts[host][1]}{path}"

    def connections_opened(self, site: str) -> int:
        """TCP connections ``site``'s server has accepted since it started."""
        server = self._servers[site]
        with server.lock:
            return server.accepted

    def _extra_server(self, site: str, ip: str, names: list[str], context: Any = None) -> int:
        server = _SiteServer(self, site, ip)
        if context is not None:
            server.socket = context.wrap_socket(server.socket, server_side=True)
        self._servers[site] = server
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        port = int(server.server_address[1])
        for name in names:
            self.hosts[name] = (ip, port)
        return port

    def add_portal(self, names: list[str]) -> int:
        """A captive portal answering every name in ``names``; returns its port."""
        return self._extra_server("portal", "127.0.0.20", names)

    def add_tls(self, names: list[str], cert: str, key: str) -> int:
        """An HTTPS server with ``cert``/``key`` answering ``names``; returns its port."""
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self._tls_names.update(names)
        return self._extra_server("tls", "127.0.0.21", names, context)

    def cli_args(self, allow_private: bool = True) -> list[str]:
        """``citewatch check`` flags that reach this web: its names, on loopback."""
        args = ["--allow-private"] if allow_private else []
        for host, (ip, _) in self.hosts.items():
            args += ["--resolve", f"{host}={ip}"]
        return args

    def resolver(self, host: str) -> list[str]:
        """Name → [address] for the simulated hosts; anything else is "no such host"."""
        entry = self.hosts.get(host.rstrip(".").lower())
        if entry is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [entry[0]]

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._log)

    def requests_to(self, site: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.site == site]

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()
            self._counts.clear()
            self._spans.clear()

    def add_farm(self, hosts: list[str], ip: str = "127.0.0.40") -> None:
        """Serve any number of extra host names from one server on ``ip``: every path
        answers 200 with an article after :attr:`farm_latency` seconds (``/status/<code>``
        answers that code, with ``Retry-After: ?retry_after=`` on 429 and 503)."""
        server = self._servers.get(FARM)
        if server is None:
            server = _SiteServer(self, FARM, ip)
            self._servers[FARM] = server
            serve = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
            serve.start()
        for host in hosts:
            self.hosts[host.lower()] = (ip, server.server_address[1])

    @property
    def spans(self) -> list[Span]:
        """Every finished request with its start and end (for politeness checks)."""
        with self._lock:
            return list(self._spans)

    def _add_span(self, span: Span) -> None:
        with self._lock:
            self._spans.append(span)

    def _farm(self, h: _Handler, path: str, q: dict[str, str]) -> None:
        self._stop.wait(self.farm_latency)
        h.answered = now()  # type: ignore[attr-defined]  # before the client can see it
        if path.startswith("/status/") and path[8:].isdigit():
            self._status(h, int(path[8:]), q)
            return
        h.send(200, article(f"Farm Page {path}" + _SUFFIX))

    # --- the server side -------------------------------------------------------------

    def _record(self, site: str, h: _Handler) -> None:
        headers = MappingProxyType(dict(h.headers.items()))
        entry = RecordedRequest(site, h.command, headers.get("Host", ""), h.path, headers, now())
        with self._lock:
            self._log.append(entry)

    def _count(self, site: str, path: str) -> int:
        with self._lock:
            self._counts[site, path] = self._counts.get((site, path), 0) + 1
            return self._counts[site, path]

    def set_page(self, host: str, path: str, body: bytes | str) -> None:
        """Serve ``body`` (HTML, 200) at ``host`` + ``path``, replacing the route there;
        call again to change the page (a page rewritten since it was cited)."""
        data = body.encode() if isinstance(body, str) else body
        with self._lock:
            self._pages[host, path] = data

    def _route(self, site: str, h: _Handler, path: str, q: dict[str, str]) -> None:
        with self._lock:
            custom = self._pages.get((site, path))
        if custom is not None:
            return h.send(200, custom)
        route: Callable[[_Handler, str, dict[str, str]], None] = {
            "parked.example": self._parked,
            "botwall.example": self._botwall,
            "slow.example": self._slow,
            "flaky.example": self._flaky,
            "spa.example": self._spa,
            "generic.example": self._generic,
            FIXTURE_SITE: self._fixture,
            FARM: self._farm,
            "portal": self._portal,
        }.get(site, self._news)
        route(h, path, q)

    def _portal(self, h: _Handler, path: str, q: dict[str, str]) -> None:
        h.send(200, _PORTAL.encode())

    def _parked(self, h: _Handler, path: str, q: dict[str, str]) -> None:
        h.send(200, _PARKED.format(host=h.headers.get("Host", "").split(":")[0]).encode())

    def _botwall(self, h: _Handler, path: str, q: dict[str, str]) -> None:
        agent = h.headers.get("User-Agent", "")
        if "Mozilla/" in agent and any(b in agent for b in ("Chrome/", "Firefox/", "Safari/")):
            h.send(200, article("Members Only Report — Walled Times"))
        else:
            h.send(403, _CHALLENGE.encode(), {"cf-mitigated": "challenge", "Server": "cloudflare"})

    def _fixture(self, h: _Handler, path: str, q: dict[str, str]) -> None:
        host = h.headers.get("Host", "").rsplit(":", 1)[0].lower()
        with self._lock:
            routes = self._fixtures.get(host, {})
            route = routes.get(path) or routes.get("*")
        if route is None:
            h.send(404, b"Not Found", ctype="text/plain")
        else:
            h.send(*route)

    def _slow(self, h: _Handler, path: str, q: dict[str, str]) -> None:
        if path == "/trickle":
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            h.send_header("Connection", "close")
            h.end_headers()
            h.close_connection = True
            prefix = b"<html><head><title>Trickle</title></head><body>"
            index = 0
            while not self._stop.is_set():
                h.wfile.write(prefix[index : index + 1] or b".")
                h.wfile.flush()
                index += 1
                self._stop.wait(self.trickle_interval)
        elif path == "/trickle-headers":
            h.close_connection = True
            h.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while not self._stop.wait(self.trickle_interval):
                h.wfile.write(b"a")
                h.wfile.flush()
        else:
            if self._stop.wait(float(q.get("s", "30"))):
                return
            h.send(200, article("Slow But Alive"))

    def _flaky(self, h: _Handler, path: str, q: dict[str, str]) -> None:
        if self._count("flaky.example", path) <= int(q.get("fail", "2")):
            extra = {"Retry-After": q["retry_after"]} if "retry_after" in q else {}
            h.send(int(q.get("code", "503")), page("Service Unavailable"), extra)
        else:
            h.send(200, article("Flaky But Fine"))

    def _spa(self, h: _Handler, path: str, q: dict[str, str]) -> None:
        if path in ("/", "/about", "/article/real-story"):
            h.send(200, article(f"{path.strip('/').split('/')[-1] or 'home'} — SPA Example"))
        else:
            h.send(200, page("Page not found — SPA Example", _NAV * 12))

    def _generic(self, h: _Handler, path: str, q: dict[str, str]) -> None:
        if path == "/article/real-story":
            h.send(200, article("Real Story — Generic Example"))
        else:
            h.send(200, HOME)

    def _news(self, h: _Handler, path: str, q: dict[str, str]) -> None:
        parts = path.strip("/").split("/")
        if path in ("/head-405", "/head-404") and h.command == "HEAD":
            h.send(int(path[-3:]), page("Method Not Allowed"), {"Allow": "GET"})
        elif path in ("/get-405", "/get-reset") and h.command == "HEAD":
            h.send(200, article("Get Shy" + _SUFFIX))
        elif path == "/get-405":
            h.send(405, page("Method Not Allowed"), {"Allow": "HEAD"})
        elif path == "/get-reset":
            self._news(h, "/reset", q)
        elif path in _STATIC:
            h.send(*_STATIC[path])
        elif parts[0] == "article" and len(parts) == 2:
            h.send(200, article(parts[1].replace("-", " ").title() + _SUFFIX))
        elif parts[0] == "chain" and len(parts) == 3:
            code, left = int(parts[1]), int(parts[2])
            if left > 0:
                h.redirect(code, f"/chain/{code}/{left - 1}")
            else:
                h.send(200, article("Chain End" + _SUFFIX))
        elif path == "/goto":
            h.redirect(int(q.get("code", "301")), q.get("to", "/"))
        elif path == "/cookie-gate":
            if "gate=passed" in h.headers.get("Cookie", ""):
                h.send(200, article("Behind The Gate" + _SUFFIX))
            else:
                h.redirect(302, "/cookie-gate", "gate=passed; Path=/")
        elif parts[0] == "status" and len(parts) == 2:
            self._status(h, int(parts[1]), q)
        elif path in ("/gzip-bomb", "/huge"):
            self._stream(h, path, q)
        elif path == "/reset":
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()
            h.close_connection = True
        else:
            h.send(404, page("404 Not Found", "The requested URL was not found on this server."))

    def _status(self, h: _Handler, code: int, q: dict[str, str]) -> None:
        headers: dict[str, str] = {}
        if code in (429, 503):
            headers["Retry-After"] = q.get("retry_after", "120" if code == 429 else "")
        if code == 401:
            headers["WWW-Authenticate"] = 'Basic realm="members"'
        h.send(code, page(f"{code} Error"), {k: v for k, v in headers.items() if v})

    def _stream(self, h: _Handler, path: str, q: dict[str, str]) -> None:
        if path == "/gzip-bomb":
            prefix, member, count = b"", _bomb_member(), 128
            headers = {"Content-Encoding": "gzip"}
        else:
            prefix = b"<html><head><title>Huge</title></head><body>"
            member, count = (b"lorem ipsum " * 6000)[: 64 << 10], int(q.get("mb", "50")) * 16
            headers = {}
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(prefix) + len(member) * count))
        for name, value in headers.items():
            h.send_header(name, value)
        h.end_headers()
        if h.command == "HEAD":
            return
        h.wfile.write(prefix)
        for _ in range(count):
            if self._stop.is_set():
                return
            h.wfile.write(member)


if __name__ == "__main__":  # python -m checker.testing.simweb: serve until interrupted
    with SimWeb() as web, contextlib.suppress(KeyboardInterrupt):
        print("\n".join(f"{h:18} {web.hosts[h][0]}:{web.hosts[h][1]}" for h in sorted(web.hosts)))
        threading.Event().wait()
