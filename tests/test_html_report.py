"""index.html with the link stage: link column, evidence, banner, charts, escaping."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from checker.model import (
    ArchiveResult,
    ArchiveStatus,
    Candidate,
    CheckResult,
    Finding,
    Hop,
    LinkResult,
    LinkStatus,
    Location,
    Reference,
    RunInfo,
    Severity,
    Snapshot,
)
from checker.reports import charts, html_report

SCRIPT = "<script>alert(1)</script>"
EVIL_URL = "https://x<script>alert(2)</script>.example/p"
CHECKED = dt.datetime(2024, 5, 1, 2, 0, 5, tzinfo=dt.UTC)
SINCE = dt.datetime(2024, 4, 28, 2, 0, 0, tzinfo=dt.UTC)
SVG_NS = "{http://www.w3.org/2000/svg}"

RUN = RunInfo(
    tool_version="0.1.0",
    started=dt.datetime(2024, 5, 1, 2, 0, 0, tzinfo=dt.UTC),
    finished=dt.datetime(2024, 5, 1, 2, 0, 9, tzinfo=dt.UTC),
    today=dt.date(2024, 5, 1),
    input_path="refs.csv",
    input_format="csv",
    offline=False,
    fail_on="error",
)


def ref(ident: str, url: str, date: str, line: int, title: str = "") -> Reference:
    return Reference(
        ident, url=url, title=title or f"Story {ident}", date=date, location=Location("r", line)
    )


def link(url: str, status: LinkStatus, http: int | None, *hops: Hop, **kw: Any) -> LinkResult:
    return LinkResult(
        url, status, kw.pop("rule", f"http-{http}"), http_status=http, hops=hops, **kw
    )


DEAD = "https://news.example/gone"
MOVED = "https://news.example/old"
NEW = "https://news.example/new"
WALL = "https://wall.example/a"
SLOW = "https://slow.example/b"
ALIVE = "https://ok.example/c"


def make_result(**changes: Any) -> CheckResult:
    refs = (
        ref("1", DEAD, "10 April 2017", 2),
        ref("2", WALL, "2019", 3),
        ref("3", MOVED, "May 2019", 4),
        ref("10", ALIVE, "1 May 2017", 5, title=SCRIPT),
        ref("11", SLOW, "", 6),
        ref("12", EVIL_URL, "2018", 7),
        ref("13", "", "2018", 8),
    )
    links = {
        DEAD: link(
            DEAD,
            LinkStatus.DEAD,
            404,
            Hop("HEAD", DEAD, 404, elapsed_ms=12),
            Hop("GET", DEAD, 404, elapsed_ms=15),
            detail="the server answers HTTP 404 Not Found",
            title="404 Error",
            checked_at=CHECKED,
            failures=2,
            failing_since=SINCE,
        ),
        WALL: link(WALL, LinkStatus.BLOCKED, 403, Hop("HEAD", WALL, 403), rule="bot-challenge"),
        MOVED: link(
            MOVED,
            LinkStatus.REDIRECTED,
            200,
            Hop("HEAD", MOVED, 301, location=NEW, elapsed_ms=3),
            Hop("HEAD", NEW, 200, elapsed_ms=4),
            final_url=NEW,
            suggested_url=NEW,
            rule="permanent-redirect",
        ),
        ALIVE: link(ALIVE, LinkStatus.ALIVE, 200, title=SCRIPT, page_date="2017-05-01"),
        SLOW: link(SLOW, LinkStatus.TRANSIENT, None, Hop("GET", SLOW, None, "timeout", "", 10000)),
        EVIL_URL: link(EVIL_URL, LinkStatus.USURPED, 200, rule="parked-domain"),
    }
    findings = (
        Finding(
            "link-dead",
            Severity.ERROR,
            "The link is dead",
            "1",
            ("url",),
            suggestion="link an archived copy",
        ),
    )
    trend = tuple(
        {
            "run_id": f"r{i}",
            "started": started,
            "inconclusive": False,
            "counts": {"alive": 3, "dead": i, "blocked": 1},
        }
        for i, started in enumerate(["2024-04-29T02:00:00", "<script>xx", "2024-05-01T02:00:00"])
    )
    base = CheckResult(refs, findings, (), RUN, links=links, trend=trend)
    return dataclasses.replace(base, **changes)


@pytest.fixture
def result() -> CheckResult:
    return make_result()


def render(result: CheckResult, tmp_path: Path, exit_code: int = 1) -> str:
    path = tmp_path / "index.html"
    html_report.write(result, exit_code, path)
    return path.read_text(encoding="utf-8")


def tbody(html: str) -> str:
    return html.split('<tbody id="rows">', 1)[1].split("</tbody>\n</table>\n</div>\n</section>")[0]


def server_rows(html: str) -> dict[str, str]:
    """Server-rendered rows by reference id."""
    chunks = re.split(r'\n(?=<tr class="s\d"><td class="id">)', tbody(html).strip())
    rows = [re.match(r'<tr class="s\d"><td class="id">(.*?)</td>(.*)', c, re.S) for c in chunks]
    return {m.group(1): m.group(2) for m in rows if m is not None}


def data_of(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="data">(.*?)</script>', html, re.S)
    assert match is not None
    data: dict[str, Any] = json.loads(match.group(1))
    return data


# (a) link column, badges, hop evidence ------------------------------------------------


def test_link_column_and_badges(result: CheckResult, tmp_path: Path) -> None:
    html = render(result, tmp_path)
    assert '<th scope="col" data-sort="link">Link</th>' in html
    assert '<th scope="col" data-sort="host">Host</th>' in html
    rows = server_rows(html)
    dead_badge = '<span class="lb g-rotten l-dead">dead</span><span class="http">HTTP 404</span>'
    assert dead_badge in rows["1"]
    rel = 'rel="noopener noreferrer nofollow"'
    assert f'<td class="host"><a class="url" href="{DEAD}" {rel}>news.example</a></td>' in rows["1"]
    # blocked and transient look unknown, never rotten (red)
    assert '<span class="lb g-unknown l-blocked">blocked</span>' in rows["2"]
    assert '<span class="lb g-unknown l-transient">transient</span>' in rows["11"]
    assert '<span class="lb g-ok l-redirected">redirected</span>' in rows["3"]
    assert '<span class="lb g-rotten l-usurped">usurped</span>' in rows["12"]
    assert '<td class="lk"><span class="muted">—</span></td>' in rows["13"]  # not checked
    assert '<td class="host"></td>' in rows["13"]


def test_hop_evidence_in_details(result: CheckResult, tmp_path: Path) -> None:
    rows = server_rows(render(result, tmp_path))
    dead = rows["1"]
    assert "<summary>Link evidence (2 hops)</summary>" in dead
    assert "rule <code>http-404</code>, HTTP 404" in dead
    assert "<dt>Why</dt><dd>the server answers HTTP 404 Not Found</dd>" in dead
    assert "<dd>2 in a row, failing since 2024-04-28T02:00:00+00:00</dd>" in dead
    assert "<dt>Page title</dt><dd>404 Error</dd>" in dead
    hops = re.findall(r"<tr><td class=\"num\">(\d)</td><td>(\w+)</td>.*?HTTP (\d+)", dead)
    assert hops == [("1", "HEAD", "404"), ("2", "GET", "404")]
    moved = rows["3"]
    assert f'<dt>Final URL</dt><dd><code class="url">{NEW}</code></dd>' in moved
    assert f'<dt>Suggested URL</dt><dd><code class="url">{NEW}</code></dd>' in moved
    assert f'<small class="loc">→ {NEW}</small>' in moved
    assert '<span class="err">timeout</span>' in rows["11"]
    assert "<dt>Page date</dt><dd>2017-05-01</dd>" in rows["10"]
    assert '<div class="sugg">link an archived copy</div>' in dead


def test_row_data_for_js_pages(result: CheckResult, tmp_path: Path) -> None:
    data = data_of(render(result, tmp_path))
    assert data["columns"][7:] == ["link", "origin", "path", "http", "evidence"]
    by_id = {r[0]: r for r in data["rows"]}
    statuses, origins = data["link_statuses"], data["origins"]
    dead = by_id["1"]
    assert statuses[dead[7]] == "dead" and data["link_groups"][dead[7]] == "rotten"
    assert origins[dead[8]] == ["https://news.example", "news.example"]
    assert origins[dead[8]][0] + dead[9] == DEAD
    assert dead[10] == 404
    evidence = dict(zip(data["link_columns"], dead[11], strict=True))
    assert evidence["rule"] == "http-404" and evidence["failures"] == 2
    assert evidence["failing_since"] == "2024-04-28T02:00:00+00:00"
    assert evidence["hops"] == [["HEAD", "", 404, "", 12], ["GET", "", 404, "", 15]]
    moved = dict(zip(data["link_columns"], by_id["3"][11], strict=True))
    assert moved["final_url"] == NEW and moved["hops"][1][1] == NEW
    assert statuses[by_id["2"][7]] == "blocked" and data["link_groups"][by_id["2"][7]] == "unknown"
    assert by_id["13"][7:] == [0, 0, "", 0, 0]
    assert by_id["11"][10] == 0  # no HTTP status: 0, not null
    # sorting by index sorts worst first
    assert statuses.index("dead") < statuses.index("blocked") < statuses.index("alive")


# (b) the inconclusive banner --------------------------------------------------------------


def test_inconclusive_banner(tmp_path: Path) -> None:
    base = make_result()
    links = {url: LinkResult(url, LinkStatus.INCONCLUSIVE, "network-down") for url in base.links}
    html = render(dataclasses.replace(base, links=links, inconclusive=True), tmp_path, 3)
    assert '<div class="banner" id="inconclusive" role="alert">' in html
    assert "Inconclusive run: the network was unusable" in html
    assert 'id="link-cards"' not in html and 'id="chart-status"' not in html


def test_no_banner_and_link_cards_when_conclusive(result: CheckResult, tmp_path: Path) -> None:
    html = render(result, tmp_path)
    assert 'id="inconclusive"' not in html
    cards = html.split('id="link-cards"', 1)[1].split("</div>\n</section>", 1)[0]
    labels = re.findall(r'<div class="n">([\d,]+)</div><div class="l">([^<]+)</div>', cards)
    assert labels == [
        ("1", "alive"),
        ("2", "rotten: dead, failing, soft 404, usurped"),
        ("2", "unknown: blocked or transient"),
        ("1", "redirected"),
    ]


def test_offline_report_hides_link_parts(tmp_path: Path) -> None:
    offline = make_result(links={}, trend=(), run=dataclasses.replace(RUN, offline=True))
    html = render(offline, tmp_path)
    assert "Links were not checked (offline run)." in html
    assert '<table id="refs" class="nolinks">' in html
    assert "<svg" not in html and 'id="h-links"' not in html


# (c) SVG charts: present, well-formed, escaped -----------------------------------------


def svgs(html: str) -> dict[str, ET.Element]:
    found = {}
    for text in re.findall(r"<svg .*?</svg>", html, re.S):
        root = ET.fromstring(text)
        found[root.get("id", "")] = root
    return found


def test_charts_present_and_well_formed(result: CheckResult, tmp_path: Path) -> None:
    html = render(result, tmp_path)
    found = svgs(html)
    assert set(found) == {"chart-status", "chart-years", "chart-hosts", "chart-trend"}
    for chart_id, root in found.items():
        assert root.tag == SVG_NS + "svg" and root.get("role") == "img"
        title = root.find(SVG_NS + "title")
        assert title is not None and title.text
        assert root.get("aria-labelledby") == f"{chart_id}-t {chart_id}-d"
        assert root.findall(f".//{SVG_NS}rect"), chart_id
    # text fallbacks: a caption and a data table per chart
    assert html.count("<figcaption>") == 4
    assert html.count('<details class="data"><summary>Data table</summary>') == 4
    status_labels = [t.text for t in found["chart-status"].iter(SVG_NS + "text")][::2]
    assert status_labels == ["alive", "redirected", "dead", "usurped", "blocked", "transient"]


def test_chart_labels_escaped(result: CheckResult, tmp_path: Path) -> None:
    html = render(result, tmp_path)
    assert html.count("<script") == 2  # the JSON data and the script, nothing injected
    assert "alert(1)</script>" not in html and "alert(2)</script>" not in html
    hosts = svgs(html)["chart-hosts"]
    labels = [t.text or "" for t in hosts.iter(SVG_NS + "text")]
    assert "x<script>alert(2)<" in labels  # the parsed text is the raw host…
    assert "x&lt;script&gt;alert(2)&lt;" in html  # …written escaped
    trend = ["".join(t.itertext()) for t in svgs(html)["chart-trend"].iter(SVG_NS + "text")]
    assert "<script>xx" in trend and "&lt;script&gt;xx" in html


def test_chart_functions_are_pure_and_escape() -> None:
    svg = charts.hbar_chart("c<1>", 'T "<b>"', [("<script>\x07", 3, "dead"), ("b&c", 0, "alive")])
    root = ET.fromstring(svg)
    assert root.get("id") == "c<1>"
    assert "<script>" not in svg and "<b>" not in svg and "\x07" not in svg
    assert [t.text for t in root.iter(SVG_NS + "text")][::2] == ["<script>", "b&c"]
    assert charts.host_of("HTTPS://User@News.Example:8080/x?y") == "news.example"
    assert charts.host_of("https://[::1]:8080/") == "::1" and charts.host_of("nope") == ""


def test_rot_by_year(result: CheckResult) -> None:
    stacks = charts.rot_by_year(result)
    assert [(s.label, s.rotten, s.unknown, s.ok) for s in stacks] == [
        ("2017", 1, 0, 1),  # dead, alive
        ("2018", 1, 0, 0),  # usurped (the reference without URL is not counted)
        ("2019", 0, 1, 1),  # blocked, redirected
        ("no date", 0, 1, 0),  # transient
    ]


def test_trend_needs_two_runs(tmp_path: Path) -> None:
    one = make_result(trend=make_result().trend[:1])
    html = render(one, tmp_path)
    assert 'id="no-history"' in html and "No history yet" in html
    assert 'id="chart-trend"' not in html


# (d) self-contained --------------------------------------------------------------------


def test_no_external_references(result: CheckResult, tmp_path: Path) -> None:
    html = render(result, tmp_path)
    assert not re.search(r"\b(?:src|action|xlink:href|srcset|poster)\s*=", html, re.I)
    assert "@import" not in html and "url(" not in html and "<link" not in html
    # the only hrefs: links to cited URLs, http(s) only, never sending a referrer
    markup = re.sub(r"<script\b.*?</script>", "", html, flags=re.S)
    anchors = re.findall(r"<a\b[^>]*>", markup)
    assert len(anchors) == len(re.findall(r"\bhref\s*=", markup)) > 0
    for anchor in anchors:
        assert re.fullmatch(
            r'<a class="url" href="https?://[^"]+" rel="noopener noreferrer nofollow">', anchor
        ), anchor


# (e) details for server-rendered rows, and the archive slot ----------------------------


def test_details_for_server_rendered_rows(result: CheckResult, tmp_path: Path) -> None:
    html = render(result, tmp_path)
    rows = server_rows(html)
    assert len(rows) == len(result.references)
    for ident, cells in rows.items():
        assert ('<details class="ev">' in cells) == (ident != "13"), ident
    assert tbody(html).count('<details class="ev">') == 6
    assert 'data-slot="archive"' not in html  # no snapshot: nothing rendered


def test_archive_snapshot_slot(tmp_path: Path) -> None:
    snap = Snapshot(
        url="https://web.archive.org/web/20170415000000/" + DEAD,
        original=DEAD,
        timestamp="20170415000000",
        captured=dt.datetime(2017, 4, 15),
        target=dt.date(2017, 4, 16),
        distance_days=-1,
        title="Story 1",
        reason="title matches",
        source="cdx",
    )
    archives = {DEAD: ArchiveResult(DEAD, ArchiveStatus.FOUND, snap)}
    html = render(make_result(archives=archives), tmp_path)
    dead = server_rows(html)["1"]
    assert '<div class="archive" data-slot="archive"><strong>Archived copy</strong>' in dead
    assert "(1 day before the target date): title matches" in dead
    row = next(r for r in data_of(html)["rows"] if r[0] == "1")
    assert row[12] == [snap.url, "2017-04-15T00:00:00", -1, "title matches", "found", "", []]
    link = f'<a class="url" href="{snap.url}" rel="noopener noreferrer nofollow">{snap.url}</a>'
    assert link in dead


def test_rejected_candidates_shown(tmp_path: Path) -> None:
    bad = "https://web.archive.org/web/20170401000000/" + DEAD
    odd = "javascript:alert(1)"
    candidates = (
        Candidate("20170401000000", bad, False, "error page: title '404 Not Found'"),
        Candidate("20170402000000", odd, False, "<b>parked</b> domain"),
    )
    archives = {
        DEAD: ArchiveResult(DEAD, ArchiveStatus.NONE, None, candidates, detail="no usable capture")
    }
    html = render(make_result(archives=archives), tmp_path)
    dead = server_rows(html)["1"]
    assert "<strong>No archived copy</strong> (archive: none): no usable capture" in dead
    assert "Rejected 2 candidates:" in dead
    rel = 'rel="noopener noreferrer nofollow"'
    assert f'<li><a class="url" href="{bad}" {rel}>2017-04-01 00:00:00</a>: error page' in dead
    # a candidate URL that is not http(s) is text, never a link; the reason is escaped
    assert '<li><code class="url">2017-04-02 00:00:00</code>: &lt;b&gt;parked&lt;/b&gt;' in dead
    assert 'href="javascript' not in html
    row = next(r for r in data_of(html)["rows"] if r[0] == "1")
    assert row[12][4:] == [
        "none",
        "no usable capture",
        [
            ["2017-04-01 00:00:00", bad, "error page: title '404 Not Found'"],
            ["2017-04-02 00:00:00", odd, "<b>parked</b> domain"],
        ],
    ]


def test_first_page_full_details_only(tmp_path: Path) -> None:
    base = make_result()
    extra = tuple(ref(f"b{i}", f"{DEAD}?{i}", "2017", 100 + i) for i in range(300))
    links = dict(base.links) | {
        r.url: dataclasses.replace(base.links[DEAD], url=r.url) for r in extra
    }
    html = render(
        dataclasses.replace(base, references=base.references + extra, links=links), tmp_path
    )
    # every server-rendered row but the one without URL ("13")
    assert tbody(html).count('<details class="ev">') == html_report.PAGE_SIZE - 1
    data = data_of(html)
    assert len(data["rows"]) == 307 and all(len(r) == 12 for r in data["rows"])
    assert len(data["origins"]) == 6  # news, wall, ok, slow, the evil one, and "" first


# (f) what is broken and what to do ---------------------------------------------------------


def headline_of(html: str) -> str:
    match = re.search(r'<p class="headline">(.*?)</p>', html, re.S)
    assert match is not None
    return re.sub(r"<[^>]+>", "", match.group(1))


def test_headline_never_passed_above_errors(tmp_path: Path) -> None:
    never = make_result(run=dataclasses.replace(RUN, fail_on="never"))
    html = render(never, tmp_path, exit_code=0)
    assert headline_of(html) == "Not failing 1 error — not failing (fail-on: never)"
    assert "Passed" not in html
    failing = render(make_result(), tmp_path, exit_code=1)
    assert headline_of(failing) == "Failing 1 error — failing (fail-on: error)"
    clean = render(make_result(findings=()), tmp_path, exit_code=0)
    assert headline_of(clean) == "Passed no findings — passed (fail-on: error)"


def test_not_judged_links_are_never_ok(tmp_path: Path) -> None:
    base = make_result(findings=())
    links = {url: LinkResult(url, LinkStatus.INCONCLUSIVE, "network-down") for url in base.links}
    html = render(dataclasses.replace(base, links=links, inconclusive=True), tmp_path, 3)
    assert headline_of(html).startswith("Inconclusive links not judged")
    rows = server_rows(html)
    for ident in ("1", "2", "3", "10", "11", "12"):
        assert '<span class="lb g-other l-inconclusive">not judged</span>' in rows[ident]
        assert '<td class="wst"><span class="badge nj">not judged</span></td>' in rows[ident]
    assert '<span class="badge s0">ok</span>' in rows["13"]  # no URL: nothing to judge
    assert "Nothing to patch: the run was inconclusive" in html


def findings_with_fixes() -> tuple[Finding, ...]:
    archive = "https://web.archive.org/web/20170415000000/" + DEAD
    return (
        Finding(
            "archive-found",
            Severity.INFO,
            "Archived copy",
            "1",
            ("archive_url",),
            suggested=(("archive_url", archive), ("url_status", "dead")),
        ),
        Finding(
            "access-before-publication",
            Severity.ERROR,
            "Retrieved before published",
            "3",
            ("access_date",),
            suggested=(("access_date", "2020-01-01"),),
        ),
    )


def test_patch_command_with_the_flags_needed(tmp_path: Path) -> None:
    run = dataclasses.replace(RUN, input_path="my refs/it's.csv")
    result = make_result(findings=findings_with_fixes(), run=run)
    out = tmp_path / "night ly"
    out.mkdir()
    html = render(result, out)
    command = re.search(r'<code id="patch-command">(.*?)</code>', html)
    assert command is not None
    expected = (
        "citewatch patch 'my refs/it'\"'\"'s.csv' --report "
        f"'{out}/report.json' --accept-date-fixes --write"
    )
    assert command.group(1).replace("&#39;", "'").replace("&#34;", '"') == expected
    assert "2 archive cells and 1 date fix" in html
    # no date fix: no --accept-date-fixes
    only_archive = make_result(findings=findings_with_fixes()[:1])
    html = render(only_archive, tmp_path)
    command = re.search(r'<code id="patch-command">(.*?)</code>', html)
    assert command is not None
    assert command.group(1) == f"citewatch patch refs.csv --report {tmp_path}/report.json --write"
    # nothing to write: no command
    html = render(make_result(), tmp_path)
    assert 'id="patch-command"' not in html and "Nothing for citewatch patch to write." in html


def test_long_values_are_cut(tmp_path: Path) -> None:
    huge = "A" * 1_000_000
    long_url = "https://long.example/" + "p" * 5000
    refs = (
        Reference("big", url=long_url, title=huge, work=huge, location=Location("r", 2)),
        Reference("a" * 5000, title="short", location=Location("r", 3, None)),
    )
    links = {long_url: LinkResult(long_url, LinkStatus.DEAD, "http-404", title=huge, detail=huge)}
    finding = Finding("title-caps", Severity.INFO, huge, "big", ("title",), suggestion=huge)
    result = CheckResult(refs, (finding,), (), RUN, links=links)
    html = render(result, tmp_path)
    assert len(html) < 60_000
    assert "A" * html_report.MAX_TEXT not in html and "A" * (html_report.MAX_TEXT - 1) + "…" in html
    assert 'href="https://long.example' not in html  # too long to be a link: shown as text
    assert "Long values are cut here (…): titles at 300 characters, other text at 1,000" in html
    row = data_of(html)["rows"][0]
    assert len(row[2]) == html_report.MAX_TITLE and row[2].endswith("…")


def test_year_bars_say_how_many_references(result: CheckResult, tmp_path: Path) -> None:
    years = svgs(render(result, tmp_path))["chart-years"]
    labels = ["|".join(t.itertext()) for t in years.iter(SVG_NS + "text")]
    assert "2017|2 refs" in labels and "2018|1 ref" in labels and "no date|1 ref" in labels


def test_trend_labels_carry_the_time_when_runs_share_a_day() -> None:
    runs = [
        {"started": "2024-05-01T02:00:00+00:00", "counts": {"alive": 1}},
        {"started": "2024-05-01T14:30:00+00:00", "counts": {"dead": 1}},
        {"started": "2024-05-02T02:00:00+00:00", "counts": {"alive": 1}},
    ]
    assert [s.label for s in charts.trend_points(runs)] == [
        "2024-05-01 02:00",
        "2024-05-01 14:30",
        "2024-05-02 02:00",
    ]
    assert [s.label for s in charts.trend_points(runs[1:])] == ["2024-05-01", "2024-05-02"]
    root = ET.fromstring(charts.trend_chart(charts.trend_points(runs)))
    labels = ["|".join(t.itertext()) for t in root.iter(SVG_NS + "text")]
    assert "2024-05-01|14:30" in labels
