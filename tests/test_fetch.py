"""Fetching through real sockets against the simulated web (loopback only, no DNS)."""

from __future__ import annotations

import datetime as dt
import http.server
import shutil
import socketserver
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests

from checker.links.classify import classify
from checker.links.fetch import (
    USER_AGENT,
    Connections,
    FetchConfig,
    FetchOutcome,
    fetch,
    parse_retry_after,
)
from checker.links.safety import is_public, pinned_connection, refusal_reason, vet_host
from checker.model import LinkStatus
from checker.testing.simweb import SimWeb

CAP = 64 * 1024
FAST = FetchConfig(
    allow_private=True, connect_timeout=1, read_timeout=1, deadline=3, backoff=0.01, body_cap=CAP
)


@pytest.fixture(scope="module")
def web() -> Iterator[SimWeb]:
    with SimWeb() as simweb:
        yield simweb


def get(
    web: SimWeb,
    host: str,
    path: str,
    config: FetchConfig = FAST,
    session: requests.Session | None = None,
) -> FetchOutcome:
    return fetch(web.url(host, path), config, session, web.resolver, sleep=lambda s: None)


def test_alive_page_is_one_get(web: SimWeb) -> None:
    outcome = get(web, "news.example", "/article/plain-page")
    assert outcome.ok and outcome.status == 200 and not outcome.error
    assert outcome.title == "Plain Page — Example News"
    assert [(h.method, h.status) for h in outcome.hops] == [("GET", 200)]
    seen = [r for r in web.requests_to("news.example") if r.path == "/article/plain-page"]
    assert [r.method for r in seen] == ["GET"]  # one request per link
    assert seen[-1].headers["User-Agent"] == USER_AGENT
    assert seen[-1].host == f"news.example:{web.hosts['news.example'][1]}"  # the name, not the IP


@pytest.mark.parametrize("path", ["/head-405", "/head-404"])
def test_head_failure_is_confirmed_by_get(web: SimWeb, path: str) -> None:
    head_only = replace(FAST, read_body=False)  # HEAD answers alone only when it succeeds
    outcome = get(web, "news.example", path, head_only)
    assert [(h.method, h.status) for h in outcome.hops] == [("HEAD", int(path[-3:])), ("GET", 200)]
    assert outcome.ok and outcome.method == "GET"
    assert get(web, "news.example", path).hops[0].method == "GET"  # reading the page: GET only


def test_head_alone_answers_when_the_body_is_not_needed(web: SimWeb) -> None:
    outcome = get(web, "news.example", "/article/head-only", replace(FAST, read_body=False))
    assert [(h.method, h.status) for h in outcome.hops] == [("HEAD", 200)] and outcome.ok


@pytest.mark.parametrize("path", ["/get-405", "/get-reset"])
def test_get_failure_is_checked_with_head(web: SimWeb, path: str) -> None:
    outcome = get(web, "news.example", path, replace(FAST, max_attempts=1))
    assert [h.method for h in outcome.hops] == ["GET", "HEAD"]
    assert outcome.ok and outcome.method == "HEAD" and "HEAD answered" in outcome.detail
    assert classify(outcome.url, outcome).status is LinkStatus.ALIVE  # served: not rot


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_redirect_chains_are_followed_by_hand(web: SimWeb, code: int) -> None:
    outcome = get(web, "news.example", f"/chain/{code}/3")
    assert outcome.status == 200 and outcome.redirects == (code, code, code)
    assert outcome.final_url == web.url("news.example", f"/chain/{code}/0")
    assert [h.location for h in outcome.hops if h.method == "GET"][:1] == [f"/chain/{code}/2"]


def test_redirect_limits(web: SimWeb) -> None:
    assert get(web, "news.example", "/chain/302/10").status == 200  # exactly 10 is fine
    too_many = get(web, "news.example", "/chain/302/11")
    assert too_many.error == "too-many-redirects" and too_many.hops[-1].error == too_many.error
    loop = get(web, "news.example", "/loop/a")
    assert loop.error == "redirect-loop" and loop.status == 301
    assert get(web, "news.example", "/cookie-gate").title.startswith("Behind The Gate")


def test_trickling_servers_are_cut_at_the_deadline(web: SimWeb) -> None:
    config = FetchConfig(allow_private=True, connect_timeout=1, read_timeout=1, deadline=1.5)
    for path in ("/trickle", "/trickle-headers"):
        started = time.monotonic()
        outcome = get(web, "slow.example", path, config)
        assert time.monotonic() - started < config.deadline + 2
        assert outcome.error == "timeout"


def test_slow_server_times_out(web: SimWeb) -> None:
    started = time.monotonic()
    outcome = get(web, "slow.example", "/wait?s=10")
    assert outcome.error == "timeout" and time.monotonic() - started < FAST.deadline + 2


def test_huge_body_is_capped(web: SimWeb) -> None:
    outcome = get(web, "news.example", "/huge?mb=50")
    assert outcome.truncated and outcome.body_bytes == CAP
    assert outcome.wire_bytes <= CAP + 65536 + 1024
    assert outcome.title == "Huge" and outcome.hops[-1].error == "too-large"
    assert outcome.ok  # the cap is not a failure


def test_gzip_bomb_stays_under_the_cap(web: SimWeb) -> None:
    outcome = get(web, "news.example", "/gzip-bomb")
    assert outcome.truncated and outcome.body_bytes <= CAP
    assert outcome.wire_bytes < 1 << 20  # a few kilobytes of the 2 MB were read


def test_gzip_and_charsets_are_decoded(web: SimWeb) -> None:
    assert get(web, "news.example", "/gzip").title == "Gzipped — Example News"
    assert get(web, "news.example", "/latin1").title == "Café, économie et société à Zürich"
    assert get(web, "news.example", "/cp1251").title == "Новости экономики"


def test_non_html_body_is_not_read(web: SimWeb) -> None:
    outcome = get(web, "news.example", "/pdf")
    assert outcome.ok and outcome.body == "" and outcome.content_type == "application/pdf"


def test_connection_errors_have_short_codes(web: SimWeb) -> None:
    assert get(web, "news.example", "/reset").error == "reset"
    assert get(web, "down.example", "/").error == "refused"
    https = web.url("news.example", "/").replace("http:", "https:")
    assert fetch(https, FAST, resolver=web.resolver).error == "tls"
    missing = fetch("http://no-such-host.example/", FAST, resolver=web.resolver)
    assert missing.error == "dns" and missing.hops[0].error == "dns"


@pytest.mark.parametrize("url", ["ftp://news.example/x", "http://", "not a url", "http://[::1/"])
def test_invalid_urls(url: str) -> None:
    def resolver(host: str) -> list[str]:
        raise AssertionError("an invalid URL must not be resolved")

    assert fetch(url, FAST, resolver=resolver).error == "invalid-url"


def test_retries_honour_retry_after_and_backoff(web: SimWeb) -> None:
    sleeps: list[float] = []
    url = web.url("flaky.example", "/retry-a?fail=2")
    outcome = fetch(url, FAST, resolver=web.resolver, sleep=sleeps.append)
    assert outcome.status == 200 and outcome.attempts == 3 and sleeps == [0.01, 0.02]
    sleeps.clear()
    url = web.url("flaky.example", "/retry-b?fail=2&code=429&retry_after=1")
    outcome = fetch(url, FAST, resolver=web.resolver, sleep=sleeps.append)
    assert outcome.status == 200 and sleeps == [1.0, 1.0]
    sleeps.clear()
    url = web.url("news.example", "/status/429?retry_after=120")  # longer than the cap: give up
    outcome = fetch(url, FAST, resolver=web.resolver, sleep=sleeps.append)
    assert outcome.status == 429 and outcome.attempts == 1 and sleeps == []


def test_parse_retry_after() -> None:
    now = dt.datetime(2025, 1, 1, 12, 0, tzinfo=dt.UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("soon") is None and parse_retry_after("") is None


def test_domain_headers_get_past_a_bot_wall(web: SimWeb) -> None:
    assert get(web, "botwall.example", "/r").status == 403
    browser = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"}
    config = FetchConfig(allow_private=True, domain_headers={"botwall.example": browser})
    assert get(web, "botwall.example", "/r", config).status == 200


def test_session_cookies_are_sent(web: SimWeb) -> None:
    session = requests.Session()
    session.cookies.set("gate", "passed")
    outcome = get(web, "news.example", "/cookie-gate", session=session)
    assert outcome.redirects == () and outcome.title.startswith("Behind The Gate")


# --- SSRF ------------------------------------------------------------------------------


def test_loopback_target_is_refused_before_any_request(web: SimWeb) -> None:
    web.clear_log()
    outcome = fetch(web.url("spa.example", "/x"), FetchConfig(), resolver=web.resolver)
    assert outcome.error == "unsafe" and "loopback" in outcome.detail
    assert web.requests_to("spa.example") == []
    ip_literal = f"http://127.0.0.1:{web.hosts['spa.example'][1]}/"
    assert fetch(ip_literal, FetchConfig()).error == "unsafe"


@pytest.mark.parametrize("target", ["http://127.0.0.1:{port}/", "http://blog.example:{port}/"])
def test_redirect_to_a_private_address_is_refused_at_that_hop(web: SimWeb, target: str) -> None:
    web.clear_log()
    news_ip = web.hosts["news.example"][0]
    # news.example plays a public host; its redirect points into the private network.
    config = FetchConfig(allow_networks=(f"{news_ip}/32",), deadline=3)
    to = target.format(port=web.hosts["blog.example"][1])
    outcome = fetch(web.url("news.example", f"/goto?to={to}"), config, resolver=web.resolver)
    assert outcome.error == "unsafe" and outcome.hops[-1].error == "unsafe"
    assert outcome.hops[0].status == 301
    assert web.requests_to("blog.example") == []
    assert [r.method for r in web.requests_to("news.example")] == ["GET"]  # one, not retried


def test_allow_private_reaches_the_server(web: SimWeb) -> None:
    outcome = fetch(web.url("blog.example", "/article/x"), FAST, resolver=web.resolver)
    assert outcome.status == 200


def test_the_vetted_address_is_the_one_connected_to(web: SimWeb) -> None:
    calls: list[str] = []

    def rebinding(host: str) -> list[str]:  # a second lookup would answer elsewhere
        calls.append(host)
        return web.resolver(host) if len(calls) == 1 else ["127.0.0.66"]

    config = FetchConfig(allow_private=True, head_first=False)
    assert fetch(web.url("news.example", "/"), config, resolver=rebinding).status == 200
    assert calls == ["news.example"]


def test_pooled_connections_are_revetted_on_every_resolution(web: SimWeb) -> None:
    news_ip = web.hosts["news.example"][0]
    answers = [[news_ip], [news_ip], ["127.0.0.1"]]  # the name rebinds to loopback

    def rebinding(host: str) -> list[str]:
        return answers.pop(0)

    config = replace(FAST, allow_private=False, allow_networks=(f"{news_ip}/32",))
    web.clear_log()
    with Connections(2) as pools:
        first = fetch(web.url("news.example", "/article/a"), config, resolver=rebinding,
                      connections=pools)  # fmt: skip
        second = fetch(web.url("news.example", "/article/b"), config, resolver=rebinding,
                       connections=pools)  # fmt: skip
        third = fetch(web.url("news.example", "/article/c"), config, resolver=rebinding,
                      connections=pools)  # fmt: skip
    assert first.status == second.status == 200
    assert (
        third.error == "unsafe" and "loopback" in third.detail
    )  # the kept-alive pool is no way in
    assert [r.path for r in web.requests_to("news.example")] == ["/article/a", "/article/b"]
    assert not answers  # resolved and vetted for every fetch


def test_one_connection_serves_many_fetches(web: SimWeb) -> None:
    before = web.connections_opened("blog.example")
    with Connections(1) as pools:
        for i in range(5):
            outcome = fetch(web.url("blog.example", f"/article/s{i}"), FAST,
                            resolver=web.resolver, connections=pools)  # fmt: skip
            assert outcome.status == 200
    assert web.connections_opened("blog.example") - before == 1


@pytest.mark.parametrize(
    ("ip", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("::1", "loopback"),
        ("fe80::1%eth0", "link-local"),
        ("fc00::1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("2002:7f00:1::", "loopback"),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 wrapping 169.254.169.254
        ("not-an-ip", "not an IP address"),
    ],
)
def test_unsafe_addresses(ip: str, reason: str) -> None:
    assert not is_public(ip) and refusal_reason(ip) == reason


@pytest.mark.parametrize(
    "ip", ["93.184.215.14", "8.8.8.8", "2606:4700::6810:84e5", "::ffff:1.1.1.1"]
)
def test_public_addresses(ip: str) -> None:
    assert is_public(ip)


def test_vet_host_refuses_if_any_address_is_private() -> None:
    with pytest.raises(Exception, match="private"):
        vet_host("mixed.example", lambda host: ["93.184.215.14", "10.0.0.1"])
    assert vet_host("pub.example", lambda host: ["93.184.215.14"]) == "93.184.215.14"
    assert vet_host("10.0.0.1", lambda host: [], allow=("10.0.0.0/8",)) == "10.0.0.1"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_pinned_https_verifies_the_host_name_not_the_address(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=secure.example",
         "-addext", "subjectAltName=DNS:secure.example"],
        check=True, capture_output=True,
    )  # fmt: skip

    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = self.headers["Host"].encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = socketserver.TCPServer(("127.0.0.5", 0), Hello)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    port = server.server_address[1]
    trust = ssl.create_default_context(cafile=str(cert))

    def ask(name: str) -> str:
        conn = pinned_connection("https", name, port, "127.0.0.5", 3, trust)
        try:
            conn.request("GET", "/")
            return conn.getresponse().read().decode()
        finally:
            conn.close()

    try:
        assert ask("secure.example") == f"secure.example:{port}"  # SNI, certificate, Host
        with pytest.raises(ssl.SSLCertVerificationError):
            ask("other.example")  # the certificate is checked against the name
    finally:
        server.shutdown()
        server.server_close()


class OneAnswerServer:
    """Answers the first request on each connection (keep-alive, no ``Connection:
    close``), then closes the connection: at once (``at_once``), or only when the next
    request comes (the race a kept-alive connection loses)."""

    def __init__(self, at_once: bool) -> None:
        import socket

        self.at_once = at_once
        self.listener = socket.create_server(("127.0.0.7", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: Any) -> None:
        with conn:
            conn.recv(65536)
            body = b"<title>Kept</title>"
            head = (
                f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n\r\n"
            )
            conn.sendall(head.encode() + body)
            if not self.at_once:
                conn.recv(65536)  # the second request: closed unanswered

    def close(self) -> None:
        self.listener.close()


@pytest.mark.parametrize("at_once", [True, False])
def test_a_kept_alive_connection_the_server_closed_is_replaced(at_once: bool) -> None:
    server = OneAnswerServer(at_once)
    try:
        with Connections(1) as pools:
            outcomes = []
            for i in range(3):
                outcomes.append(fetch(f"http://127.0.0.7:{server.port}/{i}", FAST,
                                      connections=pools))  # fmt: skip
                time.sleep(0.05)  # the server's close arrives
        assert [o.status for o in outcomes] == [200, 200, 200]
        assert all(o.title == "Kept" and o.attempts == 1 for o in outcomes)
        assert server.connections == 3  # one each: the closed ones were not used again
    finally:
        server.close()


class _Call:
    """A call registered with a deadline timer (what a fetch or an archive call is)."""

    def __init__(self) -> None:
        self.finished = False
        self.expired = threading.Event()

    def expire(self) -> None:
        self.expired.set()


def test_the_deadline_timer_ends_when_the_run_has_settled() -> None:
    """A deadline still runs while its call is open; once every call has ended,
    settle() leaves no timer thread (the reports fork only from a lone thread), and the
    next call starts another that still expires it."""
    from checker.links.pool import Deadlines

    timer = Deadlines()
    done, open_ = _Call(), _Call()
    timer.add(time.monotonic() + 60, done)
    timer.add(time.monotonic() + 0.2, open_)
    first = timer._thread
    assert first is not None and first.is_alive()
    assert open_.expired.wait(5)  # an open call's deadline still runs
    done.finished = True
    timer.settle()
    assert timer.pending() == 0 and not first.is_alive()
    late = _Call()
    timer.add(time.monotonic() + 0.1, late)
    assert late.expired.wait(5)  # a new thread keeps the next call's deadline
    finished_early = _Call()
    timer.add(time.monotonic() + 0.1, finished_early)
    finished_early.finished = True
    time.sleep(0.3)
    assert not finished_early.expired.is_set()  # an ended call's deadline is dropped
    timer.settle()
    assert timer._thread is None


def test_a_link_run_in_this_process_leaves_no_timer_thread(web: SimWeb) -> None:
    """After the fetches of a run (``Connections`` closed), no ``fetch-deadlines``
    thread is left, though every fetch registered a deadline far in the future."""
    config = replace(FAST, deadline=120)
    with Connections(2) as connections:
        outcome = fetch(
            web.url("news.example", "/"), config, resolver=web.resolver, connections=connections
        )
        assert outcome.status == 200
        assert any(t.name == "fetch-deadlines" for t in threading.enumerate())
    assert not any(t.name == "fetch-deadlines" for t in threading.enumerate())
