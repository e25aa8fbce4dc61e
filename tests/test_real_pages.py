"""Verdicts on real pages saved by others (tests/data/pages, sources in its README).

Each page is served through the simulated web on loopback, at its own host, with the
status and headers its source recorded, and judged by the real fetcher and classifier:
every parked page ``usurped``, every bot wall ``blocked`` (also when the wall answers
200, 429 or 503), every error page ``soft-404`` from its content alone (probe off) and
again with the probe on, every live article ``alive``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.links.classify import classify, probe_url
from checker.links.fetch import FetchConfig, fetch
from checker.model import LinkResult, LinkStatus
from checker.testing.simweb import SimWeb

PAGES = Path(__file__).parent / "data" / "pages"
MANIFEST: list[dict[str, Any]] = json.loads((PAGES / "pages.json").read_text("utf-8"))["pages"]
FAST = FetchConfig(
    allow_private=True, connect_timeout=2, read_timeout=2, deadline=5, max_attempts=1
)
EXPECTED = {
    "parked": LinkStatus.USURPED,
    "botwall": LinkStatus.BLOCKED,
    "error": LinkStatus.SOFT_404,
    "live": LinkStatus.ALIVE,
}
#: Where each kind is cited: a deep path, as citations are.
CITED = "/2019/03/14/the-cited-story.html"


def _host(page: dict[str, Any], status: int | None = None) -> str:
    stem = Path(page["file"]).stem.encode("ascii", "ignore").decode().strip("-_") or "page"
    suffix = f"-{status}" if status is not None else ""
    return f"{page['kind']}-{stem}{suffix}.pages.example".lower()


@pytest.fixture(scope="module")
def web() -> Iterator[SimWeb]:
    with SimWeb() as simweb:
        for page in MANIFEST:
            body = (PAGES / page["file"]).read_bytes()
            headers = page["headers"]
            if page["kind"] == "live":  # a live site: the article at its path, a real 404 elsewhere
                simweb.serve(_host(page), body, path=CITED, headers=headers)
            else:  # parked domains, walls and catch-all error pages answer every path
                simweb.serve(_host(page), body, status=page["status"], headers=headers)
            if page["kind"] == "botwall":
                for status in (200, 429, 503):
                    simweb.serve(_host(page, status), body, status=status, headers=headers)
        yield simweb


def judge(web: SimWeb, host: str, *, probe: bool = False) -> LinkResult:
    url = web.url(host, CITED)
    outcome = fetch(url, FAST, resolver=web.resolver, sleep=lambda s: None)
    answer = None
    if probe:
        answer = fetch(probe_url(url), FAST, resolver=web.resolver, sleep=lambda s: None)
    return classify(url, outcome, answer)


def test_the_collection_is_what_the_issue_asks_for() -> None:
    kinds = [page["kind"] for page in MANIFEST]
    assert {kind: kinds.count(kind) for kind in EXPECTED} == {
        "parked": 12,
        "botwall": 16,
        "error": 16,
        "live": 10,
    }
    for page in MANIFEST:
        assert (PAGES / page["file"]).is_file(), page["file"]
        assert page["repo"] and page["path"] and page["commit"] and page["licence"], page["file"]
    readme = (PAGES / "README.md").read_text("utf-8")
    assert all(page["file"] in readme for page in MANIFEST)
    assert sum(p.stat().st_size for p in PAGES.rglob("*") if p.is_file()) < 4_000_000


@pytest.mark.parametrize("page", MANIFEST, ids=lambda p: p["file"])
def test_verdict_from_the_page_alone(web: SimWeb, page: dict[str, Any]) -> None:
    result = judge(web, _host(page))
    assert result.status is EXPECTED[page["kind"]], (result.rule, result.detail)
    if page["kind"] == "live":
        assert result.title  # the page was really read


@pytest.mark.parametrize("status", [200, 429, 503])
@pytest.mark.parametrize(
    "page", [p for p in MANIFEST if p["kind"] == "botwall"], ids=lambda p: p["file"]
)
def test_a_wall_is_blocked_whatever_the_status(
    web: SimWeb, page: dict[str, Any], status: int
) -> None:
    result = judge(web, _host(page, status))
    assert (result.status, result.rule) == (LinkStatus.BLOCKED, "bot-challenge"), result.detail


@pytest.mark.parametrize(
    "page", [p for p in MANIFEST if p["kind"] in ("error", "live")], ids=lambda p: p["file"]
)
def test_the_probe_confirms(web: SimWeb, page: dict[str, Any]) -> None:
    result = judge(web, _host(page), probe=True)
    assert result.status is EXPECTED[page["kind"]], (result.rule, result.detail)


def test_wall_rules_name_the_vendor(web: SimWeb) -> None:
    by_file = {p["file"]: p for p in MANIFEST}
    akamai = judge(web, _host(by_file["botwall/akamai-access-denied.html"], 200))
    assert "Akamai" in akamai.detail
    sucuri = judge(web, _host(by_file["botwall/sucuri-cloudproxy-2019.html"]))
    assert "Sucuri" in sucuri.detail
    anubis_like = judge(web, _host(by_file["botwall/go-away-challenge.html"]))
    assert "not a bot" in anubis_like.detail or "go-away" in anubis_like.detail


def test_the_cli_reports_every_real_page_as_the_issue_expects(web: SimWeb, tmp_path: Path) -> None:
    """`citewatch check` on a list citing every page (probe on, as by default; one-off
    run, so --confirm-now: without it a first night shows rot as `failing`, "soft 404,
    1/3 …", until confirmed across nights)."""
    urls = [web.url(_host(page), CITED) for page in MANIFEST]
    lines = ["id,url,title,access_date"] + [
        f'{i},{url},"Cited story",1 May 2019' for i, url in enumerate(urls, 1)
    ]
    src = tmp_path / "refs.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["check", str(src), "--out", str(out), "--format", "json", "--timeout", "10",
         "--no-state", "--confirm-now", "--host-interval", "0", "--no-archive",
         *web.cli_args()],
    )  # fmt: skip
    assert result.exit_code == 1, result.output  # rotten links are findings
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    got = {r["fields"]["url"]: r["link"]["status"] for r in report["references"]}
    assert got == {url: EXPECTED[p["kind"]].value for url, p in zip(urls, MANIFEST, strict=True)}
