"""Polite concurrency: a global bound, a per-host bound and a minimum interval per host.

Work is dispatched host by host in rotation, so the concurrency window never fills
with the few hosts at the head of the list (lychee's weakness on grouped input:
field-notes §5), and one slow or rate-limited host never stalls the others — its
tasks wait while other hosts' tasks run.  A host's free slots open at once (a host
just started with room left is started again, not left waiting for a completion), and
finished tasks report through a queue (no wait over every running future).
"""

from __future__ import annotations

import functools
import queue
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
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


@functools.lru_cache(maxsize=1 << 16)
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
    skip: Callable[[str], T | None] | None = None,
) -> dict[str, T]:
    """Run ``work(url)`` for every distinct URL under the politeness bounds.

    ``skip(url)``, asked when a URL's turn comes, may return its result instead of
    running it (a host cut short by a circuit breaker): no request, no slot, no wait.
    """
    politeness = politeness or Politeness()
    hosts: dict[str, _Host[T]] = {}
    for url in dict.fromkeys(urls):
        hosts.setdefault(host_of(url), _Host(deque())).pending.append(url)
    results: dict[str, T] = {}

    def finish(url: str, value: T) -> None:
        results[url] = value
        if on_done is not None:
            on_done(url, value)

    order = deque(hosts)  # rotation of hosts with pending work
    done: queue.SimpleQueue[tuple[str, str, Future[T]]] = queue.SimpleQueue()
    state = _State(order, hosts, politeness, done, finish, skip, clock)
    with ThreadPoolExecutor(max_workers=max(1, politeness.max_concurrency)) as pool:
        while order or state.running:
            wake = state.dispatch(pool, work, clock())
            if not state.running:
                if wake is not None:
                    time.sleep(max(0.0, wake - clock()))
                continue
            try:
                item = done.get(timeout=None if wake is None else max(0.0, wake - clock()))
            except queue.Empty:
                continue
            while True:
                state.complete(*item)
                try:
                    item = done.get_nowait()
                except queue.Empty:
                    break
    return results


class _State(Generic[T]):
    """The rotation, the slots in use and where finished tasks are reported."""

    def __init__(
        self,
        order: deque[str],
        hosts: dict[str, _Host[T]],
        politeness: Politeness,
        done: queue.SimpleQueue[tuple[str, str, Future[T]]],
        finish: Callable[[str, T], None],
        skip: Callable[[str], T | None] | None,
        clock: Callable[[], float],
    ) -> None:
        self.order, self.hosts, self.politeness, self.clock = order, hosts, politeness, clock
        self.done, self.finish, self.skip = done, finish, skip
        self.running = 0

    def complete(self, host: str, url: str, future: Future[T]) -> None:
        self.running -= 1
        state = self.hosts[host]
        state.running -= 1
        self.finish(url, future.result())
        if state.pending and not state.queued:
            state.queued = True
            self.order.append(host)

    def dispatch(self, pool: ThreadPoolExecutor, work: Callable[[str], T], now: float
                 ) -> float | None:  # fmt: skip
        """Start everything that may start now — every free slot of a host at once when
        its interval allows — and return the earliest time a waiting host may start."""
        wake: float | None = None
        limit, per_host = self.politeness.max_concurrency, self.politeness.host_concurrency
        for _ in range(len(self.order)):
            if self.running >= limit:
                break
            host = self.order.popleft()
            state = self.hosts[host]
            while state.pending and self.skip is not None:
                skipped = self.skip(state.pending[0])
                if skipped is None:
                    break
                self.finish(state.pending.popleft(), skipped)
            while (state.pending and state.running < per_host and state.next_start <= now
                   and self.running < limit):  # fmt: skip
                url = state.pending.popleft()
                state.running += 1
                self.running += 1
                future = pool.submit(work, url)
                future.add_done_callback(
                    lambda f, h=host, u=url: self.done.put((h, u, f))  # type: ignore[misc]
                )
                interval = self.politeness.interval(host)
                if interval > 0:  # counted from when the task was handed over
                    state.next_start = self.clock() + interval
            if not state.pending:
                state.queued = False
            elif state.running >= per_host:
                state.queued = False  # re-queued when one of its tasks finishes
            else:
                self.order.append(host)
                if state.next_start > now:
                    wake = state.next_start if wake is None else min(wake, state.next_start)
        return wake
