"""Per-site backoff across the cluster: a site is paused until a time stored with it.

What pauses a whole site (its registrable domain, so every host of it):

* a 429 answer with ``Retry-After`` — until then (at least ``min_pause``);
* a run of ``five_xx_run`` consecutive 5xx answers — ``five_xx_pause``;
* a bot wall (a challenge page) — ``wall_pause``.

The pause is written to ``site_pauses`` at once; the task that saw it stops sending to
that site, and every later task (on any worker, tonight or tomorrow) leaves the site's
due links due until the pause ends.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from checker.engine.schema import ensure_schema
from checker.links.fetch import FetchOutcome, parse_retry_after
from checker.model import LinkResult


@dataclass(frozen=True, slots=True)
class BackoffRules:
    five_xx_run: int = 5
    five_xx_pause: float = 3600.0
    wall_pause: float = 6 * 3600.0
    min_pause: float = 60.0
    max_pause: float = 7 * 86400.0


def paused_sites(store: Any, sites: Iterable[str], now: dt.datetime) -> dict[str, dt.datetime]:
    """The sites among ``sites`` paused at ``now``, with the end of their pause."""
    ensure_schema(store)
    wanted = sorted(set(sites))
    found: dict[str, dt.datetime] = {}
    with store._read() as cur:
        for i in range(0, len(wanted), 500):
            where, params = store._in("site", wanted[i : i + 500])
            for site, until in cur.execute(
                f"SELECT site, paused_until FROM site_pauses WHERE {where} AND paused_until > ?",
                [*params, store._ts(now)],
            ).fetchall():
                found[str(site)] = store._dt(until)
    return found


def pause_site(store: Any, site: str, until: dt.datetime, reason: str) -> None:
    """Pause ``site`` until ``until`` (a longer pause already stored wins)."""
    ensure_schema(store)
    with store._tx() as cur:
        row = cur.execute("SELECT paused_until FROM site_pauses WHERE site = ?", (site,)).fetchone()
        if row is None:
            cur.execute(
                "INSERT INTO site_pauses(site, paused_until, reason) VALUES (?, ?, ?)",
                (site, store._ts(until), reason),
            )
        elif store._dt(row[0]) < until:
            cur.execute(
                "UPDATE site_pauses SET paused_until = ?, reason = ? WHERE site = ?",
                (store._ts(until), reason, site),
            )


class SiteWatch:
    """Watches a task's answers per site and decides when a site must pause."""

    def __init__(self, rules: BackoffRules) -> None:
        self.rules = rules
        self._lock = threading.Lock()
        self._five_xx: dict[str, int] = {}
        self.paused: dict[str, str] = {}

    def is_paused(self, site: str) -> bool:
        with self._lock:
            return site in self.paused

    def see(self, site: str, outcome: FetchOutcome, result: LinkResult) -> tuple[str, float] | None:
        """Note one answer; return (reason, seconds) when it pauses the site."""
        rules = self.rules
        status = outcome.status or 0
        pause: tuple[str, float] | None = None
        with self._lock:
            if status == 429:
                after = parse_retry_after(outcome.headers.get("retry-after", ""))
                if after is not None:
                    pause = (f"429 with Retry-After {after:.0f} s", after)
            elif result.rule == "bot-challenge":
                pause = ("a bot wall (challenge page)", rules.wall_pause)
            if 500 <= status < 600:
                self._five_xx[site] = self._five_xx.get(site, 0) + 1
                if self._five_xx[site] >= rules.five_xx_run:
                    pause = (f"{self._five_xx[site]} 5xx answers in a row", rules.five_xx_pause)
            elif status:
                self._five_xx[site] = 0
            if pause is None or site in self.paused:
                return None
            seconds = min(max(pause[1], rules.min_pause), rules.max_pause)
            self.paused[site] = pause[0]
            return pause[0], seconds
