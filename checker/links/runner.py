"""The link stage: every http(s) URL of the list checked once, politely, with history.

``check_links`` fetches each distinct URL (reusing alive results younger than the TTL),
classifies it (one request per link, keep-alive connections shared per host and vetted
address, a circuit breaker for hosts that keep timing out), probes each host once with
a surely-missing path when a soft 404 must be ruled out, judges the run's own network
from the evidence, and applies the confirmation policy from the state file.  An unusable
network makes the run inconclusive: every result is ``inconclusive`` and nothing is
recorded as a failure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import re
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from checker.links import processes
from checker.links.fetch import FetchConfig, FetchOutcome, fetch
from checker.links.history import Policy
from checker.links.outage import NetworkVerdict, PageFingerprint, judge
from checker.links.pool import Connections
from checker.links.probe import ProbeAnswer, Prober, remember_probes, remembered
from checker.links.safety import Resolver
from checker.links.scheduler import Later, Politeness, host_of, run_polite, split_url
from checker.model import LinkResult, LinkStatus, Reference

if TYPE_CHECKING:
    from checker.links.signals import NameServerLookup

# The verdict's modules (the signals, htmldate) are imported where pages are judged
# (:func:`_judged`, on the thread that collects the results), once the first answers are
# in, not before the first request of the run.
from checker.store import BatchWriter, Store, is_database_url, open_store
from checker.store.policy import Night

DEFAULT_STATE = Path(".citewatch/state.sqlite")
log = logging.getLogger(__name__)
_SCHEMES = ("http://", "https://")


@dataclass(frozen=True, slots=True)
class LinkConfig:
    """Settings of the link stage (each one a CLI flag)."""

    fetch: FetchConfig = field(default_factory=FetchConfig)
    politeness: Politeness = field(default_factory=Politeness)
    policy: Policy = field(default_factory=Policy)
    state_path: Path | str | None = DEFAULT_STATE  #: None: no memory; or postgresql://…
    recheck_all: bool = False
    probe: bool = True
    exclude: tuple[str, ...] = ()  #: regular expressions of URLs not to check
    parking_ns: bool = False  #: ask DNS for the name servers of short pages (needs dnspython)
    #: Fetch processes for a large list, partitioned by host (0: one per core; 1: none).
    processes: int = 0

    @property
    def local_state_file(self) -> Path | None:
        """The SQLite state file, or None (no memory, or a PostgreSQL store: the save and
        verify caches live only in a local state file)."""
        if self.state_path is None or is_database_url(self.state_path):
            return None
        return Path(self.state_path)


@dataclass(frozen=True, slots=True)
class LinkRun:
    """What the link stage found: a verdict per URL and the network's health."""

    results: Mapping[str, LinkResult]
    network: NetworkVerdict
    run_id: str
    checked: int = 0
    reused: int = 0
    trend: tuple[Mapping[str, object], ...] = ()

    @property
    def inconclusive(self) -> bool:
        return not self.network.usable

    def for_reference(self, ref: Reference) -> LinkResult | None:
        return self.results.get(ref.url.strip()) if ref.url.strip() else None


Progress = Callable[[str, LinkResult], None]


def _pre_verdict(url: str, exclude: Sequence[re.Pattern[str]]) -> LinkResult | None:
    if any(p.search(url) for p in exclude):
        return LinkResult(url, LinkStatus.SKIPPED, "excluded", "excluded by --exclude")
    if not url.lower().startswith(_SCHEMES):
        return LinkResult(
            url, LinkStatus.INVALID, "unsupported-scheme", "only http and https URLs are checked"
        )
    try:
        split_url(url)
    except ValueError as exc:  # "Invalid IPv6 URL": nothing to fetch
        return LinkResult(url, LinkStatus.INVALID, "invalid-url", f"the URL is malformed: {exc}")
    return None


def check_links(
    refs: Sequence[Reference],
    config: LinkConfig | None = None,
    *,
    resolver: Resolver | None = None,
    now: Callable[[], dt.datetime] | None = None,  #: default: the store's clock
    progress: Progress | None = None,
    source: str = "",
    ns_lookup: NameServerLookup | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> LinkRun:
    """Check every http(s) URL of ``refs`` once (see the module).  ``meanwhile``, work
    that does not need the links (the offline checks), runs while the fetch processes
    fetch, or before the fetch when it runs in this process."""
    config = config or LinkConfig()
    exclude = [re.compile(p) for p in config.exclude]
    urls = dict.fromkeys(ref.url.strip() for ref in refs if ref.url.strip())  # each once
    results: dict[str, LinkResult] = {}
    due: list[str] = []
    history = open_store(config.state_path, config.policy)
    remember = config.state_path is not None
    now = now or history.now  # a shared database's clock, not this machine's
    started = now()
    run_id = f"{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    try:
        history.start_run(run_id, started, source)
        reused_count = 0
        pres = {url: _pre_verdict(url, exclude) for url in urls}
        asked = [] if config.recheck_all else [url for url, pre in pres.items() if pre is None]
        fresh = history.fresh_many(asked, started)  # one query per chunk of URLs
        for url, pre in pres.items():
            reused = None if pre else fresh.get(url)
            if pre is not None:
                results[url] = pre
            elif reused is not None:
                reused_count += 1
                results[url] = dataclasses.replace(
                    reused,
                    detail=f"{reused.detail} (reused: checked {reused.checked_at:%Y-%m-%d})".strip()
                    if reused.checked_at
                    else reused.detail,
                )
            else:
                due.append(url)

        raw: dict[str, LinkResult] = {}
        pages: dict[str, PageFingerprint] = {}
        # The probes the state file remembers; a re-check of all asks every host again.
        known: dict[str, ProbeAnswer] = {}
        if remember and config.probe and not config.recheck_all:
            known = remembered(history, due, started)
        probed: dict[str, ProbeAnswer] = {}  # this run's, to remember

        def done(url: str, fetched: Fetched) -> None:  # judged where results are collected
            raw[url], page = _judged(url, fetched)
            if page is not None:
                pages[url] = page
            probe = fetched[1]  # made in a fetch process: its Prober is not at hand here
            if probe is not None and probe.to_remember:
                probed[probe.key] = probe
            if progress is not None:
                progress(url, raw[url])

        count = processes.plan(len(due), config.processes)
        if count > 1:
            bounds = config.politeness
            shared = processes.share(bounds.max_concurrency, count, bounds.host_concurrency)
            each = dataclasses.replace(bounds, max_concurrency=shared)
            runner = _fetcher(config, each, resolver, ns_lookup, known)
            side = _loading_sites(meanwhile) if remember else meanwhile
            for problem in processes.run_in_processes(due, runner, count, done, side):
                log.warning("a fetch process failed (its URLs were checked here): %s", problem)
        else:
            if meanwhile is not None:
                meanwhile()
            _fetcher(config, config.politeness, resolver, ns_lookup, known)(due, done)
        network = judge(raw, pages)
        stamp = now()
        checked = [raw[url] for url in due] if network.usable else []  # unusable: nothing kept
        verdicts = _recorded(history, run_id, checked, stamp, remember)
        if remember and network.usable and probed:  # an unusable network's answers: not kept
            remember_probes(history, probed.values(), stamp)
        for url in due:
            if not network.usable:
                results[url] = dataclasses.replace(
                    raw[url],
                    status=LinkStatus.INCONCLUSIVE,
                    rule="network-unusable",
                    detail=network.reason,
                    checked_at=stamp,
                )
            else:
                results[url] = verdicts[url]
        counts: dict[str, int] = {}
        for result in results.values():
            counts[result.status.value] = counts.get(result.status.value, 0) + 1
        history.finish_run(run_id, now(), not network.usable, counts)
        trend = tuple(history.runs())
    finally:
        history.close()
    return LinkRun(results, network, run_id, len(due), reused_count, trend)


def _loading_sites(meanwhile: Callable[[], None] | None) -> Callable[[], None]:
    """``meanwhile``, then the Public Suffix List loaded (about 50 ms) while the fetch
    processes fetch: the store files a URL it has not seen under its site, and a list
    gains a few new URLs most nights."""

    def work() -> None:
        if meanwhile is not None:
            meanwhile()
        from checker.store.sites import load_suffix_list

        load_suffix_list()

    return work


def _recorded(
    history: Store, run_id: str, raws: list[LinkResult], stamp: dt.datetime, remember: bool
) -> dict[str, LinkResult]:
    """The verdict on each check, recorded in batches (one transaction each) when the
    run remembers.  A run that remembers nothing (``--no-state``) has no earlier night:
    each verdict is the one a store that has never seen the URL gives (the policy's
    first night), without writing rows nobody reads."""
    if not remember:
        night = Night(stamp, history.policy)
        return {raw.url: night.judge(raw, 0, None, 0.0)[0] for raw in raws}
    with BatchWriter(history, run_id) as writer:
        for raw in raws:
            writer.add(raw, stamp)
    return writer.verdicts


#: What a fetch brought back: the answer (or the breaker's verdict when the URL was not
#: fetched), the host's probe when one was needed, and the final host's name servers.
Fetched = tuple[FetchOutcome | LinkResult, ProbeAnswer | None, tuple[str, ...]]


Judged = tuple[LinkResult, PageFingerprint | None]  #: a verdict and the page behind it


def _judged(url: str, fetched: Fetched) -> Judged:
    """The verdict on a fetch and the page behind it, made where the results are
    collected, never on a fetch thread: the page signals are the costliest CPU of a
    link, and a fetch thread that only fetches sends its host's next request as soon as
    an answer is in.  With fetch processes, the pages are judged in the parent process:
    a fetch process's interpreter lock is then held only by its fetches (judging there
    held it from under them, and each host's rounds took 111-112 ms instead of 103-106
    on the benchmark's 100 ms web)."""
    outcome, probe, names = fetched
    if isinstance(outcome, LinkResult):
        return outcome, None
    from checker.links.classify import classify

    return classify(url, outcome, probe, names), _fingerprint(outcome)


def _fetcher(
    config: LinkConfig,
    politeness: Politeness,
    resolver: Resolver | None,
    ns_lookup: NameServerLookup | None,
    known: Mapping[str, ProbeAnswer] | None = None,
) -> processes.Runner[Fetched]:
    """The fetching of a list of URLs (what each fetch process runs): the polite
    scheduler, keep-alive pools, per-host probe (``known``: the remembered answers),
    breaker and name-server cache; each result goes to ``on_done`` on the calling
    thread, to be judged there (see :func:`_judged`)."""

    def run(urls: Sequence[str], on_done: Callable[[str, Fetched], None]) -> None:
        breaker = HostBreaker(max(BREAKER_TIMEOUTS, politeness.host_concurrency + 1))
        with Connections(politeness.host_concurrency) as connections:

            def fetch_one(url: str) -> FetchOutcome:
                return fetch(url, config.fetch, resolver=resolver, connections=connections)

            prober = Prober(fetch_one, known)
            nameservers = _nameservers(ns_lookup, config.parking_ns)

            def work(url: str) -> Fetched | Later[Fetched]:
                outcome = fetch_one(url)
                breaker.note(url, outcome)
                probe = None
                if config.probe and _wants_probe(outcome):
                    probe = prober(url)  # fetched here, or being fetched by another worker
                    if probe is None:  # wait for it without keeping the host's slot
                        return Later(lambda: finish(url, outcome, prober.waited(url)))
                return finish(url, outcome, probe)

            def finish(url: str, outcome: FetchOutcome, probe: ProbeAnswer | None) -> Fetched:
                names: tuple[str, ...] = ()
                if nameservers is not None and outcome.status == 200:
                    names = nameservers(outcome.final_url or url, outcome.body)
                return outcome, probe, names

            def skip(url: str) -> Fetched | None:
                cut = breaker.skip(url)
                return None if cut is None else (cut, None, ())

            run_polite(urls, work, politeness, on_done=on_done, skip=skip)

    return run


def _nameservers(
    lookup: NameServerLookup | None, parking_ns: bool
) -> Callable[[str, str], tuple[str, ...]] | None:
    """The name servers of a page's final host (for the parking signal), or None when
    they are not asked: then the signals are not imported before the first request
    (they are compiled where pages are judged)."""
    if lookup is None and not parking_ns:
        return None
    from checker.links.signals import NameServerCache, dns_nameserver_lookup, visible_text

    cache = NameServerCache(lookup or dns_nameserver_lookup())

    def of(url: str, body: str) -> tuple[str, ...]:
        host = split_url(url).hostname or ""
        return tuple(cache(host, len(visible_text(body))))

    return of


#: Timeouts in a row on one host before its remaining URLs are not fetched.
BREAKER_TIMEOUTS = 3


class HostBreaker:
    """A per-host circuit breaker: a host whose requests keep timing out (a tarpit, a
    dead route) is cut short after ``limit`` timeouts in a row with no answer between;
    its remaining URLs are reported ``transient`` (rule ``host-timeouts``) unfetched."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._timeouts: dict[str, int] = {}

    def note(self, url: str, outcome: FetchOutcome) -> None:
        host = host_of(url)
        timed_out = outcome.error == "timeout" and outcome.status is None
        with self._lock:
            if timed_out:
                self._timeouts[host] = self._timeouts.get(host, 0) + 1
            elif self._timeouts.get(host, 0) < self.limit:
                self._timeouts[host] = 0  # an answer closes the count (not an open breaker)

    def skip(self, url: str) -> LinkResult | None:
        host = host_of(url)
        with self._lock:
            count = self._timeouts.get(host, 0)
        if count < self.limit:
            return None
        return LinkResult(
            url,
            LinkStatus.TRANSIENT,
            "host-timeouts",
            f"not checked: {host} timed out {count} times in a row (circuit breaker), "
            "unknown for now",
        )


def _fingerprint(outcome: FetchOutcome) -> PageFingerprint:
    body = outcome.body
    digest = hashlib.sha1(body.encode("utf-8", "replace")).hexdigest() if body else ""
    return PageFingerprint(host_of(outcome.final_url), outcome.title, digest)


def _wants_probe(outcome: FetchOutcome) -> bool:
    """A probe only matters when the page answered 200: it may be a soft 404."""
    return outcome.status == 200
