"""Save results remembered in the state file (the SQLite file of the link history).

``saves`` holds the last outcome per URL (job, capture timestamp, error, when to ask
again); ``save_requests`` one row per capture started, so the daily limit holds across
runs.  Nothing here ever holds a credential.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from checker.model import SaveResult, SaveStatus

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS saves (
    url TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    job_id TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    archive_url TEXT NOT NULL,
    error TEXT NOT NULL,
    message TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    retry_after TEXT
)""",
    "CREATE TABLE IF NOT EXISTS save_requests (url TEXT NOT NULL, at TEXT NOT NULL)",
)


class SaveState:
    def __init__(self, path: Path | None) -> None:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            ":memory:" if path is None else str(path),
            timeout=30.0,
            isolation_level=None,
            check_same_thread=False,
        )
        self._db.execute("PRAGMA busy_timeout=30000")
        for statement in SCHEMA:
            self._db.execute(statement)

    def close(self) -> None:
        self._db.close()

    def get(self, url: str) -> tuple[SaveResult, dt.datetime | None] | None:
        """The last outcome for ``url`` and when it may be asked again (None: any time)."""
        row = self._db.execute(
            "SELECT status, job_id, timestamp, archive_url, error, message, requested_at, "
            "retry_after FROM saves WHERE url = ?",
            (url,),
        ).fetchone()
        if row is None:
            return None
        result = SaveResult(
            url,
            SaveStatus(row[0]),
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            dt.datetime.fromisoformat(row[6]),
            cached=True,
        )
        return result, dt.datetime.fromisoformat(row[7]) if row[7] else None

    def put(self, result: SaveResult, retry_at: dt.datetime | None) -> None:
        if result.status is SaveStatus.NOT_SENT or result.requested_at is None:
            return
        self._db.execute(
            "INSERT OR REPLACE INTO saves VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                result.url,
                result.status.value,
                result.job_id,
                result.timestamp,
                result.archive_url,
                result.error,
                result.message,
                result.requested_at.isoformat(),
                retry_at.isoformat() if retry_at else None,
            ),
        )

    def started(self, url: str, at: dt.datetime) -> None:
        self._db.execute("INSERT INTO save_requests VALUES (?, ?)", (url, at.isoformat()))

    def started_since(self, since: dt.datetime) -> int:
        row = self._db.execute(
            "SELECT COUNT(*) FROM save_requests WHERE at >= ?", (since.isoformat(),)
        ).fetchone()
        return int(row[0])
