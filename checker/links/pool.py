"""What the fetches of one run share: keep-alive connections and one deadline timer.

:class:`Connections` keeps one :class:`~checker.links.safety.PinnedAdapter` per vetted
address (so a pool is keyed by scheme, host, port and vetted IP) for the whole run;
:data:`DEADLINES` is one timer thread that expires every fetch in flight whose total
deadline has passed (not a watchdog thread per fetch).  A fetch registers itself in
:data:`CURRENT` while it runs, so the sockets its adapter opens are tracked and can be
shut down when it expires.
"""

from __future__ import annotations

import heapq
import os
import socket
import threading
import time
from typing import Protocol

from checker.links import safety


class Tracking(Protocol):
    def track(self, sock: socket.socket) -> None: ...


class Expiring(Protocol):
    def expire(self) -> None: ...


class Deadlines:
    """One timer thread for every fetch in flight (not a watchdog thread per fetch).

    A fetch registers its deadline; when it passes before the fetch has finished, the
    thread marks the fetch expired and shuts its sockets down, so a server trickling its
    headers or body cannot hold the check.  Finished fetches are dropped lazily.
    """

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Expiring]] = []
        self._cond = threading.Condition()
        self._seq = 0
        self._thread: threading.Thread | None = None

    def add(self, when: float, run: Expiring) -> None:
        """Call ``run.expire()`` at ``when`` (``time.monotonic()``) unless it has ended."""
        with self._cond:
            self._seq += 1
            heapq.heappush(self._heap, (when, self._seq, run))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="fetch-deadlines")
                self._thread.daemon = True
                self._thread.start()
            elif self._heap[0][2] is run:
                self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                when, _, run = self._heap[0]
                wait = when - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
            run.expire()

    def pending(self) -> int:
        with self._cond:
            return len(self._heap)

    def _after_fork(self) -> None:
        """In a forked child: a fresh lock and heap (the parent's timer thread is gone,
        and its lock may have been held at the moment of the fork)."""
        self._heap, self._cond, self._thread = [], threading.Condition(), None


DEADLINES = Deadlines()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=DEADLINES._after_fork)
CURRENT = threading.local()  #: the fetch running on this thread (for the socket hook)


def _track_current(sock: socket.socket) -> None:
    run: Tracking | None = getattr(CURRENT, "run", None)
    if run is not None:
        run.track(sock)


class Connections:
    """Keep-alive connections shared by every fetch of a run, closed at the end.

    One :class:`~checker.links.safety.PinnedAdapter` per vetted address; inside it one
    pool per (scheme, host, port).  So a pool's key is (scheme, host, port, vetted IP):
    every fetch still resolves and vets the host, and an address that changed on the
    next resolution gets a pool (and a vetting) of its own.  ``per_host`` connections
    are kept per pool (the scheduler's host concurrency).
    """

    def __init__(self, per_host: int = 2) -> None:
        self.per_host = max(1, per_host)
        self._adapters: dict[str, safety.PinnedAdapter] = {}
        self._lock = threading.Lock()
        self.closed = False

    def adapter(self, ip: str) -> safety.PinnedAdapter:
        with self._lock:
            adapter = self._adapters.get(ip)
            if adapter is None:
                adapter = safety.PinnedAdapter(
                    ip, on_socket=_track_current, pools=256, per_pool=self.per_host
                )
                self._adapters[ip] = adapter
            return adapter

    def close(self) -> None:
        with self._lock:
            adapters, self._adapters = list(self._adapters.values()), {}
            self.closed = True
        for adapter in adapters:
            adapter.close()

    def __enter__(self) -> Connections:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
