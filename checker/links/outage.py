"""Judging the run's own network, and whole-host outages, from the run's evidence.

No outside canary (a machine without internet always fails one, and the tests and
the demo run on loopback): the network is judged unusable when *no* host answered
at the HTTP level and at least two hosts failed at the connection level (no such
name, refused, unreachable, timed out).  A real list never has every host vanish at
once; a machine whose DNS or route is gone shows exactly that.  Then the run is
inconclusive: nothing is marked dead, recorded as a failure, or patched.

Two more ways a run's own network lies, judged the same way (the run is inconclusive):

* a **captive portal or proxy block page**: many unrelated hosts (at least three, and
  at least half of the hosts that answered) return the very same page — same body
  hash, same off-site final host, or same title — and it was judged rot (``soft-404``
  or ``usurped``: a portal answers the random probe path with that page too), so
  sites that merely share a template are not mistaken for one;
* **TLS failing everywhere** (a broken trust store, an intercepting proxy): most
  https hosts (at least two, and more than half of those checked) fail the TLS
  handshake.  One host's bad certificate is that host's own ``tls-error``.

A host whose every URL (two or more) failed at the connection level while the network
worked is one *host outage* in the report, not N dead pages; its URLs stay ``failing``
and count toward confirmation like any other failure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checker.links.scheduler import host_of, split_url
from checker.model import LinkResult, LinkStatus, by_position

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


@dataclass(frozen=True, slots=True)
class PageFingerprint:
    """What a fetched page looked like, to see many sites answering the same page."""

    final_host: str  #: the host of the final URL
    title: str
    body_hash: str  #: of the decoded body ("" when none was read)

    def __reduce__(self) -> tuple[Any, ...]:
        return by_position(self)


MIN_SAME_PAGE_HOSTS = 3
_PAGE_ROT = frozenset({LinkStatus.SOFT_404, LinkStatus.USURPED})


def same_page_everywhere(
    results: Mapping[str, LinkResult], pages: Mapping[str, PageFingerprint]
) -> str:
    """Why the run looks captured by a portal or block page ("" when it does not)."""
    answered: set[str] = set()
    sharing: dict[tuple[str, str], set[str]] = defaultdict(set)
    for url, page in pages.items():
        result = results.get(url)
        if result is None or result.http_status is None:
            continue
        host = host_of(url)
        answered.add(host)
        if result.http_status != 200 or result.status not in _PAGE_ROT:
            continue
        if page.body_hash:
            sharing["page", page.body_hash].add(host)
        if page.final_host and page.final_host != host:
            sharing["final host", page.final_host].add(host)
        if page.title.strip():
            sharing["title", page.title.strip().casefold()].add(host)
    need = max(MIN_SAME_PAGE_HOSTS, (len(answered) + 1) // 2)
    for (kind, value), hosts in sorted(sharing.items(), key=lambda kv: -len(kv[1])):
        if len(hosts) >= need:
            shown = value if kind != "page" else f"sha1 {value[:12]}"
            return (
                f"{len(hosts)} of the {len(answered)} hosts that answered returned the same "
                f"{kind} ({shown}): a captive portal or proxy block page, not the sites"
            )
    return ""


def tls_everywhere(results: Mapping[str, LinkResult]) -> str:
    """Why TLS looks broken on this machine ("" when it does not)."""
    https: set[str] = set()
    failed: set[str] = set()
    for url, result in results.items():
        if not result.hops or split_url(url).scheme.lower() != "https":
            continue
        host = host_of(url)
        https.add(host)
        if result.hops[-1].error == "tls" and result.hops[-1].status is None:
            failed.add(host)
    if len(failed) >= 2 and len(failed) * 2 > len(https):
        return (
            f"the TLS handshake failed on {len(failed)} of the {len(https)} https hosts: this "
            "machine's trust store or an intercepting proxy looks broken"
        )
    return ""


def judge(
    results: Mapping[str, LinkResult], pages: Mapping[str, PageFingerprint] | None = None
) -> NetworkVerdict:
    """Network usable?  And which hosts are down as a whole.  ``pages`` (the fingerprint
    of each fetched page) lets a captive portal be recognised."""
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
    for reason in (same_page_everywhere(results, pages or {}), tls_everywhere(results)):
        if reason:
            return NetworkVerdict(False, reason, checked, len(answered))
    outages = tuple(
        HostOutage(host, len(errors), tuple(sorted(set(errors))))
        for host, errors in sorted(failed.items())
        if len(errors) >= 2 and len(errors) == urls_per_host[host]
    )
    return NetworkVerdict(True, "", checked, len(answered), outages)
