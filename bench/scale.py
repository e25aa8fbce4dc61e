"""The partitioned night on Dask, measured on loopback: politeness from the web's own
log, throughput against the politeness bound, the archive budget across consumers,
and a second night the same day.  Bounded and self-stopping (a few minutes on 2 cores).

    python bench/scale.py [--sites 16] [--per-site 12] [--interval 0.25] [--quick]

Everything runs on this machine: a throwaway PostgreSQL (Debian's package), a Dask
``LocalCluster`` of 1, 2 or 4 worker processes (4 threads each), and the simulated
web's farm hosts (``www.sN.example`` and ``img.sN.example`` per site, 50 ms latency)
whose log stamps each request with the kernel's arrival time.

* Politeness: per host, the gap between request starts (goal: never below the
  interval; 20 ms tolerance for loopback timing) and the most requests in flight
  (goal: at most ``--host-concurrency`` 1) — with every partition submitted twice, with
  one worker killed mid-run, and for a naive split of the same URLs by position (which
  must show violations: the measure can fail).
* Throughput: URLs/s for 1, 2 and 4 worker processes, uniform sites and a Zipf-shaped
  workload with one hot site, each against its bounds: the politeness bound (the
  busiest host's ``(n - 1) × (interval + max(slack, latency)) + latency``) and the slot bound (every
  site's own bound spread over the cluster's task slots, never below the first);
  ``wall_vs_bound`` is the wall time over the slot bound.
* Archive: two consumers on a short window (300 calls/min, i.e. 5/s, for ~10 s instead
  of 24/min for an hour; slots are 60/rate + 0.1 s apart): the most calls the archive
  double saw in any 1 s and any 6 s, then the 429 stop flag.
* A second night the same day: requests to the web (goal 0).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import signal
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checker.engine import archive as queue
from checker.engine import crawl
from checker.engine.audit import Audit, audit
from checker.engine.cluster import DaskEngine, drain_task
from checker.engine.partition import EngineConfig
from checker.engine.sim import farm_config, farm_urls, spans_of
from checker.links.fetch import fetch
from checker.links.scheduler import run_polite
from checker.model import LinkResult, LinkStatus
from checker.store import open_store
from checker.testing.archive_double import ArchiveDouble
from checker.testing.postgres import LocalPostgres
from checker.testing.simweb import SimWeb

LATENCY = 0.05


def naive_chunk(urls: list[str], config: EngineConfig) -> int:
    """The control: a slice of the list by position, checked with the same polite
    scheduler but no partitioning, so two tasks can share a host."""
    from checker.engine.partition import table_resolver

    resolver = table_resolver(config.resolve)

    def work(url: str) -> object:
        return fetch(url, config.links.fetch, resolver=resolver)

    return len(run_polite(urls, work, config.links.politeness))


def _bound(urls: list[str], interval: float) -> float:
    """The politeness bound: the busiest host's requests, one interval apart."""
    per_host = Counter(u.split("/")[2] for u in urls)
    return (max(per_host.values()) - 1) * interval + LATENCY


def _slot_bound(urls: list[str], interval: float, slots: int) -> float:
    """The cluster's bound: each site's own bound, spread over the task slots."""
    by_site: dict[str, list[str]] = {}
    for url in urls:
        by_site.setdefault(url.split("/")[3], []).append(url)
    return max(_bound(urls, interval), sum(_bound(u, interval) for u in by_site.values()) / slots)


def _load(dsn: str, urls: list[str]) -> None:
    with open_store(dsn) as store:
        store.add_links(urls, store.now())


def _row(
    name: str, workers: int, urls: list[str], seconds: float, report: Audit, **extra: Any
) -> dict[str, Any]:
    return {
        "scenario": name,
        "workers": workers,
        "urls": len(urls),
        "hosts": report.hosts,
        "wall_s": round(seconds, 1),
        "urls_per_s": round(len(urls) / seconds, 1) if seconds else 0.0,
        "violations": report.violations,
        "min_gap_s": round(report.min_gap, 3),
        "max_in_flight": report.max_in_flight,
        "repeated": report.repeated,
        **extra,
    }


def scenario(
    pg: LocalPostgres,
    name: str,
    workers: int,
    sites: int,
    per_site: int,
    interval: float,
    *,
    zipf: float = 0.0,
    duplicate: bool = False,
    kill: bool = False,
    naive: bool = False,
    second_night: bool = False,
) -> dict[str, Any]:
    dsn = pg.new_database()
    with (
        SimWeb(farm_latency=LATENCY) as web,
        DaskEngine(local_workers=workers, duplicate=duplicate) as engine,
    ):
        urls = farm_urls(web, sites, per_site, zipf=zipf)
        _load(dsn, urls)
        config = farm_config(web, interval=interval, host_concurrency=1)
        step = interval + max(config.slack, LATENCY)  # start-to-start, or end-to-start
        bound = _bound(urls, step)
        started = time.monotonic()
        slots = workers * engine.threads_per_worker
        slot_bound = _slot_bound(urls, step, slots)
        extra: dict[str, Any] = {"bound_s": round(bound, 1), "slot_bound_s": round(slot_bound, 1)}
        if naive:
            mixed = random.Random(14).sample(urls, len(urls))  # a list is not sorted by site
            size = -(-len(mixed) // (workers * 4))
            chunks = [mixed[i : i + size] for i in range(0, len(mixed), size)]
            futures = [engine.client.submit(naive_chunk, c, config, pure=False) for c in chunks]
            engine.client.gather(futures)
        else:
            result: list[Any] = []
            runner = threading.Thread(target=lambda: result.append(crawl(dsn, config, engine)))
            pids = list(engine.worker_pids().values())
            runner.start()
            if kill:
                while len(web.spans) < len(urls) // 3 and runner.is_alive():
                    time.sleep(0.02)
                os.kill(pids[0], signal.SIGKILL)
                extra["killed_after"] = len(web.spans)
            runner.join()
            summary = result[0]
            extra["outcomes"] = " ".join(f"{k}:{v}" for k, v in sorted(summary.outcomes.items()))
            with open_store(dsn) as store, store._read() as cur:
                once = cur.execute("SELECT count(DISTINCT url), count(*) FROM checks").fetchone()
            extra["recorded_once"] = once[0] == once[1] == len(urls)
        seconds = time.monotonic() - started
        report = audit(spans_of(web), interval)
        extra["wall_vs_bound"] = round(seconds / slot_bound, 2)
        if second_night:
            web.clear_log()
            again = crawl(dsn, config, engine)
            extra["night2_requests"] = len(web.spans)
            extra["night2_partitions"] = again.partitions
        return _row(name, workers, urls, seconds, report, **extra)


def archive_scenario(pg: LocalPostgres, links: int, rate: float) -> dict[str, Any]:
    dsn = pg.new_database()
    with open_store(dsn) as store:
        dead = [
            LinkResult(f"http://gone{i}.example/p", LinkStatus.DEAD, "http-404")
            for i in range(links)
        ]
        queue.enqueue(store, dead, store.now(), "bench")
    with ArchiveDouble() as ia, DaskEngine(local_workers=2) as engine:
        config = queue.ArchiveConfig.for_endpoint(ia.base_url, rate_per_minute=rate)
        started = time.monotonic()
        futures = [
            engine.client.submit(drain_task, dsn, config, f"c{i}", 60.0, pure=False)
            for i in range(2)
        ]
        done = engine.client.gather(futures)
        seconds = time.monotonic() - started
        times = sorted(r[0] for r in ia.requests)

        def most(window: float) -> int:
            return max(sum(1 for t in times[i:] if t - s < window) for i, s in enumerate(times))

        with open_store(dsn) as store:
            queue.enqueue(
                store,
                [LinkResult(f"http://late{i}.example/", LinkStatus.DEAD, "") for i in range(6)],
                store.now(),
                "b2",
            )
        ia.clear_log()
        ia.rate_limit(0, retry_after=1)
        stopped = engine.client.gather(
            [
                engine.client.submit(drain_task, dsn, config, f"s{i}", 60.0, pure=False)
                for i in range(2)
            ]
        )
        return {
            "consumers": 2,
            "rate_per_min": rate,
            "calls": len(times),
            "lookups": sum(d.looked_up for d in done),
            "wall_s": round(seconds, 1),
            "max_in_1s": most(1.0),
            "limit_1s": rate / 60,
            "max_in_6s": most(6.0),
            "limit_6s": rate / 10,
            "min_gap_s": round(min(b - a for a, b in itertools.pairwise(times)), 3),
            "calls_after_429s": len(ia.requests),
            "pending_after_stop": stopped[0].pending,
        }


def _table(rows: list[dict[str, Any]]) -> str:
    keys = list(dict.fromkeys(k for row in rows for k in row))
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(row.get(k, "")) for k in keys) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=32)
    parser.add_argument("--per-site", type=int, default=8)
    parser.add_argument("--interval", type=float, default=0.25)
    parser.add_argument("--quick", action="store_true", help="politeness and archive only")
    args = parser.parse_args()
    s, n, i = args.sites, args.per_site, args.interval
    rows: list[dict[str, Any]] = []
    began = time.monotonic()
    with LocalPostgres() as pg:
        plan: list[tuple[str, int, dict[str, Any]]] = [
            ("partitioned, each submitted twice", 2, {"duplicate": True, "second_night": True}),
            ("partitioned, one worker killed", 2, {"kill": True}),
            ("naive split by position", 2, {"naive": True}),
        ]
        if not args.quick:
            plan += [(f"uniform {s} sites", w, {}) for w in (1, 2, 4)]
            plan += [("zipf 1.0, hot site", w, {"zipf": 1.0}) for w in (1, 2, 4)]
        for name, workers, options in plan:
            row = scenario(pg, name, workers, s, n, i, **options)
            rows.append(row)
            print(f"{name} ({workers} workers): {row}", file=sys.stderr, flush=True)
        archive = archive_scenario(pg, 20, 300.0)
    print(_table(rows))
    print()
    print(_table([archive]))
    print(
        f"\ntotal {time.monotonic() - began:.0f} s; interval {i} s (+0.05 s slack), "
        f"{LATENCY * 1000:.0f} ms latency, 4 threads per worker, {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
