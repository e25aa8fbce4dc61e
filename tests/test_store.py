"""The store contract: the same tests on SQLite and on a real PostgreSQL server
(confirmation across nights with an injected clock, idempotent batched writes, due
selection with a per-site budget and leases, the archive cache, probes, rate slots,
pages and citations, and two processes at once)."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from pathlib import Path
from typing import Any

from checker.model import ArchiveResult, ArchiveStatus, LinkResult, LinkStatus
from checker.store import BatchWriter, Citation, Policy, open_store
from checker.store.sites import part_of, site_of

T0 = dt.datetime(2026, 11, 1, 3, 0, tzinfo=dt.UTC)
URL = "http://news.example/story"
UTC = Policy(timezone="UTC")


def raw(status: LinkStatus, url: str = URL, rule: str = "http-404") -> LinkResult:
    return LinkResult(url, status, rule, detail="gone", http_status=404)


def days(n: float) -> dt.timedelta:
    return dt.timedelta(days=n)


def test_confirmation_on_the_third_night_even_when_one_run_is_late(state_location: str) -> None:
    nights = [T0, T0 + days(1) + dt.timedelta(minutes=30), T0 + days(2)]
    with open_store(state_location, UTC) as store:
        seen = [
            store.record(raw(LinkStatus.FAILING), when, f"r{i}") for i, when in enumerate(nights)
        ]
    assert [v.status for v in seen] == [LinkStatus.FAILING, LinkStatus.FAILING, LinkStatus.DEAD]
    assert [v.failures for v in seen] == [1, 2, 3]
    assert seen[0].failing_since == T0 and "1/3 failed checks since 2026-11-01" in seen[0].detail


def test_two_nights_are_not_enough_and_the_time_zone_decides_the_date(
    state_location: str,
) -> None:
    # 23:30 and 00:30 UTC are one calendar day in New York: three checks, two dates.
    policy = Policy(timezone="America/New_York")
    times = [T0.replace(hour=23, minute=30), T0 + days(1) - dt.timedelta(hours=2), T0 + days(1)]
    with open_store(state_location, policy) as store:
        seen = [store.record(raw(LinkStatus.FAILING), w, f"r{i}") for i, w in enumerate(times)]
    assert seen[-1].status is LinkStatus.FAILING and seen[-1].failures == 3


def test_every_rot_verdict_is_confirmed_like_dead(state_location: str) -> None:
    with open_store(state_location, UTC) as store:
        soft = [
            store.record(raw(LinkStatus.SOFT_404, rule="soft404-probe"), T0 + days(i), f"r{i}")
            for i in range(3)
        ]
        usurped = store.record(raw(LinkStatus.USURPED, "http://p.example/", "parked"), T0, "r0")
    assert [v.status for v in soft] == [LinkStatus.FAILING] * 2 + [LinkStatus.SOFT_404]
    assert soft[0].detail.startswith("soft 404, 1/3 failed checks since 2026-11-01")
    assert usurped.status is LinkStatus.FAILING and usurped.detail.startswith("usurped, 1/3")


def test_success_resets_and_unknowns_neither_count_nor_reset(state_location: str) -> None:
    with open_store(state_location, UTC) as store:
        store.record(raw(LinkStatus.FAILING), T0, "a")
        store.record(raw(LinkStatus.BLOCKED, rule="http-403"), T0 + days(1), "b")
        kept = store.record(raw(LinkStatus.FAILING), T0 + days(2), "c")
        store.record(raw(LinkStatus.ALIVE, rule="ok"), T0 + days(3), "d")
        after = store.record(raw(LinkStatus.FAILING), T0 + days(4), "e")
    assert kept.failures == 2 and kept.failing_since == T0
    assert after.failures == 1 and after.failing_since == T0 + days(4)


def test_alive_reused_within_ttl(state_location: str) -> None:
    with open_store(state_location, UTC) as store:
        store.record(raw(LinkStatus.ALIVE, rule="ok"), T0, "r")
        assert store.fresh(URL, T0 + days(6)) is not None
        assert store.fresh(URL, T0 + days(8)) is None
        assert store.fresh("http://unknown.example/", T0) is None


def test_fresh_results_of_many_urls_in_one_question(state_location: str) -> None:
    # More URLs than one chunk of keys; alive, failing, old and unknown ones mixed.
    urls = [f"http://f{i % 9}.example/{i}" for i in range(1234)]
    with open_store(state_location, UTC) as store:
        with BatchWriter(store, "run", size=500, seconds=3600) as writer:
            for i, url in enumerate(urls[:1000]):
                status = LinkStatus.FAILING if i % 5 == 0 else LinkStatus.ALIVE
                writer.add(LinkResult(url, status, "http-404" if i % 5 == 0 else "ok"), T0)
        store.record(LinkResult(urls[1], LinkStatus.ALIVE, "ok"), T0 - days(30), "old")
        asked = [*urls, urls[3], "http://unknown.example/"]
        many = store.fresh_many(asked, T0 + days(1))
        one_by_one = {u: r for u in asked if (r := store.fresh(u, T0 + days(1))) is not None}
        assert many == one_by_one
        assert len(many) == 799 and urls[1] not in many  # 800 alive, one last checked long ago


def test_records_are_idempotent_per_run(state_location: str) -> None:
    with open_store(state_location, UTC) as store:
        first = store.record(raw(LinkStatus.FAILING), T0, "run-1")
        again = store.record(raw(LinkStatus.FAILING), T0 + dt.timedelta(hours=1), "run-1")
        assert first.failures == again.failures == 1
        assert len(store.checks_of(URL)) == 1


def test_batch_writer_one_transaction_per_batch(state_location: str) -> None:
    urls = [f"http://s{i % 7}.example/{i}" for i in range(1234)]
    with open_store(state_location, UTC) as store:
        with BatchWriter(store, "run", size=500, seconds=3600) as writer:
            for url in urls:
                writer.add(raw(LinkStatus.FAILING, url), T0)
        assert writer.batches == 3
        assert len(writer.verdicts) == len(urls)
        assert all(v.failures == 1 for v in store.verdicts(urls).values())
        assert len(store.verdicts(urls)) == len(urls)


def test_due_selection_budget_and_leftovers_first(state_location: str) -> None:
    big = [f"http://www.big.example/{i}" for i in range(10)]
    small = [f"http://small.example/{i}" for i in range(3)]
    with open_store(state_location, UTC) as store:
        assert store.add_links(big[:6], T0) == 6
        assert store.add_links([*big, *small, "mailto:x@y.example"], T0 + days(1)) == 8
        assert store.due_count(T0 + days(1)) == 13  # never the mailto
        night = T0 + days(1)
        first = store.claim_due(night, "n1", site_budget=4)
        assert sorted(first) == sorted(big[:4] + small)  # capped per site, oldest first
        assert store.claim_due(night, "n1b") == big[4:]  # leased rows are skipped
        for url in first:
            store.record(raw(LinkStatus.ALIVE, url, "ok"), night, "n1")
        # big[4:] were claimed but never recorded: the lease runs out, they stay due
        # with their older next_due, so they come first next time.
        later = night + days(1)
        nxt = store.claim_due(later, "n2", limit=3)
        assert nxt == big[4:7]
        assert store.due_count(later) == 6  # the alive ones are not due again yet


def test_schedule_of_next_checks(state_location: str) -> None:
    with open_store(state_location, UTC) as store:
        store.add_links([URL, "http://b.example/x", "http://c.example/y"], T0)
        store.claim_due(T0, "r", lease=dt.timedelta(0))
        store.record(raw(LinkStatus.FAILING), T0, "r")
        store.record(raw(LinkStatus.BLOCKED, "http://b.example/x", "http-429"), T0, "r")
        store.record(raw(LinkStatus.ALIVE, "http://c.example/y", "ok"), T0, "r")
        midnight = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
        assert store.claim_due(midnight - dt.timedelta(seconds=1), "x", lease=dt.timedelta(0)) == []
        assert store.claim_due(midnight, "x", lease=dt.timedelta(0)) == [URL]  # next night
        assert store.claim_due(T0 + days(1), "x", lease=dt.timedelta(0)) == [
            URL,
            "http://b.example/x",
        ]
        store.record(raw(LinkStatus.BLOCKED, "http://b.example/x", "http-429"), T0 + days(1), "s")
        assert "http://b.example/x" not in store.claim_due(
            T0 + days(2.9), "y", lease=dt.timedelta(0)
        )
        assert "http://b.example/x" in store.claim_due(T0 + days(3), "y", lease=dt.timedelta(0))
        assert (
            store.claim_due(T0 + days(5.9), "z", lease=dt.timedelta(0)).count("http://c.example/y")
            == 0
        )
        assert "http://c.example/y" in store.claim_due(T0 + days(8.1), "z", lease=dt.timedelta(0))


def test_partitions_select_only_their_sites(state_location: str) -> None:
    urls = [f"http://h{i}.site{i % 20}.com/p" for i in range(100)]
    with open_store(state_location, UTC) as store:
        store.add_links(urls, T0)
        part = part_of("site3.com")
        got = store.claim_due(T0, "r", part=part)
    assert got and all(part_of(site_of(u.split("/")[2])) == part for u in got)


def test_sites_and_partitions_are_stable() -> None:
    assert site_of("news.bbc.co.uk") == "bbc.co.uk"
    assert site_of("x.blogspot.com") == "x.blogspot.com"  # a private suffix: its own site
    assert site_of("127.0.0.2") == "127.0.0.2"
    assert part_of("bbc.co.uk") == part_of("bbc.co.uk") < 4096
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        assert pool.apply(part_of, ("bbc.co.uk",)) == part_of("bbc.co.uk")


def test_archive_cache(state_location: str) -> None:
    found = ArchiveResult(URL, ArchiveStatus.FOUND, detail="ok")
    miss = ArchiveResult("http://m.example/", ArchiveStatus.NONE, detail="none")
    with open_store(state_location, UTC) as store:
        store.snapshot_put(found, "2019-05-01", T0)
        store.snapshot_put(miss, "", T0)
        store.snapshot_put(ArchiveResult("http://p/", ArchiveStatus.PENDING), "", T0)
        got = store.snapshot_get(URL, "2019-05-01", T0 + days(400))
        assert got is not None and got.cached and got.status is ArchiveStatus.FOUND
        assert store.snapshot_get("http://m.example/", "", T0 + days(13)) is not None
        assert store.snapshot_get("http://m.example/", "", T0 + days(15)) is None
        assert store.snapshot_get("http://p/", "", T0) is None


def test_probes_and_rate_slots(state_location: str) -> None:
    with open_store(state_location, UTC) as store:
        store.probe_put("news.example.pdf", '{"status": 404}', T0)
        assert store.probe_get("news.example.pdf", T0 + days(29), days(30)) == '{"status": 404}'
        assert store.probe_get("news.example.pdf", T0 + days(31), days(30)) is None
        waits = [store.rate_slot("wayback", 0.5) for _ in range(3)]
    assert waits[0] < 0.1 and 0.3 < waits[1] < 0.6 and 0.8 < waits[2] < 1.1


def test_runs_for_the_trend(state_location: str) -> None:
    with open_store(state_location, UTC) as store:
        for i in range(3):
            store.start_run(f"r{i}", T0 + days(i), "refs.csv")
            store.finish_run(f"r{i}", T0 + days(i), i == 1, {"dead": i})
        runs = store.runs()
    assert [r["run_id"] for r in runs] == ["r0", "r1", "r2"]
    assert runs[1]["inconclusive"] and runs[-1]["counts"] == {"dead": 2}


def test_pages_and_citations(state_location: str) -> None:
    with open_store(state_location, UTC) as store:
        store.put_page("dump", "Alpha", [Citation("1", URL, {"title": "A"})], 1, T0)
        store.put_page("dump", "Beta", [Citation("1", "http://x.example/", {})], 2, T0)
        store.put_page("dump", "Alpha", [Citation("2", URL, {"title": "A2"})], 3, T0)
        assert store.load_position("dump") == 3
        alpha = store.citations(title="Alpha")
        assert [(c.title, c.citation.ref_id) for c in alpha] == [("Alpha", "2")]
        assert [c.title for c in store.citations(site="x.example")] == ["Beta"]
        store.record(raw(LinkStatus.FAILING, "http://x.example/"), T0, "r")
        assert [c.title for c in store.citations(worst=1)] == ["Beta"]


def _writer(location: str, run_id: str, urls: list[str]) -> None:
    with open_store(location, UTC) as store:
        for i in range(0, len(urls), 50):
            store.record_batch([raw(LinkStatus.FAILING, u) for u in urls[i : i + 50]], T0, run_id)


def test_two_runs_at_once_count_every_check_once(state_location: str) -> None:
    urls = [f"http://c{i % 9}.example/{i}" for i in range(300)]
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_writer, args=(state_location, f"run-{n}", urls[::-1] if n else urls))
        for n in range(2)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    with open_store(state_location, UTC) as store:
        verdicts = store.verdicts(urls)
        assert len(verdicts) == 300 and {v.failures for v in verdicts.values()} == {2}
        assert all(len(store.checks_of(u)) == 2 for u in urls[:20])


def _claimer(location: str, run_id: str, out: Any) -> None:
    with open_store(location, UTC) as store:
        got: list[str] = []
        while batch := store.claim_due(T0, run_id, limit=7):
            got.extend(batch)
        out.put(got)


def test_two_crawls_at_once_never_claim_the_same_url(state_location: str) -> None:
    urls = [f"http://d{i % 13}.example/{i}" for i in range(200)]
    with open_store(state_location, UTC) as store:
        store.add_links(urls, T0)
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_claimer, args=(state_location, f"c{n}", queue)) for n in range(2)]
    for proc in procs:
        proc.start()
    claimed = [queue.get(timeout=120), queue.get(timeout=120)]
    for proc in procs:
        proc.join(60)
    assert not set(claimed[0]) & set(claimed[1])
    assert sorted(claimed[0] + claimed[1]) == sorted(urls)


def _crash_mid_batch(location: str, urls: list[str]) -> None:
    import os

    from checker.store import sql

    calls = {"n": 0}
    original = sql.SQLStore.record_batch

    def record_batch(self: Any, raws: Any, now: Any, run_id: str = "") -> Any:
        calls["n"] += 1
        if calls["n"] == 3:  # die inside the third batch's transaction, before commit
            with self._tx() as cur:
                cur.execute("UPDATE links SET failures = 99")
                os._exit(9)
        return original(self, raws, now, run_id)

    sql.SQLStore.record_batch = record_batch  # type: ignore[method-assign]
    with open_store(location, UTC) as store, BatchWriter(store, "night", size=10) as writer:
        for url in urls:
            writer.add(raw(LinkStatus.FAILING, url), T0)


def test_a_run_killed_mid_batch_loses_only_the_open_batch(state_location: str) -> None:
    urls = [f"http://k.example/{i:02d}" for i in range(25)]
    with open_store(state_location, UTC) as store:
        store.add_links(urls, T0)
    proc = multiprocessing.get_context("spawn").Process(
        target=_crash_mid_batch, args=(state_location, urls)
    )
    proc.start()
    proc.join(120)
    assert proc.exitcode == 9
    with open_store(state_location, UTC) as store:
        kept = store.verdicts(urls)
        assert sorted(kept) == urls[:20]  # two whole batches, nothing of the third
        assert {v.failures for v in kept.values()} == {1}
        # The run is resumed with the same id: nothing is recorded twice.
        with BatchWriter(store, "night", size=10) as writer:
            for url in urls:
                writer.add(raw(LinkStatus.FAILING, url), T0 + dt.timedelta(minutes=5))
        after = store.verdicts(urls)
        assert len(after) == 25 and {v.failures for v in after.values()} == {1}
        assert all(len(store.checks_of(u)) == 1 for u in urls)


def test_batch_writer_flushes_every_second(tmp_path: Any) -> None:
    ticks = iter(range(100))
    with open_store(tmp_path / "s.sqlite", UTC) as store:
        writer = BatchWriter(store, "run", size=1000, seconds=3, clock=lambda: float(next(ticks)))
        for i in range(7):
            writer.add(raw(LinkStatus.ALIVE, f"http://t.example/{i}", "ok"), T0)
        assert writer.batches == 2  # at the 3rd and 6th second, not at the end
        assert len(store.verdicts([f"http://t.example/{i}" for i in range(7)])) == 6
        writer.flush()
        assert writer.batches == 3 and len(writer.verdicts) == 7


def test_a_database_state_has_no_local_state_file(tmp_path: Path) -> None:
    """The save and verify caches need a local SQLite file: none for either URL spelling."""
    from checker.links.runner import LinkConfig

    for url in ("postgresql://u@h/db", "postgres://u@h/db"):
        assert LinkConfig(state_path=url).local_state_file is None
    assert LinkConfig(state_path=None).local_state_file is None
    assert LinkConfig(state_path=tmp_path / "s.sqlite").local_state_file == tmp_path / "s.sqlite"
