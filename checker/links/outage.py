"""Judging the run's own network, and whole-host outages, from the run's evidence.

No outside canary (a machine without internet always fails one, and the tests and
the demo run on loopback): the network is judged unusable when *no* host answered
at the HTTP level and at least two hosts failed at the connection level (no such
name, refused, unreachable, timed out).  A real list never has every host vanish at
once; a machine whose DNS or route is gone shows exactly that.  Then the run is
inconclusive: nothing is marked dead, recorded as a failure, or patched.

A host whose every URL (two or more) failed at the connection level while the network
worked is one *host outage* in the report, not N dead pages; its URLs stay ``failing``
and count toward confirmation like any other failure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from checker.links.scheduler import host_of
from checker.model import LinkResult

#: Hop error codes that mean "never got an HTTP answer".
CONNECTION_ERRORS = frozenset(
    {"dns", "refused", "unreachable", "timeout", "connect-timeout", "reset", "network"}
)


@dataclass(frozen=True, slots=True)
class HostOutage:
    host: str
    urls: int
    errors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NetworkVerdict:
    usable: bool
    reason: str
    hosts_checked: int
    hosts_answering: int
    outages: tuple[HostOutage, ...] = ()


def connection_failure(result: LinkResult) -> str:
    """The connection-level error of a check that never got an HTTP status ('' if any)."""
    if not result.hops or any(h.status is not None for h in result.hops):
        return ""
    errors = [h.error for h in result.hops if h.error]
    if errors and all(e in CONNECTION_ERRORS for e in errors):
        return errors[-1]
    return ""


def judge(results: Mapping[str, LinkResult]) -> NetworkVerdict:
    """Network usable?  And which hosts are down as a whole."""
    answered: set[str] = set()
    failed: dict[str, list[str]] = defaultdict(list)
    urls_per_host: dict[str, int] = defaultdict(int)
    for url, result in results.items():
        if not result.hops:
            continue  # not fetched (invalid, unsafe, reused…)
        host = host_of(url)
        urls_per_host[host] += 1
        error = connection_failure(result)
        if error:
            failed[host].append(error)
        elif any(h.status is not None for h in result.hops):
            answered.add(host)
    checked = len(urls_per_host)
    if not answered and len(failed) >= 2:
        kinds = sorted({e for errors in failed.values() for e in errors})
        return NetworkVerdict(
            False,
            f"none of the {checked} hosts answered and {len(failed)} failed at the connection "
            f"level ({', '.join(kinds)}): this machine's network looks unusable",
            checked,
            0,
        )
    outages = tuple(
        HostOutage(host, len(errors), tuple(sorted(set(errors))))
        for host, errors in sorted(failed.items())
        if len(errors) >= 2 and len(errors) == urls_per_host[host]
    )
    return NetworkVerdict(True, "", checked, len(answered), outages)
