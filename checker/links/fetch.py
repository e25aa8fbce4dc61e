"""Fetching one URL the way a careful link checker does, within hard limits.

One request per link where one is enough: with ``read_body`` (the page is read for its
title, soft-404 and parking signals and date) a streamed, capped GET, checked with a HEAD
only when it fails in a way a HEAD can contradict; without it a HEAD, confirmed by GET
when it fails (servers answering HEAD with 404/405 but GET with 200 are common).
Connections are kept alive and shared per (scheme, host, port, vetted IP) through
:class:`Connections`.  Redirects are followed by hand
so that every hop is vetted by :mod:`checker.links.safety` and recorded as a
:class:`~checker.model.Hop`.  A total deadline covers every hop, retry and body byte: the
clock is checked between reads, read timeouts never exceed the time left, and one timer
thread for all fetches (:data:`DEADLINES`) shuts a fetch's sockets down when its deadline
passes (so a server trickling its headers cannot hold the check either).  Bodies are
read raw and inflated by hand with a cap on the decompressed size, so neither a huge
page nor a gzip bomb can exhaust memory.

Error codes: ``dns``, ``refused``, ``timeout``, ``reset``, ``tls``, ``unreachable``,
``connection``, ``too-many-redirects``, ``redirect-loop``, ``bad-redirect``, ``unsafe``,
``invalid-url``; ``too-large`` marks a hop whose body was cut at the cap (informative only).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from http.client import HTTPException
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin, urlsplit

from checker import __version__
from checker.links import safety
from checker.links.errors import error_code
from checker.links.page import decode_html, extract_title
from checker.links.pool import DEADLINES, Answer, Connections, Target
from checker.links.scheduler import split_url
from checker.model import Hop

if TYPE_CHECKING:  # requests is imported only when a cookie is set or sent
    import requests
    from requests.cookies import RequestsCookieJar

USER_AGENT = f"citewatch/{__version__} (+https://github.com/citewatch/citewatch)"
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
KEPT_HEADERS = ("content-type", "content-length", "content-encoding", "content-language",
                "location", "retry-after", "server", "cf-mitigated", "last-modified",
                "www-authenticate", "x-robots-tag")  # fmt: skip
#: Headers only bot walls send (read by checker.links.signals.botwall), kept as well.
WALL_HEADERS = ("x-amzn-waf-action", "x-datadome", "x-sucuri-block")
_KEPT = frozenset((*KEPT_HEADERS, *WALL_HEADERS))
_KEPT_IN_PATH = "!#$%&'()*+,/:;=?@[]~"
_TEXT_TYPES = ("text/", "html", "xml")
_RETRIED = ("timeout", "reset")
_FINAL = ("unsafe", "invalid-url", "bad-redirect")
_GET_REFUSED = frozenset({405, 501})
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
_EMPTY: Mapping[str, str] = MappingProxyType({})
_NO_HEADERS: Mapping[str, Mapping[str, str]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class FetchConfig:
    """Limits and manners of a fetch (times in seconds)."""

    connect_timeout: float = 10.0
    read_timeout: float = 15.0  #: per socket read; never more than the time left
    deadline: float = 20.0  #: total per URL: every hop, retry, wait and body byte
    max_redirects: int = 10
    body_cap: int = 256 * 1024  #: decoded bytes kept (enough for the title and signals)
    user_agent: str = USER_AGENT
    #: Extra headers by domain (a domain also matches its subdomains), e.g. a browser-like
    #: User-Agent for a site known to wall off bots.
    domain_headers: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: _NO_HEADERS)
    allow_private: bool = False  #: contact loopback/private addresses (tests, intranets)
    allow_networks: tuple[str, ...] = ()  #: networks (CIDR) treated as public
    max_attempts: int = 3  #: GET attempts for 5xx, 429, timeouts and resets
    backoff: float = 1.0  #: first wait between attempts, doubled each time
    max_retry_after: float = 30.0  #: a longer Retry-After means: do not retry now
    head_first: bool = True
    read_body: bool = True  #: GET the page even when HEAD succeeded

    def headers_for(self, host: str) -> dict[str, str]:
        """Request headers for ``host``; only encodings the capped reader can undo."""
        headers = {"User-Agent": self.user_agent, "Accept": _ACCEPT}
        host = host.lower().rstrip(".")
        for domain, extra in self.domain_headers.items():
            if host == domain.lower() or host.endswith("." + domain.lower()):
                headers.update(extra)
        return {**headers, "Accept-Encoding": "gzip, deflate"}


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """What fetching one URL produced; ``error`` is empty when an answer came back."""

    url: str
    hops: tuple[Hop, ...] = ()
    final_url: str = ""
    status: int | None = None  #: of the final exchange (a redirect status on loops)
    error: str = ""
    detail: str = ""  #: the underlying error, for people
    #: The KEPT_HEADERS of the final answer, lower-case names.
    headers: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    body: str = ""  #: decoded text of the first ``body_cap`` bytes (GET only)
    title: str = ""
    truncated: bool = False  #: the body was cut at the cap
    body_bytes: int = 0  #: decoded bytes kept
    wire_bytes: int = 0  #: bytes read from the socket for the final body
    redirects: tuple[int, ...] = ()  #: statuses of the redirects of the final chain
    method: str = ""  #: of the final exchange
    attempts: int = 0  #: GET attempts
    elapsed_ms: int = 0

    @property
    def ok(self) -> bool:
        return _ok(self.status, self.error)

    def __reduce__(self) -> tuple[Any, ...]:
        # Sent from a fetch process to the parent, which judges it: by position, the
        # read-only headers as a dict.
        state = [getattr(self, name) for name in self.__match_args__]
        state[_HEADERS] = dict(self.headers)
        return (_outcome_from, tuple(state))

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def is_html(self) -> bool:
        """A GET answered with an HTML (or untyped) page: its body is a page to read."""
        kind = self.content_type
        return self.method == "GET" and (not kind or "html" in kind)


_HEADERS = FetchOutcome.__match_args__.index("headers")


def _outcome_from(*state: Any) -> FetchOutcome:
    fields = list(state)
    fields[_HEADERS] = MappingProxyType(fields[_HEADERS])
    return FetchOutcome(*fields)


@dataclass
class _Result:
    method: str
    url: str
    status: int | None = None
    error: str = ""
    detail: str = ""
    headers: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    body: bytes = b""
    truncated: bool = False
    wire: int = 0
    redirects: list[int] = field(default_factory=list)


def _ok(status: int | None, error: str) -> bool:
    return not error and status is not None and status < 400


class _Run:
    """One fetch's state: deadline, the sockets it used, cookies, hops."""

    def __init__(self, config: FetchConfig, resolver: safety.Resolver,
                 clock: Callable[[], float], session: requests.Session | None,
                 connections: Connections) -> None:  # fmt: skip
        self.config, self.resolver, self.clock = config, resolver, clock
        self.connections = connections
        self.started = clock()
        self.deadline = self.started + config.deadline
        #: The session's jar, or one made when the first cookie is set (most fetches
        #: never see one).
        self.jar: RequestsCookieJar | None = session.cookies if session is not None else None
        given = session.headers.items() if session is not None else ()
        self.session_headers = {k: v if isinstance(v, str) else v.decode("latin-1")
                                for k, v in given}  # fmt: skip
        self.hops: list[Hop] = []
        self.attempts = 0
        self.expired = False
        self.finished = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        DEADLINES.add(time.monotonic() + config.deadline, self)

    def remaining(self) -> float:
        return 0.0 if self.expired else self.deadline - self.clock()

    def track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def expire(self) -> None:
        with self._lock:
            if self.finished:
                return
            self.expired = True
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        with self._lock:
            self.finished = True
            self._sockets.clear()

    def cookie_state(self) -> tuple[tuple[str, str, str], ...]:
        if self.jar is None:
            return ()
        return tuple(sorted((c.domain, c.name, c.value or "") for c in self.jar))


def fetch(
    url: str,
    config: FetchConfig | None = None,
    session: requests.Session | None = None,
    resolver: safety.Resolver | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    connections: Connections | None = None,
) -> FetchOutcome:
    """Fetch ``url`` with one request where one is enough; retry 5xx, 429, timeouts and
    resets with backoff; never beyond ``config.deadline``.

    With ``read_body`` (the page is needed: title, soft-404 and parking signals, date)
    the first request is a streamed, capped GET; a GET that fails in a way a HEAD can
    contradict (405/501, reset, broken connection) is checked with one HEAD.  Without
    ``read_body`` a HEAD answers alone when it succeeds; a failure is confirmed by GET
    (servers answering HEAD with 404/405 but GET with 200 are common).

    ``session`` lends its headers and cookie jar; ``resolver`` maps host names to
    addresses (default: the system's); ``connections`` are the keep-alive pools shared
    by the fetches of a run (default: a private set, closed on return).
    """
    config = config or FetchConfig()
    own = connections is None
    pools = connections if connections is not None else Connections(1)
    run = _Run(config, resolver or safety.system_resolver, clock, session, pools)
    try:
        if config.head_first and not config.read_body:
            result = _chain(run, "HEAD", url)
            if result.error in _FINAL or _ok(result.status, result.error):
                return _outcome(run, url, result)
        result = _Result("GET", url)
        for attempt in range(1, config.max_attempts + 1):
            run.attempts = attempt
            result = _chain(run, "GET", url)
            wait = _retry_wait(run, result, attempt)
            if wait is None:
                break
            sleep(wait)
        if config.head_first and config.read_body and _head_may_answer(run, result):
            head = _chain(run, "HEAD", url)
            if _ok(head.status, head.error):
                head.detail = f"GET failed ({result.error or result.status}); HEAD answered"
                result = head
        return _outcome(run, url, result)
    finally:
        run.close()
        if own:
            pools.close()


def _head_may_answer(run: _Run, result: _Result) -> bool:
    """A failed GET that a HEAD may contradict (and time left to ask)."""
    if _ok(result.status, result.error) or run.remaining() < 1.0:
        return False
    return result.status in _GET_REFUSED or result.error in ("reset", "connection")


def _retry_wait(run: _Run, result: _Result, attempt: int) -> float | None:
    """Seconds to wait before another attempt, or None for no retry."""
    config = run.config
    status = result.status or 0
    server_side = status == 429 or (status >= 500 and status not in (501, 505))
    if attempt >= config.max_attempts or not (server_side or result.error in _RETRIED):
        return None
    after = parse_retry_after(result.headers.get("retry-after", ""))
    if after is not None and after > config.max_retry_after:
        return None
    wait = after if after is not None else config.backoff * 2 ** (attempt - 1)
    return wait if wait < run.remaining() - 0.5 else None


def parse_retry_after(value: str, now: dt.datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date); None if absent."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when.astimezone(dt.UTC) - now).total_seconds())


def _chain(run: _Run, method: str, url: str) -> _Result:
    """Send ``method`` to ``url`` and follow redirects by hand, vetting every hop."""
    current, redirects = url, list[int]()
    seen = {(url, run.cookie_state())}
    while True:
        started, result = run.clock(), _Result(method, current, redirects=redirects)
        try:
            response = _send(run, method, current, result)
        except _Stop as stop:
            result.error, result.detail = stop.args
            run.hops.append(_hop(run, result, started))
            return result
        location = result.headers.get("location", "")
        if result.status in REDIRECT_CODES and location:
            _discard(response, run, result)
            run.hops.append(_hop(run, result, started, location))
            redirects.append(result.status or 0)
            target = _join(current, location)
            if not target:
                return _fail(run, result, "bad-redirect", f"redirect to {location!r}")
            if len(redirects) > run.config.max_redirects:
                limit = run.config.max_redirects
                return _fail(run, result, "too-many-redirects", f"more than {limit} redirects")
            if (target, run.cookie_state()) in seen:
                return _fail(run, result, "redirect-loop", f"{target} was already visited")
            seen.add((target, run.cookie_state()))
            current = target
            continue
        content_type = result.headers.get("content-type", "").lower()
        if method == "GET" and (not content_type or any(t in content_type for t in _TEXT_TYPES)):
            _read_body(run, response, result)
        else:
            _discard(response, run, result)
        run.hops.append(_hop(run, result, started))
        return result


def _join(base: str, location: str) -> str:
    """The absolute http(s) URL a Location header points to ("" if unusable)."""
    try:
        target = urljoin(base, location.strip())
        return target if urlsplit(target).scheme.lower() in ("http", "https") else ""
    except ValueError:
        return ""


def _fail(run: _Run, result: _Result, error: str, detail: str) -> _Result:
    result.error, result.detail = error, detail
    run.hops[-1] = replace(run.hops[-1], error=error)
    return result


def _hop(run: _Run, result: _Result, started: float, location: str = "") -> Hop:
    error = result.error or ("too-large" if result.truncated else "")
    elapsed = int((run.clock() - started) * 1000)
    return Hop(result.method, result.url, result.status, error, location, elapsed)


class _Stop(Exception):
    """An exchange that ended without a usable answer: (error code, detail)."""


def _send(run: _Run, method: str, url: str, result: _Result) -> Answer:
    """One request, to the vetted address of the URL's host; the body is streamed."""
    config = run.config
    prepared = None  #: the request as requests sees it, made only when cookies are at play
    try:
        target = _target(url)
        # citewatch's own headers win: a session must not ask for encodings we cannot cap.
        headers = {**run.session_headers, **config.headers_for(target.host)}
        if run.jar is not None and len(run.jar):
            from requests.cookies import get_cookie_header

            prepared = _prepare(method, url, headers)
            cookie = get_cookie_header(run.jar, prepared)  # type: ignore[no-untyped-call]
            if cookie:
                headers["Cookie"] = cookie
    except ValueError as exc:  # requests' InvalidURL is one too
        raise _Stop("invalid-url", str(exc)) from exc
    try:
        allow = config.allow_networks
        ip = safety.vet_host(
            target.host, run.resolver, allow_private=config.allow_private, allow=allow
        )
    except safety.UnsafeTarget as exc:
        raise _Stop("unsafe", str(exc)) from exc
    except (OSError, UnicodeError) as exc:
        raise _Stop("dns", f"{target.host}: {exc}") from exc
    left = run.remaining()
    if left <= 0.05:
        raise _Stop("timeout", "no complete answer before the deadline")
    timeout = (min(config.connect_timeout, left), min(config.read_timeout, left))
    try:
        answer = run.connections.open(method, target, ip, headers, timeout, run.track)
    except (OSError, HTTPException, ValueError) as exc:
        raise _Stop(*error_code(exc, run.remaining())) from exc
    if run.expired:  # the deadline timer cut the answer short: whatever arrived is incomplete
        answer.close()
        raise _Stop("timeout", "no complete answer before the deadline")
    result.status = answer.status
    kept: dict[str, str] = {}
    sets_cookies = False
    for name, value in answer.headers.raw_items():  # the first of each, as Message.get
        name = name.lower()
        if name in _KEPT and name not in kept:
            kept[name] = value
        sets_cookies = sets_cookies or name == "set-cookie"
    result.headers = MappingProxyType(kept)
    if sets_cookies:
        from requests.cookies import MockRequest, MockResponse, RequestsCookieJar

        with contextlib.suppress(ValueError):  # a URL requests will not prepare: no cookie
            asked = MockRequest(prepared or _prepare(method, url, headers))
            if run.jar is None:
                run.jar = RequestsCookieJar()
            run.jar.extract_cookies(MockResponse(answer.headers), asked)  # type: ignore[arg-type]
    return answer


def _target(url: str) -> Target:
    """Where ``url`` goes, as requests would send it: the host IDNA-encoded (an invalid
    label refused), the path and query re-quoted, no user information, no fragment."""
    parts = split_url(url)
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    if scheme not in ("http", "https") or not host:
        raise ValueError("not an http(s) URL with a host")
    if not host.isascii():
        import idna  # only for a name that is not ASCII

        try:  # as requests does (UTS 46 mapping, then IDNA 2008)
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise ValueError("URL has an invalid label.") from exc
    elif host.startswith(("*", ".")):
        raise ValueError("URL has an invalid label.")
    port = parts.port or (443 if scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    # Characters a request line cannot carry (spaces, non-ASCII, controls) percent-encoded
    # as UTF-8; escapes already there and the reserved characters kept (requests'
    # requote_uri without its decoding of escaped unreserved characters).
    return Target(scheme, host, port, quote(path, safe=_KEPT_IN_PATH))


def _prepare(method: str, url: str, headers: Mapping[str, str]) -> requests.PreparedRequest:
    """The request as requests prepares it, for the cookie jar's policies (only when
    cookies are sent or set)."""
    import requests

    prepared = requests.PreparedRequest()
    prepared.prepare_method(method)
    prepared.prepare_url(url, None)
    prepared.prepare_headers(headers)
    return prepared


def _discard(answer: Answer, run: _Run, result: _Result) -> None:
    """Close an answer whose body is not wanted (a short one is drained for reuse)."""
    try:
        length = 0 if result.method == "HEAD" else int(result.headers.get("content-length", "-1"))
        if 0 <= length <= 65536 and run.remaining() > 0.5:
            answer.drain()  # to the end, so the connection can be reused
            return
    except (ValueError, OSError, HTTPException):
        pass
    answer.close()


def _read_body(run: _Run, answer: Answer, result: _Result) -> None:
    """Read at most ``body_cap`` decoded bytes, checking the deadline between reads."""
    cap = run.config.body_cap
    inflater = safety.CappedInflater(result.headers.get("content-encoding", ""))
    out = bytearray()
    complete = False
    try:
        while run.remaining() > 0:
            chunk = answer.read1(65536)  # what has arrived, at most this much
            if not chunk:
                complete = not run.expired
                break
            result.wire += len(chunk)
            out += inflater.feed(chunk, cap + 1 - len(out))
            if len(out) > cap or result.wire > 4 * cap + 65536:
                result.truncated = True
                break
        if not complete and not result.truncated:
            result.error, result.detail = "timeout", "the page did not load before the deadline"
    except (OSError, HTTPException, ValueError) as exc:
        result.error, result.detail = error_code(exc, run.remaining())
    result.body = bytes(out[:cap])
    if complete:
        answer.release()
    else:
        answer.close()


def _outcome(run: _Run, url: str, result: _Result) -> FetchOutcome:
    text = decode_html(result.body, result.headers.get("content-type", "")) if result.body else ""
    return FetchOutcome(
        url=url,
        hops=tuple(run.hops),
        final_url=result.url,
        status=result.status,
        error=result.error,
        detail=result.detail,
        headers=result.headers,
        body=text,
        title=extract_title(text),
        truncated=result.truncated,
        body_bytes=len(result.body),
        wire_bytes=result.wire,
        redirects=tuple(result.redirects),
        method=result.method,
        attempts=run.attempts,
        elapsed_ms=int((run.clock() - run.started) * 1000),
    )
