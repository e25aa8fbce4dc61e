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
def _extractor() -> Any:
    try:
        import tldextract
    except ImportError:  # the lean install: no PSL, the host itself is the site
        return None
    # suffix_list_urls=() never fetches: the snapshot bundled with tldextract is used.
    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
    )


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
    extract = _extractor()
    if extract is None:
        return host
    parts = extract(host)
    return str(parts.top_domain_under_public_suffix) or host


def part_of(site: str, partitions: int = PARTITIONS) -> int:
    """blake2b(site) keyed, modulo the partition count: the same in every process."""
    digest = hashlib.blake2b(site.encode(), key=_KEY, digest_size=8).digest()
    return int.from_bytes(digest, "big") % partitions
