"""History across nights: a SQLite state file of every check.

A link is ``dead`` only after ``confirm_checks`` failed checks spanning at least
``confirm_days`` days (InternetArchiveBot's rule, defaults 3 and 3); until then it is
``failing`` with the count and the date of its first failure.  One success resets it.
``blocked`` and ``transient`` verdicts are unknowns: they neither count nor reset.
Alive results are reused for ``alive_ttl`` so a nightly run re-checks only what is due.

Concurrency: WAL journal, a busy timeout, and every update in one ``BEGIN IMMEDIATE``
transaction, so two runs at once serialise instead of corrupting the file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.model import Hop, LinkResult, LinkStatus

SCHEMA = """
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
"""

#: Verdicts that count toward confirmation (the raw verdict of one check).
COUNTS_AS_FAILURE = frozenset({LinkStatus.FAILING, LinkStatus.DEAD})
#: Verdicts that prove the link works and reset the count.
COUNTS_AS_SUCCESS = frozenset({LinkStatus.ALIVE, LinkStatus.REDIRECTED})


@dataclass(frozen=True, slots=True)
class Policy:
    """Confirmation and reuse policy (every field a CLI flag)."""

    confirm_checks: int = 3
    confirm_days: float = 3.0
    alive_ttl: dt.timedelta = dt.timedelta(days=7)
    confirm_now: bool = False


def _iso(when: dt.datetime | None) -> str | None:
    return when.isoformat() if when else None


def _from_iso(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def result_to_json(result: LinkResult) -> str:
    data: dict[str, Any] = dataclasses.asdict(result)
    data["status"] = result.status.value
    data["checked_at"] = _iso(result.checked_at)
    data["failing_since"] = _iso(result.failing_since)
    return json.dumps(data, ensure_ascii=False)


def result_from_json(text: str) -> LinkResult:
    data = json.loads(text)
    data["status"] = LinkStatus(data["status"])
    data["hops"] = tuple(Hop(**hop) for hop in data["hops"])
    data["checked_at"] = _from_iso(data["checked_at"])
    data["failing_since"] = _from_iso(data["failing_since"])
    known = {f.name for f in dataclasses.fields(LinkResult)}
    return LinkResult(**{k: v for k, v in data.items() if k in known})


class History:
    """The state file.  Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: str | Path, policy: Policy | None = None) -> None:
        self.path = Path(path)
        self.policy = policy or Policy()
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            str(path), timeout=30.0, isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        with self._transaction():
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- reuse --------------------------------------------------------------------------

    def fresh(self, url: str, now: dt.datetime) -> LinkResult | None:
        """The stored result if it was alive and checked within the TTL."""
        row = self._db.execute(
            "SELECT last_checked, last_status, result FROM links WHERE url = ?", (url,)
        ).fetchone()
        if row is None or LinkStatus(row[1]) not in COUNTS_AS_SUCCESS:
            return None
        checked = _from_iso(row[0])
        if checked is None or now - checked > self.policy.alive_ttl:
            return None
        return result_from_json(row[2])

    # -- recording ------------------------------------------------------------------------

    def record(self, raw: LinkResult, now: dt.datetime, run_id: str = "") -> LinkResult:
        """Store one check; return the verdict with confirmation applied."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT failures, failing_since FROM links WHERE url = ?", (raw.url,)
            ).fetchone()
            failures, since = (row[0], _from_iso(row[1])) if row else (0, None)
            if raw.status in COUNTS_AS_FAILURE:
                failures += 1
                since = since or now
            elif raw.status in COUNTS_AS_SUCCESS:
                failures, since = 0, None
            verdict = self._confirm(raw, failures, since, now)
            db.execute(
                "INSERT INTO checks(url, checked_at, status, rule, http_status, run_id) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (raw.url, now.isoformat(), raw.status.value, raw.rule, raw.http_status, run_id),
            )
            db.execute(
                "INSERT INTO links(url, failures, failing_since, last_checked, last_status, "
                "result) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
                "failures = excluded.failures, failing_since = excluded.failing_since, "
                "last_checked = excluded.last_checked, last_status = excluded.last_status, "
                "result = excluded.result",
                (
                    raw.url,
                    failures,
                    _iso(since),
                    now.isoformat(),
                    raw.status.value,
                    result_to_json(verdict),
                ),
            )
        return verdict

    def _confirm(
        self, raw: LinkResult, failures: int, since: dt.datetime | None, now: dt.datetime
    ) -> LinkResult:
        status = raw.status
        detail = raw.detail
        if status in COUNTS_AS_FAILURE and since is not None:
            span = (now - since).total_seconds() / 86400
            confirmed = self.policy.confirm_now or (
                failures >= self.policy.confirm_checks and span >= self.policy.confirm_days
            )
            status = LinkStatus.DEAD if confirmed else LinkStatus.FAILING
            if not confirmed:
                detail = (
                    f"{detail} ({failures}/{self.policy.confirm_checks} failed checks since "
                    f"{since.date().isoformat()}; dead once confirmed over "
                    f"{self.policy.confirm_days:g} days)"
                ).strip()
        return dataclasses.replace(
            raw,
            status=status,
            detail=detail,
            failures=failures,
            failing_since=since,
            checked_at=now,
        )

    # -- runs -----------------------------------------------------------------------------

    def start_run(self, run_id: str, started: dt.datetime, source: str) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO runs(run_id, started, input) VALUES (?, ?, ?)",
                (run_id, started.isoformat(), source),
            )

    def finish_run(
        self, run_id: str, finished: dt.datetime, inconclusive: bool, counts: dict[str, int]
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE runs SET finished = ?, inconclusive = ?, counts = ? WHERE run_id = ?",
                (finished.isoformat(), int(inconclusive), json.dumps(counts), run_id),
            )

    def runs(self, limit: int = 60) -> list[dict[str, Any]]:
        """The latest finished runs, oldest first (for the trend chart)."""
        rows = self._db.execute(
            "SELECT run_id, started, finished, inconclusive, counts FROM runs "
            "WHERE finished IS NOT NULL ORDER BY started DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [
            {
                "run_id": r[0],
                "started": r[1],
                "finished": r[2],
                "inconclusive": bool(r[3]),
                "counts": json.loads(r[4] or "{}"),
            }
            for r in reversed(rows)
        ]

    def checks_of(self, url: str) -> list[tuple[str, str]]:
        """(checked_at, status) of every recorded check of ``url``, oldest first."""
        return [
            (r[0], r[1])
            for r in self._db.execute(
                "SELECT checked_at, status FROM checks WHERE url = ? ORDER BY checked_at", (url,)
            )
        ]
