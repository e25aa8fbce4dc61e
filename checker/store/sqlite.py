"""The default backend: one SQLite file (``.citewatch/state.sqlite``).

WAL journal set up once, a busy timeout, and every update in one ``BEGIN IMMEDIATE``
transaction, so two runs at once serialise instead of corrupting the file.  A state
file that is corrupt, truncated or not writable never stops a run: it is moved aside
(or left alone) with a one-line warning and the run goes on without memory.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from checker.store.dialect import Cursor
from checker.store.policy import Policy
from checker.store.sql import SQLStore

#: Versioned migrations; ``PRAGMA user_version`` is the version applied.
MIGRATIONS: tuple[str, ...] = (
    # 1: the schema of citewatch 0.1 (link history, checks, runs, archive cache)
    """
    CREATE TABLE IF NOT EXISTS links (
        url TEXT PRIMARY KEY,
        failures INTEGER NOT NULL DEFAULT 0,
        failing_since TEXT,
        last_checked TEXT NOT NULL,
        last_status TEXT NOT NULL,
        result TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS checks (
        url TEXT NOT NULL,
        checked_at TEXT NOT NULL,
        status TEXT NOT NULL,
        rule TEXT NOT NULL,
        http_status INTEGER,
        run_id TEXT
    );
    CREATE INDEX IF NOT EXISTS checks_url ON checks(url, checked_at);
    CREATE TABLE IF NOT EXISTS runs (
        run_id TEXT PRIMARY KEY,
        started TEXT NOT NULL,
        finished TEXT,
        input TEXT,
        inconclusive INTEGER NOT NULL DEFAULT 0,
        counts TEXT
    );
    CREATE TABLE IF NOT EXISTS snapshots (
        url TEXT NOT NULL,
        target TEXT NOT NULL,
        status TEXT NOT NULL,
        result TEXT NOT NULL,
        looked_up_at TEXT NOT NULL,
        PRIMARY KEY (url, target)
    );
    """,
    # 2: due-driven nights, sites and partitions, idempotent runs, leases, pages
    """
    ALTER TABLE links ADD COLUMN next_due TEXT;
    ALTER TABLE links ADD COLUMN last_run TEXT;
    ALTER TABLE links ADD COLUMN backoff REAL NOT NULL DEFAULT 0;
    ALTER TABLE links ADD COLUMN site TEXT;
    ALTER TABLE links ADD COLUMN part INTEGER;
    ALTER TABLE links ADD COLUMN lease_until TEXT;
    ALTER TABLE links ADD COLUMN lease_run TEXT;
    CREATE INDEX links_due ON links(part, next_due) WHERE next_due IS NOT NULL;
    CREATE INDEX links_next ON links(next_due) WHERE next_due IS NOT NULL;
    CREATE INDEX links_site ON links(site);
    CREATE TABLE sites (site TEXT PRIMARY KEY, part INTEGER NOT NULL, budget INTEGER);
    CREATE TABLE probes (probe_key TEXT PRIMARY KEY, payload TEXT NOT NULL,
                         probed_at TEXT NOT NULL);
    CREATE TABLE rate_limits (name TEXT PRIMARY KEY, next_at REAL NOT NULL,
                              stopped_until REAL);
    CREATE TABLE loads (source TEXT PRIMARY KEY, position INTEGER NOT NULL, updated TEXT);
    CREATE TABLE citations (source TEXT NOT NULL, title TEXT NOT NULL, ref_id TEXT NOT NULL,
                            url TEXT NOT NULL, fields TEXT,
                            PRIMARY KEY (source, title, ref_id));
    CREATE INDEX citations_url ON citations(url);
    """,
)
#: Files above this size skip the integrity check at open (it reads the whole file).
QUICK_CHECK_LIMIT = 64 * 1024 * 1024


class _SQLiteCursor(Cursor):
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._db.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        if not rows:
            return 0
        return max(self._db.executemany(sql, rows).rowcount, 0)


class SQLiteStore(SQLStore):
    """The state file.  Use as a context manager, or call :meth:`close`."""

    kind = "sqlite"

    def __init__(self, path: str | Path | None, policy: Policy | None = None) -> None:
        super().__init__(policy)
        self.path: Path | None = None if path in (None, ":memory:") else Path(str(path))
        self._lock = threading.RLock()
        self._db = self._open()

    # -- opening, robustly -----------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        if self.path is None:
            return self._connect(":memory:")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return self._connect(str(self.path), check=True)
        except sqlite3.DatabaseError as err:
            if _is_corrupt(err) and self._move_aside(str(err)):
                try:
                    return self._connect(str(self.path))
                except (sqlite3.Error, OSError) as again:
                    err = sqlite3.DatabaseError(str(again))
            reason = str(err)
        except OSError as err:
            reason = err.strerror or str(err)
        self.warn(f"state file {self.path} cannot be used ({reason}); this run remembers nothing")
        return self._connect(":memory:")

    def _move_aside(self, reason: str) -> bool:
        assert self.path is not None
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            os.replace(self.path, aside)
            for suffix in ("-wal", "-shm"):
                extra = Path(f"{self.path}{suffix}")
                if extra.exists():
                    os.replace(extra, Path(f"{aside}{suffix}"))
        except OSError:
            return False
        self.warn(f"state file {self.path} is damaged ({reason}); moved aside to {aside.name}")
        return True

    def _connect(self, target: str, check: bool = False) -> sqlite3.Connection:
        db = sqlite3.connect(target, timeout=30.0, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA busy_timeout=30000")
            # WAL + NORMAL: a killed run never corrupts the file or loses a commit;
            # only a power cut may drop the last commits (not fsynced one by one).
            db.execute("PRAGMA synchronous=NORMAL")
            if target != ":memory:":
                if check and os.path.getsize(target) <= QUICK_CHECK_LIMIT:
                    row = db.execute("PRAGMA quick_check").fetchone()
                    if row is None or row[0] != "ok":
                        raise sqlite3.DatabaseError(
                            f"database disk image is malformed: {row[0] if row else '?'}"
                        )
                _retry(lambda: self._wal(db))
            self._migrate(db)
            if target != ":memory:":
                _retry(lambda: self._probe_write(db))
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def _wal(db: sqlite3.Connection) -> None:
        """WAL set up once: switching needs the file to itself, so skip when done."""
        if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0].lower()
            if mode != "wal":
                raise sqlite3.OperationalError("database is locked")

    @staticmethod
    def _probe_write(db: sqlite3.Connection) -> None:
        """Fail now, not mid-run, when the file or its folder cannot be written."""
        db.execute("BEGIN IMMEDIATE")
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            db.execute(f"PRAGMA user_version = {int(version)}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        if db.execute("PRAGMA user_version").fetchone()[0] >= len(MIGRATIONS):
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script.split(";"):
                    if statement.strip():
                        _apply(db, statement)
                db.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    @property
    def remembers(self) -> bool:
        return self.path is not None and not self.notes

    # -- transactions ----------------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[Cursor]:
        with self._lock:
            _retry(lambda: self._db.execute("BEGIN IMMEDIATE"))
            try:
                yield _SQLiteCursor(self._db)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[Cursor]:
        with self._lock:
            yield _SQLiteCursor(self._db)

    def rate_slot(self, name: str, interval: float) -> float:
        """Seconds to wait before the next call of ``name`` (one call per ``interval``
        across every process sharing the file)."""
        with self._tx() as cur:
            now = time.time()
            row = cur.execute("SELECT next_at FROM rate_limits WHERE name = ?", (name,)).fetchone()
            start = max(now, row[0] if row else now)
            cur.execute(
                "INSERT INTO rate_limits(name, next_at) VALUES (?, ?) ON CONFLICT(name) "
                "DO UPDATE SET next_at = excluded.next_at",
                (name, start + interval),
            )
        return start - now


def _apply(db: sqlite3.Connection, statement: str) -> None:
    try:
        db.execute(statement)
    except sqlite3.OperationalError as err:
        # A file from before versioning may already hold a column or index.
        if "duplicate column" not in str(err) and "already exists" not in str(err):
            raise


def _is_corrupt(err: sqlite3.DatabaseError) -> bool:
    text = str(err).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


def _retry(action: Any, attempts: int = 60) -> Any:
    """Retry on "database is locked" (e.g. two runs creating the same new file)."""
    for attempt in range(attempts):
        try:
            return action()
        except sqlite3.OperationalError as err:
            if ("locked" not in str(err) and "busy" not in str(err)) or attempt == attempts - 1:
                raise
            time.sleep(min(0.05 * (attempt + 1), 0.5))
    return None
