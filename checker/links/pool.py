"""What the fetches of one run share: keep-alive connections and one deadline timer.

:class:`Connections` keeps idle connections per (scheme, host, port, vetted IP) for the
whole run; :data:`DEADLINES` is one timer thread that expires every fetch in flight whose
total deadline has passed (not a watchdog thread per fetch).  Every socket a fetch uses
is handed to the fetch (``track``), so it can be shut down when the fetch expires.
"""

from __future__ import annotations

import heapq
import http.client
import os
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from checker.links import safety


class Expiring(Protocol):
    finished: bool  #: the call has ended: its deadline is dropped, never run

    def expire(self) -> None: ...


class Deadlines:
    """One timer thread for every fetch in flight (not a watchdog thread per fetch).

    A fetch registers its deadline; when it passes before the fetch has finished, the
    thread marks the fetch expired and shuts its sockets down, so a server trickling its
    headers or body cannot hold the check.  Finished fetches are dropped lazily, and all
    at once by :meth:`settle` at the end of a run; the thread ends when no deadline is
    left (the next :meth:`add` starts another), so a process that has finished its
    fetches has no thread of them left (the reports fork only from a lone thread).
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
                heap = self._heap
                while heap and heap[0][2].finished:
                    heapq.heappop(heap)
                if not heap:  # nothing in flight: the thread ends
                    if self._thread is threading.current_thread():
                        self._thread = None
                    self._cond.notify_all()
                    return
                when, _, run = heap[0]
                wait = when - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
            run.expire()

    def pending(self) -> int:
        with self._cond:
            return len(self._heap)

    def settle(self) -> None:
        """Drop the deadlines of calls that have ended; when none is left, wait for the
        timer thread to end (a call registered meanwhile keeps it, and this returns)."""
        with self._cond:
            self._heap = [entry for entry in self._heap if not entry[2].finished]
            heapq.heapify(self._heap)
            thread = self._thread
            if self._heap or thread is None:
                return
            self._cond.notify_all()
            while self._thread is thread and not self._heap:
                self._cond.wait(0.1)
            ended = self._thread is not thread
        if ended:
            thread.join()

    def _after_fork(self) -> None:
        """In a forked child: a fresh lock and heap (the parent's timer thread is gone,
        and its lock may have been held at the moment of the fork)."""
        self._heap, self._cond, self._thread = [], threading.Condition(), None


DEADLINES = Deadlines()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=DEADLINES._after_fork)


class Connections:
    """Keep-alive connections shared by every fetch of a run, closed at the end.

    Idle connections are kept per (scheme, host, port, vetted IP), at most ``per_host``
    of each (the scheduler's host concurrency): every fetch still resolves and vets the
    host, and an address that changed on the next resolution gets connections (and a
    vetting) of its own, so a kept-alive connection is never a way around the vetting.
    The connections are the standard library's (:mod:`http.client`), pinned to the
    vetted address by :func:`~checker.links.safety.pinned_connection`.
    """

    def __init__(self, per_host: int = 2, context: ssl.SSLContext | None = None) -> None:
        self.per_host = max(1, per_host)
        self.context = context
        self._idle: dict[Key, list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self.closed = False
        self.opened = 0  #: connections opened (for tests and the benchmark)

    def open(
        self,
        method: str,
        target: Target,
        ip: str,
        headers: Mapping[str, str],
        timeout: tuple[float, float],
        track: Callable[[socket.socket], None],
    ) -> Answer:
        """Send ``method`` for ``target`` to ``ip`` on a kept-alive connection (a new one
        when none is idle) and return the answer with its headers read.  A kept-alive
        connection the server closed meanwhile is replaced once by a new one; ``track``
        gets every socket used (the deadline timer shuts it down when time runs out)."""
        key = (target.scheme, target.host, target.port, ip)
        for attempt in range(2):
            conn = None if attempt else self._checkout(key)
            reused = conn is not None
            if conn is None:
                conn = safety.pinned_connection(
                    target.scheme, target.host, target.port, ip, timeout[0], self.context
                )
                with self._lock:
                    self.opened += 1
                try:
                    conn.connect()
                except BaseException:
                    conn.close()
                    raise
            sock = conn.sock
            assert sock is not None
            track(sock)
            sock.settimeout(timeout[1])
            try:
                conn.request(method, target.path, headers=dict(headers))
                response = conn.getresponse()
            except _STALE:
                conn.close()
                if reused:
                    continue  # closed by the server while idle: once more, on a new one
                raise
            except BaseException:
                conn.close()
                raise
            return Answer(self, key, conn, response)
        raise http.client.RemoteDisconnected("the server closed the connection")

    def _checkout(self, key: Key) -> http.client.HTTPConnection | None:
        while True:
            with self._lock:  # held only to take one (the check below is a system call)
                idle = self._idle.get(key)
                if not idle:
                    return None
                conn = idle.pop()
            if not _dropped(conn):
                return conn
            conn.close()

    def checkin(self, key: Key, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if not self.closed and len(idle) < self.per_host:
                idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
            self.closed = True
        for conns in idle.values():
            for conn in conns:
                conn.close()
        DEADLINES.settle()  # the run's fetches have ended: no timer thread is left

    def __enter__(self) -> Connections:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


Key = tuple[str, str, int, str]  #: scheme, host, port, vetted IP
#: A kept-alive connection the server has closed: nothing of an answer came back.
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
          ConnectionAbortedError)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Target:
    """Where a request goes: the IDNA host name, the port and the path with its query."""

    scheme: str
    host: str
    port: int
    path: str


def _dropped(conn: http.client.HTTPConnection) -> bool:
    """True when an idle connection's socket is readable: the server closed it (or sent
    something unasked), so it cannot carry another request."""
    sock = conn.sock
    if sock is None:
        return True
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


class Answer:
    """An answer whose headers are read and whose body is streamed; :meth:`release`
    gives its connection back when the body was read to the end."""

    __slots__ = ("_conn", "_key", "_pool", "headers", "response", "status")

    def __init__(self, pool: Connections, key: Key, conn: http.client.HTTPConnection,
                 response: http.client.HTTPResponse) -> None:  # fmt: skip
        self._pool, self._key, self._conn = pool, key, conn
        self.response = response
        self.status = response.status
        self.headers = response.msg

    def read1(self, size: int) -> bytes:
        return self.response.read1(size)

    def drain(self) -> None:
        """Read the rest of the body (a short one, so the connection can be reused)."""
        self.response.read()
        self.release()

    def release(self) -> None:
        """The connection back to the pool if the answer was read to its end and the
        server keeps it open; closed otherwise."""
        response = self.response
        if not response.isclosed() and response.length == 0:
            response.read()  # read1 leaves a body read to its exact length open: close it
        if response.isclosed() and not self.response.will_close:
            self._pool.checkin(self._key, self._conn)
        else:
            self.close()

    def close(self) -> None:
        self.response.close()
        self._conn.close()
