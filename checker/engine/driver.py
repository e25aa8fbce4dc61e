"""One night over partitions: find the due partitions, run them on an engine, sweep
up partitions a dead or busy task left, and report as partitions finish."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from checker.engine import ownership
from checker.engine.partition import EngineConfig, PartitionSummary, portable
from checker.engine.schema import ensure_schema
from checker.store import open_store

OnDone = Callable[[PartitionSummary], None]


class Engine(Protocol):
    """Runs ``check_partition`` for each partition somewhere; calls ``on_done`` as each
    one finishes (in the driver's process) and returns every summary."""

    def run(
        self,
        parts: Sequence[int],
        run_id: str,
        config: EngineConfig,
        state: str,
        on_done: OnDone,
    ) -> list[PartitionSummary]: ...


@dataclass(frozen=True, slots=True)
class CrawlSummary:
    run_id: str
    partitions: int
    outcomes: dict[str, int]
    checked: int
    counts: dict[str, int]
    still_due: int
    queued: int
    seconds: float
    summaries: tuple[PartitionSummary, ...] = field(default=(), repr=False)

    @property
    def inconclusive(self) -> bool:
        return self.outcomes.get("inconclusive", 0) > 0


def open_state(state: str, config: EngineConfig) -> Any:
    return open_store(state, config.links.policy)


def due_partitions(store: Any, now: dt.datetime) -> list[int]:
    """Partitions with a link due at ``now`` (through the ``links_due`` index)."""
    with store._read() as cur:
        rows = cur.execute(
            "SELECT DISTINCT part FROM links WHERE next_due IS NOT NULL AND next_due <= ? "
            "AND part IS NOT NULL ORDER BY part",
            (store._ts(now),),
        ).fetchall()
    return [int(r[0]) for r in rows]


def crawl(
    state: str,
    config: EngineConfig,
    engine: Engine,
    *,
    run_id: str | None = None,
    parts: Sequence[int] | None = None,
    on_done: OnDone | None = None,
    rounds: int = 3,
) -> CrawlSummary:
    """Check everything due in ``state`` (or only ``parts``) on ``engine``."""
    began = time.monotonic()
    config = dataclasses.replace(config, links=portable(config.links))
    with open_state(state, config) as store:
        ensure_schema(store)
        now = store.now()
        run_id = run_id or f"crawl-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        store.start_run(run_id, now, "crawl")
        todo = list(parts) if parts is not None else due_partitions(store, now)
    summaries: list[PartitionSummary] = []

    def done(summary: PartitionSummary) -> None:
        summaries.append(summary)
        if on_done is not None:
            on_done(summary)

    engine.run(todo, run_id, config, state, done)
    for _ in range(rounds - 1):  # a busy or failed task: run what is not settled again
        with open_state(state, config) as store:
            states = ownership.part_states(store, run_id)
        left = [p for p in todo if states.get(p) not in ("done", "inconclusive")]
        if not left:
            break
        time.sleep(config.busy_wait)
        engine.run(left, run_id, config, state, done)
    final = [s for s in summaries if s.outcome in ("checked", "inconclusive")]
    counts: Counter[str] = Counter()
    for s in final:
        counts.update(s.counts)
    outcomes = Counter(s.outcome for s in summaries)
    with open_state(state, config) as store:
        store.finish_run(run_id, store.now(), outcomes.get("inconclusive", 0) > 0, dict(counts))
        still = store.due_count(store.now())
    return CrawlSummary(
        run_id,
        len(todo),
        dict(outcomes),
        sum(s.checked for s in final),
        dict(counts),
        still,
        sum(s.queued for s in final),
        time.monotonic() - began,
        tuple(summaries),
    )
