"""Working on a large list without the cyclic garbage collector getting in the way.

Importing, checking and reporting a million references makes some fifty million
objects that live until the run ends and hold no reference cycles.  CPython's cyclic
collector is triggered by allocations and would scan them again and again (a quarter
of the run's time on 1,000,000 references, by ``bench/offline_checks.py``); in a forked
worker it would also write to every object it scans, copying pages the worker shares
with its parent.  Memory is still freed by reference counting: only the collection of
cycles waits until the block ends.

:func:`cores` is how many processors the forked workers of such a list may use.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

#: Lists at least this long freeze what they made (:func:`freeze_large`).
FREEZE_MIN = 100_000


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic collection inside the block (the previous setting restored after)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def gc_paused(func: Callable[P, R]) -> Callable[P, R]:
    """``func`` run inside :func:`paused_gc`."""

    @functools.wraps(func)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        with paused_gc():
            return func(*args, **kwargs)

    return paused


def freeze_large(count: int) -> bool:
    """For a list of ``count`` references (at least :data:`FREEZE_MIN`): move every
    object tracked so far into the collector's permanent generation, so no later
    collection scans them again (and forked workers leave their pages shared).  The
    objects are still freed by reference counting; only cycles among them are never
    collected.  True if frozen."""
    if count < FREEZE_MIN:
        return False
    gc.freeze()
    return True


def cores() -> int:
    """The processors this process may run on: its CPU set where the system has one (a
    container's, not the host's), else every processor."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


__all__ = ["FREEZE_MIN", "cores", "freeze_large", "gc_paused", "paused_gc"]
