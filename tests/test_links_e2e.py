"""The link stage end to end, through real sockets on loopback: the CLI's verdicts and
exit codes, SSRF refusal, the outage case, confirmation across runs with an injected
clock, and TTL reuse."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.cli import main
from checker.links.fetch import FetchConfig
from checker.links.history import Policy
from checker.links.runner import LinkConfig, check_links
from checker.links.scheduler import Politeness
from checker.model import LinkStatus, Reference
from checker.testing.simweb import SimWeb

CASES = [  # (site, path, expected status on a first run: every rot verdict unconfirmed)
    ("news.example", "/article/real-story", "alive"),
    ("news.example", "/status/404", "failing"),
    ("news.example", "/status/410", "failing"),
    ("news.example", "/chain/301/2", "redirected"),
    ("news.example", "/to-root", "failing"),
    ("spa.example", "/article/gone-story", "failing"),
    ("parked.example", "/2017/04/13/story", "failing"),
    ("botwall.example", "/article/x", "blocked"),
    ("news.example", "/status/999", "blocked"),
    ("news.example", "/status/500", "transient"),
    ("news.example", "/head-405", "alive"),
]


def write_list(tmp_path: Path, rows: list[tuple[str, str]]) -> Path:
    lines = ["id,url,title,access_date"]
    for i, (url, title) in enumerate(rows, 1):
        lines.append(f'{i},{url},"{title}",1 May 2019')
    path = tmp_path / "refs.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_cli(tmp_path: Path, src: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "check",
            str(src),
            "--out",
            str(out),
            "--format",
            "json",
            "--timeout",
            "5",
            "--state",
            str(tmp_path / "state.sqlite"),
            "--host-interval",
            "0",
            "--no-archive",
            *args,
        ],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return result.exit_code, report, result.output


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {r["fields"]["url"]: r["link"]["status"] for r in report["references"] if r["link"]}


def test_cli_verdicts_with_evidence(simweb: SimWeb, tmp_path: Path) -> None:
    rows = [(simweb.url(site, path), "Real Story — Example News") for site, path, _ in CASES]
    src = write_list(tmp_path, rows)
    code, report, output = run_cli(tmp_path, src, *simweb.cli_args())
    got = statuses(report)
    expected = {simweb.url(site, path): status for site, path, status in CASES}
    assert got == expected
    assert code == 0  # nothing is confirmed on a first run: warnings, not errors
    by_url = {r["fields"]["url"]: r for r in report["references"]}
    soft = by_url[simweb.url("news.example", "/to-root")]["link"]
    assert soft["rule"] == "redirect-to-root" and soft["detail"].startswith("soft 404, 1/3")
    usurped = by_url[simweb.url("parked.example", "/2017/04/13/story")]["link"]
    assert usurped["detail"].startswith("usurped, 1/3") and usurped["failures"] == 1
    dead = by_url[simweb.url("news.example", "/status/404")]["link"]
    assert dead["http_status"] == 404 and dead["failures"] == 1
    assert [h["method"] for h in dead["hops"]] == ["GET"]  # one request per link
    moved = by_url[simweb.url("news.example", "/chain/301/2")]
    assert moved["link"]["suggested_url"].endswith("/chain/301/0")
    assert any(f["code"] == "link-redirected" and f["suggested"] for f in moved["findings"])
    assert report["summary"]["links"]["alive"] == 2
    assert "links:" in output  # plain progress lines when not on a terminal


def test_failing_becomes_dead_with_confirm_now(simweb: SimWeb, tmp_path: Path) -> None:
    src = write_list(tmp_path, [(simweb.url("news.example", "/status/404"), "Gone")])
    _, report, _ = run_cli(tmp_path, src, "--confirm-now", *simweb.cli_args())
    (ref,) = report["references"]
    assert ref["link"]["status"] == "dead"
    assert any(f["code"] == "link-dead" and f["severity"] == "error" for f in ref["findings"])


def test_rot_verdicts_are_confirmed_like_dead(simweb: SimWeb, tmp_path: Path) -> None:
    rows = [
        (simweb.url("news.example", "/to-root"), "x"),
        (simweb.url("parked.example", "/2017/04/13/story"), "y"),
    ]
    src = write_list(tmp_path, rows)
    _, report, _ = run_cli(tmp_path, src, "--confirm-now", *simweb.cli_args())
    assert sorted(statuses(report).values()) == ["soft-404", "usurped"]


def test_private_targets_are_refused_and_never_contacted(simweb: SimWeb, tmp_path: Path) -> None:
    simweb.clear_log()
    urls = [
        simweb.url("news.example", "/article/ssrf"),
        "http://127.0.0.1:9/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/",
    ]
    src = write_list(tmp_path, [(u, "x") for u in urls])
    _, report, _ = run_cli(tmp_path, src, *simweb.cli_args(allow_private=False))
    assert set(statuses(report).values()) == {"unsafe"}
    assert simweb.requests == []


def test_unusable_network_is_inconclusive_exit_3(simweb: SimWeb, tmp_path: Path) -> None:
    # Names that resolve nowhere (as on a machine without DNS): no host answers at all.
    urls = [f"http://site{i}.invalid/page" for i in range(4)]
    src = write_list(tmp_path, [(u, "x") for u in urls])
    code, report, output = run_cli(tmp_path, src, "--confirm-now", *simweb.cli_args())
    assert code == 3
    assert set(statuses(report).values()) == {"inconclusive"}
    assert report["summary"]["inconclusive"] is True
    assert "inconclusive" in output
    db = sqlite3.connect(tmp_path / "state.sqlite")
    assert db.execute("SELECT COUNT(*) FROM checks").fetchone() == (0,)  # nothing counted


def test_host_outage_is_one_finding(simweb: SimWeb, tmp_path: Path) -> None:
    rows = [(simweb.url("down.example", f"/a{i}"), "x") for i in range(3)]
    rows.append((simweb.url("news.example", "/article/real-story"), "Real Story"))
    code, report, _ = run_cli(tmp_path, write_list(tmp_path, rows), *simweb.cli_args())
    assert code != 3
    outages = [f for f in report["list_findings"] if f["code"] == "host-outage"]
    assert len(outages) == 1 and "down.example" in outages[0]["message"]
    assert list(statuses(report).values()).count("failing") == 3


def link_config(tmp_path: Path, **policy: Any) -> LinkConfig:
    return LinkConfig(
        fetch=FetchConfig(deadline=5, allow_private=True),
        politeness=Politeness(host_interval=0),
        policy=Policy(**policy),
        state_path=tmp_path / "state.sqlite",
    )


def test_confirmation_across_nights_with_injected_clock(simweb: SimWeb, tmp_path: Path) -> None:
    refs = [Reference("1", url=simweb.url("news.example", "/status/410"), title="x")]
    config = link_config(tmp_path, timezone="UTC")
    night = dt.datetime(2026, 11, 1, 3, tzinfo=dt.UTC)
    seen = []
    # Three nightly runs at about the same hour, the second 30 minutes late: the
    # failures span three calendar days, so the 3rd night confirms (as the README says).
    for when in (night, night + dt.timedelta(days=1, minutes=30), night + dt.timedelta(days=2)):
        run = check_links(refs, config, resolver=simweb.resolver, now=lambda w=when: w)
        seen.append(run.results[refs[0].url].status)
    assert seen == [LinkStatus.FAILING] * 2 + [LinkStatus.DEAD]


def test_alive_results_reused_within_ttl(simweb: SimWeb, tmp_path: Path) -> None:
    url = simweb.url("blog.example", "/article/ttl-story")
    refs = [Reference("1", url=url, title="Ttl Story")]
    config = link_config(tmp_path)
    night = dt.datetime(2026, 11, 1, 3, tzinfo=dt.UTC)
    simweb.clear_log()
    first = check_links(refs, config, resolver=simweb.resolver, now=lambda: night)
    hits = len(simweb.requests_to("blog.example"))
    assert first.results[url].status is LinkStatus.ALIVE and hits >= 1
    later = night + dt.timedelta(days=2)
    second = check_links(refs, config, resolver=simweb.resolver, now=lambda: later)
    assert second.reused == 1 and second.checked == 0
    assert len(simweb.requests_to("blog.example")) == hits  # nothing re-fetched
    third = check_links(
        refs, config, resolver=simweb.resolver, now=lambda: night + dt.timedelta(days=8)
    )
    assert third.checked == 1


@pytest.mark.parametrize("offline", [True, False])
def test_offline_never_fetches(simweb: SimWeb, tmp_path: Path, offline: bool) -> None:
    simweb.clear_log()
    src = write_list(tmp_path, [(simweb.url("news.example", "/article/offline"), "x")])
    args = ["--offline"] if offline else [*simweb.cli_args()]
    _, report, _ = run_cli(tmp_path, src, *args)
    assert (simweb.requests == []) is offline
    assert (report["references"][0]["link"] is None) is offline


def test_content_drift_and_page_date(simweb: SimWeb, tmp_path: Path) -> None:
    rows = [
        (simweb.url("news.example", "/drifted"), "Original Article Title"),
        (simweb.url("news.example", "/article/kept-title"), "Kept Title"),
    ]
    lines = ["id,url,title,date,access_date"]
    lines.append(f'1,{rows[0][0]},"{rows[0][1]}",14 March 2019,1 May 2019')
    lines.append(f'2,{rows[1][0]},"{rows[1][1]}",1 June 2018,1 May 2019')
    src = tmp_path / "refs.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, report, _ = run_cli(tmp_path, src, *simweb.cli_args())
    first, second = report["references"]
    drift = [f for f in first["findings"] if f["code"] == "content-drift"]
    assert len(drift) == 1 and "Completely Different Story" in drift[0]["message"]
    assert not any(f["code"] == "content-drift" for f in second["findings"])
    # The article states 2019-03-14 (JSON-LD and meta); reference 2 cites 1 June 2018.
    (mismatch,) = [f for f in second["findings"] if f["code"] == "publication-date-mismatch"]
    assert mismatch["suggested"] == {"date": "14 March 2019"}
    assert not any(f["code"] == "publication-date-mismatch" for f in first["findings"])


def test_demo_runs_the_whole_pipeline(tmp_path: Path) -> None:
    from checker.testing.demo import run

    assert run(tmp_path) == 0
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    found = set(report["summary"]["links"])
    assert {"alive", "dead", "soft-404", "usurped", "blocked", "transient", "redirected"} <= found
    assert (tmp_path / "index.html").exists() and (tmp_path / "demo-references.csv").exists()
    archives = report["summary"]["archives"]
    assert archives.get("found", 0) >= 5 and archives.get("none", 0) >= 1
    rejected = [
        c
        for r in report["references"]
        if r["archive"]
        for c in r["archive"]["candidates"]
        if not c["accepted"]
    ]
    assert rejected  # the soft-404 capture was passed over for an earlier good one


def test_exclude_user_agent_and_recheck_all(simweb: SimWeb, tmp_path: Path) -> None:
    kept = simweb.url("news.example", "/article/ua-story")
    skipped = simweb.url("news.example", "/article/private-story")
    src = write_list(tmp_path, [(kept, "Ua Story"), (skipped, "Private Story")])
    simweb.clear_log()
    _, report, _ = run_cli(
        tmp_path,
        src,
        *simweb.cli_args(),
        "--exclude",
        "private-",
        "--user-agent",
        "Mozilla/5.0 (citewatch test)",
        "--no-probe",
    )
    assert statuses(report) == {kept: "alive", skipped: "skipped"}
    seen = simweb.requests_to("news.example")
    assert seen and all("private-story" not in r.path for r in seen)
    assert {r.headers.get("User-Agent") for r in seen} == {"Mozilla/5.0 (citewatch test)"}
    # Alive results are reused on the next run, unless --recheck-all.
    simweb.clear_log()
    run_cli(tmp_path, src, *simweb.cli_args(), "--exclude", "private-")
    assert simweb.requests_to("news.example") == []
    run_cli(tmp_path, src, *simweb.cli_args(), "--exclude", "private-", "--recheck-all")
    assert simweb.requests_to("news.example")


def test_no_state_verdicts_are_a_fresh_stores(simweb: SimWeb, tmp_path: Path) -> None:
    """--no-state writes no rows: each verdict must be the one a store that has never
    seen the URL gives (alive, failing with its count, blocked, soft-404...)."""
    paths = ["/article/real-story", "/status/410", "/status/404", "/status/503", "/status/429"]
    refs = [
        Reference(str(i), url=simweb.url("news.example", p), title="x") for i, p in enumerate(paths)
    ]
    refs.append(Reference("9", url=simweb.url("down.example", "/a"), title="x"))
    night = dt.datetime(2026, 11, 1, 3, tzinfo=dt.UTC)
    runs = {}
    for remember in (True, False):
        config = dataclasses.replace(
            link_config(tmp_path, timezone="UTC"),
            state_path=tmp_path / f"fresh-{remember}.sqlite" if remember else None,
        )
        runs[remember] = check_links(refs, config, resolver=simweb.resolver, now=lambda: night)
    kept, forgotten = runs[True].results, runs[False].results
    assert {r.status for r in kept.values()} >= {LinkStatus.ALIVE, LinkStatus.FAILING}
    for url, verdict in kept.items():
        other = forgotten[url]
        fields = ("status", "rule", "detail", "failures", "failing_since", "checked_at")
        assert [getattr(other, f) for f in fields] == [getattr(verdict, f) for f in fields]
    assert not (tmp_path / "fresh-False.sqlite").exists()


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="/.ab", max_size=12))
def test_the_probe_key_takes_the_extension_pathlib_would(path: str) -> None:
    from pathlib import PurePosixPath

    from checker.links.probe import _suffix

    assert _suffix(path) == PurePosixPath(path).suffix


def test_waiting_for_a_hosts_probe_keeps_no_slot_idle(simweb: SimWeb, tmp_path: Path) -> None:
    """The probe is fetched once per host, by the first worker whose page needs it; a
    second worker whose page needs it too gives its slot back before it waits, so the
    host's next page goes out alongside the probe (the host is never down to one
    request in flight while it has pages waiting), and never above its bound."""
    simweb.add_farm(["farm.example"])
    simweb.farm_latency = 0.3
    pages = [f"/page/{i}" for i in range(4)]
    refs = [Reference(str(i), url=simweb.url("farm.example", p)) for i, p in enumerate(pages)]
    config = dataclasses.replace(
        link_config(tmp_path),
        state_path=None,
        processes=1,
        politeness=Politeness(host_interval=0, host_concurrency=2),
    )
    simweb.clear_log()
    run = check_links(refs, config, resolver=simweb.resolver)
    assert all(r.status is LinkStatus.ALIVE for r in run.results.values())
    spans = [s for s in simweb.spans if s.host.startswith("farm.example")]
    probes = [s for s in spans if s.path not in pages]
    assert len(probes) == 1 and len(spans) == 5  # one probe for the host's four pages
    probe = probes[0]
    alongside = [  # in flight together for most of an answer, not at a boundary
        s
        for s in spans
        if s is not probe and min(s.end, probe.end) - max(s.start, probe.start) > 0.15
    ]
    assert alongside, "the probe went out alone: a slot waited for it"
    for span in spans:  # never more than the bound in flight
        assert sum(1 for s in spans if s.start <= span.start < s.end) <= 2
