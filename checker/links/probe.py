"""The soft-404 probe: one random, surely-missing path per host and extension.

Its answer is kept as a :class:`ProbeAnswer`, the little the comparison with a cited
page needs (status, final URL, whether it redirected, whether it is HTML, its title and
the length of its visible text), so that:

- a run fetches it once per host and extension and every page of that host compares
  with it (:class:`Prober`); the answer, not the probe's page, goes from a fetch process
  to the parent with each page;
- the state file remembers it for ``Policy.probe_ttl`` (30 days): a host's answer to a
  missing path is a property of its server software, which rarely changes, so a nightly
  run asks a host for a random path about once a month rather than every night one of
  its links is due.  Only a definitive answer is remembered (2xx, or a real 404/410);
  a 403, a 429 or a 5xx may be a bot wall or a bad minute, and is asked again next run.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from checker.links.fetch import FetchOutcome
from checker.links.page import probe_url
from checker.links.scheduler import host_of, split_url

if TYPE_CHECKING:
    from checker.store import Store

#: The answers to a missing path worth remembering across runs.
DEFINITIVE = frozenset({404, 410})


@dataclass(frozen=True, slots=True)
class ProbeAnswer:
    """What a host answered for a surely-missing path (see the module)."""

    key: str  #: host and extension, see :func:`probe_key`
    answered: bool  #: an HTTP answer came back (any status)
    status: int | None = None
    final_url: str = ""
    redirected: bool = False
    html: bool = False  #: a GET answered with an HTML (or untyped) page
    title: str = ""
    text_length: int = 0  #: characters of visible text (only for a 2xx HTML page)
    fresh: bool = True  #: fetched in this run (False: remembered by the state file)

    @classmethod
    def of(cls, key: str, outcome: FetchOutcome) -> ProbeAnswer:
        html = outcome.is_html
        answered = not outcome.error and outcome.status is not None
        length = 0
        if html and answered and 200 <= (outcome.status or 0) < 300:
            from checker.links.signals import visible_text  # only a soft-404 host needs it

            length = len(visible_text(outcome.body))
        return cls(
            key,
            answered,
            outcome.status,
            outcome.final_url,
            bool(outcome.redirects),
            html,
            outcome.title,
            length,
        )

    @property
    def comparable(self) -> bool:
        """A 2xx answer: a cited page that looks the same may be a soft 404."""
        return self.answered and 200 <= (self.status or 0) < 300

    @property
    def definitive(self) -> bool:
        """Worth remembering: a 2xx page or a real 404/410 (see the module)."""
        return self.comparable or (self.answered and self.status in DEFINITIVE)

    @property
    def to_remember(self) -> bool:
        """Fetched in this run and definitive: the state file keeps it."""
        return self.fresh and self.definitive

    def to_json(self) -> str:
        return json.dumps(
            {
                "status": self.status,
                "final_url": self.final_url,
                "redirected": self.redirected,
                "html": self.html,
                "title": self.title,
                "text_length": self.text_length,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, key: str, payload: str) -> ProbeAnswer | None:
        """A remembered answer, or None when the payload is not one (asked again)."""
        try:
            data = json.loads(payload)
            status = data["status"]
            answer = cls(
                key,
                True,
                status,
                str(data["final_url"]),
                bool(data["redirected"]),
                bool(data["html"]),
                str(data["title"]),
                int(data["text_length"]),
                fresh=False,
            )
        except (ValueError, TypeError, KeyError):
            return None
        return answer if isinstance(status, int) and answer.definitive else None


def probe_key(url: str) -> str:
    """The host and the extension of ``url``'s last path segment (lower case): the probe
    copies the cited URL's extension, so pages and PDFs probe apart."""
    return host_of(url) + _suffix(split_url(url).path).lower()


def _suffix(path: str) -> str:
    """The extension of a URL path's last segment, as ``PurePosixPath(path).suffix``."""
    name = next((part for part in reversed(path.split("/")) if part and part != "."), "")
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


class Prober:
    """One probe per host and extension, fetched once and shared by the run's workers;
    ``known`` are the answers the state file remembers (never fetched again)."""

    def __init__(
        self,
        fetch_one: Callable[[str], FetchOutcome],
        known: Mapping[str, ProbeAnswer] | None = None,
    ) -> None:
        self._fetch = fetch_one
        self._lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._done: dict[str, ProbeAnswer] = dict(known or {})

    def __call__(self, url: str) -> ProbeAnswer | None:
        """The probe of ``url``'s host, fetched now unless it was (or is remembered);
        None while another worker is fetching it (the caller holds one of the host's
        slots and should not keep it idle: it asks :meth:`waited` once the slot is given
        back, see :class:`~checker.links.scheduler.Later`)."""
        key = probe_key(url)
        known = self._done.get(key)
        if known is not None:
            return known
        lock = self._lock_of(key)
        if not lock.acquire(blocking=False):
            return None
        try:
            if key not in self._done:
                self._done[key] = ProbeAnswer.of(key, self._fetch(probe_url(url)))
            return self._done[key]
        finally:
            lock.release()

    def waited(self, url: str) -> ProbeAnswer | None:
        """The probe another worker was fetching, once it is done (never fetched here:
        the caller holds no slot of the host); None if that worker failed."""
        key = probe_key(url)
        with self._lock_of(key):
            return self._done.get(key)

    def fresh(self) -> dict[str, ProbeAnswer]:
        """The answers fetched in this run that the state file keeps."""
        with self._lock:
            done = list(self._done.values())
        return {a.key: a for a in done if a.to_remember}

    def _lock_of(self, key: str) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(key, threading.Lock())


def remembered(store: Store, urls: Sequence[str], now: dt.datetime) -> dict[str, ProbeAnswer]:
    """The answers ``store`` remembers for the hosts of ``urls``, younger than its
    policy's ``probe_ttl`` (one query per chunk of keys, before the first request)."""
    keys = list(dict.fromkeys(probe_key(url) for url in urls))
    payloads = store.probe_get_many(keys, now, store.policy.probe_ttl)
    answers = (ProbeAnswer.from_json(key, payload) for key, payload in payloads.items())
    return {answer.key: answer for answer in answers if answer is not None}


def remember_probes(store: Store, answers: Iterable[ProbeAnswer], now: dt.datetime) -> None:
    """Remember the answers worth it (fetched in this run, definitive), in one transaction."""
    kept = [(a.key, a.to_json()) for a in answers if a.to_remember]
    store.probe_put_many(kept, now)
