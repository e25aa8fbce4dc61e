"""The partition engine in process: check_partition, ownership per run, an inconclusive
partition, per-site backoff, the archive queue and its global budget, stable partitions,
and ``citewatch crawl --engine local`` — on SQLite and a real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.engine import LocalEngine, check_partition, crawl
from checker.engine import archive as queue
from checker.engine.audit import audit
from checker.engine.backoff import paused_sites
from checker.engine.ownership import part_states
from checker.engine.sim import farm_config, farm_urls, spans_of
from checker.model import LinkResult, LinkStatus
from checker.store import open_store
from checker.store.sites import part_of, site_of
from checker.testing.archive_double import ArchiveDouble
from checker.testing.simweb import DOWN_HOST, SimWeb


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb(farm_latency=0.02) as sim:
        yield sim


def _load(state: str, urls: list[str]) -> None:
    with open_store(state) as store:
        store.add_links(urls, store.now())


def _part(url: str) -> int:
    return part_of(site_of(url.split("/")[2].split(":")[0]))


def _checks(state: str) -> dict[str, int]:
    with open_store(state) as store, store._read() as cur:
        rows = cur.execute("SELECT url, count(*) FROM checks GROUP BY url").fetchall()
    return {str(u): int(n) for u, n in rows}


def test_a_night_checks_every_due_link_once_and_a_second_night_makes_no_request(
    web: SimWeb, state_location: str
) -> None:
    urls = farm_urls(web, sites=6, per_site=4)
    _load(state_location, urls)
    config = farm_config(web, interval=0.05)
    first = crawl(state_location, config, LocalEngine(3))
    assert first.checked == len(urls) and first.counts == {"alive": len(urls)}
    assert first.partitions == len({_part(u) for u in urls})
    assert first.still_due == 0
    assert _checks(state_location) == dict.fromkeys(urls, 1)
    report = audit(spans_of(web), 0.05)
    assert report.requests == len(urls) and report.repeated == 0 and report.violations == 0

    web.clear_log()
    second = crawl(state_location, config, LocalEngine(3))
    assert second.partitions == 0 and second.checked == 0
    assert web.spans == []  # the same day: nothing is due, nothing is requested


def test_a_duplicated_task_of_a_finished_partition_does_nothing(
    web: SimWeb, postgres_dsn: str
) -> None:
    urls = farm_urls(web, sites=1, per_site=4)
    _load(postgres_dsn, urls)
    config = farm_config(web, interval=0.05)
    part = _part(urls[0])
    with open_store(postgres_dsn) as store:
        first = check_partition(part, "run-1", config, store)
        requests = len(web.spans)
        again = check_partition(part, "run-1", config, store)
        assert part_states(store, "run-1") == {part: "done"}
    assert (first.outcome, first.checked) == ("checked", 4)
    assert again.outcome == "done-already"
    assert len(web.spans) == requests == 4
    assert _checks(postgres_dsn) == dict.fromkeys(urls, 1)


def test_a_partition_held_by_a_live_task_is_not_run_twice(web: SimWeb, postgres_dsn: str) -> None:
    """Two tasks of one partition at once: the database lets one run; the other waits,
    then finds it done (or gives up as busy) — the web sees each URL once."""
    urls = farm_urls(web, sites=1, per_site=6)
    _load(postgres_dsn, urls)
    config = farm_config(web, interval=0.2, busy_wait=5.0)
    part = _part(urls[0])
    outcomes: list[str] = []

    def task() -> None:
        with open_store(postgres_dsn) as store:
            outcomes.append(check_partition(part, "run-1", config, store).outcome)

    threads = [threading.Thread(target=task) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["checked", "done-already"]
    report = audit(spans_of(web), 0.2)
    assert report.requests == 6 and report.repeated == 0 and report.violations == 0


def test_an_inconclusive_partition_records_nothing_and_stays_due(
    web: SimWeb, state_location: str
) -> None:
    """Every host of one partition fails at the connection level and none answers: that
    partition's network is unusable — no verdict, no check row, its links stay due."""
    ip, port = web.hosts[DOWN_HOST]
    gone = [f"http://{h}.gone.example:{port}/page-{i}" for h in ("www", "img") for i in range(2)]
    fine = farm_urls(web, sites=2, per_site=2)
    _load(state_location, gone + fine)
    config = farm_config(web, interval=0.05)
    config = type(config)(**{**_fields(config), "resolve": (*config.resolve, *_pairs(gone, ip))})
    summary = crawl(state_location, config, LocalEngine(2))
    assert summary.outcomes.get("inconclusive") == 1
    assert summary.checked == len(fine)
    with open_store(state_location) as store:
        assert store.verdicts(gone) == {}
        assert store.due_count(store.now()) == len(gone)
        assert part_states(store, summary.run_id)[_part(gone[0])] == "inconclusive"
        again = store.claim_due(store.now(), "next-night")  # no lease left behind
    assert sorted(again) == sorted(gone)
    assert set(_checks(state_location)) == set(fine)


def _fields(config: Any) -> dict[str, Any]:
    return {name: getattr(config, name) for name in config.__dataclass_fields__}


def _pairs(urls: list[str], ip: str) -> list[tuple[str, str]]:
    return sorted({(u.split("/")[2].split(":")[0], ip) for u in urls})


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/status/429?retry_after=900", "429 with Retry-After 900 s"), ("/status/503", "5xx")],
)
def test_a_site_that_says_slow_down_is_paused_for_the_whole_cluster(
    web: SimWeb, postgres_dsn: str, path: str, reason: str
) -> None:
    web.add_farm(["www.s0.example"])
    site_urls = [
        web.url("www.s0.example", f"{path}{'&' if '?' in path else '?'}n={i}") for i in range(8)
    ]
    _load(postgres_dsn, site_urls)
    config = farm_config(web, interval=0.02)
    summary = crawl(postgres_dsn, config, LocalEngine(1))
    fetched = len(web.spans)
    want = 1 if path.startswith("/status/429") else 5  # a 429, or a run of five 5xx
    assert fetched == want
    assert summary.checked == want
    with open_store(postgres_dsn) as store:
        now = store.now()
        paused = paused_sites(store, ["s0.example"], now)
        assert "s0.example" in paused
        seconds = (paused["s0.example"] - now).total_seconds()
        assert (850 < seconds <= 900) if want == 1 else (3500 < seconds <= 3600)
        assert store.due_count(now) == len(site_urls) - want  # the rest stay due, unleased
    web.clear_log()
    crawl(postgres_dsn, config, LocalEngine(1))
    assert web.spans == []  # paused: the next night leaves the site alone
    assert reason in _pause_reason(postgres_dsn)


def _pause_reason(state: str) -> str:
    with open_store(state) as store, store._read() as cur:
        return str(cur.execute("SELECT reason FROM site_pauses").fetchone()[0])


def _dead(url: str) -> LinkResult:
    return LinkResult(url, LinkStatus.DEAD, "http-404")


def test_the_archive_queue_puts_newly_dead_links_first(state_location: str) -> None:
    with open_store(state_location) as store:
        now = store.now()
        failing = LinkResult("http://a.example/1", LinkStatus.FAILING, "http-404")
        alive = LinkResult("http://a.example/2", LinkStatus.ALIVE, "http-200")
        assert queue.enqueue(store, [failing, alive], now, "r1") == 1
        assert queue.enqueue(store, [_dead("http://b.example/1")], now, "r1") == 1
        assert queue.enqueue(store, [_dead("http://a.example/1")], now, "r2") == 1  # moves up
        assert queue.pending(store) == 2
        first = queue._take(store, "c1", dt.timedelta(minutes=1))
        second = queue._take(store, "c1", dt.timedelta(minutes=1))
        assert {first, second} == {"http://a.example/1", "http://b.example/1"}
        assert queue._take(store, "c2", dt.timedelta(minutes=1)) is None  # both taken


def test_two_archive_consumers_share_one_budget_and_one_stop_flag(postgres_dsn: str) -> None:
    """Two consumers (own connections, own threads) at 240 calls/min: the archive sees
    calls at least 0.25 s apart.  Then the archive answers 429: the second 429, whoever
    gets it, stops both, and a consumer started later makes no call at all."""
    urls = [f"http://gone{i}.example/page" for i in range(6)]
    with open_store(postgres_dsn) as store:
        queue.enqueue(store, [_dead(u) for u in urls], store.now(), "r1")
    with ArchiveDouble() as ia:
        config = queue.ArchiveConfig.for_endpoint(ia.base_url, rate_per_minute=240)
        _consumers(postgres_dsn, config, 2)
        times = sorted(r[0] for r in ia.requests)
        assert len(times) == 12  # CDX and availability per link: nothing found
        _assert_one_budget(times, 0.25)
        with open_store(postgres_dsn) as store:
            assert queue.pending(store) == 0
            queue.enqueue(
                store, [_dead(f"http://late{i}.example/") for i in range(4)], store.now(), "r2"
            )
        ia.clear_log()
        ia.rate_limit(0, retry_after=1)
        summaries = _consumers(postgres_dsn, config, 2)
        assert len(ia.requests) == 2  # two 429s in all, then nobody calls
        assert any("429" in s.stopped or "stopped" in s.stopped for s in summaries)
        with open_store(postgres_dsn) as store:
            assert queue.stopped_until(store, store.now()) is not None
            assert queue.pending(store) == 4  # nothing lost: still pending
            later = queue.drain(store, postgres_dsn, config)
        assert later.calls == 0 and later.stopped and len(ia.requests) == 2


def _consumers(state: str, config: Any, n: int) -> list[queue.DrainSummary]:
    out: list[queue.DrainSummary] = []

    def consume(i: int) -> None:
        with open_store(state) as store:
            out.append(queue.drain(store, state, config, holder=f"c{i}", seconds=30))

    threads = [threading.Thread(target=consume, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_partitions_are_the_same_in_every_process_and_frozen_in_the_store(
    postgres_dsn: str,
) -> None:
    hosts = ["news.bbc.co.uk", "www.bbc.co.uk", "x.blogspot.com", "a.b.github.io", "127.0.0.1"]
    code = (
        "from checker.store.sites import part_of, site_of; import sys; "
        "print([(site_of(h), part_of(site_of(h))) for h in sys.argv[1:]])"
    )
    seen = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", code, *hosts],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        seen.add(out.stdout.strip())
    assert len(seen) == 1
    here = [(site_of(h), part_of(site_of(h))) for h in hosts]
    assert seen == {str(here)}
    assert here[0][0] == here[1][0] == "bbc.co.uk" and here[2][0] == "x.blogspot.com"
    _load(postgres_dsn, [f"http://{h}/" for h in hosts])
    with open_store(postgres_dsn) as store, store._read() as cur:
        stored = dict(cur.execute("SELECT site, part FROM sites").fetchall())
    assert stored == dict(here)


def test_crawl_engine_local_through_the_cli(web: SimWeb, postgres_dsn: str) -> None:
    urls = farm_urls(web, sites=3, per_site=2)
    _load(postgres_dsn, urls)
    args = ["crawl", "--state", postgres_dsn, "--engine", "local", "--no-archive"]
    result = CliRunner().invoke(main, [*args, "--host-interval", "0.05", *web.cli_args()])
    assert result.exit_code == 0, result.output
    assert "3 partitions (3 checked); 6 due links checked (6 alive)" in result.output
    assert "0 still due" in result.output
    again = CliRunner().invoke(main, [*args, *web.cli_args()])
    assert again.exit_code == 0 and "0 partitions" in again.output
    bad = CliRunner().invoke(
        main, ["crawl", "--state", postgres_dsn, "--engine", "local", "--limit", "3"]
    )
    assert bad.exit_code == 2 and "--limit" in bad.output


def _assert_one_budget(times: list[float], slot: float) -> None:
    """Calls as the archive saw them: n calls span at least n - 1 slots (two private
    budgets would take half the time), and no two come closer than a slot, give or
    take 0.1 s of transport jitter on a loaded 2-core machine."""
    assert times[-1] - times[0] >= (len(times) - 1) * slot - 0.1
    assert min(b - a for a, b in itertools.pairwise(times)) >= slot - 0.1


def test_a_bot_wall_pauses_its_site_for_hours(web: SimWeb, postgres_dsn: str) -> None:
    urls = [web.url("botwall.example", f"/article/story-{i}") for i in range(5)]
    _load(postgres_dsn, urls)
    config = farm_config(web, interval=0.02)
    summary = crawl(postgres_dsn, config, LocalEngine(1))
    assert summary.checked == 1 and summary.counts == {"blocked": 1}
    assert len(web.requests_to("botwall.example")) == 1
    with open_store(postgres_dsn) as store:
        now = store.now()
        until = paused_sites(store, ["botwall.example"], now)["botwall.example"]
        assert 5.9 * 3600 < (until - now).total_seconds() <= 6 * 3600
        assert store.due_count(now) == 4
    assert "bot wall" in _pause_reason(postgres_dsn)


def test_crawl_engine_local_queues_rotten_links_and_drains_them_within_the_budget(
    web: SimWeb, postgres_dsn: str
) -> None:
    gone = [web.url("news.example", f"/status/404?n={i}") for i in range(3)]
    fine = [web.url("blog.example", "/article/kept")]
    _load(postgres_dsn, gone + fine)
    with ArchiveDouble() as ia:
        ia.add_capture(gone[0], "20200101000000")
        base = ["crawl", "--state", postgres_dsn, "--engine", "local", *web.cli_args()]
        result = CliRunner().invoke(main, [*base, *ia.cli_args(rate_per_minute=600)])
        assert result.exit_code == 0, result.output
        assert "3 queued for the archive" in result.output
        assert "archive: 3 lookups (1 found, 6 calls); 0 links still pending" in result.output
        assert "part " in result.output and "3/3 due links (3 failing)" in result.output
    with open_store(postgres_dsn) as store:
        assert queue.pending(store) == 0
