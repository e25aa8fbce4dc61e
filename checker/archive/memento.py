"""Memento (RFC 7089): captures held by other public archives, when Wayback has none.

A Memento aggregator's TimeMap (``<timemap_url><cited URL>``, link format) lists the
captures of a URL across archives (archive.today, the UK Web Archive, Arquivo.pt, the
Library of Congress…).  The TimeMap is fetched through the archive client (same rate
limit, timeouts and 429 policy); each memento is an ordinary third-party URL, so it is
fetched for validation by the link stage's safe fetcher (address vetting, byte caps,
deadline), never by a bare request.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from checker.archive.client import ArchiveClient, ArchiveUnavailable, Capture
from checker.archiveurl import WAYBACK_HOSTS
from checker.links.fetch import FetchConfig, fetch
from checker.links.safety import Resolver

#: One link-format entry: <uri>; attr="value"; attr=value …
_ENTRY = re.compile(r'<(?P<uri>[^>]*)>(?P<params>(?:\s*;\s*[\w-]+\s*=\s*(?:"[^"]*"|[^;,<]*))*)')
_PARAM = re.compile(r'([\w-]+)\s*=\s*(?:"([^"]*)"|([^;,<]*))')


def parse_timemap(text: str) -> list[tuple[str, str]]:
    """(14-digit timestamp, memento URI) of every memento in a link-format TimeMap."""
    found: dict[str, str] = {}
    for entry in _ENTRY.finditer(text):
        params = {
            m[1].lower(): (m[2] if m[2] is not None else m[3]).strip()
            for m in _PARAM.finditer(entry["params"])
        }
        if "memento" not in params.get("rel", "").split() or "datetime" not in params:
            continue
        try:
            when = email.utils.parsedate_to_datetime(params["datetime"])
        except (TypeError, ValueError):
            continue
        found.setdefault(entry["uri"], f"{when:%Y%m%d%H%M%S}")
    return sorted((stamp, uri) for uri, stamp in found.items())


@dataclass
class MementoSource:
    timemap_url: str
    client: ArchiveClient
    fetch_config: FetchConfig
    resolver: Resolver | None = None

    def mementos(self, url: str) -> list[tuple[str, str]]:
        """Mementos of ``url`` outside the Wayback Machine (already asked directly)."""
        status, text = self.client.get_text(self.timemap_url + url)
        if status == 404:
            return []
        if status != 200:
            raise ArchiveUnavailable(f"the Memento aggregator answered HTTP {status}")
        wayback = {urlsplit(self.client.config.base_url).hostname, *WAYBACK_HOSTS}
        return [(s, u) for s, u in parse_timemap(text) if urlsplit(u).hostname not in wayback]

    def capture(self, stamp: str, uri: str) -> Capture:
        outcome = fetch(uri, self.fetch_config, resolver=self.resolver)
        status = outcome.status if outcome.status is not None else 0
        return Capture(stamp, status, outcome.body, outcome.final_url or uri)
