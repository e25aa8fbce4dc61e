"""One archive budget for the whole cluster: a queue in the store, one consumer.

Partition tasks put their rotten links in ``archive_queue`` (newly dead first:
priority 0 dead, 1 soft-404/usurped, 2 failing).  :func:`drain` takes the most urgent
pending links and looks each up with the existing archive stage (CDX, availability,
validation, the snapshot cache), through :class:`BudgetClient`, which asks the database
before every call:

* a time slot from the store's ``rate_limits`` row (``60 / rate`` seconds apart plus
  0.1 s of slack, by the database's clock): at most ``rate`` calls a minute however
  many consumers run;
* the stop flag in ``archive_budget``: the archive's second 429 (``max_429``, counted by
  every consumer together) stops all lookups until ``stopped_until``.

Links whose lookup could not finish stay ``pending``: pending work is reported, never
dropped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from checker.archive.cache import ArchiveCache
from checker.archive.client import ArchiveClient, ArchiveConfig, ArchiveStopped
from checker.archive.rescue import RescueConfig, Rescuer
from checker.engine.schema import ensure_schema
from checker.model import ArchiveStatus, LinkResult, LinkStatus, Reference
from checker.store.base import Citation
from checker.store.dump import reference_of

WAYBACK_SLOT = "wayback"
PRIORITY = {LinkStatus.DEAD: 0, LinkStatus.SOFT_404: 1, LinkStatus.USURPED: 1}
FAILING_PRIORITY = 2
#: Added to every slot: a consumer thread that wakes late must not bring two calls
#: closer than the limit allows, as the archive sees them.
SLOT_SLACK = 0.1


def enqueue(store: Any, verdicts: Iterable[LinkResult], now: dt.datetime, run_id: str) -> int:
    """Queue the rotten verdicts for an archive lookup; return how many were queued.

    A link already queued keeps its place (moving up when its priority rises); one
    already looked up is not queued again (the snapshot cache keeps the answer)."""
    ensure_schema(store)
    rows = [
        (*store._kvals(v.url), PRIORITY.get(v.status, FAILING_PRIORITY), store._ts(now), run_id)
        for v in verdicts
        if v.status.rotten
    ]
    if not rows:
        return 0
    with store._tx() as cur:
        return int(
            cur.executemany(
                f"INSERT INTO archive_queue({store.KEY_COLS}, priority, enqueued, run_id) "
                f"VALUES ({store.KEY_PH}, ?, ?, ?) ON CONFLICT({store.KEY}) DO UPDATE SET "
                "priority = excluded.priority WHERE archive_queue.state = 'pending' "
                "AND archive_queue.priority > excluded.priority",
                rows,
            )
        )


def pending(store: Any) -> int:
    ensure_schema(store)
    with store._read() as cur:
        row = cur.execute("SELECT count(*) FROM archive_queue WHERE state = 'pending'").fetchone()
    return int(row[0])


def stopped_until(store: Any, now: dt.datetime) -> dt.datetime | None:
    """When lookups may start again, if the stop flag is up."""
    ensure_schema(store)
    with store._read() as cur:
        row = cur.execute(
            "SELECT stopped_until FROM archive_budget WHERE name = ?", (WAYBACK_SLOT,)
        ).fetchone()
    until = store._dt(row[0]) if row else None
    return until if until is not None and until > now else None


def strike(store: Any, max_429: int, stop_for: dt.timedelta, now: dt.datetime) -> bool:
    """Count one 429 from the archive; raise the stop flag at the ``max_429``-th (strikes
    older than ``stop_for`` are forgotten).  True when lookups must stop."""
    ensure_schema(store)
    with store._tx() as cur:
        cur.execute(
            "INSERT INTO archive_budget(name, strikes) VALUES (?, 0) ON CONFLICT(name) DO NOTHING",
            (WAYBACK_SLOT,),
        )
        row = cur.execute(
            f"SELECT strikes, last_strike FROM archive_budget WHERE name = ?{store.FOR_UPDATE}",
            (WAYBACK_SLOT,),
        ).fetchone()
        last = store._dt(row[1])
        strikes = (int(row[0]) if last is not None and now - last < stop_for else 0) + 1
        stop = strikes >= max_429
        cur.execute(
            "UPDATE archive_budget SET strikes = ?, last_strike = ?, stopped_until = ?, "
            "reason = ? WHERE name = ?",
            (
                0 if stop else strikes,
                store._ts(now),
                store._ts(now + stop_for) if stop else None,
                f"the archive answered 429 {strikes} times" if stop else None,
                WAYBACK_SLOT,
            ),
        )
    return stop


class BudgetClient(ArchiveClient):
    """The archive client, with its limit and its 429 rule kept in the database."""

    def __init__(
        self,
        config: ArchiveConfig,
        store: Any,
        *,
        stop_for: dt.timedelta = dt.timedelta(hours=1),
        sleep: Callable[[float], None] = time.sleep,
        on_call: Callable[[], None] | None = None,
        slack: float = SLOT_SLACK,
    ) -> None:
        # The database hands out the slots; the in-process limiter stays only as a
        # backstop (four times looser, so it never shifts a call off its slot).
        loose = dataclasses.replace(config, rate_per_minute=config.rate_per_minute * 4)
        super().__init__(loose, sleep=sleep)
        self.rate_per_minute = config.rate_per_minute
        self.slack = slack
        self.store = store
        self.stop_for = stop_for
        self._on_call = on_call

    def _slot(self) -> None:
        now = self.store.now()
        if stopped_until(self.store, now) is not None:
            self.stopped = True
            raise ArchiveStopped("archive lookups are stopped for the cluster (repeated 429s)")
        wait = self.store.rate_slot(WAYBACK_SLOT, 60.0 / self.rate_per_minute + self.slack)
        if wait > 0:
            self._sleep(wait)
        if self._on_call is not None:
            self._on_call()

    def _before_request(self) -> None:
        self._slot()

    def _rate_limited(self, retry_after: float | None) -> None:
        self.rate_limited += 1
        if strike(self.store, self.config.max_429, self.stop_for, self.store.now()):
            self.stopped = True
            raise ArchiveStopped(
                "the archive answered 429 again; lookups stopped for the whole cluster until "
                "the stop flag clears"
            )
        wait = retry_after if retry_after is not None else 60.0
        self._sleep(min(wait, self.config.max_retry_after))
        self._slot()  # the retry is a call like any other: it takes a slot


@dataclass(frozen=True, slots=True)
class DrainSummary:
    looked_up: int
    found: int
    calls: int
    pending: int
    stopped: str = ""


def _take(store: Any, holder: str, lease: dt.timedelta) -> str | None:
    """Take the most urgent pending link (skipping ones another consumer holds)."""
    now = store.now()
    skip = " FOR UPDATE SKIP LOCKED" if store.kind == "postgresql" else ""
    with store._tx() as cur:
        row = cur.execute(
            f"SELECT {store.KEY}, url FROM archive_queue WHERE state = 'pending' AND "
            "(taken_until IS NULL OR taken_until <= ?) ORDER BY priority, enqueued, url "
            f"LIMIT 1{skip}",
            (store._ts(now),),
        ).fetchone()
        if row is None:
            return None
        cur.execute(
            f"UPDATE archive_queue SET taken_until = ?, run_id = ? WHERE {store.KEY} = ?",
            (store._ts(now + lease), holder, row[0]),
        )
    return str(row[1])


def _settle(store: Any, url: str, state: str, detail: str) -> None:
    with store._tx() as cur:
        cur.execute(
            f"UPDATE archive_queue SET state = ?, taken_until = NULL, detail = ? "
            f"WHERE {store.KEY} = ?",
            (state, detail, store.key(url)),
        )


def _reference(store: Any, url: str) -> Reference:
    """The first stored citation of ``url`` (its title and dates guide validation)."""
    with store._read() as cur:
        row = cur.execute(
            "SELECT title, ref_id, fields FROM citations WHERE url = ? LIMIT 1", (url,)
        ).fetchone()
    if row is None:
        return Reference("queued", url=url)
    return reference_of(str(row[0]), Citation(str(row[1]), url, json.loads(row[2] or "{}")))


def drain(
    store: Any,
    state: str,
    config: ArchiveConfig,
    *,
    holder: str = "consumer",
    limit: int | None = None,
    seconds: float | None = None,
    stop_for: dt.timedelta = dt.timedelta(hours=1),
    sleep: Callable[[float], None] = time.sleep,
    on_call: Callable[[], None] | None = None,
) -> DrainSummary:
    """Look up queued links, most urgent first, within the cluster's archive budget.

    ``state`` is where the store lives (the snapshot cache opens it too); ``limit`` and
    ``seconds`` bound this consumer's share of the work."""
    ensure_schema(store)
    client = BudgetClient(config, store, stop_for=stop_for, sleep=sleep, on_call=on_call)
    cache = ArchiveCache(state)
    rescuer = Rescuer(RescueConfig(client=config, state_path=state), client, cache, store.now())
    started = time.monotonic()
    looked = found = 0
    stop_reason = ""
    try:
        while limit is None or looked < limit:
            if seconds is not None and time.monotonic() - started >= seconds:
                break
            if stopped_until(store, store.now()) is not None:
                stop_reason = "archive lookups are stopped for the cluster (repeated 429s)"
                break
            url = _take(store, holder, dt.timedelta(minutes=10))
            if url is None:
                break
            result = rescuer.find(_reference(store, url))
            looked += 1
            if result.status is ArchiveStatus.PENDING:
                _settle(store, url, "pending", result.detail)
                if client.stopped:
                    stop_reason = result.detail
                    break
                continue
            found += result.status is ArchiveStatus.FOUND
            _settle(store, url, "done", result.status.value)
    finally:
        client.close()
        cache.close()
    return DrainSummary(looked, found, client.calls, pending(store), stop_reason)
