"""The store interface: everything the link and archive stages remember across runs.

Two backends implement it: :mod:`checker.store.sqlite` (one file, the default) and
:mod:`checker.store.postgres` (a shared database, ``--state postgresql://…``).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol, Self

from checker.model import ArchiveResult, LinkResult
from checker.store.policy import Policy


class StateError(Exception):
    """The state cannot be used at all (a one-line message for the user)."""


@dataclass(frozen=True, slots=True)
class Citation:
    """One cited URL of a loaded page, with the citation's fields."""

    ref_id: str
    url: str
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PageCitation:
    source: str
    title: str
    citation: Citation


class Store(Protocol):
    """What a backend offers; times are aware datetimes (``now()`` is the store's clock)."""

    policy: Policy
    kind: str
    notes: list[str]

    def __enter__(self) -> Self: ...
    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    def close(self) -> None: ...
    def now(self) -> dt.datetime: ...

    # link history and confirmation
    def fresh(self, url: str, now: dt.datetime) -> LinkResult | None: ...
    def fresh_many(self, urls: Sequence[str], now: dt.datetime) -> dict[str, LinkResult]: ...
    def record(self, raw: LinkResult, now: dt.datetime, run_id: str = "") -> LinkResult: ...
    def record_batch(
        self, raws: Sequence[LinkResult], now: dt.datetime, run_id: str = ""
    ) -> list[LinkResult]: ...
    def checks_of(self, url: str) -> list[tuple[str, str]]: ...
    def verdicts(self, urls: Sequence[str]) -> dict[str, LinkResult]: ...

    # runs and their trend
    def start_run(self, run_id: str, started: dt.datetime, source: str) -> None: ...
    def finish_run(
        self, run_id: str, finished: dt.datetime, inconclusive: bool, counts: dict[str, int]
    ) -> None: ...
    def runs(self, limit: int = 60) -> list[dict[str, Any]]: ...

    # due-driven nights
    def add_links(self, urls: Iterable[str], now: dt.datetime) -> int: ...
    def claim_due(
        self,
        now: dt.datetime,
        run_id: str,
        *,
        limit: int | None = None,
        site_budget: int | None = None,
        part: int | None = None,
        lease: dt.timedelta = dt.timedelta(hours=12),
    ) -> list[str]: ...
    def release(self, run_id: str) -> None: ...
    def due_count(self, now: dt.datetime) -> int: ...

    # archive lookups, soft-404 probes, rate-limit slots
    def snapshot_get(
        self, url: str, target: str, now: dt.datetime, miss_ttl: dt.timedelta | None = None
    ) -> ArchiveResult | None: ...
    def snapshot_put(self, result: ArchiveResult, target: str, now: dt.datetime) -> None: ...
    def probe_get(self, key: str, now: dt.datetime, ttl: dt.timedelta) -> str | None: ...
    def probe_get_many(
        self, keys: Sequence[str], now: dt.datetime, ttl: dt.timedelta
    ) -> dict[str, str]: ...
    def probe_put(self, key: str, payload: str, now: dt.datetime) -> None: ...
    def probe_put_many(self, items: Sequence[tuple[str, str]], now: dt.datetime) -> None: ...
    def rate_slot(self, name: str, interval: float) -> float: ...

    # pages loaded from a dump, and slices for reports
    def load_position(self, source: str) -> int: ...
    def put_page(
        self,
        source: str,
        title: str,
        citations: Sequence[Citation],
        position: int,
        now: dt.datetime,
    ) -> None: ...
    def put_pages(
        self,
        source: str,
        pages: Sequence[tuple[str, Sequence[Citation]]],
        position: int,
        now: dt.datetime,
    ) -> None: ...
    def citations(
        self, *, title: str | None = None, site: str | None = None, worst: int | None = None
    ) -> list[PageCitation]: ...


class BatchWriter:
    """Results recorded in batches: one transaction per ``size`` results or per
    ``seconds``, whichever comes first, and the rest on :meth:`flush` / exit.

    A run killed mid-batch loses only the open batch; records are idempotent per
    run id, so re-recording after a crash never counts a failure twice.
    """

    def __init__(
        self,
        store: Store,
        run_id: str,
        size: int = 500,
        seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store, self.run_id, self.size, self.seconds = store, run_id, size, seconds
        self._clock = clock
        self._open: list[LinkResult] = []
        self._now: dt.datetime | None = None
        self._last = clock()
        self.verdicts: dict[str, LinkResult] = {}
        self.batches = 0

    def add(self, raw: LinkResult, now: dt.datetime) -> None:
        if self._now is not None and now != self._now:
            self.flush()
        self._open.append(raw)
        self._now = now
        if len(self._open) >= self.size or self._clock() - self._last >= self.seconds:
            self.flush()

    def flush(self) -> None:
        if self._open and self._now is not None:
            for verdict in self.store.record_batch(self._open, self._now, self.run_id):
                self.verdicts[verdict.url] = verdict
            self.batches += 1
        self._open = []
        self._last = self._clock()

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.flush()
