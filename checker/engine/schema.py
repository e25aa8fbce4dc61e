"""The engine's own tables, in the same database as the store.

They are versioned apart from the store's schema (``engine_schema_version``), so the
store's migrations stay as they are; each version is applied once, under an advisory
lock on PostgreSQL (SQLite's write transaction serialises it there).

* ``part_runs``: one row per (run, partition): who holds it (a fencing token that
  grows with every take-over) and whether it is ``running``, ``done`` or
  ``inconclusive``.  A duplicated or retried task of a ``done`` partition does nothing.
* ``site_pauses``: a site paused across the cluster until a stored time (a 429 with
  Retry-After, a run of 5xx answers, a bot wall).
* ``archive_queue``: rotten links waiting for an archive lookup, by priority (newly
  dead first), drained by one consumer.
* ``archive_budget``: the archive's 429 strikes and its stop flag (the per-minute slots
  themselves are the store's ``rate_limits`` row).
"""

from __future__ import annotations

from typing import Any

_PG: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS part_runs (
        run_id text NOT NULL,
        part integer NOT NULL,
        token bigint NOT NULL DEFAULT 1,
        state text NOT NULL,
        holder text,
        started timestamptz,
        finished timestamptz,
        counts text,
        PRIMARY KEY (run_id, part)
    );
    CREATE TABLE IF NOT EXISTS site_pauses (
        site text PRIMARY KEY,
        paused_until timestamptz NOT NULL,
        reason text NOT NULL
    );
    CREATE TABLE IF NOT EXISTS archive_queue (
        url_hash bytea PRIMARY KEY,
        url text NOT NULL,
        priority integer NOT NULL,
        enqueued timestamptz NOT NULL,
        state text NOT NULL DEFAULT 'pending',
        taken_until timestamptz,
        run_id text,
        detail text
    );
    CREATE INDEX IF NOT EXISTS archive_queue_next ON archive_queue (priority, enqueued)
        WHERE state = 'pending';
    CREATE TABLE IF NOT EXISTS archive_budget (
        name text PRIMARY KEY,
        strikes integer NOT NULL DEFAULT 0,
        last_strike timestamptz,
        stopped_until timestamptz,
        reason text
    );
    """,
)
_SQLITE: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS part_runs (
        run_id TEXT NOT NULL, part INTEGER NOT NULL, token INTEGER NOT NULL DEFAULT 1,
        state TEXT NOT NULL, holder TEXT, started TEXT, finished TEXT, counts TEXT,
        PRIMARY KEY (run_id, part));
    CREATE TABLE IF NOT EXISTS site_pauses (
        site TEXT PRIMARY KEY, paused_until TEXT NOT NULL, reason TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS archive_queue (
        url TEXT PRIMARY KEY, priority INTEGER NOT NULL, enqueued TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending', taken_until TEXT, run_id TEXT, detail TEXT);
    CREATE INDEX IF NOT EXISTS archive_queue_next ON archive_queue (priority, enqueued)
        WHERE state = 'pending';
    CREATE TABLE IF NOT EXISTS archive_budget (
        name TEXT PRIMARY KEY, strikes INTEGER NOT NULL DEFAULT 0, last_strike TEXT,
        stopped_until TEXT, reason TEXT);
    """,
)
ENGINE_LOCK_CLASS = 0x63697466  # advisory-lock namespace of the engine ("citf")


def migrations(kind: str) -> tuple[str, ...]:
    return _PG if kind == "postgresql" else _SQLITE


def ensure_schema(store: Any) -> None:
    """Create or upgrade the engine's tables in ``store``'s database (once per store)."""
    if getattr(store, "_engine_schema", False):
        return
    scripts = migrations(store.kind)
    with store._tx() as cur:
        if store.kind == "postgresql":
            cur.execute("SELECT pg_advisory_xact_lock(?, 0)", (ENGINE_LOCK_CLASS,))
        cur.execute(
            "CREATE TABLE IF NOT EXISTS engine_schema_version (version integer PRIMARY KEY)"
        )
        row = cur.execute("SELECT coalesce(max(version), 0) FROM engine_schema_version").fetchone()
        for number, script in enumerate(scripts[row[0] :], start=row[0] + 1):
            for statement in script.split(";"):
                if statement.strip():
                    cur.execute(statement)
            cur.execute("INSERT INTO engine_schema_version(version) VALUES (?)", (number,))
    store._engine_schema = True
