"""The signal rules one by one: headers, guards against false alarms on real articles,
parking landers and name servers (with a fake lookup: no test does real DNS), the
marker data and the link stage's name-server hook.

Page bodies come from tests/data/pages (real pages saved by others); only titles,
headers, statuses and name-server answers are given here.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
from pathlib import Path

import pytest

from checker.links import signals
from checker.links.classify import classify
from checker.links.fetch import FetchConfig, FetchOutcome, fetch
from checker.links.runner import LinkConfig, check_links
from checker.links.scheduler import Politeness
from checker.links.signals import (
    NameServerCache,
    bot_wall,
    nameservers_of,
    parked,
    soft_404,
    visible_text,
)
from checker.links.signals._data import load
from checker.model import LinkStatus, Reference
from checker.store.policy import Policy
from checker.testing.simweb import SimWeb

PAGES = Path(__file__).parent / "data" / "pages"
S = LinkStatus


def page(name: str) -> str:
    return (PAGES / name).read_text("utf-8", errors="replace")


ARTICLE = page("live/readability-bug-1255978.html")  # says "put up for sale" twice
ARTICLE_TEXT = visible_text(ARTICLE)
WIDGET_PAGE = page("live/readability-spiceworks.html")  # loads reCAPTCHA


def outcome(body: str = "", *, status: int = 200, title: str = "", **headers: str) -> FetchOutcome:
    return FetchOutcome(
        "http://site.example/a",
        final_url="http://site.example/a",
        status=status,
        method="GET",
        body=body,
        title=title,
        headers={"content-type": "text/html", **headers},
    )


# --- bot walls -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "vendor"),
    [
        ("cf-mitigated", "challenge", "Cloudflare"),
        ("x-amzn-waf-action", "captcha", "AWS WAF"),
        ("x-amzn-waf-action", "challenge", "AWS WAF"),
    ],
)
def test_a_wall_header_blocks_even_a_real_page(name: str, value: str, vendor: str) -> None:
    result = classify("http://site.example/a", outcome(ARTICLE, **{name: value}))
    assert (result.status, result.rule) == (S.BLOCKED, "bot-challenge")
    assert vendor in result.detail


def test_datadome_header_counts_only_on_a_refusal() -> None:
    assert bot_wall(403, {"x-datadome": "protected"}, "", "", "")
    assert not bot_wall(200, {"x-datadome": "protected"}, "", ARTICLE, ARTICLE_TEXT)


@pytest.mark.parametrize(
    "title",
    ["Just a moment...", "Einen Moment bitte...", "Un instant…", "Prove your humanity",
     "Access denied | x.com used Cloudflare", "Making sure you're not a bot!"],
)  # fmt: skip
def test_challenge_titles_in_several_languages(title: str) -> None:
    assert bot_wall(200, {}, title, "", "")


@pytest.mark.parametrize(
    "title",
    ["Just a moment in history", "Access denied to archives, court rules", "Blocked drains"],
)
def test_a_headline_that_starts_like_a_challenge_is_not_one(title: str) -> None:
    assert not bot_wall(200, {}, title, ARTICLE, ARTICLE_TEXT)


def test_a_captcha_widget_on_a_real_page_is_not_a_wall() -> None:
    text = visible_text(WIDGET_PAGE)
    assert re.search(r"recaptcha", WIDGET_PAGE, re.I) and len(text) > signals.botwall.EMPTY_TEXT
    assert not bot_wall(200, {}, "Rewriting Rules of Engagement", WIDGET_PAGE, text)


def test_vendor_markup_on_a_long_live_page_needs_a_refusal() -> None:
    wall = page("botwall/akamai-access-denied.html")
    long_page = ARTICLE + wall  # an article quoting a deny page is still an article at 200
    assert not bot_wall(200, {}, "", long_page, visible_text(long_page))
    assert "Akamai" in bot_wall(403, {}, "", long_page, visible_text(long_page))


def test_linkedin_999_is_blocked_whatever_the_body() -> None:
    result = classify("http://site.example/a", outcome("", status=999))
    assert (result.status, result.rule) == (S.BLOCKED, "http-999")


# --- parking ---------------------------------------------------------------------------


def test_for_sale_in_a_long_article_is_not_parking() -> None:
    assert "for sale" in ARTICLE_TEXT.lower()
    assert not parked("http://a.example/x", "http://a.example/x", False, "Hotels", ARTICLE,
                      ARTICLE_TEXT)  # fmt: skip


def test_a_parking_title_counts_only_on_a_short_page() -> None:
    short = page("parked/atomia-parked.html")
    assert parked("http://a.example/", "", False, "Domain for sale", short, visible_text(short))
    assert not parked("http://a.example/", "", False, "Castle for sale", ARTICLE, ARTICLE_TEXT)


def test_redirect_to_a_lander_path_is_parking(tmp_path: Path) -> None:
    lander = (PAGES / "parked/bodis-lander-getbukkit.html").read_bytes()
    with SimWeb() as web:
        web.serve("gone.example", b"", path="/download/spigot", status=302,
                  headers={"Location": "/lander"})  # fmt: skip
        web.serve("gone.example", lander, path="/lander")
        url = web.url("gone.example", "/download/spigot")
        config = FetchConfig(allow_private=True, deadline=5, max_attempts=1)
        result = classify(url, fetch(url, config, resolver=web.resolver))
    assert (result.status, result.rule) == (S.USURPED, "parked-domain")
    assert "lander" in result.detail


def test_marketplace_redirect_is_parking_unless_cited_there() -> None:
    assert signals.on_marketplace("www.hugedomains.com", "old.example") == "hugedomains.com"
    assert not signals.on_marketplace("sedo.com", "sedo.com")


# --- name servers ----------------------------------------------------------------------


class FakeDNS:
    """Name servers by zone; counts the questions; never touches the network."""

    def __init__(self, zones: dict[str, list[str]], fail: bool = False) -> None:
        self.zones, self.fail = zones, fail
        self.asked: list[str] = []

    def __call__(self, name: str) -> list[str]:
        self.asked.append(name)
        if self.fail:
            raise OSError("SERVFAIL")
        return self.zones.get(name, [])


def test_nameservers_walk_up_to_the_zone_and_stay_bounded() -> None:
    dns = FakeDNS({"old.example": ["NS1.SEDOPARKING.COM.", "ns2.sedoparking.com."]})
    assert nameservers_of("www.blog.old.example", dns) == [
        "ns1.sedoparking.com",
        "ns2.sedoparking.com",
    ]
    assert dns.asked == ["www.blog.old.example", "blog.old.example", "old.example"]
    deep = FakeDNS({})
    assert nameservers_of("a.b.c.d.e.example", deep, max_queries=3) == []
    assert len(deep.asked) == 3
    assert nameservers_of("x.example", FakeDNS({}, fail=True)) == []
    assert nameservers_of("x.example", None) == []


@pytest.mark.parametrize(
    ("servers", "parked_by_ns"),
    [
        (["ns1.sedoparking.com"], True),
        (["ns3.parkingcrew.net"], True),
        (["ns1.dan.com"], True),
        (["expired-domain-ns2.fabulous.com"], True),
        (["ns01.cashparking.com"], True),
        (["ns1.bodis.com"], True),
        (["dns1.registrar-servers.com"], False),
        (["ns-123.awsdns-45.com"], False),
    ],
)
def test_parking_name_servers(servers: list[str], parked_by_ns: bool) -> None:
    small = page("error/de-seite-nicht-gefunden.html")
    why = parked("http://a.example/", "", False, "x", small, visible_text(small), servers)
    assert bool(why) is parked_by_ns


def test_the_cache_asks_once_per_host_and_only_for_short_pages() -> None:
    dns = FakeDNS({"p.example": ["ns1.bodis.com"]})
    cache = NameServerCache(dns)
    assert cache("p.example", 100) == ["ns1.bodis.com"]
    assert cache("P.example.", 100) == ["ns1.bodis.com"]
    assert cache("q.example", 50_000) == []  # a long page is never parked: no question
    assert dns.asked == ["p.example"]
    assert NameServerCache(None)("p.example", 10) == []


def test_without_dnspython_the_ns_rule_is_off() -> None:
    lookup = signals.dns_nameserver_lookup()
    assert (lookup is None) is (importlib.util.find_spec("dns") is None)


def test_the_link_stage_asks_the_injected_lookup(tmp_path: Path) -> None:
    short_page = (PAGES / "error/de-seite-nicht-gefunden.html").read_bytes()
    with SimWeb() as web:
        web.serve("www.quiet.example", short_page, path="/")
        web.serve("www.other.example", short_page, path="/")
        refs = [
            Reference("1", url=web.url("www.quiet.example", "/"), title="Quiet"),
            Reference("2", url=web.url("www.other.example", "/"), title="Other"),
        ]
        dns = FakeDNS({"quiet.example": ["ns2.parkingcrew.net"]})
        config = LinkConfig(
            fetch=FetchConfig(allow_private=True, deadline=5, max_attempts=1),
            politeness=Politeness(host_interval=0),
            state_path=tmp_path / "state.sqlite",
            policy=Policy(confirm_now=True),  # one-off: the verdicts, not their confirmation
            probe=False,
        )
        run = check_links(refs, config, resolver=web.resolver, ns_lookup=dns,
                          now=lambda: dt.datetime(2026, 11, 27, tzinfo=dt.UTC))  # fmt: skip
    quiet, other = (run.results[r.url] for r in refs)
    assert (quiet.status, quiet.rule) == (S.USURPED, "parked-domain")
    assert "ns2.parkingcrew.net" in quiet.detail
    assert other.status is S.SOFT_404  # its own error page, not parking
    # each host once, walking up to its zone but never asking about the top-level domain
    assert sorted(dns.asked) == sorted(
        ["www.quiet.example", "quiet.example", "www.other.example", "other.example"]
    )


# --- soft 404 --------------------------------------------------------------------------


def test_on_a_long_page_only_a_whole_title_segment_names_an_error() -> None:
    assert not soft_404("Lost and not found: a history of luggage", ARTICLE, ARTICLE_TEXT)
    assert soft_404("Page not found | The Guardian", ARTICLE, ARTICLE_TEXT)
    assert soft_404("Error 404 - The Guardian", ARTICLE, ARTICLE_TEXT)


def test_a_bare_404_heading_on_a_short_page() -> None:
    body = page("error/pl-strona-nie-istnieje.html")
    assert "404" in soft_404("Strona", body, visible_text(body))


# --- the marker data -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["botwalls", "parking", "soft404"])
def test_marker_files_note_their_sources_and_compile(name: str) -> None:
    data = load(name)
    assert len(data["sources"]) >= 3 and all(isinstance(s, str) and s for s in data["sources"])
    for group in ("strong_markup", "weak_markup", "service_markup"):
        for marker in data.get(group, []):
            re.compile(marker["pattern"])
    raw = (Path(signals.__file__).parent / "data" / f"{name}.json").read_text("utf-8")
    assert json.loads(raw) == data


def test_wall_headers_survive_the_fetch() -> None:
    """The fetcher keeps the wall headers, so a wall answering 200 with a real page's
    bytes is still blocked end to end."""
    with SimWeb() as web:
        web.serve("waf.example", ARTICLE.encode(), headers={"x-amzn-waf-action": "captcha"})
        url = web.url("waf.example", "/story")
        config = FetchConfig(allow_private=True, deadline=5, max_attempts=1)
        result = classify(url, fetch(url, config, resolver=web.resolver))
    assert (result.status, result.rule) == (S.BLOCKED, "bot-challenge")
    assert "AWS WAF" in result.detail


@pytest.mark.parametrize("title", ["Sorry - Justin Bieber", "Gone | A Novel", "Oops!... I Did It"])
def test_a_song_or_book_titled_like_an_apology_is_not_an_error_page(title: str) -> None:
    assert not soft_404(title, ARTICLE, ARTICLE_TEXT)


def test_an_error_segment_names_a_short_error_page() -> None:
    body = page("error/pl-zly-adres.html")
    assert soft_404("Sklep | Błąd", body, visible_text(body))


def test_parking_ns_without_dnspython_is_a_usage_error(tmp_path: Path) -> None:
    import importlib.util

    from click.testing import CliRunner

    from checker.cli import main

    if importlib.util.find_spec("dns") is not None:
        pytest.skip("dnspython is installed here")
    src = tmp_path / "refs.csv"
    src.write_text("id,url\n1,https://example.org/\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(src), "--parking-ns", "--no-state"])
    assert result.exit_code == 2
    assert "needs dnspython" in result.output
    assert not (tmp_path / "reports").exists()


# --- the fast matchers give exactly the answers of the plain expressions -------------


def _all_page_texts() -> list[str]:
    texts = []
    for path in sorted(PAGES.rglob("*")):
        if path.is_file() and path.suffix in (".html", ".htm", ".txt"):
            body = path.read_text("utf-8", errors="replace")
            texts += [body.lower(), signals.text.fold(visible_text(body))]
    return texts


def test_phrase_tries_find_what_a_sorted_alternation_finds() -> None:
    from checker.links.signals._data import phrases

    words = ["not found", "not", "page not found", "nothing", "seite nicht gefunden", "404"]
    plain = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    trie = phrases(words)
    samples = [f"a {w} b" for w in words] + ["the page not found here", "notnot", "", "40 4"]
    samples += _all_page_texts()
    assert len(samples) > 50
    for sample in samples:
        a, b = plain.search(sample), trie.search(sample)
        assert (a and (a.span(), a.group(0))) == (b and (b.span(), b.group(0))), sample[:80]


def test_gated_markers_match_exactly_where_the_expressions_do() -> None:
    from checker.links.signals import botwall, parking

    pairs = [(p, n) for p, n in parking._SERVICES + botwall._STRONG + botwall._WEAK_WHAT]
    pairs += [(parking._STRONG_PATTERNS, "strong"), (parking._SCRIPT_REDIRECT, "script")]
    gated = [p for p, _ in pairs if p.gates]
    assert len(gated) >= len(pairs) - 2  # nearly every marker has literals to gate on
    texts = _all_page_texts()
    hits = 0
    for pattern, _ in pairs:
        for text in texts:
            expected = pattern.expression.search(text)
            got = pattern.search(text)
            assert (expected and expected.span()) == (got and got.span()), pattern.pattern
            hits += bool(got)
    assert hits > 10  # the real walls and landers do match


@pytest.mark.parametrize(
    ("pattern", "text", "gates"),
    [
        (
            r"(?:img\.)?sedoparking\.com|sedo\.com/x",
            "img.sedoparking.com",
            ("sedoparking.com", "sedo.com/x"),
        ),
        (r"ab\d+", "ab12", ()),  # too short to gate: always runs
        (r"(?:x|y)?location\s*=", "location =", ("location",)),
        (r"(?i)window\.park", "WINDOW.PARK", ()),  # flags inside: no gate
    ],
)
def test_required_literals(pattern: str, text: str, gates: tuple[str, ...]) -> None:
    from checker.links.signals._data import Gated

    g = Gated(pattern)
    assert g.gates == gates
    assert g.search(text)


def test_a_parking_sentence_naming_the_domain_is_found() -> None:
    # The data's patterns say "domain \S+ is parked"; folding them once turned \S into
    # \s, so a sentence naming the domain was never matched.
    text = "The domain example.com is parked. Contact the owner."
    assert "parking page" in parked("http://example.com/a", "", False, "Welcome", text, text)
    es = "El dominio ejemplo.es está a la venta"
    assert "parking page" in parked("http://ejemplo.es/", "", False, "Hola", es, es)
