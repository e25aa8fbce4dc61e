"""Acceptance on a Dask ``LocalCluster`` of two worker processes and a real PostgreSQL:
every partition submitted twice, a worker killed mid-run, the archive budget and stop
flag across consumers on two workers, partitions equal in every process, an
inconclusive partition recording nothing, and the command line."""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.engine import archive as queue
from checker.engine import crawl
from checker.engine.audit import audit
from checker.engine.sim import farm_config, farm_urls, spans_of
from checker.model import LinkResult, LinkStatus
from checker.store import open_store
from checker.store.sites import part_of, site_of
from checker.testing.archive_double import ArchiveDouble
from checker.testing.simweb import DOWN_HOST, SimWeb

try:
    import distributed  # noqa: F401
except ImportError:
    # CI (CITEWATCH_REQUIRE_POSTGRES=1, set by .ci/run) installs the scale extra: there
    # a missing Dask is a failure, not a skip.
    if os.environ.get("CITEWATCH_REQUIRE_POSTGRES") == "1":
        raise
    pytest.skip("Dask is not installed (pip install 'citewatch[scale]')", allow_module_level=True)
from checker.engine.cluster import DaskEngine, EngineError, drain_task


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskEngine]:
    with DaskEngine(local_workers=2, threads_per_worker=2) as engine:
        yield engine


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb(farm_latency=0.02) as sim:
        yield sim


def _load(state: str, urls: list[str]) -> None:
    with open_store(state) as store:
        store.add_links(urls, store.now())


def _recorded(state: str) -> dict[str, int]:
    with open_store(state) as store, store._read() as cur:
        rows = cur.execute("SELECT url, count(*) FROM checks GROUP BY url").fetchall()
    return {str(u): int(n) for u, n in rows}


def test_every_partition_submitted_twice_runs_once_and_politely(
    cluster: DaskEngine, web: SimWeb, postgres_dsn: str
) -> None:
    urls = farm_urls(web, sites=6, per_site=6)
    _load(postgres_dsn, urls)
    config = farm_config(web, interval=0.2, host_concurrency=1)
    cluster.duplicate = True
    try:
        summary = crawl(postgres_dsn, config, cluster)
    finally:
        cluster.duplicate = False
    assert summary.outcomes["checked"] == summary.partitions == 6
    assert summary.outcomes.get("done-already", 0) + summary.outcomes.get("busy", 0) == 6
    assert {s.worker for s in summary.summaries if s.outcome == "checked"} != {""}
    assert _recorded(postgres_dsn) == dict.fromkeys(urls, 1)
    report = audit(spans_of(web), 0.2)
    assert report.requests == len(urls) and report.repeated == 0
    assert report.violations == 0 and report.max_in_flight == 1

    web.clear_log()  # a second night the same day
    again = crawl(postgres_dsn, config, cluster)
    assert again.partitions == 0 and web.spans == []


def test_partitions_are_the_same_on_every_worker(cluster: DaskEngine) -> None:
    hosts = ["news.bbc.co.uk", "x.blogspot.com", "www.s3.example", "a.b.github.io"]

    def parts() -> list[int]:
        return [part_of(site_of(h)) for h in hosts]

    on_workers = cluster.client.run(parts)
    assert len(on_workers) == 2
    assert all(value == parts() for value in on_workers.values())


def test_an_inconclusive_partition_records_nothing_on_the_cluster(
    cluster: DaskEngine, web: SimWeb, postgres_dsn: str
) -> None:
    ip, port = web.hosts[DOWN_HOST]
    gone = [f"http://{h}.gone.example:{port}/p{i}" for h in ("www", "img") for i in range(3)]
    fine = farm_urls(web, sites=2, per_site=3)
    _load(postgres_dsn, gone + fine)
    config = farm_config(web, interval=0.05)
    pairs = (("www.gone.example", ip), ("img.gone.example", ip))
    config = dataclasses.replace(config, resolve=(*config.resolve, *pairs))
    summary = crawl(postgres_dsn, config, cluster)
    assert summary.outcomes == {"checked": 2, "inconclusive": 1}
    assert set(_recorded(postgres_dsn)) == set(fine)
    with open_store(postgres_dsn) as store:
        assert store.verdicts(gone) == {}
        assert sorted(store.claim_due(store.now(), "next")) == sorted(gone)


def test_workers_must_run_the_drivers_version(
    cluster: DaskEngine, web: SimWeb, postgres_dsn: str
) -> None:
    _load(postgres_dsn, farm_urls(web, sites=1, per_site=1))
    config = dataclasses.replace(farm_config(web), version="0.0.0-other")
    with pytest.raises(EngineError, match="same version"):
        crawl(postgres_dsn, config, cluster)
    assert cluster.check_versions()  # the real workers agree with the driver


def test_archive_budget_and_stop_flag_hold_across_consumers_on_two_workers(
    cluster: DaskEngine, postgres_dsn: str
) -> None:
    urls = [f"http://gone{i}.example/page" for i in range(5)]
    with open_store(postgres_dsn) as store:
        dead = [LinkResult(u, LinkStatus.DEAD, "http-404") for u in urls]
        queue.enqueue(store, dead, store.now(), "r1")
    with ArchiveDouble() as ia:
        config = queue.ArchiveConfig.for_endpoint(ia.base_url, rate_per_minute=240)
        futures = [
            cluster.client.submit(drain_task, postgres_dsn, config, f"w{i}", 30.0, pure=False)
            for i in range(2)
        ]
        done = [f.result() for f in futures]
        assert sum(d.looked_up for d in done) == len(urls)
        times = sorted(r[0] for r in ia.requests)
        assert len(times) == 2 * len(urls)
        _assert_one_budget(times, 0.25)
        with open_store(postgres_dsn) as store:
            queue.enqueue(
                store, [LinkResult("http://x.example/", LinkStatus.DEAD, "")], store.now(), "r2"
            )
            queue.enqueue(
                store, [LinkResult("http://y.example/", LinkStatus.DEAD, "")], store.now(), "r2"
            )
        ia.clear_log()
        ia.rate_limit(0, retry_after=1)
        futures = [
            cluster.client.submit(drain_task, postgres_dsn, config, f"s{i}", 30.0, pure=False)
            for i in range(2)
        ]
        stopped = [f.result() for f in futures]
        assert len(ia.requests) == 2  # the second 429, on either worker, stops both
        assert all(s.pending == 2 for s in stopped)
        with open_store(postgres_dsn) as store:
            assert queue.stopped_until(store, store.now()) is not None


def test_a_worker_killed_mid_run_is_taken_over_without_rudeness(
    cluster: DaskEngine, web: SimWeb, postgres_dsn: str
) -> None:
    urls = farm_urls(web, sites=8, per_site=14)
    _load(postgres_dsn, urls)
    config = farm_config(web, interval=0.25, host_concurrency=1)
    pids = list(cluster.worker_pids().values())
    result: list[object] = []
    runner = threading.Thread(target=lambda: result.append(crawl(postgres_dsn, config, cluster)))
    runner.start()
    deadline = time.monotonic() + 30
    while len(web.spans) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(pids[0], signal.SIGKILL)
    killed_at = time.monotonic()
    runner.join(timeout=240)
    assert not runner.is_alive()
    summary = result[0]
    assert sum(s.start < killed_at for s in web.spans) < len(urls)  # the kill landed mid-run
    assert _recorded(postgres_dsn) == dict.fromkeys(urls, 1)  # every due link, once
    with open_store(postgres_dsn) as store:
        assert store.due_count(store.now()) == 0
    report = audit(spans_of(web), 0.25)
    assert report.violations == 0 and report.max_in_flight == 1, (report, killed_at, pids)
    assert summary.checked == len(urls)  # type: ignore[attr-defined]


def test_crawl_engine_dask_through_the_cli(web: SimWeb, postgres_dsn: str) -> None:
    urls = farm_urls(web, sites=3, per_site=2)
    _load(postgres_dsn, urls)
    args = ["crawl", "--state", postgres_dsn, "--engine", "dask", "--local-workers", "2"]
    result = CliRunner().invoke(
        main, [*args, "--no-archive", "--host-interval", "0.05", *web.cli_args()]
    )
    assert result.exit_code == 0, result.output
    assert "3 partitions (3 checked); 6 due links checked (6 alive)" in result.output
    sqlite = CliRunner().invoke(main, ["crawl", "--state", "x.sqlite", "--engine", "dask"])
    assert sqlite.exit_code == 2 and "postgresql://" in sqlite.output


def _assert_one_budget(times: list[float], slot: float) -> None:
    """Calls as the archive saw them: n calls span at least n - 1 slots (two private
    budgets would take half the time), and no two come closer than a slot, give or
    take 0.1 s of transport jitter on a loaded 2-core machine."""
    assert times[-1] - times[0] >= (len(times) - 1) * slot - 0.1
    assert min(b - a for a, b in itertools.pairwise(times)) >= slot - 0.1


def test_crawl_joins_a_running_scheduler(web: SimWeb, postgres_dsn: str, tmp_path: Path) -> None:
    """The deployment path: a `dask scheduler` and a `dask worker` started as commands
    (on loopback, plain tcp here; TLS is configuration), and `crawl --scheduler`."""
    dask = str(Path(sys.executable).with_name("dask"))
    info = tmp_path / "scheduler.json"
    common = ["--host", "127.0.0.1", "--no-dashboard"]
    scheduler = subprocess.Popen(
        [dask, "scheduler", "--scheduler-file", str(info), "--port", "0", *common],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        worker = subprocess.Popen(
            [dask, "worker", "--scheduler-file", str(info), "--nthreads", "2", *common],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        address = json.loads(info.read_text())["address"]
        urls = farm_urls(web, sites=2, per_site=2)
        _load(postgres_dsn, urls)
        args = ["crawl", "--state", postgres_dsn, "--engine", "dask", "--scheduler", address]
        result = CliRunner().invoke(
            main, [*args, "--no-archive", "--host-interval", "0.05", *web.cli_args()]
        )
        assert result.exit_code == 0, result.output
        assert "2 partitions (2 checked); 4 due links checked (4 alive)" in result.output
    finally:
        for process in (worker, scheduler):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
