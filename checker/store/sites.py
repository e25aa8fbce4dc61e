"""Sites: the registrable domain of a host (Public Suffix List, private suffixes
included, offline), and a stable keyed-hash partition number per site."""

from __future__ import annotations

import hashlib
import ipaddress
from functools import lru_cache
from typing import Any

PARTITIONS = 4096
_KEY = b"citewatch-site-partition-v1"


@lru_cache(maxsize=1)
def _psl() -> Any:
    try:
        from publicsuffixlist import PublicSuffixList
    except ImportError:  # the lean install: no PSL, the host itself is the site
        return None
    # The list bundled with the package (private suffixes included); never fetched.
    return PublicSuffixList()


def load_suffix_list() -> None:
    """Load the Public Suffix List now (about 50 ms), ahead of the first :func:`site_of`
    of a name (a link check does it while its fetch processes fetch)."""
    _psl()


@lru_cache(maxsize=65536)
def site_of(host: str) -> str:
    """``news.bbc.co.uk`` → ``bbc.co.uk``; ``x.blogspot.com`` → itself; IPs and names
    without a public suffix are their own site."""
    host = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    psl = _psl()
    if psl is None:
        return host
    return str(psl.privatesuffix(host) or host)


def part_of(site: str, partitions: int = PARTITIONS) -> int:
    """blake2b(site) keyed, modulo the partition count: the same in every process."""
    digest = hashlib.blake2b(site.encode(), key=_KEY, digest_size=8).digest()
    return int.from_bytes(digest, "big") % partitions
