"""Archive results remembered in the state (the same store as link history).

A validated capture is never looked up again; a miss (no capture, blocked site) is
retried after ``miss_ttl``; pending lookups are not remembered at all.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from checker.model import ArchiveResult
from checker.store import open_store


class ArchiveCache:
    """The archive stage's view of the store (``None``: nothing remembered)."""

    def __init__(
        self, path: Path | str | None, miss_ttl: dt.timedelta = dt.timedelta(days=14)
    ) -> None:
        self.miss_ttl = miss_ttl
        self._store = open_store(path)

    def close(self) -> None:
        self._store.close()

    def get(self, url: str, target: str, now: dt.datetime) -> ArchiveResult | None:
        return self._store.snapshot_get(url, target, now, self.miss_ttl)

    def put(self, result: ArchiveResult, target: str, now: dt.datetime) -> None:
        self._store.snapshot_put(result, target, now)
