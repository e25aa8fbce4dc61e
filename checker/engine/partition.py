"""One partition's night: ``check_partition(part, run, config, store)``.

Due rows of the partition → the existing polite scheduler (``run_polite``) → fetch,
classify and probe → judge the network from this partition's evidence → record in
batches → queue rotten links for the archive.  All hosts of a site live in one
partition and a partition runs in one task at a time (:mod:`checker.engine.ownership`),
so the per-host and per-domain bounds of ``run_polite`` hold across the whole cluster.

Everything here is plain picklable data, so the same function runs in process (the
local engine) or on a Dask worker.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from checker import __version__
from checker.engine import archive, ownership
from checker.engine.backoff import BackoffRules, SiteWatch, pause_site, paused_sites
from checker.links.classify import classify
from checker.links.fetch import FetchConfig, FetchOutcome, fetch
from checker.links.outage import judge
from checker.links.probe import ProbeAnswer, Prober, remember_probes, remembered
from checker.links.runner import LinkConfig, _wants_probe
from checker.links.safety import system_resolver
from checker.links.scheduler import Politeness, host_of, run_polite
from checker.model import LinkResult
from checker.store import BatchWriter
from checker.store.sites import site_of


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """What a partition task needs, as plain data (it travels to the workers)."""

    links: LinkConfig = field(default_factory=LinkConfig)
    resolve: tuple[tuple[str, str], ...] = ()  #: HOST=IP pairs (like ``--resolve``)
    site_budget: int | None = 1000
    lease: dt.timedelta = dt.timedelta(hours=12)
    backoff: BackoffRules = field(default_factory=BackoffRules)
    busy_wait: float = 2.0  #: seconds a task waits for a partition another task holds
    takeover_wait: float = 5.0  #: pause before re-doing a dead task's partition
    #: added to each host's interval between request starts: the margin for the time a
    #: request takes from the gate to the server (thread start, connect)
    slack: float = 0.05
    archive: bool = True  #: queue rotten links for the archive consumer
    version: str = __version__


@dataclass(frozen=True, slots=True)
class PartitionSummary:
    """What one task did, streamed back to the driver."""

    part: int
    outcome: str  #: "checked", "done-already", "busy", "inconclusive", "fenced"
    due: int = 0
    checked: int = 0
    paused: int = 0  #: due links left due because their site is paused
    counts: dict[str, int] = field(default_factory=dict)
    queued: int = 0  #: rotten links queued for the archive
    reason: str = ""
    worker: str = ""
    seconds: float = 0.0


def portable(config: LinkConfig) -> LinkConfig:
    """``config`` with plain dicts where mapping proxies would not pickle."""
    fetch_config = config.fetch
    headers = {k: dict(v) for k, v in fetch_config.domain_headers.items()}
    politeness = dataclasses.replace(
        config.politeness, per_host_interval=dict(config.politeness.per_host_interval)
    )
    return dataclasses.replace(
        config,
        fetch=dataclasses.replace(fetch_config, domain_headers=headers),
        politeness=politeness,
        state_path=None if config.state_path is None else str(config.state_path),
    )


def table_resolver(pairs: Sequence[tuple[str, str]]) -> Callable[[str], list[str]]:
    table: dict[str, list[str]] = {}
    for host, ip in pairs:
        table.setdefault(host.lower(), []).append(ip)

    def resolve(host: str) -> list[str]:
        return table.get(host.lower().rstrip(".")) or system_resolver(host)

    return resolve


def _release(store: Any, run_id: str, part: int, urls: Sequence[str] | None = None) -> None:
    """Give back leases of ``run_id`` in ``part`` (all of them, or only ``urls``)."""
    with store._tx() as cur:
        if urls is None:
            cur.execute(
                "UPDATE links SET lease_until = NULL, lease_run = NULL "
                "WHERE part = ? AND lease_run = ?",
                (part, run_id),
            )
            return
        for i in range(0, len(urls), 500):
            where, params = store._in(store.KEY, [store.key(u) for u in urls[i : i + 500]])
            cur.execute(
                f"UPDATE links SET lease_until = NULL, lease_run = NULL WHERE {where}", params
            )


def check_partition(
    part: int,
    run_id: str,
    config: EngineConfig,
    store: Any,
    *,
    on_result: Callable[[str, LinkResult], None] | None = None,
) -> PartitionSummary:
    """Check what is due in ``part`` for run ``run_id``, at most once per run."""
    began = time.monotonic()
    holder = f"{socket.gethostname()}:{os.getpid()}"
    owner = ownership.acquire(store, run_id, part, holder, busy_wait=config.busy_wait)
    if owner.state != "owned":
        return PartitionSummary(part, owner.state, worker=holder)
    try:
        if owner.takeover:
            # The dead holder may have sent a request a moment ago: keep the interval.
            intervals = [config.links.politeness.host_interval]
            intervals += list(config.links.politeness.per_host_interval.values())
            time.sleep(max(config.takeover_wait, *intervals))
        _release(store, run_id, part)  # leases a dead attempt of this run left behind
        now = store.now()
        urls = store.claim_due(
            now, run_id, site_budget=config.site_budget, part=part, lease=config.lease
        )
        site_for = {url: site_of(host_of(url)) for url in urls}
        paused = paused_sites(store, site_for.values(), now)
        held = [url for url in urls if site_for[url] in paused]
        todo = [url for url in urls if site_for[url] not in paused]
        if held:
            _release(store, run_id, part, held)
        raw, stopped, probed = _run(todo, site_for, config, store, now, on_result)
        fetched = {url: result for url, result in raw.items() if result is not None}
        network = judge(fetched)
        seconds = time.monotonic() - began
        if not network.usable:
            _release(store, run_id, part)
            ownership.finish(store, run_id, part, owner.token, "inconclusive", "{}")
            return PartitionSummary(
                part,
                "inconclusive",
                len(urls),
                0,  # nothing recorded
                len(held),
                reason=network.reason,
                worker=holder,
                seconds=seconds,
            )
        stamp = store.now()
        with BatchWriter(store, run_id) as writer:
            for url in todo:
                result = raw.get(url)
                if result is not None:
                    writer.add(result, stamp)
        remember_probes(store, probed, stamp)
        if stopped:
            _release(store, run_id, part, stopped)
        verdicts = list(writer.verdicts.values())
        queued = archive.enqueue(store, verdicts, stamp, run_id) if config.archive else 0
        counts = dict(Counter(v.status.value for v in verdicts))
        if not ownership.finish(store, run_id, part, owner.token, "done", json.dumps(counts)):
            return PartitionSummary(part, "fenced", len(urls), worker=holder)
        return PartitionSummary(
            part,
            "checked",
            len(urls),
            len(verdicts),
            len(held) + len(stopped),
            counts,
            queued,
            worker=holder,
            seconds=time.monotonic() - began,
        )
    finally:
        ownership.release(store, part)


class _HostGate:
    """Spaces every request start on a host (HEAD, GET, redirect, retry, probe) by the
    host's interval plus ``slack``, and the start after a finished fetch by the interval
    after its end.

    It sits in the resolver, which the fetcher calls right before it connects, so the
    time it keeps is close to the request's real start, not when ``run_polite``
    dispatched the check.  A thread can still be held up between the gate and the
    connect (a busy machine); the end of a fetch is a time its request surely started
    before, so "the interval after the previous end" (Nutch's rule) holds whatever the
    delay."""

    def __init__(self, politeness: Politeness, slack: float) -> None:
        self.politeness = politeness
        self.slack = slack
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}

    def wait(self, host: str) -> None:
        spacing = self.politeness.interval(host) + self.slack
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, 0.0))
            self._next[host] = start + spacing
        if start > now:
            time.sleep(start - now)
        with self._lock:  # woke late: the next start counts from the real one
            self._next[host] = max(self._next[host], time.monotonic() + spacing)

    def finished(self, host: str) -> None:
        """A fetch on ``host`` ended: its requests started before now."""
        with self._lock:
            after = time.monotonic() + self.politeness.interval(host)
            self._next[host] = max(self._next.get(host, 0.0), after)


def _run(
    urls: Sequence[str],
    site_for: dict[str, str],
    config: EngineConfig,
    store: Any,
    now: dt.datetime,
    on_result: Callable[[str, LinkResult], None] | None,
) -> tuple[dict[str, LinkResult | None], list[str], list[ProbeAnswer]]:
    """Fetch, probe and classify ``urls`` politely; sites that must pause stop at once.
    Returns the raw results (None: not fetched because its site paused), those URLs and
    the probe answers fetched (the answers the store remembers at ``now`` are not asked
    again)."""
    links = config.links
    lookup = table_resolver(config.resolve)
    gate = _HostGate(links.politeness, config.slack)
    fetch_config: FetchConfig = links.fetch
    watch = SiteWatch(config.backoff)
    stopped: list[str] = []

    def resolver(host: str) -> list[str]:
        gate.wait(host.lower().rstrip("."))
        return lookup(host)

    def fetch_one(url: str) -> FetchOutcome:
        try:
            return fetch(url, fetch_config, resolver=resolver)
        finally:
            gate.finished(host_of(url))

    prober = Prober(fetch_one, remembered(store, urls, now) if links.probe else None)

    def work(url: str) -> LinkResult | None:
        site = site_for[url]
        if watch.is_paused(site):
            stopped.append(url)
            return None
        outcome = fetch_one(url)
        probe = prober(url) if links.probe and _wants_probe(outcome) else None
        result = classify(url, outcome, probe)
        pause = watch.see(site, outcome, result)
        if pause is not None:
            reason, seconds = pause
            pause_site(store, site, store.now() + dt.timedelta(seconds=seconds), reason)
        return result

    def done(url: str, result: LinkResult | None) -> None:
        if on_result is not None and result is not None:
            on_result(url, result)

    raw = run_polite(urls, work, links.politeness, on_done=done)
    return raw, stopped, list(prober.fresh().values())
