"""Archive results remembered in the state file (the same SQLite file as link history).

A validated capture is never looked up again; a miss (no capture, blocked site) is
retried after ``miss_ttl``; pending lookups are not remembered at all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

from checker.model import ArchiveResult, ArchiveStatus, Candidate, Snapshot

SCHEMA = """
CREATE TABLE IF NOT EXISTS snapshots (
    url TEXT NOT NULL,
    target TEXT NOT NULL,
    status TEXT NOT NULL,
    result TEXT NOT NULL,
    looked_up_at TEXT NOT NULL,
    PRIMARY KEY (url, target)
)
"""


def _to_json(result: ArchiveResult) -> str:
    data: dict[str, Any] = dataclasses.asdict(result)
    data["status"] = result.status.value
    if result.snapshot is not None:
        snap = data["snapshot"]
        snap["captured"] = result.snapshot.captured.isoformat()
        snap["target"] = result.snapshot.target.isoformat() if result.snapshot.target else None
    return json.dumps(data, ensure_ascii=False)


def _from_json(text: str) -> ArchiveResult:
    data = json.loads(text)
    snap = data.get("snapshot")
    snapshot = None
    if snap:
        snap["captured"] = dt.datetime.fromisoformat(snap["captured"])
        snap["target"] = dt.date.fromisoformat(snap["target"]) if snap["target"] else None
        snapshot = Snapshot(**snap)
    return ArchiveResult(
        url=data["url"],
        status=ArchiveStatus(data["status"]),
        snapshot=snapshot,
        candidates=tuple(Candidate(**c) for c in data["candidates"]),
        lookups=0,
        detail=data["detail"],
        cached=True,
    )


class ArchiveCache:
    def __init__(self, path: Path | None, miss_ttl: dt.timedelta = dt.timedelta(days=14)) -> None:
        self.miss_ttl = miss_ttl
        target = ":memory:" if path is None else str(path)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            target, timeout=30.0, isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.execute(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def get(self, url: str, target: str, now: dt.datetime) -> ArchiveResult | None:
        row = self._db.execute(
            "SELECT status, result, looked_up_at FROM snapshots WHERE url = ? AND target = ?",
            (url, target),
        ).fetchone()
        if row is None:
            return None
        expired = now - dt.datetime.fromisoformat(row[2]) > self.miss_ttl
        if ArchiveStatus(row[0]) is not ArchiveStatus.FOUND and expired:
            return None
        return _from_json(row[1])

    def put(self, result: ArchiveResult, target: str, now: dt.datetime) -> None:
        if result.status in (ArchiveStatus.PENDING, ArchiveStatus.SKIPPED):
            return
        self._db.execute(
            "INSERT OR REPLACE INTO snapshots(url, target, status, result, looked_up_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (result.url, target, result.status.value, _to_json(result), now.isoformat()),
        )
