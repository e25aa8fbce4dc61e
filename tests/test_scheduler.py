"""Politeness: global and per-host bounds, minimum interval per host, host rotation."""

from __future__ import annotations

import itertools
import threading
import time
from collections import defaultdict

import pytest

from checker.links.scheduler import Politeness, host_of, run_polite


class Recorder:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.active: dict[str, int] = defaultdict(int)
        self.max_active: dict[str, int] = defaultdict(int)
        self.total_active = 0
        self.max_total = 0
        self.starts: dict[str, list[float]] = defaultdict(list)
        self.order: list[str] = []

    def __call__(self, url: str) -> str:
        host = host_of(url)
        with self.lock:
            self.active[host] += 1
            self.total_active += 1
            self.max_active[host] = max(self.max_active[host], self.active[host])
            self.max_total = max(self.max_total, self.total_active)
            self.starts[host].append(time.monotonic())
            self.order.append(host)
        time.sleep(self.delay)
        with self.lock:
            self.active[host] -= 1
            self.total_active -= 1
        return url.upper()


def urls(hosts: int, per_host: int) -> list[str]:
    return [f"http://h{h}.example/{i}" for h in range(hosts) for i in range(per_host)]


def test_every_url_once_with_results() -> None:
    work = Recorder(0.001)
    given = urls(5, 4) + urls(1, 2)  # duplicates are checked once
    results = run_polite(given, work, Politeness(host_interval=0))
    assert set(results) == set(given)
    assert results["http://h0.example/1"] == "HTTP://H0.EXAMPLE/1"
    assert len(work.order) == 20


def test_bounds_hold() -> None:
    work = Recorder(0.02)
    run_polite(
        urls(10, 6), work, Politeness(max_concurrency=8, host_concurrency=2, host_interval=0)
    )
    assert max(work.max_active.values()) <= 2
    assert work.max_total <= 8
    assert work.max_total >= 6  # the window really fills


def test_minimum_interval_per_host() -> None:
    work = Recorder(0.0)
    run_polite(urls(2, 4), work, Politeness(host_concurrency=4, host_interval=0.05))
    for starts in work.starts.values():
        gaps = [b - a for a, b in itertools.pairwise(starts)]
        assert min(gaps) >= 0.045


def test_per_domain_interval() -> None:
    politeness = Politeness(host_interval=0.0, per_host_interval={"slow.example": 2.0})
    assert politeness.interval("www.slow.example") == 2.0
    assert politeness.interval("fast.example") == 0.0


def test_grouped_input_is_interleaved() -> None:
    work = Recorder(0.01)
    run_polite(urls(4, 5), work, Politeness(max_concurrency=4, host_concurrency=1, host_interval=0))
    assert set(work.order[:4]) == {"h0.example", "h1.example", "h2.example", "h3.example"}


def test_slow_host_does_not_stall_others() -> None:
    def work(url: str) -> str:
        if "slow" in url:
            time.sleep(0.5)
        return url

    fast_done: list[float] = []
    start = time.monotonic()
    run_polite(
        ["http://slow.example/1", "http://slow.example/2", *urls(3, 3)],
        work,
        Politeness(max_concurrency=4, host_concurrency=1, host_interval=0),
        on_done=lambda url, _: (
            fast_done.append(time.monotonic() - start) if "slow" not in url else None
        ),
    )
    assert len(fast_done) == 9 and max(fast_done) < 0.45


def test_a_hosts_second_slot_opens_at_once() -> None:
    work = Recorder(0.2)
    run_polite(urls(1, 4), work, Politeness(host_concurrency=2, host_interval=0))
    assert work.max_active["h0.example"] == 2  # not one at a time until a completion


def test_skip_answers_without_running() -> None:
    work = Recorder(0.0)
    results = run_polite(
        urls(2, 3),
        work,
        Politeness(host_interval=0),
        skip=lambda url: "SKIPPED" if url.startswith("http://h1.") else None,
    )
    assert {results[u] for u in urls(2, 3) if "h1." in u} == {"SKIPPED"}
    assert set(work.order) == {"h0.example"}


def test_the_busiest_host_starts_first() -> None:
    # The run lasts at least as long as its busiest host's queue: that host gets a slot
    # first (grouped input order does not matter).
    work = Recorder(0.0)
    given = urls(1, 1) + [f"http://busy.example/{i}" for i in range(6)] + urls(3, 2)[2:]
    run_polite(given, work, Politeness(max_concurrency=1, host_concurrency=1, host_interval=0))
    assert work.order[0] == "busy.example"
    assert work.order.count("busy.example") == 6


def test_an_exception_in_work_stops_the_run_and_is_raised() -> None:
    started: list[str] = []

    def work(url: str) -> str:
        started.append(url)
        if url.endswith("/1"):
            raise RuntimeError("boom")
        return url

    with pytest.raises(RuntimeError, match="boom"):
        run_polite(urls(1, 50), work, Politeness(max_concurrency=1, host_interval=0))
    assert len(started) < 50  # the rest was not started


def test_a_slot_is_free_while_its_result_waits_to_be_handed_over() -> None:
    """A worker whose result waits for the collector (the bounded hand-over is full) must
    not keep its host's slot: the host's next request goes out meanwhile."""
    from checker.links.scheduler import _Board

    urls = [f"http://a.example/{i}" for i in range(3)]
    board: _Board[str] = _Board(
        urls, Politeness(max_concurrency=1, host_concurrency=1), time.monotonic, None
    )
    host = board.hosts["a.example"]
    running_at_hand_over: list[int] = []

    class Out:
        def put(self, item: object) -> None:
            if isinstance(item, tuple):
                running_at_hand_over.append(host.running)

    board.worker(lambda url: url.upper(), Out())  # type: ignore[arg-type]
    assert running_at_hand_over == [0, 0, 0]


def test_later_gives_the_slot_back_and_a_new_worker_takes_its_place() -> None:
    """A result finished off the slot (Later): while it waits, the host's next URLs are
    run by a replacement worker, so the run never has fewer workers taking URLs."""
    from checker.links.scheduler import Later

    urls = [f"http://a.example/{i}" for i in range(4)]
    started = threading.Event()

    def work(url: str) -> str | Later[str]:
        if url.endswith("/0"):
            return Later(lambda: "late" if started.wait(5) else "stuck")
        started.set()
        return "now"

    done: list[str] = []
    results = run_polite(
        urls,
        work,
        Politeness(max_concurrency=1, host_concurrency=1, host_interval=0),
        on_done=lambda url, value: done.append(url),
    )
    assert results == {urls[0]: "late", urls[1]: "now", urls[2]: "now", urls[3]: "now"}
    assert sorted(done) == sorted(urls)


def test_an_error_while_finishing_later_stops_the_run() -> None:
    from checker.links.scheduler import Later

    def work(url: str) -> str | Later[str]:
        return Later(lambda: (_ for _ in ()).throw(ValueError("late failure")))

    with pytest.raises(ValueError, match="late failure"):
        run_polite([f"http://a.example/{i}" for i in range(3)], work, Politeness(host_interval=0))
