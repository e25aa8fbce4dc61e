"""The save stage: ask Save Page Now 2 to capture live links that have no recent archive.

A link is sent when it was judged ``alive`` or ``redirected``, the reference has no
``archive_url``, and no capture younger than ``if_older_days`` is known (from the
archive stage, or from an earlier save in the state file).  SPN2 is asked with
``skip_first_archive=1`` and ``if_not_archived_within=<days>d``, so it returns a recent
capture instead of making a new one.  Jobs are polled every ``poll_interval`` seconds
until ``success``, ``error`` or ``job_deadline``.

Limits of its own, apart from the archive lookups: at most ``max_jobs`` jobs at once
(and no more than the account's available sessions, asked once from
``/save/status/user``), ``per_minute`` captures started per minute and ``per_day`` per
24 hours (counted in the state file, so across runs).  A 429 from SPN2 waits for its
``Retry-After`` once; the second stops saving for the run.  Error codes are handled as
:mod:`checker.save.policy` says; nothing is retried blindly.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from checker.links.classify import drifted
from checker.model import (
    ArchiveResult,
    LinkResult,
    LinkStatus,
    Reference,
    SaveResult,
    SaveStatus,
)
from checker.save.client import (
    Credentials,
    JobAnswer,
    RateLimited,
    SaveClient,
    SaveConfig,
    SaveStopped,
    SaveUnavailable,
)
from checker.save.policy import Action, action_for, retry_after
from checker.save.state import SaveState

_LIVE = (LinkStatus.ALIVE, LinkStatus.REDIRECTED)
_MAX_UNAVAILABLE = 3  #: calls in a row that fail before saving stops for the run


@dataclass(frozen=True, slots=True)
class SaveRun:
    results: dict[str, SaveResult]  #: by cited URL (new this run, or remembered)
    stopped: str = ""  #: why saving stopped early ('' when it did not)
    no_keys: bool = False  #: --save without credentials: nothing was sent
    sent: int = 0  #: captures started this run
    calls: int = 0  #: SPN2 requests made this run


@dataclass
class _Job:
    url: str
    job_id: str
    started: float
    requested_at: dt.datetime
    retried: bool


@dataclass
class _Loop:
    config: SaveConfig
    client: SaveClient
    state: SaveState
    now: Callable[[], dt.datetime]
    clock: Callable[[], float]
    sleep: Callable[[float], None]
    results: dict[str, SaveResult] = field(default_factory=dict)
    stopped: str = ""
    sent: int = 0
    jobs: int = 1
    rate_limited: int = 0
    unavailable: int = 0
    refused: bool = False  #: SPN2 refused the keys: no more requests at all
    window: deque[float] = field(default_factory=deque)
    active: dict[str, _Job] = field(default_factory=dict)
    queue: deque[tuple[str, bool]] = field(default_factory=deque)
    pushed_back: set[str] = field(default_factory=set)  #: hosts that turned SPN2 away

    # -- outcomes ------------------------------------------------------------------------

    def record(self, result: SaveResult, retry_at: dt.datetime | None = None) -> None:
        self.results[result.url] = result
        self.state.put(result, retry_at)

    def captured(self, url: str, answer: JobAnswer, job_id: str, at: dt.datetime) -> None:
        original = answer.original_url or url
        playback = f"{self.config.playback_url.rstrip('/')}/web/{answer.timestamp}/{original}"
        self.record(
            SaveResult(
                url,
                SaveStatus.CAPTURED,
                job_id,
                answer.timestamp,
                playback,
                message=answer.message,
                requested_at=at,
            )
        )

    def failed(self, job: _Job, answer: JobAnswer) -> None:
        code = answer.status_ext or "error:unknown"
        action = action_for(code)
        if action is Action.WAIT and not job.retried and self.active:
            # The account's sessions are full: wait for one of our jobs, then once more.
            self.jobs = max(1, len(self.active))
            self.queue.appendleft((job.url, True))
            return
        if action is Action.WAIT:
            why = "again after a wait" if job.retried else "with no job of this run running"
            self.stop(f"SPN2 said {code} {why}: {answer.message}")
        elif action is Action.RUN:
            self.stop(f"SPN2 said {code}: {answer.message}")
        elif action is Action.HOST:
            self.pushed_back.add(_host(job.url))
        self.record(
            SaveResult(
                job.url,
                SaveStatus.ERROR,
                job.job_id,
                error=code,
                message=f"{answer.message} ({action.value})".strip(),
                requested_at=job.requested_at,
            ),
            job.requested_at + retry_after(action),
        )

    def stop(self, why: str) -> None:
        if not self.stopped:
            self.stopped = why

    def limited(self, err: RateLimited) -> bool:
        """A 429: wait as told (True), or stop saving (False)."""
        self.rate_limited += 1
        wait = err.retry_after if err.retry_after is not None else 60.0
        if self.rate_limited >= self.config.max_429 or wait > self.config.max_retry_after:
            self.stop(
                f"SPN2 answered HTTP 429 {self.rate_limited} time(s); saving stopped for this "
                "run to respect its limits"
            )
            return False
        self.sleep(wait)
        return True

    def unusable(self, err: SaveUnavailable) -> None:
        self.unavailable += 1
        if self.unavailable >= _MAX_UNAVAILABLE:
            self.stop(f"SPN2 failed {self.unavailable} times in a row ({err})")

    # -- the loop ------------------------------------------------------------------------

    def minute_wait(self) -> float:
        """Seconds until another capture may start under ``per_minute``."""
        moment = self.clock()
        while self.window and moment - self.window[0] >= 60.0:
            self.window.popleft()
        if len(self.window) < max(1, int(self.config.per_minute)):
            return 0.0
        return 60.0 - (moment - self.window[0])

    def submit_some(self) -> None:
        while self.queue and len(self.active) < self.jobs and not self.stopped:
            day_ago = self.now() - dt.timedelta(days=1)
            if self.state.started_since(day_ago) >= self.config.per_day:
                self.stop(f"the daily limit of {self.config.per_day} captures is reached")
                return
            wait = self.minute_wait()
            if wait > 0:
                if self.active:
                    return  # poll meanwhile
                self.sleep(wait)
                continue
            url, retried = self.queue.popleft()
            if _host(url) in self.pushed_back:
                self.results[url] = SaveResult(
                    url,
                    SaveStatus.NOT_SENT,
                    message="the host turned SPN2 away (error:too-many-requests) in this run",
                )
                continue
            at = self.now()
            try:
                answer = self.client.submit(url, f"{self.config.if_older_days}d")
            except RateLimited as err:
                self.queue.appendleft((url, retried))
                if not self.limited(err):
                    return
                continue
            except SaveStopped as err:
                self.queue.appendleft((url, retried))
                self.stop(str(err))
                return
            except SaveUnavailable as err:
                self.unusable(err)
                self.record(
                    SaveResult(url, SaveStatus.ERROR, error="unavailable", message=str(err),
                               requested_at=at),
                    at + retry_after(Action.LATER),
                )  # fmt: skip
                continue
            self.unavailable = 0
            self.window.append(self.clock())
            job = _Job(url, answer.job_id, self.clock(), at, retried)
            if answer.job_id:
                self.state.started(url, at)
                self.sent += 1
            if answer.status == "error":
                self.failed(job, answer)
            elif answer.status == "success" and answer.timestamp:
                self.captured(url, answer, answer.job_id, at)
            else:
                self.active[answer.job_id] = job

    def poll(self) -> None:
        self.sleep(self.config.poll_interval)
        for job_id, job in list(self.active.items()):
            if self.rate_limited >= self.config.max_429:
                break
            try:
                answer = self.client.status(job_id)
            except RateLimited as err:
                if not self.limited(err):
                    break
                continue
            except SaveStopped as err:
                self.stop(str(err))
                self.refused = True
                break
            except SaveUnavailable as err:
                self.unusable(err)
                answer = JobAnswer("pending", job_id)
            else:
                self.unavailable = 0
            if answer.status == "success" and answer.timestamp:
                del self.active[job_id]
                self.captured(job.url, answer, job_id, job.requested_at)
            elif answer.status == "error":
                del self.active[job_id]
                self.failed(job, answer)
            elif self.clock() - job.started >= self.config.job_deadline:
                del self.active[job_id]
                self.record(
                    SaveResult(
                        job.url,
                        SaveStatus.TIMEOUT,
                        job_id,
                        message=f"still pending after {self.config.job_deadline:g} s; "
                        "asked again on the next run",
                        requested_at=job.requested_at,
                    )
                )
            if len(self.active) < self.jobs and self.queue and not self.stopped:
                break  # a session is free: start the next capture first

    def run(self) -> None:
        while (self.queue and not self.stopped) or self.active:
            self.submit_some()
            if self.active and self.rate_limited < self.config.max_429 and not self.refused:
                self.poll()
            elif self.active:
                for job in self.active.values():  # 429s or refused keys: no more polling
                    self.results[job.url] = SaveResult(
                        job.url,
                        SaveStatus.TIMEOUT,
                        job.job_id,
                        message=f"not followed to the end: {self.stopped}",
                        requested_at=job.requested_at,
                    )
                self.active.clear()
        for url, _ in self.queue:
            self.results.setdefault(
                url, SaveResult(url, SaveStatus.NOT_SENT, message=f"not sent: {self.stopped}")
            )


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def wanted(
    ref: Reference,
    link: LinkResult | None,
    archive: ArchiveResult | None,
    since: dt.datetime,
) -> bool:
    """A live link without an archive_url and without a capture younger than ``since``,
    still titled like the citation."""
    if link is None or link.status not in _LIVE or ref.archive_url.strip():
        return False
    if not ref.url.lower().startswith(("http://", "https://")):
        return False
    if ref.title and link.title and drifted(ref.title, link.title):
        return False  # no longer the cited page: a capture now would preserve the wrong one
    snap = archive.snapshot if archive is not None else None
    return snap is None or snap.captured.replace(tzinfo=dt.UTC) < since


def save_links(
    refs: Sequence[Reference],
    links: Mapping[str, LinkResult],
    archives: Mapping[str, ArchiveResult],
    config: SaveConfig | None = None,
    credentials: Credentials | None = None,
    *,
    state_path: Path | None = None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> SaveRun:
    """Request captures of the live links that need one (nothing without credentials)."""
    config = config or SaveConfig()
    started = now()
    since = started - dt.timedelta(days=config.if_older_days)
    urls = [
        ref.url.strip()
        for ref in refs
        if wanted(ref, links.get(ref.url.strip()), archives.get(ref.url.strip()), since)
    ]
    urls = list(dict.fromkeys(urls))
    if credentials is None:
        return SaveRun({}, no_keys=True)
    state = SaveState(state_path)
    client = SaveClient(config, credentials)
    loop = _Loop(config, client, state, now, clock, sleep)
    try:
        for url in urls:
            remembered = state.get(url)
            if remembered is not None:
                result, retry_at = remembered
                fresh = result.status is SaveStatus.CAPTURED and (
                    result.captured is not None and result.captured.replace(tzinfo=dt.UTC) >= since
                )
                waiting = result.status is SaveStatus.ERROR and retry_at and retry_at > started
                if fresh or waiting:
                    loop.results[url] = result
                    continue
            loop.queue.append((url, False))
        if loop.queue:
            available = None
            try:
                available = client.user_status()
            except RateLimited as err:
                loop.limited(err)
            except SaveStopped as err:
                loop.stop(str(err))
            jobs = config.max_jobs if available is None else min(config.max_jobs, available[0])
            loop.jobs = max(1, jobs)
            loop.run()
    finally:
        client.close()
        state.close()
    return SaveRun(loop.results, loop.stopped, sent=loop.sent, calls=client.calls)
