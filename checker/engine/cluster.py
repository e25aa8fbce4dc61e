"""The Dask engine: one future per partition on a ``distributed`` cluster.

Nothing correctness-critical lives in Dask: a partition's ownership, its "done" mark,
the archive budget and site pauses are all in the database, so a task Dask runs twice
(a retry, a duplicate, a worker lost mid-task) does no harm.  Only futures are used
(``Client.submit`` with ``retries``, ``as_completed``); the configuration travels as
plain data in the task arguments, and every worker must run this citewatch version.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from checker import __version__
from checker.engine.driver import OnDone
from checker.engine.partition import EngineConfig, PartitionSummary


class EngineError(Exception):
    """The cluster cannot be used (a one-line message for the user)."""


def worker_version() -> str:
    import checker

    return checker.__version__


def partition_task(part: int, run_id: str, config: EngineConfig, state: str) -> PartitionSummary:
    """What a worker runs for one partition."""
    if config.version != worker_version():
        raise EngineError(
            f"worker runs citewatch {worker_version()}, the driver {config.version}: "
            "install the same version everywhere"
        )
    from checker.engine.local import run_one

    return run_one(part, run_id, config, state)


class DaskEngine:
    """``--engine dask``: ``scheduler`` (``tls://host:8786``) or a ``LocalCluster`` of
    ``local_workers`` processes on this machine."""

    def __init__(
        self,
        scheduler: str | None = None,
        local_workers: int = 2,
        threads_per_worker: int = 4,
        retries: int = 2,
        duplicate: bool = False,
    ) -> None:
        self.scheduler = scheduler
        self.local_workers = local_workers
        self.threads_per_worker = threads_per_worker
        self.retries = retries
        self.duplicate = duplicate  #: submit every partition twice (tests and bench)
        self.client: Any = None
        self.cluster: Any = None

    def __enter__(self) -> DaskEngine:
        try:
            from distributed import Client, LocalCluster  # untyped library
        except ImportError:
            raise EngineError(
                "--engine dask needs the scale extra: pip install 'citewatch[scale]'"
            ) from None
        try:
            if self.scheduler:
                self.client = Client(self.scheduler, timeout=30)  # type: ignore[no-untyped-call]
            else:
                self.cluster = LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=self.local_workers,
                    threads_per_worker=self.threads_per_worker,
                    processes=True,
                    dashboard_address="127.0.0.1:0",  # loopback, a free port: no clash
                    host="127.0.0.1",
                    silence_logs=40,
                )
                self.client = Client(self.cluster)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as err:
            self.close()
            raise EngineError(f"cannot reach the Dask scheduler: {err}") from None
        self.check_versions()
        return self

    def check_versions(self) -> dict[str, str]:
        """Every worker's citewatch version; an error unless all equal the driver's."""
        versions: dict[str, str] = self.client.run(worker_version)
        wrong = {w: v for w, v in versions.items() if v != __version__}
        if wrong:
            worker, version = next(iter(wrong.items()))
            raise EngineError(
                f"worker {worker} runs citewatch {version}, this driver {__version__}: "
                "install the same version on every worker"
            )
        return versions

    def worker_pids(self) -> dict[str, int]:
        pids: dict[str, int] = self.client.run(os.getpid)
        return pids

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def run(
        self,
        parts: Sequence[int],
        run_id: str,
        config: EngineConfig,
        state: str,
        on_done: OnDone,
    ) -> list[PartitionSummary]:
        from distributed import as_completed

        copies = 2 if self.duplicate else 1
        futures = {
            self.client.submit(
                partition_task, part, run_id, config, state, retries=self.retries, pure=False
            ): part
            for _ in range(copies)
            for part in parts
        }
        out: list[PartitionSummary] = []
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            try:
                summary: PartitionSummary = future.result()
            except EngineError:
                raise
            except Exception as err:  # a lost worker beyond its retries: swept again
                summary = PartitionSummary(
                    futures[future], "failed", reason=f"{type(err).__name__}: {err}"
                )
            out.append(summary)
            on_done(summary)
        return out


def drain_task(state: str, config: Any, holder: str, seconds: float) -> Any:
    """An archive consumer on a worker (the budget holds however many run)."""
    from checker.engine.archive import drain
    from checker.store import open_store

    with open_store(state) as store:
        return drain(store, state, config, holder=holder, seconds=seconds)
