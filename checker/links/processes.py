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
import queue
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

from checker.bulk import cores
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
    return max(1, min(4, cores(), urls // MIN_URLS_PER_PROCESS))


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
    """Batches a child's results onto its pipe, from a thread of its own: the thread
    that collects the fetches never waits for the parent to read (a full pipe held it,
    and the fetch threads behind it)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.batch: list[tuple[str, T]] = []
        self.sent = time.monotonic()
        self.outbox: queue.SimpleQueue[tuple[str, Any] | None] = queue.SimpleQueue()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._pump, name="sender", daemon=True)
        self.thread.start()

    def __call__(self, url: str, value: T) -> None:
        self.batch.append((url, value))
        if len(self.batch) >= BATCH or time.monotonic() - self.sent >= BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            self.outbox.put(("results", self.batch))
            self.batch = []
        self.sent = time.monotonic()

    def close(self, last: tuple[str, Any]) -> None:
        """Send what is batched, then ``last``; wait until all of it went out."""
        self.flush()
        self.outbox.put(last)
        self.outbox.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def _pump(self) -> None:
        while (message := self.outbox.get()) is not None:
            try:
                self.conn.send(message)
            except BaseException as exc:  # the parent is gone: nothing more can be said
                self.error = exc
                return


def _child(run: Runner[T], urls: Sequence[str], conn: Connection) -> None:
    sender: _Sender[T] = _Sender(conn)
    try:
        try:
            run(urls, sender)
        except BaseException as exc:  # reported to the parent, which checks the rest itself
            sender.close(("failed", f"{type(exc).__name__}: {exc}"))
        else:
            sender.close(("done", None))
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
    side = _Side(meanwhile) if meanwhile is not None else None  # after the forks: no
    reader: _Receiver[T] = _Receiver(pending)  # thread of ours is copied into a child
    try:
        while (batch := reader.inbox.get()) is not None:
            for url, value in batch:
                on_done(url, value)
    finally:
        reader.stop()
    if reader.left:
        run([url for url in urls if url in reader.left], on_done)
    if side is not None:
        side.result()
    return reader.problems


class _Receiver(Generic[T]):
    """Reads the children's pipes on a thread of its own and hands their batches over
    in order (``inbox``, then None), so a pipe is emptied while this process judges
    what came before.  A child that fails or ends without a word leaves its unreported
    URLs in ``left`` and its problem in ``problems``."""

    def __init__(
        self, pending: dict[Connection, tuple[multiprocessing.process.BaseProcess, set[str]]]
    ) -> None:
        self.pending = pending
        self.inbox: queue.SimpleQueue[list[tuple[str, T]] | None] = queue.SimpleQueue()
        self.problems: list[str] = []
        self.left: set[str] = set()
        self.thread = threading.Thread(target=self._read, name="receiver", daemon=True)
        self.thread.start()

    def _read(self) -> None:
        pending = self.pending
        try:
            while pending:
                for conn in wait(list(pending)):
                    assert isinstance(conn, Connection)
                    child, todo = pending[conn]
                    try:
                        kind, payload = conn.recv()
                    except (EOFError, OSError):
                        kind, payload = "failed", "the fetch process ended without a word"
                    if kind == "results":
                        todo.difference_update(url for url, _ in payload)
                        self.inbox.put(payload)
                        continue
                    if kind == "failed":
                        self.problems.append(str(payload))
                        self.left.update(todo)
                    conn.close()
                    child.join(5)
                    del pending[conn]
        finally:
            self.inbox.put(None)

    def stop(self) -> None:
        """Wait for the reading to end; when this process stops early (an exception in
        ``on_done``, an interrupt), the children are killed first: no orphans."""
        if self.thread.is_alive():
            for child, _ in list(self.pending.values()):
                child.kill()
            self.thread.join()
        for conn, (child, _) in list(self.pending.items()):
            child.join(5)
            conn.close()


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
