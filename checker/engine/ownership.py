"""At most one task per partition, enforced by the database, not by the engine.

On PostgreSQL a task takes the session advisory lock ``(ENGINE_LOCK_CLASS, part)`` on the
very connection its store writes through: if the worker dies, the connection closes,
the lock goes with it and so does any chance of a late write (the lock and the writes
share one session).  ``part_runs`` remembers each (run, partition): a task that finds it
``done`` does nothing; one that finds it ``running`` under an older token takes over
(the previous holder is dead, or it would still hold the lock) with a new fencing token,
and the final ``done`` is written only under the token it was given.

SQLite has one writer process by construction; ``part_runs`` still makes duplicated
tasks do nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from checker.engine.schema import ENGINE_LOCK_CLASS, ensure_schema


@dataclass(frozen=True, slots=True)
class Ownership:
    """The outcome of asking for a partition."""

    state: str  #: "owned", "done-already", "busy"
    token: int = 0
    takeover: bool = False  #: a previous attempt of this run died holding it


def _try_lock(store: Any, part: int) -> bool:
    if store.kind != "postgresql":
        return True
    with store._read() as cur:
        row = cur.execute("SELECT pg_try_advisory_lock(?, ?)", (ENGINE_LOCK_CLASS, part)).fetchone()
    return bool(row[0])


def _unlock(store: Any, part: int) -> None:
    if store.kind == "postgresql":
        with store._read() as cur:
            cur.execute("SELECT pg_advisory_unlock(?, ?)", (ENGINE_LOCK_CLASS, part))


def _state(store: Any, run_id: str, part: int) -> str | None:
    with store._read() as cur:
        row = cur.execute(
            "SELECT state FROM part_runs WHERE run_id = ? AND part = ?", (run_id, part)
        ).fetchone()
    return None if row is None else str(row[0])


def acquire(
    store: Any, run_id: str, part: int, holder: str, *, busy_wait: float = 2.0
) -> Ownership:
    """Own ``part`` for ``run_id``, or learn that it is done or held by a live task.

    A held partition is polled for ``busy_wait`` seconds (a killed holder's lock goes
    when the database notices its connection closed)."""
    ensure_schema(store)
    deadline = time.monotonic() + busy_wait
    while True:
        if _state(store, run_id, part) == "done":
            return Ownership("done-already")
        if _try_lock(store, part):
            break
        if time.monotonic() >= deadline:
            return Ownership("busy")
        time.sleep(0.2)
    # Locked: read the row again under the lock (a holder may have finished meanwhile).
    now = store._ts(store.now())
    with store._tx() as cur:
        row = cur.execute(
            "SELECT state, token FROM part_runs WHERE run_id = ? AND part = ?", (run_id, part)
        ).fetchone()
        if row is not None and row[0] == "done":
            state = Ownership("done-already")
        elif row is None:
            cur.execute(
                "INSERT INTO part_runs(run_id, part, token, state, holder, started) "
                "VALUES (?, ?, 1, 'running', ?, ?)",
                (run_id, part, holder, now),
            )
            state = Ownership("owned", 1)
        else:
            token = int(row[1]) + 1
            cur.execute(
                "UPDATE part_runs SET token = ?, state = 'running', holder = ?, started = ? "
                "WHERE run_id = ? AND part = ?",
                (token, holder, now, run_id, part),
            )
            # "running" under an older token: its holder died; "inconclusive": a retry.
            state = Ownership("owned", token, takeover=row[0] == "running")
    if state.state != "owned":
        _unlock(store, part)
    return state


def finish(store: Any, run_id: str, part: int, token: int, state: str, counts: str) -> bool:
    """Mark the partition ``state`` under ``token``; False if another task took it over."""
    with store._tx() as cur:
        cur.execute(
            "UPDATE part_runs SET state = ?, finished = ?, counts = ? "
            "WHERE run_id = ? AND part = ? AND token = ?",
            (state, store._ts(store.now()), counts, run_id, part, token),
        )
        row = cur.execute(
            "SELECT token FROM part_runs WHERE run_id = ? AND part = ?", (run_id, part)
        ).fetchone()
    return row is not None and int(row[0]) == token


def release(store: Any, part: int) -> None:
    _unlock(store, part)


def part_states(store: Any, run_id: str) -> dict[int, str]:
    """Every partition this run has touched, with its state."""
    ensure_schema(store)
    with store._read() as cur:
        rows = cur.execute("SELECT part, state FROM part_runs WHERE run_id = ?", (run_id,))
        return {int(p): str(s) for p, s in rows.fetchall()}
