"""History across nights: the link stage's memory, now behind :mod:`checker.store`.

``History`` is the default SQLite backend (:class:`checker.store.sqlite.SQLiteStore`);
confirmation and the re-check schedule live in :mod:`checker.store.policy`, shared by
every backend.  The names here are kept for callers of the library API.
"""

from __future__ import annotations

from checker.store.codec import result_from_json, result_to_json
from checker.store.policy import COUNTS_AS_FAILURE, COUNTS_AS_SUCCESS, Policy
from checker.store.sqlite import SQLiteStore as History

__all__ = [
    "COUNTS_AS_FAILURE",
    "COUNTS_AS_SUCCESS",
    "History",
    "Policy",
    "result_from_json",
    "result_to_json",
]
