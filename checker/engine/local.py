"""The in-process engine: partitions run on a pool of threads of this process."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed

from checker.engine.driver import OnDone, open_state
from checker.engine.partition import EngineConfig, PartitionSummary, check_partition


def run_one(part: int, run_id: str, config: EngineConfig, state: str) -> PartitionSummary:
    """Open the store, check one partition, close it (one database session per task)."""
    with open_state(state, config) as store:
        return check_partition(part, run_id, config, store)


class LocalEngine:
    """``--engine local``: ``parallel`` partitions at once in this process (sites never
    share a partition, so their politeness bounds still hold)."""

    def __init__(self, parallel: int = 4) -> None:
        self.parallel = parallel

    def run(
        self,
        parts: Sequence[int],
        run_id: str,
        config: EngineConfig,
        state: str,
        on_done: OnDone,
    ) -> list[PartitionSummary]:
        out: list[PartitionSummary] = []
        with ThreadPoolExecutor(max_workers=max(1, self.parallel)) as pool:
            futures = [pool.submit(run_one, part, run_id, config, state) for part in parts]
            for future in as_completed(futures):
                summary = future.result()
                out.append(summary)
                on_done(summary)
        return out
