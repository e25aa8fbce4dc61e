"""The simulated web answers as its module docstring says (real sockets, loopback only)."""

from __future__ import annotations

import http.client
import socket
import time
from collections.abc import Iterator

import pytest

from checker.testing.simweb import DOWN_HOST, SITES, SimWeb


@pytest.fixture(scope="module")
def web() -> Iterator[SimWeb]:
    with SimWeb() as simweb:
        yield simweb


def request(
    web: SimWeb, host: str, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    ip, port = web.hosts[host]
    conn = http.client.HTTPConnection(ip, port, timeout=5)
    try:
        conn.request(method, path, headers={"Host": f"{host}:{port}", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.headers, response.read(4096)
    finally:
        conn.close()


def test_every_site_on_its_own_loopback_address(web: SimWeb) -> None:
    addresses = {web.hosts[site][0] for site in SITES}
    assert len(addresses) == len(SITES)
    assert all(address.startswith("127.0.0.") for address in addresses)
    assert web.url("news.example", "/a") == f"http://news.example:{web.hosts['news.example'][1]}/a"
    assert web.resolver("NEWS.example.") == [web.hosts["news.example"][0]]
    with pytest.raises(socket.gaierror):
        web.resolver("www.example.com")


def test_article_home_and_real_404(web: SimWeb) -> None:
    status, _, body = request(web, "news.example", "/article/climate-report")
    assert status == 200
    assert b"<title>Climate Report" in body and b"datePublished" in body
    assert request(web, "news.example", "/")[0] == 200
    assert request(web, "news.example", "/no/such/page")[0] == 404


def test_redirect_routes(web: SimWeb) -> None:
    for code in (301, 302, 307, 308):
        status, headers, _ = request(web, "news.example", f"/chain/{code}/2")
        assert (status, headers["Location"]) == (code, f"/chain/{code}/1")
    assert request(web, "news.example", "/loop/a")[1]["Location"] == "/loop/b"
    assert request(web, "news.example", "/to-root")[1]["Location"] == "/"
    assert request(web, "news.example", "/to-404")[1]["Location"] == "/404.html"
    assert request(web, "news.example", "/goto?to=http://x.example/&code=308")[0] == 308


def test_status_routes(web: SimWeb) -> None:
    for code in (401, 403, 404, 410, 500, 503, 999):
        assert request(web, "news.example", f"/status/{code}")[0] == code
    status, headers, _ = request(web, "news.example", "/status/429?retry_after=7")
    assert (status, headers["Retry-After"]) == (429, "7")


def test_head_quirks(web: SimWeb) -> None:
    assert request(web, "news.example", "/head-405", "HEAD")[0] == 405
    assert request(web, "news.example", "/head-405")[0] == 200
    assert request(web, "news.example", "/head-404", "HEAD")[0] == 404
    assert request(web, "news.example", "/head-404")[0] == 200


def test_botwall_lets_browsers_through(web: SimWeb) -> None:
    status, headers, body = request(web, "botwall.example", "/report")
    assert status == 403 and headers["cf-mitigated"] == "challenge"
    assert b"<title>Just a moment...</title>" in body
    browser = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36"}
    assert request(web, "botwall.example", "/report", headers=browser)[0] == 200


def test_flaky_counts_per_path(web: SimWeb) -> None:
    statuses = [request(web, "flaky.example", "/sim-flaky?fail=2")[0] for _ in range(4)]
    assert statuses == [503, 503, 200, 200]
    assert request(web, "flaky.example", "/sim-other?fail=1&code=429&retry_after=1")[0] == 429


def test_soft_404_and_parked_sites(web: SimWeb) -> None:
    status, _, body = request(web, "spa.example", "/anything/at/all")
    assert status == 200 and b"Page not found" in body
    assert request(web, "spa.example", "/article/real-story")[0] == 200
    assert request(web, "generic.example", "/missing")[2] == request(web, "generic.example", "/")[2]
    status, _, body = request(web, "parked.example", "/old/article")
    assert status == 200 and b"This domain is for sale" in body


def test_multilingual_not_found_titles_and_charsets(web: SimWeb) -> None:
    assert "Seite nicht gefunden" in request(web, "news.example", "/notfound/de")[2].decode()
    assert "Страница не найдена" in request(web, "news.example", "/notfound/ru")[2].decode()
    _, headers, body = request(web, "news.example", "/latin1")
    assert "ISO-8859-1" in headers["Content-Type"] and "Café".encode("latin-1") in body


def test_broken_connections(web: SimWeb) -> None:
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
        request(web, "news.example", "/reset")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(web.hosts[DOWN_HOST], timeout=2)


def test_requests_are_recorded(web: SimWeb) -> None:
    request(web, "blog.example", "/article/logged?x=1", headers={"X-Probe": "yes"})
    last = web.requests_to("blog.example")[-1]
    assert (last.method, last.path, last.headers["X-Probe"]) == (
        "GET",
        "/article/logged?x=1",
        "yes",
    )
    assert last.host.startswith("blog.example:")


def test_take_down_and_prompt_shutdown_with_trickles_open() -> None:
    web = SimWeb()
    web.start()
    ip, port = web.hosts["slow.example"]
    trickles = []
    for path in ("/trickle", "/trickle-headers", "/wait?s=30"):
        sock = socket.create_connection((ip, port), timeout=5)
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: slow.example\r\n\r\n".encode())
        trickles.append(sock)
    assert trickles[0].recv(15).startswith(b"HTTP/1.1 200")
    web.take_down("blog.example")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(web.hosts["blog.example"], timeout=2)
    started = time.monotonic()
    web.stop()
    assert time.monotonic() - started < 1.0
    for sock in trickles:
        sock.close()
