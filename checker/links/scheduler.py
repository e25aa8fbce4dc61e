"""Polite concurrency: a global bound, a per-host bound and a minimum interval per host.

Work is dispatched host by host in rotation, so the concurrency window never fills
with the few hosts at the head of the list (lychee's weakness on grouped input:
field-notes §5), and one slow or rate-limited host never stalls the others — its
tasks wait while other hosts' tasks run.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Politeness:
    """Concurrency settings (lychee's flag names)."""

    max_concurrency: int = 32
    host_concurrency: int = 2
    host_interval: float = 0.25  #: seconds between two request starts on one host
    per_host_interval: Mapping[str, float] = field(default_factory=dict)

    def interval(self, host: str) -> float:
        for domain, seconds in self.per_host_interval.items():
            if host == domain or host.endswith("." + domain):
                return seconds
        return self.host_interval


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


@dataclass
class _Host(Generic[T]):
    pending: deque[str]
    running: int = 0
    next_start: float = 0.0
    queued: bool = True  #: in the rotation


def run_polite(
    urls: Iterable[str],
    work: Callable[[str], T],
    politeness: Politeness | None = None,
    *,
    on_done: Callable[[str, T], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, T]:
    """Run ``work(url)`` for every distinct URL under the politeness bounds."""
    politeness = politeness or Politeness()
    hosts: dict[str, _Host[T]] = {}
    for url in dict.fromkeys(urls):
        hosts.setdefault(host_of(url), _Host(deque())).pending.append(url)
    results: dict[str, T] = {}
    order = deque(hosts)  # rotation of hosts with pending work
    running: dict[Future[T], tuple[str, str]] = {}
    with ThreadPoolExecutor(max_workers=max(1, politeness.max_concurrency)) as pool:
        while order or running:
            now = clock()
            wake = _dispatch(order, hosts, running, pool, work, politeness, now)
            timeout = None if wake is None else max(0.0, wake - clock())
            if not running:
                if wake is not None:
                    time.sleep(timeout or 0)
                continue
            done, _ = wait(running, timeout=timeout, return_when=FIRST_COMPLETED)
            for future in done:
                host, url = running.pop(future)
                hosts[host].running -= 1
                value = future.result()
                results[url] = value
                if on_done is not None:
                    on_done(url, value)
                if hosts[host].pending and not hosts[host].queued:
                    hosts[host].queued = True
                    order.append(host)
    return results


def _dispatch(
    order: deque[str],
    hosts: dict[str, _Host[T]],
    running: dict[Future[T], tuple[str, str]],
    pool: ThreadPoolExecutor,
    work: Callable[[str], T],
    politeness: Politeness,
    now: float,
) -> float | None:
    """Start what may start now; return the earliest time a waiting host may start."""
    wake: float | None = None
    for _ in range(len(order)):
        if len(running) >= politeness.max_concurrency:
            break
        host = order.popleft()
        state = hosts[host]
        if state.running >= politeness.host_concurrency:
            state.queued = False  # re-queued when one of its tasks finishes
            continue
        if state.next_start > now:
            order.append(host)
            wake = state.next_start if wake is None else min(wake, state.next_start)
            continue
        url = state.pending.popleft()
        state.running += 1
        state.next_start = now + politeness.interval(host)
        running[pool.submit(work, url)] = (host, url)
        if state.pending:
            order.append(host)
        else:
            state.queued = False
    return wake
