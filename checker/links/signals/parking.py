"""Parked, for-sale and expired domains: the cited site is gone and someone else's page
(a parking lander, a marketplace listing, a registrar's holding page) answers instead.

Wikipedia calls such a link ``usurped``: the link is hidden and the archive shown.
Decided, first match wins, from:

1. a redirect to a domain marketplace (Sedo, Dan, Afternic, HugeDomains, ...) that the
   cited URL was not already on;
2. a redirect to a parking lander path (``/lander``, ``/parking``, ...) on the same host,
   or a script-only page that sends the browser there (GoDaddy's
   ``window.location.href="/lander"``);
3. parking-service markup (``window.park = "ey..."``, ``data-adblockkey``, Sedo, Bodis,
   ParkingCrew, AdSense-for-domains ``caf.js``, GoDaddy's parking lander, registrar
   parking templates): one service on a short page, or two on a longer one (never on a
   long article: landers are small);
4. for-sale / parked / expired / registered-at-registrar phrasing in many languages, in
   the title or the text of a short page (a long article that says "for sale" is not
   parked);
5. when a name-server lookup is given: the domain's NS records name a parking service
   (list from the TMA 2022 parking study).

Markers live in ``data/parking.json`` with their sources.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence

from checker.links.scheduler import split_url
from checker.links.signals._data import Gated, load, lower_pattern, markers, phrases, union
from checker.links.signals.text import fold, fold_pattern, meta_description

#: Visible text (characters) under which a page counts as short: landers are small.
SHORT_TEXT = 5000
#: Visible text of a "script-only" lander.
EMPTY_TEXT = 200

_DATA = load("parking")
_MARKETPLACES: tuple[str, ...] = tuple(_DATA["marketplaces"])
_MARKET_DOMAINS = tuple(dict.fromkeys(market.split("/")[0] for market in _MARKETPLACES))
_MARKET_SET, _MARKET_SUFFIXES = frozenset(_MARKET_DOMAINS), tuple(f".{d}" for d in _MARKET_DOMAINS)
_LANDERS = frozenset(_DATA["lander_paths"])
_SERVICES = markers(_DATA["service_markup"], "service")
_SCRIPT_REDIRECT = Gated(lower_pattern(_DATA["script_redirect"]))
_STRONG = phrases([fold(p) for p in _DATA["strong_phrases"]])
_STRONG_PATTERNS = Gated("|".join(f"(?:{fold_pattern(p)})" for p in _DATA["strong_patterns"]))
_TITLE = phrases([fold(p) for p in _DATA["title_phrases"]])
_SALE = phrases([fold(p) for p in _DATA["sale_words_with_domain"]])
_DOMAIN_NAME = re.compile(
    r"(?<![\w@/.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}(?![\w.-])", re.I
)
_NS = union(
    [re.escape(p.lower().rstrip(".")).replace("%", ".*") for p in _DATA["nameservers"]["patterns"]]
)  # matched against lower-cased names


def on_marketplace(final_host: str, cited_host: str) -> str:
    """The marketplace ``final_host`` belongs to, unless the cited host already did."""
    if final_host not in _MARKET_SET and not final_host.endswith(_MARKET_SUFFIXES):
        return ""  # on no marketplace (one test in C for every page)
    for domain in _MARKET_DOMAINS:
        if _within(final_host, domain) and not _within(cited_host, domain):
            return domain
    return ""


def _within(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def parked(
    url: str,
    final_url: str,
    redirected: bool,
    title: str,
    body: str,
    text: str,
    nameservers: Sequence[str] = (),
) -> str:
    """Why the answer looks parked, for sale or expired ("" if it does not)."""
    final = split_url(final_url or url)
    host, cited = (final.hostname or ""), (split_url(url).hostname or "")
    market = on_marketplace(host, cited)
    if market:
        return f"redirects to the domain marketplace {host}"
    if redirected and final.path.rstrip("/").lower() in _LANDERS and host == cited:
        return f"redirects to a parking lander {final_url}"
    short = len(text) < SHORT_TEXT
    low = body.lower()
    lander = _SCRIPT_REDIRECT.search(low) if len(text) < EMPTY_TEXT else None
    if lander:
        return f"a script-only page sending visitors to the parking lander {lander.group(1)}"
    services = []  # landers are never long: an article's text is not searched for them
    if len(text) < 2 * SHORT_TEXT:
        services = sorted(set(_SERVICES.labels(low)))
    if services and (short or len(services) >= 2):
        return f"parking-service markup ({', '.join(services)})"
    norm_title = fold(title)
    if _DOMAIN_NAME.search(title) and _SALE.search(norm_title):  # "x.com is for sale | ..."
        return f"a domain offered in the title {title!r}"
    if short:
        said = _TITLE.search(norm_title) or _STRONG.search(norm_title)
        if said:
            return f"parking page titled {title!r}"
        for said_in in (fold(text), fold(meta_description(body))):
            phrase = _STRONG.search(said_in) or _STRONG_PATTERNS.search(said_in)
            if phrase:
                return f"parking page ({phrase.group(0)!r})"
    ns = next((n for n in nameservers if _NS.fullmatch(n.lower().rstrip("."))), "")
    if ns:
        return f"the domain's name server {ns} belongs to a parking service"
    return ""


#: Host -> its name servers (raises or returns [] when there are none).
NameServerLookup = Callable[[str], list[str]]


def nameservers_of(host: str, lookup: NameServerLookup | None, max_queries: int = 3) -> list[str]:
    """The NS records of ``host`` or of the nearest parent zone that has some, asking at
    most ``max_queries`` times (``[]`` without a lookup or on any failure)."""
    if lookup is None:
        return []
    labels = host.lower().rstrip(".").split(".")
    for start in range(len(labels) - 1):
        if start >= max_queries:
            break
        name = ".".join(labels[start:])
        try:
            found = lookup(name)
        except Exception:  # a lookup failure is no evidence either way
            return []
        if found:
            return [n.lower().rstrip(".") for n in found]
    return []


def dns_nameserver_lookup(timeout: float = 3.0) -> NameServerLookup | None:
    """A name-server lookup through dnspython when it is installed (it is optional), else
    None: the name-server rule is then simply not used."""
    try:
        import dns.resolver  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    resolver = dns.resolver.Resolver()
    resolver.lifetime = timeout

    def lookup(name: str) -> list[str]:
        try:
            answer = resolver.resolve(name, "NS")
        except (dns.resolver.NoAnswer, dns.resolver.NXDOMAIN):
            return []
        return [str(record.target) for record in answer]

    return lookup


class NameServerCache:
    """Name servers per host for the link stage: asked once per host (at most
    ``max_queries`` DNS questions each), only for short pages -- a parked page always is
    -- and shared by the worker threads.  Without a lookup it answers ``[]``."""

    def __init__(self, lookup: NameServerLookup | None, max_queries: int = 3) -> None:
        self._lookup = lookup
        self._max = max_queries
        self._lock = threading.Lock()
        self._done: dict[str, list[str]] = {}

    def __call__(self, host: str, text_length: int) -> list[str]:
        if self._lookup is None or not host or text_length >= SHORT_TEXT:
            return []
        host = host.lower().rstrip(".")
        with self._lock:
            if host in self._done:
                return self._done[host]
        found = nameservers_of(host, self._lookup, self._max)
        with self._lock:
            return self._done.setdefault(host, found)
