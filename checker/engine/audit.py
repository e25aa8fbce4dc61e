"""Politeness judged from the server's side: a log of (host, start, end) per request.

Used by the tests and ``bench/scale.py`` on the simulated web's own log, so the proof
does not depend on what the client believes it did.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Audit:
    requests: int
    hosts: int
    violations: int  #: gaps between two request starts on one host below the interval
    min_gap: float  #: the smallest such gap seen (inf: no host had two requests)
    max_in_flight: int  #: the most requests one host had open at once
    repeated: int  #: requests for a (host, path) already requested
    closest: str = ""  #: the closest pair of starts on one host, for a person


def audit(
    spans: Iterable[tuple[str, str, float, float]], interval: float, tolerance: float = 0.02
) -> Audit:
    """``spans``: (host, path, start, end); ``interval``: the promised gap per host."""
    by_host: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    total = repeated = 0
    for host, path, start, end in spans:
        name = host.rsplit(":", 1)[0].lower() if host.count(":") == 1 else host.lower()
        by_host[name].append((start, end, path))
        total += 1
        repeated += (name, path) in seen
        seen.add((name, path))
    violations, min_gap, peak, closest = 0, float("inf"), 0, ""
    for host, times in by_host.items():
        times.sort()
        for (a, _, p), (b, _, q) in itertools.pairwise(times):
            gap = b - a
            if gap < min_gap:
                min_gap, closest = gap, f"{host}: {p} then {q} {gap:.3f} s later (t={a:.3f})"
            violations += gap < interval - tolerance
        events = sorted([(s, 1) for s, _, _ in times] + [(e, -1) for _, e, _ in times])
        open_now = 0
        for _, step in events:  # at equal times an end (-1) sorts before a start (+1)
            open_now += step
            peak = max(peak, open_now)
    return Audit(total, len(by_host), violations, min_gap, peak, repeated, closest)
