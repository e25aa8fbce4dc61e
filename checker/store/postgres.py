"""The shared backend: PostgreSQL through psycopg 3, plain SQL, versioned migrations.

Selected by ``--state postgresql://user@host/db``.  Times come from the database
(``clock_timestamp()``), never from a worker's clock.  Rows a batch updates are locked
in key order (``SELECT … FOR UPDATE``), so two runs at once never lose or double-count a
check; due claims are serialised by a transaction-scoped advisory lock and leased.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from checker.store.base import StateError
from checker.store.dialect import Cursor
from checker.store.policy import Policy
from checker.store.sql import SQLStore

#: Versioned migrations, applied in order and recorded in ``schema_version``.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE sites (
        site text PRIMARY KEY,
        part integer NOT NULL,
        budget integer
    );
    CREATE TABLE links (
        url_hash bytea PRIMARY KEY,
        url text NOT NULL,
        site text,
        part integer,
        next_due timestamptz,
        failures integer NOT NULL DEFAULT 0,
        failing_since timestamptz,
        last_checked timestamptz,
        last_status text,
        last_run text,
        backoff real NOT NULL DEFAULT 0,
        lease_until timestamptz,
        lease_run text,
        result text
    );
    CREATE INDEX links_due ON links (part, next_due) WHERE next_due IS NOT NULL;
    CREATE INDEX links_next ON links (next_due) WHERE next_due IS NOT NULL;
    CREATE INDEX links_site ON links (site);
    CREATE TABLE checks (
        url_hash bytea NOT NULL,
        url text NOT NULL,
        checked_at timestamptz NOT NULL,
        status text NOT NULL,
        rule text NOT NULL,
        http_status integer,
        run_id text
    );
    CREATE INDEX checks_url ON checks (url_hash, checked_at);
    CREATE TABLE runs (
        run_id text PRIMARY KEY,
        started timestamptz NOT NULL,
        finished timestamptz,
        input text,
        inconclusive boolean NOT NULL DEFAULT false,
        counts text
    );
    CREATE TABLE snapshots (
        url_hash bytea NOT NULL,
        url text NOT NULL,
        target text NOT NULL,
        status text NOT NULL,
        result text NOT NULL,
        looked_up_at timestamptz NOT NULL,
        PRIMARY KEY (url_hash, target)
    );
    CREATE TABLE probes (
        probe_key text PRIMARY KEY,
        payload text NOT NULL,
        probed_at timestamptz NOT NULL
    );
    CREATE TABLE rate_limits (
        name text PRIMARY KEY,
        next_at timestamptz NOT NULL,
        stopped_until timestamptz
    );
    CREATE TABLE loads (
        source text PRIMARY KEY,
        position bigint NOT NULL,
        updated timestamptz
    );
    CREATE TABLE citations (
        source text NOT NULL,
        title text NOT NULL,
        ref_id text NOT NULL,
        url text NOT NULL,
        fields text,
        PRIMARY KEY (source, title, ref_id)
    );
    CREATE INDEX citations_url ON citations (url);
    """,
)
_LOCK_CLASS = 0x63697465  # advisory-lock namespace ("cite")


def url_hash(url: str) -> bytes:
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).digest()


class _PGCursor(Cursor):
    def __init__(self, cur: Any) -> None:
        self._cur = cur
        self.raw = cur

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._cur.execute(sql.replace("?", "%s"), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        if not rows:
            return 0
        self._cur.executemany(sql.replace("?", "%s"), rows)
        return max(int(self._cur.rowcount), 0)


class PostgresStore(SQLStore):
    kind = "postgresql"
    KEY = "url_hash"
    KEY_COLS = "url_hash, url"
    KEY_PH = "?, ?"
    FOR_UPDATE = " FOR UPDATE"
    MAX_KEY = 10_000

    def __init__(self, dsn: str, policy: Policy | None = None) -> None:
        super().__init__(policy)
        try:
            import psycopg
        except ImportError:
            raise StateError(
                "a postgresql:// state needs the scale extra: pip install 'citewatch[scale]'"
            ) from None
        self.dsn = dsn
        self._lock = threading.RLock()
        try:
            self._conn = psycopg.connect(dsn, autocommit=True, connect_timeout=15)
        except psycopg.Error as err:
            message = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise StateError(f"cannot connect to the state database: {message}") from None
        self.migrate()

    def migrate(self) -> None:
        """Apply the migrations this database lacks (serialised by an advisory lock)."""
        with self._tx() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(?, 0)", (_LOCK_CLASS,))
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, "
                "applied timestamptz NOT NULL DEFAULT clock_timestamp())"
            )
            row = cur.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
            for number, script in enumerate(MIGRATIONS[row[0] :], start=row[0] + 1):
                for statement in script.split(";"):
                    if statement.strip():
                        cur.execute(statement)
                cur.execute("INSERT INTO schema_version(version) VALUES (?)", (number,))

    def close(self) -> None:
        self._conn.close()

    def now(self) -> dt.datetime:
        """The database's clock: every worker agrees on it."""
        with self._read() as cur:
            value: dt.datetime = cur.execute("SELECT clock_timestamp()").fetchone()[0]
        return value

    def key(self, url: str) -> Any:
        return url_hash(url)

    def _kvals(self, url: str) -> tuple[Any, ...]:
        return (url_hash(url), url)

    def _kvals_of(self, url: str, key: Any) -> tuple[Any, ...]:
        return (key, url)

    def _ts(self, when: dt.datetime | None) -> Any:
        return when

    def _in(self, column: str, keys: Sequence[Any]) -> tuple[str, list[Any]]:
        return f"{column} = ANY(?)", [list(keys)]

    def _empty(self) -> str:
        return "NULL"

    def _bool(self, value: bool) -> Any:
        return value

    def _key_sql(self, column: str) -> str:
        return f"sha256(convert_to({column}, 'UTF8'))"

    def _write_results(
        self, cur: Cursor, updates: Sequence[Sequence[Any]], checks: Sequence[Sequence[Any]]
    ) -> None:
        """Links updated by one statement over arrays (one round trip, one plan, not a
        statement per row); checks appended with COPY."""
        assert isinstance(cur, _PGCursor)
        columns = list(zip(*updates, strict=True))
        cur.raw.execute(  # %b: arrays sent in binary (text arrays escape every element)
            "UPDATE links AS l SET failures = u.failures, failing_since = u.failing_since, "
            "last_checked = u.last_checked, last_status = u.last_status, result = u.result, "
            "next_due = u.next_due, last_run = u.last_run, backoff = u.backoff, "
            "lease_until = NULL, lease_run = NULL "
            "FROM unnest(%b::integer[], %b::timestamptz[], %b::timestamptz[], %b::text[], "
            "%b::text[], %b::timestamptz[], %b::text[], %b::real[], %b::bytea[]) "
            "AS u(failures, failing_since, last_checked, last_status, result, next_due, "
            "last_run, backoff, url_hash) WHERE l.url_hash = u.url_hash",
            [list(column) for column in columns],
        )
        with cur.raw.copy(
            "COPY checks (url_hash, url, checked_at, status, rule, http_status, run_id) FROM STDIN"
        ) as copy:
            for row in checks:
                copy.write_row(row)

    def _lock_claims(self, cur: Cursor, part: int | None) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(?, 1)", (_LOCK_CLASS,))

    @contextmanager
    def _tx(self) -> Iterator[Cursor]:
        with self._lock, self._conn.transaction(), self._conn.cursor() as cur:
            yield _PGCursor(cur)

    @contextmanager
    def _read(self) -> Iterator[Cursor]:
        with self._lock, self._conn.cursor() as cur:
            yield _PGCursor(cur)

    def rate_slot(self, name: str, interval: float) -> float:
        """Seconds to wait before the next call of ``name``: slots handed out atomically
        from one row, by the database's clock, across every worker."""
        with self._tx() as cur:
            cur.execute(
                "INSERT INTO rate_limits(name, next_at) VALUES (?, clock_timestamp()) "
                "ON CONFLICT(name) DO NOTHING",
                (name,),
            )
            row = cur.execute(
                "UPDATE rate_limits SET next_at = greatest(next_at, clock_timestamp()) "
                "+ make_interval(secs => ?) WHERE name = ? "
                "RETURNING extract(epoch FROM next_at - make_interval(secs => ?) "
                "- clock_timestamp())",
                (interval, name, interval),
            ).fetchone()
        return max(float(row[0]), 0.0)
