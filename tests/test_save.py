"""Save Page Now 2 through real sockets: the SPN2 double (checker.testing.archive_double.
SpnDouble) for every outcome — done, each documented error code, the session limit,
429, a job that never finishes, no keys — and the state cache across runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from checker.model import (
    ArchiveResult,
    ArchiveStatus,
    LinkResult,
    LinkStatus,
    Reference,
    SaveStatus,
    Snapshot,
)
from checker.save import Credentials, SaveConfig, save_findings, save_links
from checker.save.client import SaveClient, SaveStopped
from checker.save.policy import ACTIONS, Action
from checker.save.runner import SaveRun, wanted
from checker.testing.spn_double import SpnDouble

KEYS = Credentials("test-access", "test-secret")


@pytest.fixture
def spn() -> Iterator[SpnDouble]:
    with SpnDouble(timestamp="20261127083000") as double:
        yield double


def refs_for(*urls: str) -> list[Reference]:
    return [Reference(id=str(i), url=u, access_date="2026-11-01") for i, u in enumerate(urls, 1)]


def alive(refs: list[Reference]) -> dict[str, LinkResult]:
    return {r.url: LinkResult(r.url, LinkStatus.ALIVE, "http-200") for r in refs}


def config(spn: SpnDouble, **changes: object) -> SaveConfig:
    settings: dict[str, object] = {
        "base_url": spn.base_url,
        "poll_interval": 0.01,
        "job_deadline": 2.0,
        "per_minute": 600,
        "max_retry_after": 5,
    }
    settings.update(changes)
    return SaveConfig(**settings)  # type: ignore[arg-type]


def save(
    spn: SpnDouble,
    refs: list[Reference],
    state: Path | None = None,
    keys: Credentials | None = KEYS,
    **changes: object,
) -> SaveRun:
    return save_links(refs, alive(refs), {}, config(spn, **changes), keys, state_path=state)


def posts(spn: SpnDouble) -> int:
    return sum(1 for _, method, path in spn.requests if method == "POST" and path == "/save")


def test_done_capture_is_polled_to_success_and_remembered(spn: SpnDouble, tmp_path: Path) -> None:
    spn.polls = 3  # pending twice, then success
    refs = refs_for("http://news.example/a")
    state = tmp_path / "state.sqlite"
    run = save(spn, refs, state)
    result = run.results["http://news.example/a"]
    assert result.status is SaveStatus.CAPTURED
    assert result.timestamp == "20261127083000"
    assert result.archive_url == "https://web.archive.org/web/20261127083000/http://news.example/a"
    form = spn.submissions[0]
    assert form == {
        "url": "http://news.example/a",
        "skip_first_archive": "1",
        "if_not_archived_within": "365d",
    }
    statuses = [p for _, m, p in spn.requests if p.startswith("/save/status/spn2")]
    assert len(statuses) == 3 and run.sent == 1
    finding = next(save_findings(refs, run))
    assert finding.code == "new-capture"
    assert dict(finding.suggested) == {
        "archive_url": result.archive_url,
        "archive_date": "2026-11-27",
        "url_status": "live",
    }
    # The next run asks nothing: the capture is younger than --save-if-older.
    before = len(spn.requests)
    again = save(spn, refs, state)
    assert len(spn.requests) == before
    assert again.results["http://news.example/a"].cached
    assert next(save_findings(refs, again)).code == "new-capture"


@pytest.mark.parametrize("code", sorted(ACTIONS))
def test_each_documented_error_code(spn: SpnDouble, tmp_path: Path, code: str) -> None:
    first, second = "http://news.example/a", "http://news.example/b"
    spn.fail(first, code)
    refs = refs_for(first, second)
    state = tmp_path / "state.sqlite"
    run = save(spn, refs, state, max_jobs=1)
    action = ACTIONS[code]
    failed = run.results[first]
    if action is Action.WAIT:
        # The account's sessions are full and no job of ours runs: stop, never loop.
        assert run.stopped and code in run.stopped
    else:
        assert failed.status is SaveStatus.ERROR and failed.error == code
    assert sum(1 for f in spn.submissions if f["url"] == first) == 1  # never retried
    other = run.results[second]
    if action in (Action.RUN, Action.WAIT):
        assert other.status is SaveStatus.NOT_SENT and run.stopped
        assert next(f.code for f in save_findings(refs, run)) == "save-stopped"
    elif action is Action.HOST:
        assert other.status is SaveStatus.NOT_SENT and "turned SPN2 away" in other.message
    else:
        assert other.status is SaveStatus.CAPTURED and not run.stopped
        codes = {f.code for f in save_findings(refs, run)}
        assert codes == {"save-failed", "new-capture"}
    if action in (Action.URL, Action.LATER, Action.HOST):
        # Remembered with a date to ask again: the next run does not resend it.
        before = posts(spn)
        save(spn, refs_for(first), state)
        assert posts(spn) == before


def test_error_at_submit_is_handled_like_an_error_of_the_job(spn: SpnDouble) -> None:
    spn.fail("http://news.example/a", "error:blocked-url", at_submit=True)
    run = save(spn, refs_for("http://news.example/a"))
    result = run.results["http://news.example/a"]
    assert result.status is SaveStatus.ERROR and result.error == "error:blocked-url"
    assert "30 days" in result.message and run.sent == 0


def test_session_limit_waits_for_a_running_job_then_tries_once_more(spn: SpnDouble) -> None:
    spn.session_limit = 1  # the account says 1 is available, but the limit is reached
    spn.polls = 3
    refs = refs_for("http://news.example/a", "http://blog.example/b")
    run = save(spn, refs, max_jobs=2)
    assert spn.available == 4  # /save/status/user let us start 2 jobs at once
    assert all(r.status is SaveStatus.CAPTURED for r in run.results.values())
    # b was refused once while a ran, sent again after a finished, never a third time.
    assert [f["url"] for f in spn.submissions].count("http://blog.example/b") == 2
    assert not run.stopped


def test_http_429_waits_once_then_the_second_stops_saving(spn: SpnDouble) -> None:
    spn.rate_limit(after=0, retry_after=0, times=1)
    refs = refs_for("http://news.example/a")
    run = save(spn, refs)
    assert run.results["http://news.example/a"].status is SaveStatus.CAPTURED

    spn.rate_limit(after=0, retry_after=0)  # every request: 429
    refs = refs_for("http://news.example/c", "http://news.example/d")
    before = len(spn.requests)
    run = save(spn, refs)
    assert "429" in run.stopped
    assert len(spn.requests) - before == 2  # the user status, one capture: then stop
    assert {r.status for r in run.results.values()} == {SaveStatus.NOT_SENT}


def test_a_long_retry_after_stops_at_once(spn: SpnDouble) -> None:
    spn.rate_limit(after=1, retry_after=3600)
    run = save(spn, refs_for("http://news.example/a"))
    assert "429" in run.stopped and posts(spn) == 1


def test_a_job_pending_past_the_deadline_is_left_for_the_next_run(
    spn: SpnDouble, tmp_path: Path
) -> None:
    spn.slow("http://news.example/slow", None)
    refs = refs_for("http://news.example/slow", "http://news.example/a")
    state = tmp_path / "state.sqlite"
    run = save(spn, refs, state, job_deadline=0.3)
    slow = run.results["http://news.example/slow"]
    assert slow.status is SaveStatus.TIMEOUT and slow.job_id
    assert run.results["http://news.example/a"].status is SaveStatus.CAPTURED
    assert {f.code for f in save_findings(refs, run)} == {"save-failed", "new-capture"}
    spn.slow("http://news.example/slow", 1)
    again = save(spn, refs_for("http://news.example/slow"), state)
    assert again.results["http://news.example/slow"].status is SaveStatus.CAPTURED


def test_no_keys_sends_nothing_and_says_so_once(spn: SpnDouble) -> None:
    refs = refs_for("http://news.example/a", "http://news.example/b")
    run = save(spn, refs, keys=None)
    assert run.no_keys and not run.results and spn.requests == []
    findings = list(save_findings(refs, run))
    assert [f.code for f in findings] == ["save-no-keys"]
    assert Credentials.from_env({"CITEWATCH_IA_ACCESS": "x"}) is None
    assert Credentials.from_env({"CITEWATCH_IA_ACCESS": "x", "CITEWATCH_IA_SECRET": "y"})


def test_wrong_keys_stop_saving_without_showing_them(spn: SpnDouble) -> None:
    wrong = Credentials("AKIAWRONGACCESS", "wrong-secret-value")
    run = save(spn, refs_for("http://news.example/a"), keys=wrong)
    assert "refused the credentials" in run.stopped and spn.auth_failures >= 1
    assert "AKIAWRONGACCESS" not in run.stopped and "wrong-secret-value" not in run.stopped
    client = SaveClient(config(spn), wrong)
    with pytest.raises(SaveStopped) as raised:
        client.submit("http://news.example/a", "1d")
    assert "wrong-secret" not in str(raised.value) and "AKIAWRONG" not in repr(raised.value)
    assert "wrong" not in repr(wrong) and "wrong" not in str(wrong)
    client.close()


def test_daily_limit_is_counted_across_runs(spn: SpnDouble, tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    save(spn, refs_for("http://news.example/a", "http://news.example/b"), state, per_day=2)
    run = save(spn, refs_for("http://news.example/c"), state, per_day=2)
    assert "daily limit" in run.stopped
    assert run.results["http://news.example/c"].status is SaveStatus.NOT_SENT
    assert posts(spn) == 2


def test_captures_per_minute_are_spaced(spn: SpnDouble) -> None:
    waits: list[float] = []
    moment = [0.0]

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        moment[0] += seconds

    refs = refs_for("http://news.example/a", "http://news.example/b", "http://news.example/c")
    run = save_links(
        refs,
        alive(refs),
        {},
        config(spn, per_minute=2, max_jobs=1),
        KEYS,
        clock=lambda: moment[0],
        sleep=sleep,
    )
    assert all(r.status is SaveStatus.CAPTURED for r in run.results.values())
    assert sum(waits) >= 60.0  # the third capture waited for the minute to pass


def test_only_live_links_without_a_recent_capture_are_wanted() -> None:
    now = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
    since = now - dt.timedelta(days=365)
    ref = Reference(id="1", url="http://news.example/a")
    live = LinkResult(ref.url, LinkStatus.ALIVE, "http-200")
    assert wanted(ref, live, None, since)
    assert wanted(ref, LinkResult(ref.url, LinkStatus.REDIRECTED, "http-301"), None, since)
    assert not wanted(ref, LinkResult(ref.url, LinkStatus.DEAD, "http-404"), None, since)
    assert not wanted(ref, LinkResult(ref.url, LinkStatus.BLOCKED, "http-403"), None, since)
    titled = Reference(id="3", url=ref.url, title="Harbour plan approved by the council")
    other = LinkResult(ref.url, LinkStatus.ALIVE, "http-200", title="Summer festival moves")
    assert not wanted(titled, other, None, since)  # drifted: not the cited page any more
    same = LinkResult(ref.url, LinkStatus.ALIVE, "http-200", title="Harbour plan approved")
    assert wanted(titled, same, None, since)
    archived = Reference(id="2", url=ref.url, archive_url="https://web.archive.org/web/2019/x")
    assert not wanted(archived, live, None, since)

    def found(captured: dt.datetime) -> ArchiveResult:
        snap = Snapshot("u", ref.url, "x", captured, None, None, "", "", "cdx")
        return ArchiveResult(ref.url, ArchiveStatus.FOUND, snap)

    assert not wanted(ref, live, found(dt.datetime(2026, 6, 1)), since)
    assert wanted(ref, live, found(dt.datetime(2020, 6, 1)), since)


def test_keys_refused_while_polling_end_the_run_at_once(spn: SpnDouble) -> None:
    spn.slow("http://news.example/a", None)
    spn.revoke_keys(after=4)  # user status, the capture, two status polls: then 401
    run = save(spn, refs_for("http://news.example/a"), job_deadline=30.0)
    assert [path for _, _, path in spn.requests][:2] == ["/save/status/user", "/save"]
    assert len(spn.requests) == 5
    result = run.results["http://news.example/a"]
    assert result.status is SaveStatus.TIMEOUT and "refused the credentials" in result.message
    assert "refused the credentials" in run.stopped
    assert spn.auth_failures == 1  # the first 401 ended every request
