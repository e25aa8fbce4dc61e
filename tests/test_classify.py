"""Every verdict and rule, through real sockets: classify(fetch(...)) against the simulated web."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from checker.links.classify import (
    classify,
    drifted,
    is_error_title,
    probe_url,
    title_similarity,
)
from checker.links.fetch import FetchConfig, FetchOutcome, fetch
from checker.model import LinkResult, LinkStatus
from checker.testing.simweb import PUBLISHED, SimWeb

FAST = FetchConfig(allow_private=True, connect_timeout=1, read_timeout=1, deadline=2, backoff=0.01)
S = LinkStatus


@pytest.fixture(scope="module")
def web() -> Iterator[SimWeb]:
    with SimWeb() as simweb:
        yield simweb


def check(
    web: SimWeb,
    host: str,
    path: str,
    *,
    probe: bool = False,
    config: FetchConfig = FAST,
) -> LinkResult:
    url = web.url(host, path)
    outcome = fetch(url, config, resolver=web.resolver, sleep=lambda s: None)
    answer = None
    if probe:
        answer = fetch(probe_url(url), config, resolver=web.resolver, sleep=lambda s: None)
    return classify(url, outcome, answer)


CASES = [
    ("news.example", "/article/live-story", S.ALIVE, "http-200"),
    ("news.example", "/head-405", S.ALIVE, "http-200"),
    ("news.example", "/head-404", S.ALIVE, "http-200"),
    ("news.example", "/tiny-titled", S.ALIVE, "http-200"),
    ("news.example", "/pdf", S.ALIVE, "http-200"),
    ("news.example", "/chain/302/2", S.ALIVE, "temporary-redirect"),
    ("news.example", "/chain/307/1", S.ALIVE, "temporary-redirect"),
    ("flaky.example", "/classify-flaky?fail=2", S.ALIVE, "http-200"),
    ("news.example", "/chain/301/3", S.REDIRECTED, "permanent-redirect"),
    ("news.example", "/chain/308/1", S.REDIRECTED, "permanent-redirect"),
    ("news.example", "/status/404", S.FAILING, "http-404"),
    ("news.example", "/status/410", S.FAILING, "http-410"),
    ("news.example", "/no/such/page", S.FAILING, "http-404"),
    ("down.example", "/", S.FAILING, "refused"),
    ("news.example", "/loop/a", S.FAILING, "redirect-loop"),
    ("news.example", "/chain/301/11", S.FAILING, "too-many-redirects"),
    ("news.example", "/goto?to=mailto:someone@example.org", S.FAILING, "bad-redirect"),
    ("news.example", "/status/401", S.BLOCKED, "http-401"),
    ("news.example", "/status/403", S.BLOCKED, "http-403"),
    ("news.example", "/status/429", S.BLOCKED, "http-429"),
    ("news.example", "/status/999", S.BLOCKED, "http-999"),
    ("botwall.example", "/members/report", S.BLOCKED, "bot-challenge"),
    ("news.example", "/status/500", S.TRANSIENT, "http-500"),
    ("news.example", "/status/503", S.TRANSIENT, "http-503"),
    ("news.example", "/reset", S.TRANSIENT, "reset"),
    ("slow.example", "/wait?s=10", S.TRANSIENT, "timeout"),
    ("slow.example", "/trickle", S.TRANSIENT, "timeout"),
    ("news.example", "/to-root", S.SOFT_404, "redirect-to-root"),
    ("news.example", "/to-404", S.SOFT_404, "redirect-to-error-page"),
    ("news.example", "/goto?to=/home", S.SOFT_404, "redirect-to-error-page"),
    ("news.example", "/tiny", S.SOFT_404, "near-empty"),
    ("news.example", "/gzip-bomb", S.SOFT_404, "near-empty"),
    ("news.example", "/notfound/en", S.SOFT_404, "soft404-title"),
    ("news.example", "/notfound/de", S.SOFT_404, "soft404-title"),
    ("news.example", "/notfound/fr", S.SOFT_404, "soft404-title"),
    ("news.example", "/notfound/ru", S.SOFT_404, "soft404-title"),
    ("news.example", "/notfound/es", S.SOFT_404, "soft404-title"),
    ("news.example", "/notfound/ja", S.SOFT_404, "soft404-title"),
    ("news.example", "/notfound/code", S.SOFT_404, "soft404-title"),
    ("spa.example", "/article/removed-story", S.SOFT_404, "soft404-title"),
    ("parked.example", "/2015/05/report.html", S.USURPED, "parked-domain"),
]


@pytest.mark.parametrize(("host", "path", "status", "rule"), CASES)
def test_verdicts(web: SimWeb, host: str, path: str, status: LinkStatus, rule: str) -> None:
    result = check(web, host, path)
    assert (result.status, result.rule) == (status, rule), result.detail
    assert result.detail and result.hops and result.url == web.url(host, path)


def test_alive_page_carries_title_and_date(web: SimWeb) -> None:
    result = check(web, "news.example", "/article/dated-story")
    assert result.title == "Dated Story — Example News"
    assert result.page_date == PUBLISHED and result.http_status == 200
    assert result.final_url == web.url("news.example", "/article/dated-story")


def test_permanent_redirect_suggests_the_new_url(web: SimWeb) -> None:
    result = check(web, "news.example", "/chain/301/2")
    assert result.suggested_url == web.url("news.example", "/chain/301/0")
    assert check(web, "news.example", "/chain/302/1").suggested_url == ""


def test_redirect_to_another_host_is_a_redirect(web: SimWeb) -> None:
    target = web.url("blog.example", "/article/moved-here")
    result = check(web, "news.example", f"/goto?to={target}&code=308")
    assert (result.status, result.suggested_url) == (S.REDIRECTED, target)


def test_browser_user_agent_passes_the_bot_wall(web: SimWeb) -> None:
    browser = {"botwall.example": {"User-Agent": "Mozilla/5.0 (Macintosh) Safari/605.1.15"}}
    config = FetchConfig(allow_private=True, deadline=2, domain_headers=browser)
    assert check(web, "botwall.example", "/members/report", config=config).status is S.ALIVE


def test_dns_failure_and_invalid_and_unsafe(web: SimWeb) -> None:
    gone = fetch("http://gone.example/page", FAST, resolver=web.resolver)
    assert (classify("http://gone.example/page", gone).status, gone.error) == (S.FAILING, "dns")
    bad = classify("htp:/broken", fetch("htp:/broken", FAST, resolver=web.resolver))
    assert (bad.status, bad.rule) == (S.INVALID, "invalid-url")
    url = web.url("news.example", "/")
    unsafe = classify(url, fetch(url, FetchConfig(), resolver=web.resolver))
    assert (unsafe.status, unsafe.rule) == (S.UNSAFE, "unsafe")


def test_tls_failure_is_its_own_status(web: SimWeb) -> None:
    url = web.url("news.example", "/").replace("http:", "https:")
    result = classify(url, fetch(url, FAST, resolver=web.resolver))
    assert (result.status, result.rule) == (S.TLS_ERROR, "tls")  # never failing → dead


# --- soft 404 by probe -------------------------------------------------------------------


def test_probe_catches_a_site_answering_its_home_page_for_everything(web: SimWeb) -> None:
    result = check(web, "generic.example", "/article/deleted-story", probe=True)
    assert (result.status, result.rule) == (S.SOFT_404, "soft404-probe")
    assert check(web, "generic.example", "/", probe=True).status is S.ALIVE  # the root itself


def test_probe_leaves_real_pages_alone(web: SimWeb) -> None:
    assert check(web, "generic.example", "/article/real-story", probe=True).status is S.ALIVE
    assert check(web, "spa.example", "/article/real-story", probe=True).status is S.ALIVE
    assert check(web, "news.example", "/article/normal", probe=True).status is S.ALIVE  # real 404


def test_probe_url_is_random_on_the_same_host() -> None:
    first = probe_url("https://www.example.org:8443/news/2019/story.html?id=3#top")
    assert re.fullmatch(r"https://www\.example\.org:8443/[0-9a-f]{24}\.html", first)
    assert probe_url("http://example.org/a/b") != probe_url("http://example.org/a/b")
    assert re.fullmatch(r"http://example\.org/[0-9a-f]{24}", probe_url("http://example.org/a/b"))


def test_same_final_url_as_the_probe_is_soft_404() -> None:
    def outcome(url: str) -> FetchOutcome:
        return FetchOutcome(
            url,
            final_url="http://site.example/search",
            status=200,
            redirects=(302,),
            method="GET",
            body="<title>Search</title>" + "<p>results</p>" * 200,
            title="Search",
        )

    cited = "http://site.example/article/old"
    result = classify(cited, outcome(cited), outcome(probe_url(cited)))
    assert (result.status, result.rule) == (S.SOFT_404, "soft404-probe")


# --- parked, titles, drift ---------------------------------------------------------------


def test_parked_by_marketplace_redirect_and_by_markup() -> None:
    moved = FetchOutcome(
        "http://old.example/x",
        final_url="https://www.hugedomains.com/domain_profile.cfm?d=old.example",
        status=200,
        redirects=(302,),
        method="GET",
    )
    assert classify("http://old.example/x", moved).status is S.USURPED
    scripts = '<script src="//img.sedoparking.com/x.js"></script><script>window.park="1"</script>'
    body = f"<title>old.example</title>{scripts}" + "<p>Related links: travel, loans</p>" * 80
    parked = FetchOutcome(
        "http://old.example/",
        final_url="http://old.example/",
        status=200,
        method="GET",
        body=body,
        title="old.example",
    )
    assert classify("http://old.example/", parked).rule == "parked-domain"


@pytest.mark.parametrize(
    "title",
    [
        "404",
        "Error 404 - Example",
        "404 Not Found",
        "Oops",
        "Página no encontrada",
        "Pagina non trovata | Corriere",
        "页面不存在",
        "Sayfa bulunamadı",
        "Nie znaleziono strony",
    ],
)
def test_error_titles(title: str) -> None:
    assert is_error_title(title)


@pytest.mark.parametrize(
    "title",
    [
        "Highway 404 reopens after crash",
        "Report on the 2019 floods",
        "Error bars in physics",
        "Le livre introuvable de Borges",
        "",
    ],
)
def test_not_error_titles(title: str) -> None:
    assert not is_error_title(title)


def test_title_similarity_and_drift() -> None:
    assert title_similarity("Climate Report 2019", "climate report 2019") == 1.0
    assert title_similarity("", "") == 1.0 and title_similarity("x", "") == 0.0
    assert title_similarity("Colour of money", "Color of money") > 0.9
    assert drifted("Original Article Title", "Completely Different Story — Example News")
    assert not drifted("Original Article Title", "Original Article Title | Example News")
    assert not drifted("Original article title", "The Guardian: Original Article Title")
    assert not drifted("Anything", "")  # no evidence, no drift


def test_error_heading_on_a_short_page_is_soft_404() -> None:
    body = "<title>Example News</title><h1>Sorry, page not found</h1>" + "<p>Menu</p>" * 150
    outcome = FetchOutcome(
        "http://n.example/a",
        final_url="http://n.example/a",
        status=200,
        method="GET",
        body=body,
        title="Example News",
    )
    assert classify("http://n.example/a", outcome).rule == "soft404-content"


def test_index_page_redirecting_to_root_is_alive() -> None:
    def moved(url: str) -> FetchOutcome:
        return FetchOutcome(
            url,
            final_url="http://n.example/",
            status=200,
            redirects=(301,),
            method="GET",
            body="<title>N</title>" + "<p>News</p>" * 200,
            title="N",
        )

    assert classify("http://n.example/index.html", moved("x")).status is S.REDIRECTED
    assert classify("http://n.example/story.html", moved("x")).rule == "redirect-to-root"


def test_page_date_reads_metadata_and_skips_pages_without_digits() -> None:
    from checker.links.classify import page_date

    meta = '<html><head><meta property="article:published_time" content="2019-05-01T10:00:00Z">'
    assert page_date(meta + "<title>T</title></head><body>text</body></html>") == "2019-05-01"
    assert page_date("<html><body><p>" + "no date at all " * 50 + "</p></body></html>") == ""
