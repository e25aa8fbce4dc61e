"""The HTML report in a real browser: Debian's Chromium driven by Playwright.

Two reports: the demo's (``make demo``: the simulated web and the archive double) and a
hostile, inconclusive one written by the real writers (links never judged, two runs on
one day, a megabyte-long title, URLs that must not become links).  Each is opened at
1400 px and at 420 px (a phone) and checked in the DOM: no console error, no request
leaves ``file://``; at 420 px every reference is a card with its link status, worst
severity and findings inside the screen, nothing scrolls sideways and chart text is at
least 11 px; cited URLs and captures are links (http(s) only, ``rel="noopener noreferrer
nofollow"``); rejected archive candidates are shown; never-judged links say "not judged";
the headline says "not failing" rather than "Passed"; the exact patch command is shown;
year bars say how many references they stand for; trend labels carry the time when runs
share a day; the table header sticks without a scroll box of its own.  Screenshots of
every page at both widths go to pytest's temp dir (their paths are printed).

Chromium runs with its background networking, component updates, sync, crash reporting
and the like off, and with every host name resolving to nothing, so the test also
passes inside a loopback-only network namespace (``unshare --net`` with ``lo`` up).
CI (CITEWATCH_REQUIRE_BROWSER=1) fails instead of skipping when Chromium is missing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from checker.model import (
    CheckResult,
    Finding,
    LinkResult,
    LinkStatus,
    Location,
    Reference,
    RunInfo,
    Severity,
)
from checker.reports import html_report, write_reports

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-breakpad",
    "--disable-crash-reporter",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-default-apps",
    "--disable-extensions",
    "--dns-prefetch-disable",
    "--no-pings",
    "--metrics-recording-only",
    "--safebrowsing-disable-auto-update",
    "--disable-features=OptimizationHints,MediaRouter,DialMediaRouteProvider,Translate,"
    "AutofillServerCommunication,CertificateTransparencyComponentUpdater,"
    "NetworkTimeServiceQuerying,InterestFeedContentSuggestions,SafeBrowsing,"
    "PrivacySandboxSettings4,SpareRendererForSitePerProcess",
    # every host name resolves to nothing: no lookup can leave the machine
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
WIDTHS = (1400, 420)
REL = "noopener noreferrer nofollow"

if CHROMIUM is None:
    if os.environ.get("CITEWATCH_REQUIRE_BROWSER"):
        raise RuntimeError("the browser test must run here, but chromium is not installed")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


# --- the reports ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    from checker.testing.demo import run

    out = tmp_path_factory.mktemp("demo")
    assert run(out) == 0
    return out / "index.html", json.loads((out / "report.json").read_text(encoding="utf-8"))


HUGE_TITLE = "T" * 1_000_000
EVIL = "javascript:alert(1)"


def hostile_result() -> CheckResult:
    """An inconclusive run (links never judged), two runs on one day, a 1 MB title."""
    run = RunInfo(
        tool_version="0.1.0",
        started=dt.datetime(2024, 5, 1, 14, 0, 0, tzinfo=dt.UTC),
        finished=dt.datetime(2024, 5, 1, 14, 0, 9, tzinfo=dt.UTC),
        today=dt.date(2024, 5, 1),
        input_path="refs.csv",
        input_format="csv",
        offline=False,
        fail_on="error",
    )
    urls = [f"https://site{i}.example/page/{i}" for i in range(6)]
    refs = [
        Reference(str(i), url=url, title=f"Story {i}", date="2019", location=Location("r", i + 2))
        for i, url in enumerate(urls)
    ]
    refs.append(Reference("huge", url=urls[0], title=HUGE_TITLE, location=Location("r", 9)))
    refs.append(Reference("evil", url=EVIL, title="<b>evil</b>", location=Location("r", 10)))
    links = {url: LinkResult(url, LinkStatus.INCONCLUSIVE, "network-down") for url in urls}
    links[EVIL] = LinkResult(EVIL, LinkStatus.INCONCLUSIVE, "network-down")
    trend = tuple(
        {"started": started, "inconclusive": i == 2, "counts": {"alive": 5, "dead": i}}
        for i, started in enumerate(
            ["2024-04-30T02:00:00+00:00", "2024-05-01T02:00:00+00:00", "2024-05-01T14:00:00+00:00"]
        )
    )
    finding = Finding("title-caps", Severity.INFO, "Title in capitals: " + HUGE_TITLE, "huge")
    return CheckResult(
        tuple(refs), (finding,), (), run, links=links, trend=trend, inconclusive=True
    )


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile")
    write_reports(hostile_result(), out, exit_code=3)
    return out / "index.html"


# --- the browser --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


def open_page(browser: Any, html: Path, width: int, shots: Path, name: str) -> Any:
    tab = browser.new_page(viewport={"width": width, "height": 1000})
    errors: list[str] = []
    requests: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on("request", lambda r: requests.append(r.url))
    tab.goto(html.as_uri())
    tab.wait_for_selector("#controls:not([hidden])")
    tab.errors = errors
    tab.requests = requests
    shot = shots / f"{name}-{width}.png"
    tab.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    return tab


@pytest.fixture(scope="module", params=WIDTHS, ids=lambda w: f"{w}px")
def demo(
    request: pytest.FixtureRequest, browser: Any, demo_report: tuple[Path, Any], shots: Path
) -> Iterator[Any]:
    tab = open_page(browser, demo_report[0], request.param, shots, "demo")
    yield tab
    tab.close()


@pytest.fixture(scope="module", params=WIDTHS, ids=lambda w: f"{w}px")
def hostile(
    request: pytest.FixtureRequest, browser: Any, hostile_report: Path, shots: Path
) -> Iterator[Any]:
    tab = open_page(browser, hostile_report, request.param, shots, "hostile")
    yield tab
    tab.close()


@pytest.fixture(scope="module")
def demo_wide(browser: Any, demo_report: tuple[Path, Any], shots: Path) -> Iterator[Any]:
    tab = open_page(browser, demo_report[0], 1400, shots, "demo-interactive")
    yield tab
    tab.close()


def rows(tab: Any) -> list[str]:
    return [t.strip() for t in tab.locator("#rows > tr > td.id").all_inner_texts()]


def reset(tab: Any) -> None:
    tab.select_option("#f-sev", "all")
    tab.select_option("#f-link", "all")
    tab.select_option("#f-host", "")
    tab.fill("#f-text", "")
    tab.wait_for_timeout(300)


def rerender(tab: Any) -> None:
    """Have the script render the rows itself from the embedded data (the server-rendered
    first page stays until a filter changes): filter, then clear the filter."""
    tab.fill("#f-text", "zzz-no-such-row")
    wait_rows(tab, lambda n: n == 0)
    tab.fill("#f-text", "")
    wait_rows(tab, lambda n: n > 0)


def wait_rows(tab: Any, done: Callable[[int], bool]) -> None:
    """Wait until the number of rows shown satisfies ``done`` (the page's CSP forbids the
    eval that wait_for_function needs)."""
    for _ in range(100):
        if done(tab.locator("#rows > tr").count()):
            return
        tab.wait_for_timeout(50)
    raise AssertionError("the rows were not rendered")


def width_of(tab: Any) -> int:
    return int(tab.viewport_size["width"])


# JS: elements of the rows whose box leaves the screen (right edge past the viewport).
OUTSIDE = """() => {
  const out = [];
  for (const node of document.querySelectorAll('#rows *')) {
    const r = node.getBoundingClientRect();
    const off = r.right > innerWidth + 0.5 || r.left < -0.5;
    if (r.width > 0 && off) out.push(node.outerHTML.slice(0, 80));
  }
  return out;
}"""
# JS: the rendered size of every chart text: its font size times the chart's scale.
CHART_TEXT = """() => Array.from(document.querySelectorAll('svg.chart text')).map(t => {
  const svg = t.ownerSVGElement;
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [t.textContent, parseFloat(getComputedStyle(t).fontSize) * scale];
})"""


# --- every page, both widths ----------------------------------------------------------------


def test_loads_without_errors_or_outside_requests(demo: Any, demo_report: tuple[Path, Any]) -> None:
    _, report = demo_report
    assert demo.errors == []
    assert all(url.startswith("file://") for url in demo.requests), demo.requests
    assert len(rows(demo)) == report["summary"]["references"]


def test_cards_at_phone_width_nothing_sideways(demo: Any) -> None:
    for state in ("server-rendered", "script-rendered"):
        assert demo.evaluate("document.documentElement.scrollWidth") <= width_of(demo), state
        assert demo.evaluate(OUTSIDE) == [], state
        cards = demo.locator("#rows > tr")
        display = cards.first.evaluate("tr => getComputedStyle(tr).display")
        assert display == ("flex" if width_of(demo) < 800 else "table-row"), state
        assert demo.locator("#refs > thead").is_visible() == (width_of(demo) >= 800)
        for i in range(cards.count()):
            card = cards.nth(i)
            assert card.locator("td.lk .lb").is_visible()  # link status
            assert card.locator("td.wst .badge").is_visible()  # worst severity
            findings = card.locator("ul.findings")
            if findings.count():
                assert findings.is_visible()
        rerender(demo)


def test_evidence_fits_at_phone_width(demo: Any) -> None:
    details = demo.locator("#rows > tr details.ev")
    for i in range(details.count()):
        details.nth(i).locator("summary").click()
    assert demo.evaluate(OUTSIDE) == []
    assert demo.evaluate("document.documentElement.scrollWidth") <= width_of(demo)
    for i in range(details.count()):
        details.nth(i).locator("summary").click()


def test_chart_text_legible(demo: Any) -> None:
    sizes = demo.evaluate(CHART_TEXT)
    assert len(sizes) > 20
    small = [(text, round(size, 2)) for text, size in sizes if size < 11]
    assert small == []


def test_links_only_http_with_rel(demo: Any, demo_report: tuple[Path, Any]) -> None:
    _, report = demo_report
    for state in ("server-rendered", "script-rendered"):
        anchors = demo.eval_on_selector_all("a", "as => as.map(a => [a.href, a.rel])")
        assert anchors, state
        for target, rel in anchors:
            assert target.startswith(("http://", "https://")) and rel == REL, (state, target)
        by_id = {r["id"]: r for r in report["references"]}
        for row in demo.locator("#rows > tr").all():
            ref = by_id[row.locator("td.id").inner_text().strip()]
            url = ref["fields"]["url"]
            if url:  # the cited URL is a link in its row
                assert row.locator("td.host a").get_attribute("href") == url
            snapshot = ((ref.get("archive") or {}).get("snapshot") or {}).get("url")
            if snapshot:  # and so is the archived copy
                link = row.locator(".archive > a.url").first
                assert link.get_attribute("href") == snapshot and link.get_attribute("rel") == REL
        rerender(demo)


def test_rejected_candidates_and_why(demo: Any, demo_report: tuple[Path, Any]) -> None:
    _, report = demo_report
    rejected = {
        r["id"]: [c for c in r["archive"]["candidates"] if not c["accepted"]]
        for r in report["references"]
        if r.get("archive") and any(not c["accepted"] for c in r["archive"]["candidates"])
    }
    assert rejected  # the demo's archive double holds an error page for one link
    for state in ("server-rendered", "script-rendered"):
        for ident, candidates in rejected.items():
            row = demo.locator("#rows > tr").filter(has=demo.locator("td.id", has_text=ident))
            items = row.locator(".rejected li")
            assert items.count() == len(candidates), state
            for item, candidate in zip(items.all(), candidates, strict=True):
                assert candidate["reason"] in item.inner_text()
                assert item.locator("a").get_attribute("href") == candidate["url"]
        rerender(demo)


def test_headline_and_patch_command(demo: Any, demo_report: tuple[Path, Any]) -> None:
    html, report = demo_report
    counts = report["summary"]["findings"]
    assert counts["error"] > 0 and report["run"]["fail_on"] == "never"
    headline = demo.locator("#headline").inner_text()
    expected = f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} info"
    assert headline == f"{expected} — not failing (fail-on: never)"
    assert "Passed" not in demo.locator("header").inner_text()
    command = demo.locator("#patch-command").inner_text()
    report_json = str(html.parent / "report.json")
    assert shlex.split(command) == [
        "citewatch",
        "patch",
        report["run"]["input"],
        "--report",
        report_json,
        "--accept-date-fixes",  # the demo has a retrieval-year fix
        "--write",
    ]
    assert demo.locator("#patch-command").is_visible()


def test_year_bars_say_how_many(demo: Any, demo_report: tuple[Path, Any]) -> None:
    labels = demo.eval_on_selector_all(
        "#chart-years text.axis",
        "ts => ts.filter(t => t.querySelectorAll('tspan').length === 2)"
        ".map(t => Array.from(t.querySelectorAll('tspan')).map(s => s.textContent))",
    )
    assert labels
    table = demo.eval_on_selector_all(
        "#fig-years details.data tbody tr",
        "trs => trs.map(tr => Array.from(tr.cells).map(c => c.textContent))",
    )
    checked = {row[0]: int(row[1].replace(",", "")) for row in table}
    for year, count in labels:
        n = checked[year]
        assert count == f"{n:,} ref" + ("" if n == 1 else "s")


def test_sticky_header_without_scroll_box(demo: Any) -> None:
    wrap = demo.locator(".refs-wrap")
    assert wrap.evaluate("w => getComputedStyle(w).overflowY") == "visible"
    assert wrap.evaluate("w => w.scrollHeight <= w.clientHeight + 1")
    thead = demo.locator("#refs > thead")
    if width_of(demo) < 800:  # phone width: each reference is a card, no header row
        assert thead.evaluate("t => getComputedStyle(t).display") == "none"
        return
    demo.evaluate("document.querySelector('#rows > tr:nth-child(3)').scrollIntoView()")
    demo.wait_for_timeout(100)
    top = demo.locator("#refs > thead th").first.evaluate("th => th.getBoundingClientRect().top")
    assert abs(top) < 1
    demo.evaluate("window.scrollTo(0, 0)")


# --- the hostile, inconclusive report, both widths ---------------------------------------------


def test_not_judged_never_ok(hostile: Any) -> None:
    assert hostile.errors == []
    assert all(url.startswith("file://") for url in hostile.requests)
    assert "Inconclusive" in hostile.locator(".headline").inner_text()
    for state in ("server-rendered", "script-rendered"):
        for row in hostile.locator("#rows > tr").all():
            assert row.locator("td.lk").inner_text().strip() == "not judged", state
            worst = row.locator("td.wst").inner_text().strip()
            assert worst in ("not judged", "info"), state
            assert "ok" not in worst
        rerender(hostile)
    options = hostile.eval_on_selector_all("#f-link option", "os => os.map(o => o.text)")
    assert "not judged (8)" in options  # references, the 1 MB title's included


def test_long_title_cut_and_bad_urls_not_links(hostile: Any) -> None:
    assert hostile.evaluate("document.body.textContent.length") < 100_000
    title = hostile.locator("#rows > tr", has=hostile.locator("td.id", has_text="huge"))
    text = title.locator("td.title").inner_text()
    assert len(text) == html_report.MAX_TITLE and text.endswith("…")
    evil = hostile.locator("#rows > tr", has=hostile.locator("td.id", has_text="evil"))
    assert evil.locator("a").count() == 0 and evil.locator("td.host").inner_text() == EVIL
    assert hostile.evaluate(OUTSIDE) == []
    assert hostile.evaluate("document.documentElement.scrollWidth") <= width_of(hostile)
    assert hostile.locator("#patch-note").inner_text().startswith("Nothing to patch")


def test_trend_labels_carry_the_time(hostile: Any) -> None:
    labels = hostile.eval_on_selector_all(
        "#chart-trend text.axis",
        "ts => ts.map(t => Array.from(t.querySelectorAll('tspan')).map(s => s.textContent))",
    )
    labels = [label for label in labels if label]
    assert ["2024-05-01", "02:00"] in labels and ["2024-05-01", "14:00"] in labels
    sizes = hostile.evaluate(CHART_TEXT)
    assert sizes and min(size for _, size in sizes) >= 11


# --- interaction (desktop) -----------------------------------------------------------------------


def test_link_status_filter(demo_wide: Any, demo_report: tuple[Path, Any]) -> None:
    _, report = demo_report
    dead = sorted(
        r["id"] for r in report["references"] if r["link"] and r["link"]["status"] == "dead"
    )
    values = demo_wide.eval_on_selector_all(
        "#f-link option", "os => os.map(o => [o.value, o.text])"
    )
    (value,) = [v for v, text in values if text.startswith("dead ")]
    demo_wide.select_option("#f-link", value)
    demo_wide.wait_for_timeout(300)
    assert sorted(rows(demo_wide)) == dead
    reset(demo_wide)


def test_severity_and_text_filters(demo_wide: Any, demo_report: tuple[Path, Any]) -> None:
    _, report = demo_report
    clean = sorted(r["id"] for r in report["references"] if not r["findings"])
    demo_wide.select_option("#f-sev", "none")
    demo_wide.wait_for_timeout(300)
    assert sorted(rows(demo_wide)) == clean
    reset(demo_wide)
    demo_wide.fill("#f-text", "osce")
    demo_wide.wait_for_timeout(500)
    assert rows(demo_wide) == ["12"]
    reset(demo_wide)
    assert len(rows(demo_wide)) == report["summary"]["references"]


def test_sorting_by_id(demo_wide: Any) -> None:
    demo_wide.click("th[data-sort=id]")
    demo_wide.wait_for_timeout(300)
    ids = rows(demo_wide)
    assert ids == sorted(ids, key=int) or ids == sorted(ids, key=int, reverse=True)
    reset(demo_wide)


def test_details_open_with_evidence(demo_wide: Any) -> None:
    demo_wide.fill("#f-text", "status/404")
    demo_wide.wait_for_timeout(500)
    details = demo_wide.locator("#rows > tr details.ev").first
    details.locator("summary").click()
    assert details.evaluate("d => d.open")
    hops = details.locator("table.hops tr")
    assert hops.count() >= 2  # header + the one GET (one request per link)
    assert "404" in details.inner_text()
    reset(demo_wide)
