"""The verdict on one fetched URL, following how the careful tools decide (field notes §1).

Rules, first match wins (``rule`` names the one that decided):

- fetch errors: ``invalid-url`` → INVALID; ``unsafe`` → UNSAFE; ``tls`` → TLS_ERROR (the
  host's own certificate problem, shown with the reason, never confirmed dead); ``dns``,
  ``refused``, ``redirect-loop``, ``too-many-redirects``, ``bad-redirect`` → FAILING (the
  caller confirms across runs before calling it DEAD); ``timeout``, ``reset``,
  ``unreachable``, ``connection`` → TRANSIENT.
- ``bot-challenge``: a bot wall recognised from headers and body whatever the status
  (200, 403, 429, 503): Cloudflare, Akamai, PerimeterX/HUMAN, DataDome, Sucuri, AWS WAF,
  Anubis, Imperva, DDoS-Guard, LinkedIn's authwall, challenge titles in many languages
  (:mod:`checker.links.signals.botwall`) → BLOCKED, never alive or dead.
- ``http-<code>``: 404/410 and other 4xx → FAILING; 401, 402, 403, 405, 406, 407, 418,
  429, 451, 999 → BLOCKED (a wall, never dead); 5xx and anything odd → TRANSIENT.
- ``parked-domain``: a redirect to a domain marketplace or a parking lander, a
  script-only lander, parking-service markup, for-sale / parked / expired phrasing in many
  languages on a short page, or (when name servers are given) a parking service's name
  servers (:mod:`checker.links.signals.parking`) → USURPED.  Checked before the redirect
  rules: a parked domain often sends every path to its root.
- ``redirect-to-root`` / ``redirect-to-error-page``: a redirect ending at a site root, or
  at a path naming 404/notfound/error or index/home/default/main → SOFT_404.
- ``soft404-title`` (error title, ~30 languages; on a long page only a whole title
  segment), ``soft404-content`` (error heading or not-found sentence on a short page,
  :mod:`checker.links.signals.soft404`), ``near-empty`` (under 900 bytes of text and no
  meaningful title) → SOFT_404; only for HTML bodies.
- ``soft404-probe``: a random, surely-missing path on the same host answers the same
  way (same final URL, or near-identical title and text length) → SOFT_404.  The probe
  confirms what the page says and catches the error pages that say nothing recognisable.
- ``permanent-redirect``: only 301/308 hops, alive elsewhere → REDIRECTED with
  ``suggested_url``; otherwise ALIVE (``http-200`` or ``temporary-redirect``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from http import HTTPStatus
from posixpath import splitext
from urllib.parse import urlunsplit

from checker.links.fetch import PERMANENT_REDIRECTS, FetchOutcome
from checker.links.page import probe_url
from checker.links.probe import ProbeAnswer
from checker.links.scheduler import split_url
from checker.links.signals import (
    bot_wall,
    is_error_title,
    normalise,
    parked,
    soft_404,
    visible_text,
)
from checker.model import LinkResult, LinkStatus

__all__ = [  # is_error_title, normalise and visible_text are re-exported for other stages
    "classify",
    "drifted",
    "is_error_title",
    "normalise",
    "page_date",
    "probe_url",
    "title_similarity",
    "visible_text",
]

NEAR_EMPTY_BYTES = 900
BLOCKED_CODES = frozenset({401, 402, 403, 405, 406, 407, 418, 429, 451, 999})
_ERRORS: dict[str, tuple[LinkStatus, str]] = {
    "invalid-url": (LinkStatus.INVALID, "the URL is malformed or not http(s)"),
    "unsafe": (LinkStatus.UNSAFE, "refused: the target is not a public address"),
    "dns": (LinkStatus.FAILING, "no such host"),
    "refused": (LinkStatus.FAILING, "the server refused the connection"),
    "tls": (LinkStatus.TLS_ERROR, "the TLS handshake or certificate check failed"),
    "redirect-loop": (LinkStatus.FAILING, "the redirects go round in a loop"),
    "too-many-redirects": (LinkStatus.FAILING, "too many redirects"),
    "bad-redirect": (LinkStatus.FAILING, "a redirect points to an unusable URL"),
    "timeout": (LinkStatus.TRANSIENT, "no complete answer in time, for now"),
    "reset": (LinkStatus.TRANSIENT, "the connection was reset, for now"),
}
_GENERIC_TITLES = frozenset({"untitled", "document", "home", "homepage", "index", "welcome",
                             "loading", "default", "title", "page", "new page", "app", "blank",
                             "untitled document", "react app", "vite app", "error"})  # fmt: skip
_ERROR_SEGMENTS = frozenset({"404", "410", "notfound", "pagenotfound", "error", "errors",
                             "error404", "404error", "errorpage", "404page"})  # fmt: skip
_INDEX_STEMS = frozenset({"index", "home", "default", "main"})
_WORDS = re.compile(r"\w+")
_TWO_DIGITS = re.compile(r"\d\d")
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·»•]\s+|\s*[|·»•]\s*")
logging.getLogger("htmldate").setLevel(logging.ERROR)


def classify(
    url: str,
    outcome: FetchOutcome,
    probe: ProbeAnswer | FetchOutcome | None = None,
    nameservers: Sequence[str] = (),
) -> LinkResult:
    """The verdict on ``url`` from its fetch ``outcome`` and, when given, the answer to
    :func:`probe_url` on the same host (a :class:`~checker.links.probe.ProbeAnswer`, or
    the probe's fetch outcome) and the name servers of the final host's domain
    (:func:`checker.links.signals.nameservers_of`).  Title drift against the citation is
    not a link status: the link stage reports it as its own finding (``content-drift``)."""
    if isinstance(probe, FetchOutcome):
        probe = ProbeAnswer.of("", probe)
    status, rule, detail = _verdict(url, outcome, probe, nameservers)
    suggested = outcome.final_url if status is LinkStatus.REDIRECTED else ""
    alive = status in (LinkStatus.ALIVE, LinkStatus.REDIRECTED)
    return LinkResult(
        url=url,
        status=status,
        rule=rule,
        detail=detail,
        hops=outcome.hops,
        final_url=outcome.final_url,
        http_status=outcome.status,
        title=outcome.title,
        page_date=page_date(outcome.body) if alive and outcome.is_html else "",
        elapsed_ms=outcome.elapsed_ms,
        suggested_url=suggested,
    )


def _verdict(url: str, outcome: FetchOutcome, probe: ProbeAnswer | None,
             nameservers: Sequence[str]) -> tuple[LinkStatus, str, str]:  # fmt: skip
    where = f" ({outcome.detail})" if outcome.detail else ""
    if outcome.error:
        fallback = (LinkStatus.TRANSIENT, f"connection problem ({outcome.error}), for now")
        status, text = _ERRORS.get(outcome.error, fallback)
        return status, outcome.error, text + where
    code = outcome.status or 0
    answer = f"the server answers HTTP {code} {_phrase(code)}".rstrip()
    body = outcome.body if outcome.is_html else ""
    text = visible_text(body) if body else ""
    wall = bot_wall(code, outcome.headers, outcome.title, body, text)
    if wall:
        return LinkStatus.BLOCKED, "bot-challenge", f"{answer}: {wall}, not a verdict"
    if code in (404, 410) or (400 <= code < 500 and code not in BLOCKED_CODES):
        return LinkStatus.FAILING, f"http-{code}", answer
    if code in BLOCKED_CODES:
        return LinkStatus.BLOCKED, f"http-{code}", f"{answer}: access refused, not a verdict"
    if not 200 <= code < 300:
        return LinkStatus.TRANSIENT, f"http-{code}", f"{answer}, for now"
    return _judge_page(url, outcome, probe, text, nameservers)


def _phrase(code: int) -> str:
    if code == 999:
        return "(LinkedIn-style refusal of bots)"
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return ""


def _judge_page(url: str, outcome: FetchOutcome, probe: ProbeAnswer | None, text: str,
                nameservers: Sequence[str]) -> tuple[LinkStatus, str, str]:  # fmt: skip
    final = outcome.final_url or url
    body = outcome.body if outcome.is_html else ""
    why = parked(url, final, bool(outcome.redirects), outcome.title, body, text, nameservers)
    if why:  # before the redirect rules: landers often sit at the parked site's root
        return LinkStatus.USURPED, "parked-domain", why
    if outcome.redirects and _is_root(final) and not _is_root(url, index_too=True):
        return LinkStatus.SOFT_404, "redirect-to-root", f"redirects to the site root {final}"
    if outcome.redirects and _error_path(final, url):
        return LinkStatus.SOFT_404, "redirect-to-error-page", f"redirects to {final}"
    if outcome.is_html:
        said = soft_404(outcome.title, body, text)
        if said:
            rule = "soft404-title" if said.startswith("error page titled") else "soft404-content"
            return LinkStatus.SOFT_404, rule, said
        size = len(text.encode())
        if size < NEAR_EMPTY_BYTES and not _meaningful_title(outcome.title, final):
            return LinkStatus.SOFT_404, "near-empty", f"{size} bytes of text and no real title"
    same = _same_as_probe(url, outcome, probe, text)
    if same:
        return LinkStatus.SOFT_404, "soft404-probe", same
    permanent = all(code in PERMANENT_REDIRECTS for code in outcome.redirects)
    if outcome.redirects and permanent and _normal(final) != _normal(url):
        return LinkStatus.REDIRECTED, "permanent-redirect", f"permanently moved to {final}"
    if outcome.redirects:
        return LinkStatus.ALIVE, "temporary-redirect", f"answers HTTP 200 at {final}"
    return LinkStatus.ALIVE, f"http-{outcome.status}", f"answers HTTP {outcome.status}"


def _same_as_probe(url: str, outcome: FetchOutcome, probe: ProbeAnswer | None, text: str) -> str:
    """Why the cited answer (``text``: its visible text) looks like the answer for a
    surely-missing path ("" if not)."""
    if probe is None or not probe.comparable or _is_root(url):
        return ""
    final, probe_final = _normal(outcome.final_url or url), _normal(probe.final_url)
    if outcome.redirects and probe.redirected and final == probe_final:
        return f"a surely-missing path redirects to the same place ({probe.final_url})"
    if not (outcome.is_html and probe.html):
        return ""
    a, b = len(text), probe.text_length
    length_ratio = min(a, b) / max(a, b) if max(a, b) else 1.0
    if length_ratio >= 0.9 and title_similarity(outcome.title, probe.title) >= 0.9:
        return f"a surely-missing path answers the same page ({probe.title!r})"
    return ""


def _is_root(url: str, index_too: bool = False) -> bool:
    """The site root (with ``index_too``, also a top-level index/home/default/main page)."""
    parts = split_url(url)
    path = parts.path.strip("/")
    index = index_too and "/" not in path and splitext(path)[0].lower() in _INDEX_STEMS
    return (not path or index) and not parts.query


def _error_path(final: str, cited: str) -> bool:
    """True when ``final`` names an error page or a bare index the cited URL did not."""
    path, cited_path = split_url(final).path.lower(), split_url(cited).path.lower()
    segments = [s for s in path.split("/") if s]
    if not segments or path.rstrip("/") == cited_path.rstrip("/"):
        return False
    if _error_stems(path):
        return not _error_stems(cited_path)
    last = splitext(segments[-1])[0]
    parent = "/" + "/".join(segments[:-1])
    return last in _INDEX_STEMS and parent.rstrip("/") != cited_path.rstrip("/")


def _error_stems(path: str) -> set[str]:
    stems = {re.sub(r"[-_]", "", splitext(segment)[0]) for segment in path.split("/")}
    return stems & _ERROR_SEGMENTS


def _normal(url: str) -> str:
    parts = split_url(url)
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def _meaningful_title(title: str, url: str) -> bool:
    norm = normalise(title)
    host = (split_url(url).hostname or "").removeprefix("www.")
    return bool(norm) and norm not in _GENERIC_TITLES and norm not in (host, normalise(host))


def title_similarity(a: str, b: str) -> float:
    """Similarity of two titles in [0, 1]: the better of token-set Jaccard and difflib's
    ratio on the normalised text (so small spelling changes still count as similar)."""
    na, nb = " ".join(_WORDS.findall(normalise(a))), " ".join(_WORDS.findall(normalise(b)))
    if not na or not nb:
        return 1.0 if na == nb else 0.0
    ta, tb = set(na.split()), set(nb.split())
    jaccard = len(ta & tb) / len(ta | tb)
    return max(jaccard, SequenceMatcher(None, na, nb, autojunk=False).ratio())


def drifted(cited_title: str, live_title: str, threshold: float = 0.5) -> bool:
    """True when the live page's title no longer matches the cited title.

    A site name added around the title ("Title | Site") is not drift: the cited title is
    compared with the whole live title and each of its separated parts, and counts as
    matching when most of its words appear in the live title.  No evidence, no drift.
    """
    cited = set(_WORDS.findall(normalise(cited_title)))
    live = set(_WORDS.findall(normalise(live_title)))
    if not cited or not live:
        return False
    if cited <= live and threshold <= 1:  # every cited word is live: the overlap says kept
        return False
    parts = [live_title, *_TITLE_SEPARATORS.split(live_title)]
    best = max(title_similarity(cited_title, part) for part in parts if part.strip())
    return max(best, len(cited & live) / len(cited)) < threshold


def page_date(body: str) -> str:
    """The publication date the page states (ISO), from its metadata, or ""."""
    if not body or not _TWO_DIGITS.search(body):  # every date has a year: no digits, no date
        return ""
    import htmldate  # on use: with lxml and dateutil, a tenth of a second to import

    try:  # bytes, never str: htmldate downloads a str that looks like a URL
        found = htmldate.find_date(body.encode(), original_date=True, extensive_search=False)
    except Exception:  # htmldate on hostile markup: no date rather than no verdict
        return ""
    return found or ""
