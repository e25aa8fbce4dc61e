"""The archive stage against the local archive double (real sockets, loopback only)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from checker.archive.client import ArchiveConfig
from checker.archive.findings import archive_findings
from checker.archive.rescue import RescueConfig, rescue
from checker.cli import main
from checker.model import ArchiveStatus, LinkResult, LinkStatus, Reference
from checker.testing.archive_double import ArchiveDouble
from checker.testing.simweb import SimWeb

URL = "http://news.example/2017/04/10/chechnya-camps"
TITLE = "Chechnya detains 100 gay men in camps"
NOW = dt.datetime(2026, 11, 24, 3, tzinfo=dt.UTC)


@pytest.fixture()
def double() -> Iterator[ArchiveDouble]:
    with ArchiveDouble() as archive:
        yield archive


def config(double: ArchiveDouble, tmp_path: Path | None = None, **client: Any) -> RescueConfig:
    client.setdefault("rate_per_minute", 600)
    return RescueConfig(
        client=ArchiveConfig.for_endpoint(double.base_url, **client),
        state_path=tmp_path / "state.sqlite" if tmp_path else None,
    )


def dead(url: str = URL) -> dict[str, LinkResult]:
    return {url: LinkResult(url, LinkStatus.DEAD, "http-404")}


def ref(**fields: str) -> Reference:
    base = {
        "id": "1",
        "url": URL,
        "title": TITLE,
        "date": "10 April 2017",
        "access_date": "16 April 2017",
    }
    base.update(fields)
    return Reference(**base)


def run_one(double: ArchiveDouble, reference: Reference, **kw: Any) -> Any:
    sleeps: list[float] = []
    run = rescue(
        [reference], dead(reference.url), config(double, **kw), now=lambda: NOW, sleep=sleeps.append
    )
    return run, sleeps


def test_closest_before_the_access_date(double: ArchiveDouble) -> None:
    for stamp in ("20170411120000", "20170415090000", "20170417080000", "20190101000000"):
        double.add_capture(URL, stamp, title=TITLE)
    run, _ = run_one(double, ref())
    result = run.results[URL]
    assert result.status is ArchiveStatus.FOUND and result.snapshot is not None
    assert result.snapshot.timestamp == "20170415090000"
    assert result.snapshot.distance_days == -1
    assert result.snapshot.url == f"{double.base_url}/web/20170415090000/{URL}"
    assert "title matches" in result.snapshot.reason and result.snapshot.source == "cdx"


def test_falls_back_to_just_after(double: ArchiveDouble) -> None:
    double.add_capture(URL, "20170501000000", title=TITLE)
    double.add_capture(URL, "20180501000000", title=TITLE)
    run, _ = run_one(double, ref())
    snap = run.results[URL].snapshot
    assert snap is not None and snap.timestamp == "20170501000000" and snap.distance_days == 15


def test_never_older_than_publication(double: ArchiveDouble) -> None:
    double.add_capture(URL, "20160101000000", title="Another page at this URL")
    double.add_capture(URL, "20170420000000", title=TITLE)
    run, _ = run_one(double, ref())
    snap = run.results[URL].snapshot
    assert snap is not None and snap.timestamp == "20170420000000"


def test_soft_404_capture_rejected_for_an_earlier_good_one(double: ArchiveDouble) -> None:
    double.add_capture(URL, "20170412000000", title=TITLE)
    double.add_capture(URL, "20170415000000", title="Page not found")
    run, _ = run_one(double, ref())
    result = run.results[URL]
    assert result.snapshot is not None and result.snapshot.timestamp == "20170412000000"
    first, second = result.candidates
    assert (first.timestamp, first.accepted) == ("20170415000000", False)
    assert "error" in first.reason and second.accepted


def test_title_mismatch_rejected_and_none_found(double: ArchiveDouble) -> None:
    double.add_capture(URL, "20170414000000", title="Welcome to our new shop")
    run, _ = run_one(double, ref())
    result = run.results[URL]
    assert result.status is ArchiveStatus.NONE
    assert "does not match" in result.candidates[0].reason
    (finding,) = archive_findings([ref()], run, dead())
    assert finding.code == "archive-none" and "does not match" in finding.message


def test_validations_are_bounded(double: ArchiveDouble) -> None:
    for day in range(10, 18):
        double.add_capture(URL, f"201704{day:02d}000000", title="Page not found")
    run, _ = run_one(double, ref())
    assert len(run.results[URL].candidates) == 3
    assert run.results[URL].lookups == 1 + 3  # one CDX query, three captures


def test_no_capture_at_all_asks_availability_too(double: ArchiveDouble) -> None:
    run, _ = run_one(double, ref())
    assert run.results[URL].status is ArchiveStatus.NONE
    paths = [r.path for r in double.requests]
    assert paths == ["/cdx/search/cdx", "/wayback/available"]


def test_availability_fallback_when_cdx_fails(double: ArchiveDouble) -> None:
    double.add_capture(URL, "20170414000000", title=TITLE)
    double.fail_next(503, 1)
    run, _ = run_one(double, ref())
    snap = run.results[URL].snapshot
    assert snap is not None and snap.source == "availability"


def test_blocked_site(double: ArchiveDouble) -> None:
    double.add_capture(URL, "20170414000000", title=TITLE)
    double.block("news.example")
    run, _ = run_one(double, ref())
    assert run.results[URL].status is ArchiveStatus.BLOCKED
    assert [f.code for f in archive_findings([ref()], run, dead())] == ["archive-blocked"]


def test_found_suggests_the_patch_cells(double: ArchiveDouble) -> None:
    double.add_capture(URL, "20170415000000", title=TITLE)
    reference = ref(access_date="April 16, 2017", date="April 10, 2017")
    run, _ = run_one(double, reference)
    (finding,) = archive_findings([reference], run, dead())
    assert finding.code == "archive-found"
    assert finding.suggested == {
        "archive_url": f"{double.base_url}/web/20170415000000/{URL}",
        "archive_date": "April 15, 2017",
        "url_status": "dead",
    }
    assert "1 day before the retrieval date" in finding.message


def test_429_retry_after_is_obeyed(double: ArchiveDouble) -> None:
    double.add_capture(URL, "20170415000000", title=TITLE)
    double.rate_limit(0, retry_after=7, times=1)
    run, sleeps = run_one(double, ref())
    assert 7 in sleeps
    assert run.results[URL].status is ArchiveStatus.FOUND


def test_repeated_429_stops_lookups(double: ArchiveDouble) -> None:
    urls = [f"http://news.example/story/{i}" for i in range(5)]
    refs = [ref(id=str(i), url=u) for i, u in enumerate(urls)]
    links = {u: LinkResult(u, LinkStatus.DEAD, "http-404") for u in urls}
    double.rate_limit(0, retry_after=1)
    run = rescue(refs, links, config(double), now=lambda: NOW, sleep=lambda _: None)
    assert run.stopped and run.calls == 2
    assert len(double.requests) == 2  # nothing more was sent
    assert {r.status for r in run.results.values()} == {ArchiveStatus.PENDING}
    codes = [f.code for f in archive_findings(refs, run, links)]
    assert codes[0] == "archive-stopped" and codes.count("archive-pending") == 5


def test_rate_limit_is_held(double: ArchiveDouble) -> None:
    urls = [f"http://news.example/rate/{i}" for i in range(5)]
    refs = [ref(id=str(i), url=u) for i, u in enumerate(urls)]
    links = {u: LinkResult(u, LinkStatus.DEAD, "http-404") for u in urls}
    rescue(refs, links, config(double, rate_per_minute=240), now=lambda: NOW)
    times = [r.time for r in double.requests]
    assert len(times) == 10  # CDX + availability for each, nothing archived
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # Arrival times at the server jitter with the machine's load (a late send shortens
    # the next gap); without the limit the gaps would be milliseconds.
    assert min(gaps) >= 0.25 * 0.75
    per_minute = (len(times) - 1) / (times[-1] - times[0]) * 60
    assert per_minute <= 240 * 1.05


def test_cached_captures_are_not_requeried(double: ArchiveDouble, tmp_path: Path) -> None:
    double.add_capture(URL, "20170415000000", title=TITLE)
    first = rescue([ref()], dead(), config(double, tmp_path), now=lambda: NOW)
    sent = len(double.requests)
    second = rescue([ref()], dead(), config(double, tmp_path), now=lambda: NOW)
    assert len(double.requests) == sent and second.calls == 0
    assert (
        second.results[URL].cached and second.results[URL].snapshot == first.results[URL].snapshot
    )


def test_misses_are_retried_after_the_ttl(double: ArchiveDouble, tmp_path: Path) -> None:
    rescue([ref()], dead(), config(double, tmp_path), now=lambda: NOW)
    sent = len(double.requests)
    rescue([ref()], dead(), config(double, tmp_path), now=lambda: NOW + dt.timedelta(days=1))
    assert len(double.requests) == sent
    rescue([ref()], dead(), config(double, tmp_path), now=lambda: NOW + dt.timedelta(days=15))
    assert len(double.requests) > sent


@pytest.mark.parametrize(
    ("stamp", "reason"),
    [
        ("20170401000000", "HTTP 404"),
        ("20170415000000", "serves 2019-06-01"),
        ("20190601000000", "error"),
    ],
)
def test_existing_archive_url_broken(double: ArchiveDouble, stamp: str, reason: str) -> None:
    double.add_capture(URL, "20190601000000", title="404 Not Found")
    if stamp == "20170401000000":
        double.reset()
    reference = ref(
        archive_url=f"https://web.archive.org/web/{stamp}/{URL}", archive_date="1 April 2017"
    )
    run = rescue([reference], {}, config(double), now=lambda: NOW)
    verdict = run.existing[reference.archive_url]
    assert not verdict.ok and reason in verdict.reason
    codes = [f.code for f in archive_findings([reference], run, {})]
    assert codes == ["archive-url-broken"]


def test_existing_archive_url_ok_and_better_capture_offered(double: ArchiveDouble) -> None:
    double.add_capture(URL, "20170415000000", title=TITLE)
    good = ref(
        archive_url=f"https://web.archive.org/web/20170415000000/{URL}",
        archive_date="15 April 2017",
    )
    run = rescue([good], {}, config(double), now=lambda: NOW)
    assert run.existing[good.archive_url].ok
    assert list(archive_findings([good], run, {})) == []
    broken = ref(
        archive_url=f"https://web.archive.org/web/20170301000000/{URL}", archive_date="1 March 2017"
    )
    run = rescue([broken], {}, config(double), now=lambda: NOW)
    (finding,) = archive_findings([broken], run, {})
    assert finding.code == "archive-url-broken"
    assert finding.suggested["archive_url"].endswith(f"/web/20170415000000/{URL}")


def _cli(
    tmp_path: Path, web: SimWeb, archive: ArchiveDouble, rows: list[str], *extra: str
) -> tuple[int, dict[str, Any]]:
    src = tmp_path / "refs.csv"
    src.write_text("id,url,title,date,access_date\n" + "\n".join(rows) + "\n", encoding="utf-8")
    args = [
        "check",
        str(src),
        "--out",
        str(tmp_path / "out"),
        "--format",
        "json",
        "--confirm-now",
        "--timeout",
        "5",
        "--host-interval",
        "0",
        "--state",
        str(tmp_path / "state.sqlite"),
        *web.cli_args(),
        *archive.cli_args(),
        *extra,
    ]
    result = CliRunner().invoke(main, args)
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    return result.exit_code, report


def test_cli_rescues_a_dead_link(simweb: SimWeb, double: ArchiveDouble, tmp_path: Path) -> None:
    gone = simweb.url("news.example", "/status/404")
    double.add_capture(gone, "20170415000000", title=TITLE)
    _, report = _cli(tmp_path, simweb, double, [f'1,{gone},"{TITLE}",10 April 2017,16 April 2017'])
    (entry,) = report["references"]
    assert entry["link"]["status"] == "dead"
    assert entry["archive"]["status"] == "found"
    assert entry["archive"]["snapshot"]["distance_days"] == -1
    found = [f for f in entry["findings"] if f["code"] == "archive-found"]
    assert found and found[0]["suggested"]["url_status"] == "dead"
    assert report["summary"]["archives"] == {"found": 1}


def test_no_lookups_on_an_inconclusive_run(
    simweb: SimWeb, double: ArchiveDouble, tmp_path: Path
) -> None:
    rows = [f"{i},http://gone{i}.invalid/x,Title {i},2017,16 April 2017" for i in range(3)]
    code, report = _cli(tmp_path, simweb, double, rows)
    assert code == 3 and report["summary"]["inconclusive"]
    assert double.requests == []


TIMEMAP = """<http://news.example/a>; rel="original",
<http://agg.example/timemap/link/http://news.example/a>; rel="self";
  type="application/link-format"; from="Tue, 11 Apr 2017 10:00:00 GMT",
<http://arquivo.example/wayback/20170411100000/http://news.example/a>; rel="first memento";
  datetime="Tue, 11 Apr 2017 10:00:00 GMT",
<https://web.archive.org/web/20170412000000/http://news.example/a>; rel="memento";
  datetime="Wed, 12 Apr 2017 00:00:00 GMT",
<http://archive.example/20170501/http://news.example/a>; rel="last memento";
  datetime="Mon, 01 May 2017 08:30:00 GMT"
"""


def test_parse_timemap() -> None:
    from checker.archive.memento import parse_timemap

    assert parse_timemap(TIMEMAP) == [
        ("20170411100000", "http://arquivo.example/wayback/20170411100000/http://news.example/a"),
        ("20170412000000", "https://web.archive.org/web/20170412000000/http://news.example/a"),
        ("20170501083000", "http://archive.example/20170501/http://news.example/a"),
    ]


def test_other_archives_when_wayback_has_nothing(simweb: SimWeb, double: ArchiveDouble) -> None:
    from checker.links.fetch import FetchConfig

    title = "Archived Copy — Example News"
    reference = ref(title=title)
    double.add_memento(URL, "20170414000000", simweb.url("blog.example", "/status/404"))
    double.add_memento(URL, "20170413000000", simweb.url("blog.example", "/article/archived-copy"))
    base = config(double)
    with_memento = RescueConfig(
        client=base.client,
        memento_url=f"{double.base_url}/timemap/link/",
        fetch=FetchConfig(allow_private=True, deadline=5),
    )
    run = rescue([reference], dead(), with_memento, now=lambda: NOW, resolver=simweb.resolver)
    result = run.results[URL]
    assert result.status is ArchiveStatus.FOUND and result.snapshot is not None
    assert result.snapshot.url.endswith("/article/archived-copy")
    assert result.snapshot.source == "memento (blog.example)"
    assert [c.accepted for c in result.candidates] == [False, True]  # the 404 one first
    plain = rescue([reference], dead(), base, now=lambda: NOW)
    assert plain.results[URL].status is ArchiveStatus.NONE
    assert not any(r.path.startswith("/timemap/") for r in double.requests[-2:])
