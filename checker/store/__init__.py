"""State across runs behind one small interface: SQLite (default) or PostgreSQL.

>>> from checker.store import open_store
>>> with open_store(".citewatch/state.sqlite") as store:   # doctest: +SKIP
...     store.record(result, now, run_id)
"""

from __future__ import annotations

from pathlib import Path

from checker.store.base import BatchWriter, Citation, PageCitation, StateError, Store
from checker.store.policy import Policy

__all__ = [
    "BatchWriter",
    "Citation",
    "PageCitation",
    "Policy",
    "StateError",
    "Store",
    "is_database_url",
    "open_store",
]


def is_database_url(state: str | Path | None) -> bool:
    return isinstance(state, str) and state.startswith(("postgresql://", "postgres://"))


def open_store(state: str | Path | None, policy: Policy | None = None) -> Store:
    """``postgresql://…`` → PostgreSQL; a path → that SQLite file; None → no memory."""
    if is_database_url(state):
        from checker.store.postgres import PostgresStore

        return PostgresStore(str(state), policy)
    from checker.store.sqlite import SQLiteStore

    return SQLiteStore(state, policy)
