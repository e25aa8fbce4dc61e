"""Fetch processes partitioned by host: one interpreter per core for large lists.

A link check spends about a millisecond of CPU per link in Python (HTTP parsing, the
signals, the page date), so one interpreter tops out near a thousand links a second
whatever the network allows.  For a large list the URLs are split by host into
``processes`` partitions (like Nutch's fetcher partitions: a host lives in exactly one
partition, so its politeness bounds, circuit breaker, probe and keep-alive pool stay
whole) and each partition runs the same in-process code (:func:`fetch` with its thread
pool) in a forked child.  Children stream their results back as they finish; the parent
keeps the progress, the network verdict and the state file.  A child that dies leaves
its unreported URLs to the parent, which checks them itself: no URL is lost.

Only where ``fork`` exists (Linux, the BSDs); elsewhere the check runs in-process.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from typing import Generic, TypeVar

from checker.links.scheduler import host_of

T = TypeVar("T")

#: Below this many URLs per process a partition is not worth a process.
MIN_URLS_PER_PROCESS = 500
#: A child sends what it has after this many results or seconds.
BATCH, BATCH_SECONDS = 64, 0.2

#: Runs ``urls`` in this process, calling ``on_done(url, value)`` as each finishes.
Runner = Callable[[Sequence[str], Callable[[str, T], None]], None]


def available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def plan(urls: int, wanted: int) -> int:
    """How many processes to use for ``urls`` URLs: ``wanted`` (never more than the
    URLs), or with 0 one per core (at most 4) while each gets :data:`MIN_URLS_PER_PROCESS`
    URLs; 1 means in-process."""
    if not available():
        return 1
    if wanted > 0:
        return max(1, min(wanted, urls))
    return max(1, min(4, os.cpu_count() or 1, urls // MIN_URLS_PER_PROCESS))


def partition(urls: Sequence[str], parts: int) -> list[list[str]]:
    """``urls`` split by host (a stable hash of the host name), order kept within a part."""
    out: list[list[str]] = [[] for _ in range(parts)]
    for url in urls:
        out[zlib.crc32(host_of(url).encode("utf-8", "surrogatepass")) % parts].append(url)
    return [part for part in out if part]


def share(total: int, parts: int, floor: int) -> int:
    """Each process's part of a global concurrency bound (never under ``floor``)."""
    return max(floor, math.ceil(total / max(1, parts)))


class _Sender(Generic[T]):
    """Batches a child's results onto its pipe."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.batch: list[tuple[str, T]] = []
        self.sent = time.monotonic()

    def __call__(self, url: str, value: T) -> None:
        self.batch.append((url, value))
        if len(self.batch) >= BATCH or time.monotonic() - self.sent >= BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            self.conn.send(("results", self.batch))
            self.batch = []
        self.sent = time.monotonic()


def _child(run: Runner[T], urls: Sequence[str], conn: Connection) -> None:
    sender: _Sender[T] = _Sender(conn)
    try:
        run(urls, sender)
        sender.flush()
        conn.send(("done", None))
    except BaseException as exc:  # reported to the parent, which checks the rest itself
        sender.flush()
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def run_in_processes(
    urls: Sequence[str],
    run: Runner[T],
    processes: int,
    on_done: Callable[[str, T], None],
    meanwhile: Callable[[], None] | None = None,
) -> list[str]:
    """Run ``urls`` through ``run`` in ``processes`` forked children, partitioned by host,
    calling ``on_done`` in this process for every result.  ``meanwhile`` runs on a
    thread of this process once the children are forked (work that does not need the
    results: the offline checks), and is done before this returns; its exception is
    raised.  Returns the problems of children that failed (their unreported URLs were
    then run here)."""
    context = multiprocessing.get_context("fork")
    parts = partition(urls, processes)
    pending: dict[Connection, tuple[multiprocessing.process.BaseProcess, set[str]]] = {}
    for part in parts:
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_child, args=(run, part, sender), daemon=True)
        process.start()
        sender.close()
        pending[receiver] = (process, set(part))
    problems: list[str] = []
    left: list[str] = []
    side = _Side(meanwhile) if meanwhile is not None else None  # after the forks: no
    try:  # thread of ours is copied into a child
        while pending:
            for conn in wait(list(pending)):
                assert isinstance(conn, Connection)
                child, todo = pending[conn]
                try:
                    kind, payload = conn.recv()
                except (EOFError, OSError):
                    kind, payload = "failed", "the fetch process ended without a word"
                if kind == "results":
                    for url, value in payload:
                        todo.discard(url)
                        on_done(url, value)
                    continue
                if kind == "failed":
                    problems.append(str(payload))
                    left.extend(url for url in urls if url in todo)
                conn.close()
                child.join(5)
                del pending[conn]
    finally:
        for conn, (child, _) in pending.items():  # interrupted: no orphans left behind
            child.kill()
            child.join(5)
            conn.close()
    if left:
        run(left, on_done)
    if side is not None:
        side.result()
    return problems


class _Side:
    """``work`` on a thread of its own; :meth:`result` waits and raises its error."""

    def __init__(self, work: Callable[[], None]) -> None:
        self.error: BaseException | None = None
        self.work = work
        self.thread = threading.Thread(target=self._run, name="meanwhile", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.work()
        except BaseException as exc:  # raised on the calling thread by result()
            self.error = exc

    def result(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error
