"""What a backend supplies to the shared SQL: its connection and transactions, its key
column (the URL itself in SQLite, a SHA-256 of it in PostgreSQL, whose indexes cap key
size), its timestamp form and its row locking."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any, Self

from checker.store.policy import Policy

_CHUNK = 500


class Cursor:
    """What a backend's transaction yields."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """Run ``sql`` for every row; return the rows it changed in all."""
        raise NotImplementedError


class Dialect:
    kind = "sql"
    #: the key columns of a URL ("url", or "url_hash, url") and their placeholders
    KEY = "url"
    KEY_COLS = "url"
    KEY_PH = "?"
    FOR_UPDATE = ""
    MAX_KEY = _CHUNK

    def __init__(self, policy: Policy | None = None) -> None:
        self.policy = policy or Policy()
        self.notes: list[str] = []

    def _tx(self) -> AbstractContextManager[Cursor]:
        raise NotImplementedError

    def _read(self) -> AbstractContextManager[Cursor]:
        return self._tx()

    def key(self, url: str) -> Any:
        return url

    def _kvals(self, url: str) -> tuple[Any, ...]:
        return (url,)

    def _kvals_of(self, url: str, key: Any) -> tuple[Any, ...]:
        """:meth:`_kvals` when the key is already computed."""
        return (url,)

    def _ts(self, when: dt.datetime | None) -> Any:
        return when.astimezone(dt.UTC).isoformat() if when else None

    def _dt(self, value: Any) -> dt.datetime | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value
        return dt.datetime.fromisoformat(str(value))

    def _in(self, column: str, keys: Sequence[Any]) -> tuple[str, list[Any]]:
        return f"{column} IN ({', '.join('?' * len(keys))})", list(keys)

    def _lock_claims(self, cur: Cursor, part: int | None) -> None:
        """Serialise due claims (SQLite's write transaction already does)."""

    def close(self) -> None:
        raise NotImplementedError

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def warn(self, message: str) -> None:
        self.notes.append(message)
        sys.stderr.write(f"warning: {message}\n")

    def _empty(self) -> str:
        return "''"

    def _bool(self, value: bool) -> Any:
        return int(value)

    def _key_sql(self, column: str) -> str:
        return column

    def _iso(self, value: Any) -> str:
        when = self._dt(value)
        return when.isoformat() if when else ""
