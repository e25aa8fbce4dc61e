"""Polite concurrency: a global bound, a per-host bound and a minimum interval per host.

Workers pull their next URL themselves from a shared board (like Nutch's fetcher
threads over per-host queues): no dispatcher thread stands between one answer and the
next request to the same host, so a host's slot is busy again as soon as its answer is
in.  The board hands out the host with the most URLs still waiting among those with a
free slot whose interval has passed (longest queue first, so the busiest hosts, which
set the run's length, never wait for a slot), so the window never fills with the few
hosts at the head of the list (lychee's weakness on grouped input: field-notes §5) and
one slow or rate-limited host never stalls the others: its URLs wait while other
hosts' run.  Results are handed to ``on_done`` on the calling thread.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
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


#: ``urlsplit``, remembered: the fetch, the verdict and the probe each split a URL, and
#: SplitResult is an immutable tuple.
split_url = functools.lru_cache(maxsize=1 << 14)(urlsplit)


@functools.lru_cache(maxsize=1 << 16)
def host_of(url: str) -> str:
    try:
        return (split_url(url).hostname or "").lower()
    except ValueError:
        return ""


@dataclass
class _Host:
    name: str
    order: int  #: first appearance in the input (ties go to the earlier host)
    interval: float
    pending: deque[str] = field(default_factory=deque)
    running: int = 0
    next_start: float = 0.0
    listed: bool = False  #: in the ready heap or the waiting heap


class Later(Generic[T]):
    """What ``work`` returns when the rest of its result waits for something that is
    not a request to the host (the host's probe, which another worker is fetching):
    the host's slot is given back at once, a new worker takes this one's place, and
    this one runs ``finish`` and hands its value over as the result.  (Waiting while
    holding the slot left the host one request in flight for a whole answer.)"""

    __slots__ = ("finish",)

    def __init__(self, finish: Callable[[], T]) -> None:
        self.finish = finish


def run_polite(
    urls: Iterable[str],
    work: Callable[[str], T | Later[T]],
    politeness: Politeness | None = None,
    *,
    on_done: Callable[[str, T], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    skip: Callable[[str], T | None] | None = None,
) -> dict[str, T]:
    """Run ``work(url)`` for every distinct URL under the politeness bounds.

    ``skip(url)``, asked when a URL's turn comes, may return its result instead of
    running it (a host cut short by a circuit breaker): no request, no slot, no wait.
    ``work`` may return a :class:`Later` to finish its result off the host's slot.
    ``on_done`` is called on this thread, in the order results come in.  An exception
    raised by ``work`` stops the run (the URLs already started finish) and is raised.
    """
    politeness = politeness or Politeness()
    board: _Board[T] = _Board(urls, politeness, clock, skip)
    results: dict[str, T] = {}
    count = min(max(1, politeness.max_concurrency), board.slots())
    # Bounded: when ``on_done`` falls behind, workers wait instead of piling up pages.
    out: queue.Queue[tuple[str, T] | BaseException | None] = queue.Queue(4 * count + 64)
    for _ in range(count):
        board.hire(work, out)
    failure: BaseException | None = None
    try:
        while board.working():
            item = out.get()
            if item is None:
                board.leave()
            elif isinstance(item, BaseException):
                failure = failure or item
                board.stop()
            else:
                results[item[0]] = item[1]
                if on_done is not None:
                    on_done(*item)
    finally:
        if board.working():  # interrupted: stop handing out work, let blocked workers end
            board.stop()
            while board.alive():
                with contextlib.suppress(queue.Empty):
                    out.get(timeout=0.05)
        board.join()
    if failure is not None:
        raise failure
    return results


class _Board(Generic[T]):
    """The hosts' queues and slots; workers take their next URL from it."""

    def __init__(
        self,
        urls: Iterable[str],
        politeness: Politeness,
        clock: Callable[[], float],
        skip: Callable[[str], T | None] | None,
    ) -> None:
        self.per_host, self.clock, self.skip = max(1, politeness.host_concurrency), clock, skip
        self.hosts: dict[str, _Host] = {}
        for url in dict.fromkeys(urls):
            name = host_of(url)
            host = self.hosts.get(name)
            if host is None:
                host = _Host(name, len(self.hosts), politeness.interval(name))
                self.hosts[name] = host
            host.pending.append(url)
        self.left = sum(len(h.pending) for h in self.hosts.values())  #: not yet taken
        #: Hosts with a free slot: (-URLs waiting, first appearance, host).
        self.ready: list[tuple[int, int, _Host]] = []
        self.waiting: list[tuple[float, int, _Host]] = []  #: (next start, order, host)
        self.cond = threading.Condition()
        self.stopped = False
        self.threads: list[threading.Thread] = []
        self.workers = 0  #: workers started whose end (None on the hand-over) is not in
        for host in self.hosts.values():
            self._list(host, 0.0)

    def slots(self) -> int:
        return sum(min(self.per_host, len(h.pending)) for h in self.hosts.values())

    def stop(self) -> None:
        with self.cond:
            self.stopped = True
            self.cond.notify_all()

    def hire(
        self,
        work: Callable[[str], T | Later[T]],
        out: queue.Queue[tuple[str, T] | BaseException | None],
    ) -> None:
        """Start one more worker."""
        thread = threading.Thread(
            target=self.worker, args=(work, out), name=f"polite-{len(self.threads)}", daemon=True
        )
        with self.cond:
            self.workers += 1
            self.threads.append(thread)
        thread.start()

    def working(self) -> bool:
        with self.cond:
            return self.workers > 0

    def leave(self) -> None:
        with self.cond:
            self.workers -= 1

    def alive(self) -> bool:
        with self.cond:
            threads = list(self.threads)
        return any(thread.is_alive() for thread in threads)

    def join(self) -> None:
        with self.cond:
            threads = list(self.threads)
        for thread in threads:
            thread.join()

    def _list(self, host: _Host, now: float) -> None:
        """Put ``host`` back in a heap when it has URLs waiting and a free slot."""
        if host.listed or not host.pending or host.running >= self.per_host:
            return
        host.listed = True
        if host.next_start > now:
            heapq.heappush(self.waiting, (host.next_start, host.order, host))
        else:
            heapq.heappush(self.ready, (-len(host.pending), host.order, host))

    def _take(self) -> tuple[_Host, str, T | None] | None:
        """The next URL to run (or a skipped one with its answer); None when none is
        left; waits while every host with URLs is busy or inside its interval."""
        with self.cond:
            while not self.stopped and self.left:
                now = self.clock()
                while self.waiting and self.waiting[0][0] <= now:
                    _, order, host = heapq.heappop(self.waiting)
                    heapq.heappush(self.ready, (-len(host.pending), order, host))
                if self.ready:
                    host = heapq.heappop(self.ready)[2]
                    host.listed = False
                    url = host.pending.popleft()
                    self.left -= 1
                    skipped = self.skip(url) if self.skip is not None else None
                    if skipped is None:
                        host.running += 1
                        if host.interval > 0:  # counted from when the task was handed over
                            host.next_start = self.clock() + host.interval
                    self._list(host, now)
                    if self.ready or self.waiting:
                        self.cond.notify()  # another worker may start at once
                    return host, url, skipped
                self.cond.wait(self.waiting[0][0] - now if self.waiting else None)
            self.cond.notify_all()  # nothing left: every waiting worker may end
            return None

    def _release(self, host: _Host) -> None:
        with self.cond:
            host.running -= 1
            self._list(host, self.clock())
            self.cond.notify()

    def worker(
        self,
        work: Callable[[str], T | Later[T]],
        out: queue.Queue[tuple[str, T] | BaseException | None],
    ) -> None:
        try:
            while (taken := self._take()) is not None:
                host, url, skipped = taken
                if skipped is not None:
                    out.put((url, skipped))
                    continue
                try:
                    value = work(url)
                finally:
                    self._release(host)  # before the hand-over, which may wait its turn
                if isinstance(value, Later):
                    if not self.stopped and self.left:
                        self.hire(work, out)  # takes this worker's place while it waits
                    out.put((url, value.finish()))
                    return
                out.put((url, value))
        except BaseException as exc:
            out.put(exc)
        finally:
            out.put(None)
