"""Workloads on the simulated web for the engine's tests and ``bench/scale.py``.

A *farm* is a set of sites served by :meth:`SimWeb.add_farm` on loopback: site ``sN``
has hosts ``www.sN.example`` and ``img.sN.example`` (one registrable domain, so one
partition), and each host gets a number of URLs; ``zipf`` gives site ``s0`` the most.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from checker.engine.partition import EngineConfig
from checker.links.fetch import FetchConfig
from checker.links.runner import LinkConfig
from checker.links.scheduler import Politeness
from checker.testing.simweb import SimWeb


def farm_urls(web: SimWeb, sites: int, per_site: int, *, zipf: float = 0.0) -> list[str]:
    """URLs on ``sites`` farm sites: ``per_site`` each, or a Zipf share when ``zipf`` > 0
    (the same total, site ``s0`` the hottest)."""
    hosts = [(f"www.s{i}.example", f"img.s{i}.example") for i in range(sites)]
    web.add_farm([h for pair in hosts for h in pair])
    total = sites * per_site
    if zipf > 0:
        weights = [1 / (rank + 1) ** zipf for rank in range(sites)]
        counts = [max(1, round(total * w / sum(weights))) for w in weights]
    else:
        counts = [per_site] * sites
    urls = []
    for i, (www, img) in enumerate(hosts):
        for j in range(counts[i]):
            urls.append(web.url(www if j % 2 == 0 else img, f"/s{i}/page-{j}"))
    return urls


def farm_config(
    web: SimWeb,
    *,
    interval: float = 0.25,
    host_concurrency: int = 1,
    max_concurrency: int = 8,
    **engine: object,
) -> EngineConfig:
    """One GET per link (no HEAD, no probe, no retry), so every request the web logs
    is one check the scheduler placed; loopback allowed; the web's names resolved as
    data (the resolver travels to the workers)."""
    links = LinkConfig(
        fetch=FetchConfig(
            allow_private=True, head_first=False, max_attempts=1, deadline=10.0, read_timeout=8.0
        ),
        politeness=Politeness(max_concurrency, host_concurrency, interval),
        probe=False,
        state_path=None,
    )
    config = EngineConfig(
        links=links,
        resolve=resolve_pairs(web),
        takeover_wait=1.0,
        busy_wait=1.0,
    )
    return dataclasses.replace(config, **engine)  # type: ignore[arg-type]


def resolve_pairs(web: SimWeb) -> tuple[tuple[str, str], ...]:
    return tuple((host, ip) for host, (ip, _) in web.hosts.items())


def spans_of(web: SimWeb) -> Sequence[tuple[str, str, float, float]]:
    return [(s.host, s.path, s.start, s.end) for s in web.spans]
