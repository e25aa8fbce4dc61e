"""Fetch processes partitioned by host: each host in exactly one process, the same
verdicts as one process, results streamed to the parent, and a child that dies leaves
its unreported URLs to the parent (none lost, none reported twice)."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from test_links_e2e import CASES, run_cli, statuses, write_list

from checker.bulk import cores
from checker.links import processes
from checker.links.fetch import FetchConfig
from checker.links.runner import LinkConfig, check_links
from checker.links.scheduler import Politeness, host_of
from checker.model import Reference
from checker.testing.simweb import SimWeb

pytestmark = pytest.mark.skipif(not processes.available(), reason="needs fork")

URLS = [f"http://h{h}.example/{i}" for i in range(40) for h in range(7)]


def test_partition_keeps_each_host_whole_and_the_order() -> None:
    parts = processes.partition(URLS, 3)
    assert sorted(u for p in parts for u in p) == sorted(URLS)
    owner = {host_of(u): i for i, part in enumerate(parts) for u in part}
    assert all(owner[host_of(u)] == i for i, part in enumerate(parts) for u in part)
    assert all(part == [u for u in URLS if u in set(part)] for part in parts)
    assert processes.partition(URLS, 3) == parts  # stable: the same split every night


def test_plan() -> None:
    assert processes.plan(10, 1) == 1
    assert processes.plan(10, 4) == 4  # asked for: honoured
    assert processes.plan(3, 8) == 3  # never more processes than URLs
    assert processes.plan(100, 0) == 1  # automatic: a small list stays in-process
    assert processes.plan(100_000, 0) == min(4, cores())
    assert processes.share(32, 3, 2) == 11 and processes.share(2, 4, 2) == 2


def _by_pid(urls: Sequence[str], on_done: Callable[[str, tuple[int, str]], None]) -> None:
    for url in urls:
        on_done(url, (os.getpid(), url))


def test_results_come_back_from_one_child_per_host() -> None:
    seen: dict[str, tuple[int, str]] = {}
    problems = processes.run_in_processes(URLS, _by_pid, 3, seen.__setitem__)
    assert problems == [] and sorted(seen) == sorted(URLS)
    pids = {pid for pid, _ in seen.values()}
    assert os.getpid() not in pids and len(pids) == len(processes.partition(URLS, 3)) >= 2
    per_host = {host_of(u): {seen[v][0] for v in URLS if host_of(v) == host_of(u)} for u in URLS}
    assert all(len(p) == 1 for p in per_host.values())


def test_a_dead_child_leaves_its_urls_to_the_parent() -> None:
    parent = os.getpid()
    victim = URLS[5]

    def dies(urls: Sequence[str], on_done: Callable[[str, tuple[int, str]], None]) -> None:
        for url in urls:
            if url == victim and os.getpid() != parent:
                os._exit(9)  # killed mid-run: whatever it had not sent is gone
            on_done(url, (os.getpid(), url))

    calls: Counter[str] = Counter()
    seen: dict[str, int] = {}

    def done(url: str, value: tuple[int, str]) -> None:
        calls[url] += 1
        seen[url] = value[0]

    problems = processes.run_in_processes(URLS, dies, 3, done)
    assert len(problems) == 1 and "ended without a word" in problems[0]
    assert sorted(calls) == sorted(URLS) and set(calls.values()) == {1}  # none lost or twice
    assert seen[victim] == parent


def test_a_failing_child_reports_why() -> None:
    def raises(urls: Sequence[str], on_done: Callable[[str, int], None]) -> None:
        if os.getpid() != parent:
            raise RuntimeError("boom")
        for url in urls:
            on_done(url, 0)

    parent = os.getpid()
    seen: dict[str, int] = {}
    problems = processes.run_in_processes(URLS[:20], raises, 2, seen.__setitem__)
    assert problems and all("RuntimeError: boom" in p for p in problems)
    assert sorted(seen) == sorted(URLS[:20])


def test_a_parent_that_reads_late_never_holds_a_child_up(tmp_path: Path) -> None:
    """The parent judges while the children fetch: a child's results wait for it in the
    child (not in a full pipe, with the collecting thread, and the fetches behind it,
    stuck on it)."""
    page = "x" * 20_000  # a batch larger than a pipe holds

    def fetches(urls: Sequence[str], on_done: Callable[[str, str], None]) -> None:
        for url in urls:
            on_done(url, page + url)  # each its own (a pickle shares one object)
        (tmp_path / f"finished-{os.getpid()}").touch()  # every result handed over

    finished: list[int] = []

    def slow(url: str, value: str) -> None:
        if not finished:  # the first result: wait for every child to finish first
            deadline = time.monotonic() + 10
            while len(list(tmp_path.glob("finished-*"))) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
            finished.append(len(list(tmp_path.glob("finished-*"))))

    assert processes.run_in_processes(URLS, fetches, 2, slow) == []
    assert finished == [2]


def test_an_error_in_on_done_stops_the_children(tmp_path: Path) -> None:
    def forever(urls: Sequence[str], on_done: Callable[[str, int], None]) -> None:
        (tmp_path / f"child-{os.getpid()}").touch()
        for url in urls:
            on_done(url, os.getpid())
        time.sleep(60)

    def fails(url: str, value: int) -> None:
        raise ValueError("bad result")

    with pytest.raises(ValueError, match="bad result"):
        processes.run_in_processes(URLS, forever, 2, fails)
    children = [int(p.name.split("-")[1]) for p in tmp_path.glob("child-*")]
    assert children
    for pid in children:  # killed and reaped: no orphans
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def _append_to(seen: list[str]) -> Callable[[str, object], None]:
    return lambda url, _: seen.append(url)


def test_processes_give_the_verdicts_of_one_process(simweb: SimWeb) -> None:
    refs = [Reference(id=str(i), url=simweb.url(s, p)) for i, (s, p, _) in enumerate(CASES)]
    fetch = FetchConfig(allow_private=True, deadline=5, backoff=0.05)
    runs = {}
    for count in (1, 3):
        config = LinkConfig(
            fetch=fetch,
            politeness=Politeness(host_interval=0),
            state_path=None,
            processes=count,
        )
        done: list[str] = []
        run = check_links(refs, config, resolver=simweb.resolver, progress=_append_to(done))
        assert sorted(done) == sorted(r.url for r in refs)  # progress in the parent
        runs[count] = {u: (r.status, r.rule, r.http_status) for u, r in run.results.items()}
    assert runs[3] == runs[1]


def test_cli_fetch_processes(simweb: SimWeb, tmp_path: Path) -> None:
    rows = [(simweb.url(site, path), "Real Story — Example News") for site, path, _ in CASES]
    src = write_list(tmp_path, rows)
    code, report, _ = run_cli(tmp_path, src, *simweb.cli_args(), "--fetch-processes", "2")
    assert statuses(report) == {simweb.url(site, path): s for site, path, s in CASES}
    assert code == 0


def test_meanwhile_runs_in_the_parent_while_the_children_fetch() -> None:
    import threading
    import time

    started = threading.Event()

    def slow(urls: Sequence[str], on_done: Callable[[str, tuple[int, str]], None]) -> None:
        for url in urls:
            time.sleep(0.002)
            on_done(url, (os.getpid(), url))

    during: list[tuple[int, str]] = []

    def meanwhile() -> None:
        started.set()
        during.append((os.getpid(), threading.current_thread().name))

    seen: dict[str, tuple[int, str]] = {}
    problems = processes.run_in_processes(URLS, slow, 3, seen.__setitem__, meanwhile)
    assert problems == [] and sorted(seen) == sorted(URLS) and started.is_set()
    assert during == [(os.getpid(), "meanwhile")]  # in this process, beside the loop

    def fails() -> None:
        raise ValueError("bad check")

    with pytest.raises(ValueError, match="bad check"):
        processes.run_in_processes(URLS, _by_pid, 3, {}.__setitem__, fails)


def test_the_offline_checks_run_while_the_links_are_fetched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    from checker import api
    from checker.checks import CheckConfig
    from checker.model import ImportResult

    where: list[str] = []
    real = api.run_checks

    def checks(*args: object, **kwargs: object) -> object:
        where.append(threading.current_thread().name)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(api, "run_checks", checks)
    with SimWeb() as web:
        refs = tuple(
            Reference(id=str(i), url=web.url("news.example", f"/article/p{i}"), title="Page")
            for i in range(6)
        )
        config = LinkConfig(
            fetch=FetchConfig(allow_private=True, deadline=5),
            politeness=Politeness(host_interval=0),
            state_path=None,
            processes=2,
        )
        result = api.check_import(
            ImportResult(refs, (), "refs.csv", "csv"), CheckConfig(), links=config,
            resolver=web.resolver,
        )  # fmt: skip
    assert where == ["meanwhile"] and len(result.links) == 6


def test_the_suffix_list_is_loaded_while_the_children_fetch(
    simweb: SimWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that remembers files each URL new to the store under its site: the Public
    Suffix List that names the site is loaded while the fetch processes fetch, not after
    the last answer (about 50 ms)."""
    from checker.links import runner
    from checker.store import sites

    sites._psl.cache_clear()
    sites.site_of.cache_clear()
    loaded_before_recording: list[bool] = []
    recorded = runner._recorded

    def spy(*args: object) -> object:
        loaded_before_recording.append(sites._psl.cache_info().currsize == 1)
        return recorded(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "_recorded", spy)
    refs = [Reference(id=str(i), url=simweb.url(s, p)) for i, (s, p, _) in enumerate(CASES)]
    config = LinkConfig(
        fetch=FetchConfig(allow_private=True, deadline=5, backoff=0.05),
        politeness=Politeness(host_interval=0),
        state_path=tmp_path / "state.sqlite",
        processes=2,
    )
    check_links(refs, config, resolver=simweb.resolver)
    assert loaded_before_recording == [True]
