"""The state file: confirmation across nights (injected clock), TTL reuse, resets,
unknowns that neither count nor reset, and two writers at once."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from pathlib import Path

from checker.links.history import History, Policy, result_from_json, result_to_json
from checker.model import Hop, LinkResult, LinkStatus

URL = "http://news.example/story"
T0 = dt.datetime(2026, 11, 1, 3, 0, tzinfo=dt.UTC)


def raw(status: LinkStatus, rule: str = "http-404") -> LinkResult:
    return LinkResult(
        URL,
        status,
        rule,
        http_status=404 if status is LinkStatus.FAILING else 200,
        hops=(Hop("HEAD", URL, 404), Hop("GET", URL, 404)),
    )


def nights(n: int, hours: int = 24) -> list[dt.datetime]:
    return [T0 + dt.timedelta(hours=hours * i) for i in range(n)]


def test_dead_on_the_third_night_three_failures_over_three_calendar_days(
    tmp_path: Path,
) -> None:
    with History(tmp_path / "s.sqlite", Policy(timezone="UTC")) as history:
        verdicts = [history.record(raw(LinkStatus.FAILING), when) for when in nights(3)]
    assert [v.status for v in verdicts] == [LinkStatus.FAILING] * 2 + [LinkStatus.DEAD]
    assert [v.failures for v in verdicts] == [1, 2, 3]
    assert verdicts[0].failing_since == T0
    assert "1/3 failed checks since 2026-11-01" in verdicts[0].detail


def test_three_failures_in_one_day_are_not_enough(tmp_path: Path) -> None:
    with History(tmp_path / "s.sqlite") as history:
        verdicts = [history.record(raw(LinkStatus.FAILING), w) for w in nights(5, hours=6)]
    assert all(v.status is LinkStatus.FAILING for v in verdicts)


def test_one_success_resets(tmp_path: Path) -> None:
    with History(tmp_path / "s.sqlite") as history:
        a, b, c, d = nights(4)
        history.record(raw(LinkStatus.FAILING), a)
        history.record(raw(LinkStatus.FAILING), b)
        history.record(raw(LinkStatus.ALIVE, "ok"), c)
        after = history.record(raw(LinkStatus.FAILING), d)
    assert after.status is LinkStatus.FAILING and after.failures == 1
    assert after.failing_since == d


def test_unknowns_neither_count_nor_reset(tmp_path: Path) -> None:
    with History(tmp_path / "s.sqlite") as history:
        a, b, c, d = nights(4)
        history.record(raw(LinkStatus.FAILING), a)
        blocked = history.record(raw(LinkStatus.BLOCKED, "http-403"), b)
        history.record(raw(LinkStatus.TRANSIENT, "http-503"), c)
        after = history.record(raw(LinkStatus.FAILING), d)
    assert blocked.status is LinkStatus.BLOCKED
    assert after.failures == 2 and after.failing_since == a


def test_confirm_now_accepts_a_single_check(tmp_path: Path) -> None:
    with History(tmp_path / "s.sqlite", Policy(confirm_now=True)) as history:
        assert history.record(raw(LinkStatus.FAILING), T0).status is LinkStatus.DEAD


def test_configurable_policy(tmp_path: Path) -> None:
    with History(tmp_path / "s.sqlite", Policy(confirm_checks=2, confirm_days=1)) as history:
        a, b = nights(2)
        history.record(raw(LinkStatus.FAILING), a)
        assert history.record(raw(LinkStatus.FAILING), b).status is LinkStatus.DEAD


def test_alive_results_are_reused_within_ttl(tmp_path: Path) -> None:
    with History(tmp_path / "s.sqlite") as history:
        history.record(raw(LinkStatus.ALIVE, "ok"), T0)
        reused = history.fresh(URL, T0 + dt.timedelta(days=6))
        assert reused is not None and reused.status is LinkStatus.ALIVE
        assert reused.hops == raw(LinkStatus.ALIVE).hops
        assert history.fresh(URL, T0 + dt.timedelta(days=8)) is None
        history.record(raw(LinkStatus.FAILING), T0 + dt.timedelta(days=9))
        assert history.fresh(URL, T0 + dt.timedelta(days=9)) is None


def test_state_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "state" / "s.sqlite"
    a, b, c = nights(3, hours=36)
    with History(path) as history:
        history.record(raw(LinkStatus.FAILING), a)
    with History(path) as history:
        history.record(raw(LinkStatus.FAILING), b)
    with History(path) as history:
        assert history.record(raw(LinkStatus.FAILING), c).status is LinkStatus.DEAD
        assert len(history.checks_of(URL)) == 3


def test_json_round_trip() -> None:
    result = raw(LinkStatus.FAILING)
    assert result_from_json(result_to_json(result)) == result


def test_runs_for_the_trend(tmp_path: Path) -> None:
    with History(tmp_path / "s.sqlite") as history:
        for i, when in enumerate(nights(3)):
            history.start_run(f"r{i}", when, "references.csv")
            history.finish_run(f"r{i}", when, False, {"dead": i})
        runs = history.runs()
    assert [r["run_id"] for r in runs] == ["r0", "r1", "r2"]
    assert runs[-1]["counts"] == {"dead": 2}


def _writer(path: str, offset: int) -> None:
    with History(path) as history:
        for i in range(100):
            url = f"http://w{offset}.example/{i}"
            history.record(
                LinkResult(url, LinkStatus.FAILING, "http-404"), T0 + dt.timedelta(minutes=i)
            )


def test_two_runs_at_once_do_not_corrupt(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sqlite")
    History(path).close()
    procs = [
        multiprocessing.get_context("spawn").Process(target=_writer, args=(path, n))
        for n in range(2)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    import sqlite3

    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT COUNT(*) FROM links").fetchone() == (200,)
    assert db.execute("SELECT COUNT(*) FROM checks").fetchone() == (200,)
