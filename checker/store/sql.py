"""The logic both backends share, in plain SQL with ``?`` placeholders.

A backend supplies the connection, transactions, its key column (the URL itself in
SQLite, a SHA-256 of it in PostgreSQL, whose indexes cap key size), its timestamp
form and the dialect's row locking; everything else is here, once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from checker.links.scheduler import split_url
from checker.model import ArchiveResult, ArchiveStatus, LinkResult
from checker.store.base import Citation, PageCitation
from checker.store.codec import (
    archive_from_json,
    archive_to_json,
    result_from_json,
    result_to_json,
)
from checker.store.dialect import Cursor, Dialect
from checker.store.policy import COUNTS_AS_SUCCESS, Night
from checker.store.sites import part_of, site_of

ROTTEN = ("dead", "failing", "soft-404", "usurped")
_CHUNK = 500


class SQLStore(Dialect):
    """Everything the :class:`~checker.store.base.Store` protocol asks, once for both
    backends."""

    # -- link history ----------------------------------------------------------------------

    def fresh(self, url: str, now: dt.datetime) -> LinkResult | None:
        """The stored result if it was alive and checked within the TTL."""
        return self.fresh_many([url], now).get(url)

    def fresh_many(self, urls: Sequence[str], now: dt.datetime) -> dict[str, LinkResult]:
        """:meth:`fresh` for many URLs, one query per chunk (not one per URL: a run asks
        about every URL of its list before the first request)."""
        keys = {self.key(url): url for url in dict.fromkeys(urls)}
        found: dict[str, LinkResult] = {}
        alive = {s.value for s in COUNTS_AS_SUCCESS}
        listed = list(keys)
        with self._read() as cur:
            for i in range(0, len(listed), self.MAX_KEY):
                where, params = self._in(self.KEY, listed[i : i + self.MAX_KEY])
                rows = cur.execute(
                    f"SELECT {self.KEY}, last_checked, last_status, result FROM links "
                    f"WHERE {where}",
                    params,
                ).fetchall()
                for key, checked_at, status, result in rows:
                    if status not in alive:
                        continue
                    checked = self._dt(checked_at)
                    if checked is None or now - checked > self.policy.alive_ttl:
                        continue
                    key = bytes(key) if isinstance(key, memoryview) else key
                    found[keys[key]] = result_from_json(result)
        return found

    def record(self, raw: LinkResult, now: dt.datetime, run_id: str = "") -> LinkResult:
        """Store one check; return the verdict with confirmation applied."""
        return self.record_batch([raw], now, run_id)[0]

    def record_batch(
        self, raws: Sequence[LinkResult], now: dt.datetime, run_id: str = ""
    ) -> list[LinkResult]:
        """Store many checks in one transaction; idempotent per ``run_id`` (a URL already
        recorded by this run keeps its verdict and is not counted again)."""
        unique = {raw.url: raw for raw in raws}
        keys = {url: self.key(url) for url in unique}
        ordered = sorted(unique, key=keys.__getitem__)
        out: dict[str, LinkResult] = {}
        stamp = self._ts(now)
        night = Night(now, self.policy)
        ts, judge = self._ts, night.judge
        with self._tx() as cur:
            rows = self._lock_rows(cur, [keys[url] for url in ordered], run_id)
            missing = [url for url in ordered if keys[url] not in rows]
            if missing:  # URLs never seen: create their rows, then lock those too
                self._ensure_links(cur, missing, now)
                rows.update(self._lock_rows(cur, [keys[url] for url in missing], run_id))
            updates, checks = [], []
            for url in ordered:
                raw, key = unique[url], keys[url]
                row = rows.get(key)
                if row is not None and run_id and row[3] == run_id and row[4]:
                    out[url] = result_from_json(row[4])  # already recorded by this run
                    continue
                if row is None:
                    verdict, failures, since, due, backoff = judge(raw, 0, None, 0.0)
                else:
                    verdict, failures, since, due, backoff = judge(
                        raw, row[1] or 0, self._dt(row[2]), float(row[5] or 0)
                    )
                out[url] = verdict
                status = raw.status.value
                updates.append(
                    (
                        failures,
                        ts(since),
                        stamp,
                        status,
                        result_to_json(verdict),
                        ts(due),
                        run_id,
                        backoff,
                        key,
                    )
                )
                checks.append(
                    (*self._kvals_of(url, key), stamp, status, raw.rule, raw.http_status, run_id)
                )
            if updates:
                self._write_results(cur, updates, checks)
        return [out[raw.url] for raw in raws]

    def _lock_rows(
        self, cur: Cursor, keys: Sequence[Any], run_id: str
    ) -> dict[Any, tuple[Any, ...]]:
        """The stored rows of these keys by key, locked for this transaction, in key order;
        the stored verdict is read only where this run already recorded one."""
        rows: dict[Any, tuple[Any, ...]] = {}
        for i in range(0, len(keys), self.MAX_KEY):
            where, params = self._in(self.KEY, keys[i : i + self.MAX_KEY])
            for row in cur.execute(
                f"SELECT {self.KEY}, failures, failing_since, last_run, "
                "CASE WHEN last_run = ? THEN result END, backoff "
                f"FROM links WHERE {where} ORDER BY {self.KEY}{self.FOR_UPDATE}",
                [run_id, *params],
            ).fetchall():
                rows[bytes(row[0]) if isinstance(row[0], memoryview) else row[0]] = row
        return rows

    def _write_results(
        self, cur: Cursor, updates: Sequence[Sequence[Any]], checks: Sequence[Sequence[Any]]
    ) -> None:
        cur.executemany(
            "UPDATE links SET failures = ?, failing_since = ?, last_checked = ?, "
            "last_status = ?, result = ?, next_due = ?, last_run = ?, backoff = ?, "
            f"lease_until = NULL, lease_run = NULL WHERE {self.KEY} = ?",
            updates,
        )
        cur.executemany(
            f"INSERT INTO checks({self.KEY_COLS}, checked_at, status, rule, "
            f"http_status, run_id) VALUES ({self.KEY_PH}, ?, ?, ?, ?, ?)",
            checks,
        )

    def _site_parts(self, cur: Cursor, urls: Sequence[str]) -> dict[str, tuple[str, int]]:
        """url → (site, frozen partition), inserting sites seen for the first time."""
        site_for = {url: site_of(split_url(url).hostname or "") for url in urls}
        sites = sorted(set(site_for.values()))
        if not sites:
            return {}
        cur.executemany(
            "INSERT INTO sites(site, part) VALUES (?, ?) ON CONFLICT(site) DO NOTHING",
            [(s, part_of(s)) for s in sites],
        )
        parts: dict[str, int] = {}
        for i in range(0, len(sites), _CHUNK):
            where, params = self._in("site", sites[i : i + _CHUNK])
            for site, part in cur.execute(
                f"SELECT site, part FROM sites WHERE {where}", params
            ).fetchall():
                parts[site] = part
        return {url: (site, parts[site]) for url, site in site_for.items()}

    def _ensure_links(
        self, cur: Cursor, urls: Sequence[str], now: dt.datetime, due: bool = False
    ) -> int:
        """Insert rows for URLs not yet known (due now when ``due``); return how many."""
        if not urls:
            return 0
        sites = self._site_parts(cur, urls)
        rows = [
            (
                *self._kvals(url),
                sites[url][0],
                sites[url][1],
                self._ts(now) if due and url.lower().startswith(("http://", "https://")) else None,
            )
            for url in urls
        ]
        return cur.executemany(
            f"INSERT INTO links({self.KEY_COLS}, site, part, next_due, failures, "
            f"last_checked, last_status, result) VALUES ({self.KEY_PH}, ?, ?, ?, 0, "
            f"{self._empty()}, '', '') ON CONFLICT({self.KEY}) DO NOTHING",
            rows,
        )

    def checks_of(self, url: str) -> list[tuple[str, str]]:
        """(checked_at, status) of every recorded check of ``url``, oldest first."""
        with self._read() as cur:
            rows = cur.execute(
                f"SELECT checked_at, status FROM checks WHERE {self.KEY} = ? ORDER BY checked_at",
                (self.key(url),),
            ).fetchall()
        return [(self._iso(r[0]), r[1]) for r in rows]

    def verdicts(self, urls: Sequence[str]) -> dict[str, LinkResult]:
        """The latest stored verdict of each URL that has one."""
        found: dict[str, LinkResult] = {}
        unique = list(dict.fromkeys(urls))
        with self._read() as cur:
            for i in range(0, len(unique), self.MAX_KEY):
                where, params = self._in(
                    self.KEY, [self.key(u) for u in unique[i : i + self.MAX_KEY]]
                )
                for (text,) in cur.execute(
                    f"SELECT result FROM links WHERE {where} AND result <> ''", params
                ).fetchall():
                    result = result_from_json(text)
                    found[result.url] = result
        return found

    # -- runs ------------------------------------------------------------------------------

    def start_run(self, run_id: str, started: dt.datetime, source: str) -> None:
        with self._tx() as cur:
            cur.execute(
                "INSERT INTO runs(run_id, started, input) VALUES (?, ?, ?) ON CONFLICT(run_id) "
                "DO UPDATE SET started = excluded.started, input = excluded.input",
                (run_id, self._ts(started), source),
            )

    def finish_run(
        self, run_id: str, finished: dt.datetime, inconclusive: bool, counts: dict[str, int]
    ) -> None:
        with self._tx() as cur:
            cur.execute(
                "UPDATE runs SET finished = ?, inconclusive = ?, counts = ? WHERE run_id = ?",
                (self._ts(finished), self._bool(inconclusive), json.dumps(counts), run_id),
            )

    def runs(self, limit: int = 60) -> list[dict[str, Any]]:
        """The latest finished runs, oldest first (for the trend chart)."""
        with self._read() as cur:
            rows = cur.execute(
                "SELECT run_id, started, finished, inconclusive, counts FROM runs "
                "WHERE finished IS NOT NULL ORDER BY started DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            {
                "run_id": r[0],
                "started": self._iso(r[1]),
                "finished": self._iso(r[2]),
                "inconclusive": bool(r[3]),
                "counts": json.loads(r[4] or "{}"),
            }
            for r in reversed(rows)
        ]

    # -- due-driven nights -----------------------------------------------------------------

    def add_links(self, urls: Iterable[str], now: dt.datetime) -> int:
        """Know these URLs (due at once if new); return how many were new."""
        unique = sorted(set(urls))
        with self._tx() as cur:
            return self._ensure_links(cur, unique, now, due=True)

    def claim_due(
        self,
        now: dt.datetime,
        run_id: str,
        *,
        limit: int | None = None,
        site_budget: int | None = None,
        part: int | None = None,
        lease: dt.timedelta = dt.timedelta(hours=12),
    ) -> list[str]:
        """The due URLs for this run, oldest due first, at most ``site_budget`` per site
        and ``limit`` in all; each is leased to ``run_id`` so a concurrent run skips it.
        What is left stays due, with its older ``next_due``, so it comes first next time."""
        big = 2**31 - 1
        where = (
            "next_due IS NOT NULL AND next_due <= ? AND (lease_until IS NULL OR lease_until <= ?)"
        )
        params: list[Any] = [self._ts(now), self._ts(now)]
        if part is not None:
            where += " AND part = ?"
            params.append(part)
        with self._tx() as cur:
            self._lock_claims(cur, part)
            rows = cur.execute(
                f"SELECT {self.KEY}, url FROM (SELECT {self.KEY}, url, next_due, row_number() "
                f"OVER (PARTITION BY site ORDER BY next_due, url) AS n FROM links "
                f"WHERE {where}) d WHERE n <= ? ORDER BY next_due, url LIMIT ?",
                [*params, site_budget or big, limit or big],
            ).fetchall()
            cur.executemany(
                f"UPDATE links SET lease_until = ?, lease_run = ? WHERE {self.KEY} = ?",
                [(self._ts(now + lease), run_id, r[0]) for r in rows],
            )
        return [r[1] for r in rows]

    def release(self, run_id: str) -> None:
        """Give back the leases of a run that recorded nothing (inconclusive)."""
        with self._tx() as cur:
            cur.execute(
                "UPDATE links SET lease_until = NULL, lease_run = NULL WHERE lease_run = ?",
                (run_id,),
            )

    def due_count(self, now: dt.datetime) -> int:
        with self._read() as cur:
            row = cur.execute(
                "SELECT count(*) FROM links WHERE next_due IS NOT NULL AND next_due <= ?",
                (self._ts(now),),
            ).fetchone()
        return int(row[0])

    # -- archive lookups -------------------------------------------------------------------

    def snapshot_get(
        self, url: str, target: str, now: dt.datetime, miss_ttl: dt.timedelta | None = None
    ) -> ArchiveResult | None:
        miss_ttl = miss_ttl or dt.timedelta(days=14)
        with self._read() as cur:
            row = cur.execute(
                f"SELECT status, result, looked_up_at FROM snapshots WHERE {self.KEY} = ? "
                "AND target = ?",
                (self.key(url), target),
            ).fetchone()
        if row is None:
            return None
        looked = self._dt(row[2])
        expired = looked is None or now - looked > miss_ttl
        if ArchiveStatus(row[0]) is not ArchiveStatus.FOUND and expired:
            return None
        return archive_from_json(row[1])

    def snapshot_put(self, result: ArchiveResult, target: str, now: dt.datetime) -> None:
        if result.status in (ArchiveStatus.PENDING, ArchiveStatus.SKIPPED):
            return
        with self._tx() as cur:
            cur.execute(
                f"INSERT INTO snapshots({self.KEY_COLS}, target, status, result, looked_up_at) "
                f"VALUES ({self.KEY_PH}, ?, ?, ?, ?) ON CONFLICT({self.KEY}, target) DO UPDATE "
                "SET status = excluded.status, result = excluded.result, "
                "looked_up_at = excluded.looked_up_at",
                (
                    *self._kvals(result.url),
                    target,
                    result.status.value,
                    archive_to_json(result),
                    self._ts(now),
                ),
            )

    # -- soft-404 probes -------------------------------------------------------------------

    def probe_get(self, key: str, now: dt.datetime, ttl: dt.timedelta) -> str | None:
        return self.probe_get_many([key], now, ttl).get(key)

    def probe_get_many(
        self, keys: Sequence[str], now: dt.datetime, ttl: dt.timedelta
    ) -> dict[str, str]:
        """The payloads of the probes of ``keys`` younger than ``ttl`` (one query per
        chunk of keys: a run asks about every host of its list before the first request)."""
        listed = list(dict.fromkeys(keys))
        found: dict[str, str] = {}
        with self._read() as cur:
            for i in range(0, len(listed), self.MAX_KEY):
                where, params = self._in("probe_key", listed[i : i + self.MAX_KEY])
                rows = cur.execute(
                    f"SELECT probe_key, payload, probed_at FROM probes WHERE {where}", params
                ).fetchall()
                for key, payload, probed_at in rows:
                    probed = self._dt(probed_at)
                    if probed is not None and now - probed <= ttl:
                        found[str(key)] = str(payload)
        return found

    def probe_put(self, key: str, payload: str, now: dt.datetime) -> None:
        self.probe_put_many([(key, payload)], now)

    def probe_put_many(self, items: Sequence[tuple[str, str]], now: dt.datetime) -> None:
        """Remember each ``(key, payload)`` as probed ``now``, in one transaction."""
        if not items:
            return
        stamp = self._ts(now)
        with self._tx() as cur:
            cur.executemany(
                "INSERT INTO probes(probe_key, payload, probed_at) VALUES (?, ?, ?) "
                "ON CONFLICT(probe_key) DO UPDATE SET payload = excluded.payload, "
                "probed_at = excluded.probed_at",
                [(key, payload, stamp) for key, payload in items],
            )

    # -- pages and citations ---------------------------------------------------------------

    def load_position(self, source: str) -> int:
        """Pages of ``source`` already loaded (a resumed load skips them)."""
        with self._read() as cur:
            row = cur.execute("SELECT position FROM loads WHERE source = ?", (source,)).fetchone()
        return int(row[0]) if row else 0

    def put_page(
        self,
        source: str,
        title: str,
        citations: Sequence[Citation],
        position: int,
        now: dt.datetime,
    ) -> None:
        """Replace one page's citations (see :meth:`put_pages`)."""
        self.put_pages(source, [(title, citations)], position, now)

    def put_pages(
        self,
        source: str,
        pages: Sequence[tuple[str, Sequence[Citation]]],
        position: int,
        now: dt.datetime,
    ) -> None:
        """Replace these pages' citations, know their URLs, and advance the load position
        to ``position`` — one transaction, so an interrupted load resumes exactly after
        the last batch it stored."""
        with self._tx() as cur:
            cur.executemany(
                "DELETE FROM citations WHERE source = ? AND title = ?",
                [(source, title) for title, _ in pages],
            )
            urls = sorted({c.url for _, cites in pages for c in cites})
            self._ensure_links(cur, urls, now, due=True)
            cur.executemany(
                "INSERT INTO citations(source, title, ref_id, url, fields) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(source, title, ref_id) DO NOTHING",
                [
                    (source, title, c.ref_id, c.url, json.dumps(dict(c.fields), ensure_ascii=False))
                    for title, cites in pages
                    for c in cites
                ],
            )
            cur.execute(
                "INSERT INTO loads(source, position, updated) VALUES (?, ?, ?) "
                "ON CONFLICT(source) DO UPDATE SET position = excluded.position, "
                "updated = excluded.updated",
                (source, position, self._ts(now)),
            )

    def citations(
        self, *, title: str | None = None, site: str | None = None, worst: int | None = None
    ) -> list[PageCitation]:
        """The citations of one page, of one site's links, or of the ``worst`` pages
        (the most rotten links)."""
        params: list[Any]
        base = "SELECT c.source, c.title, c.ref_id, c.url, c.fields FROM citations c"
        rotten = ", ".join(f"'{s}'" for s in ROTTEN)
        if title is not None:
            sql, params = base + " WHERE c.title = ?", [title]
        elif site is not None:
            sql = base + " WHERE c.url IN (SELECT url FROM links WHERE site = ?)"
            params = [site.lower()]
        elif worst is not None:
            sql = (
                base + " JOIN (SELECT c2.source, c2.title, count(*) AS bad FROM citations c2 "
                f"JOIN links l ON l.{self.KEY} = {self._key_sql('c2.url')} "
                f"WHERE l.last_status IN ({rotten}) GROUP BY c2.source, c2.title "
                "ORDER BY bad DESC, c2.title LIMIT ?) w ON w.source = c.source "
                "AND w.title = c.title"
            )
            params = [worst]
        else:
            sql, params = base, []
        with self._read() as cur:
            rows = cur.execute(sql + " ORDER BY c.source, c.title, c.ref_id", params).fetchall()
        return [
            PageCitation(r[0], r[1], Citation(r[2], r[3], json.loads(r[4] or "{}"))) for r in rows
        ]
