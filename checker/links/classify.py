"""The verdict on one fetched URL, following how the careful tools decide (field notes §1).

Rules, first match wins (``rule`` names the one that decided):

- fetch errors: ``invalid-url`` → INVALID; ``unsafe`` → UNSAFE; ``tls`` → TLS_ERROR (the
  host's own certificate problem, shown with the reason, never confirmed dead); ``dns``,
  ``refused``, ``redirect-loop``, ``too-many-redirects``, ``bad-redirect`` → FAILING (the
  caller confirms across runs before calling it DEAD); ``timeout``, ``reset``,
  ``unreachable``, ``connection`` → TRANSIENT.
- ``bot-challenge``: a Cloudflare-style challenge (``cf-mitigated: challenge`` or a
  "Just a moment..." / "Are you a robot?" title), whatever the status → BLOCKED.
- ``http-<code>``: 404/410 and other 4xx → FAILING; 401, 402, 403, 405, 406, 407, 418,
  429, 451, 999 → BLOCKED (a wall, never dead); 5xx and anything odd → TRANSIENT.
- ``redirect-to-root`` / ``redirect-to-error-page``: a redirect ending at a site root, or
  at a path naming 404/notfound/error or index/home/default/main → SOFT_404.
- ``parked-domain``: for-sale / parking phrases or markup, or a redirect to a domain
  marketplace → USURPED.
- ``soft404-title`` (error title, many languages), ``soft404-content`` (error heading on
  a short page), ``near-empty`` (under 900 bytes of text and no meaningful title) →
  SOFT_404; only for HTML bodies.
- ``soft404-probe``: a random, surely-missing path on the same host answers the same
  way (same final URL, or near-identical title and text length) → SOFT_404.
- ``permanent-redirect``: only 301/308 hops, alive elsewhere → REDIRECTED with
  ``suggested_url``; otherwise ALIVE (``http-200`` or ``temporary-redirect``).
"""

from __future__ import annotations

import html
import logging
import re
import secrets
import unicodedata
from difflib import SequenceMatcher
from http import HTTPStatus
from posixpath import splitext
from urllib.parse import urlsplit, urlunsplit

import htmldate

from checker.links.fetch import PERMANENT_REDIRECTS, FetchOutcome
from checker.model import LinkResult, LinkStatus

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
_NOT_FOUND = (
    "page not found", "not found", "page does not exist", "page doesn't exist",
    "page cannot be found", "page could not be found", "page can't be found",
    "page no longer exists", "no such page", "we couldn't find", "can't find that page",
    "this page has been removed", "page unavailable", "content not found",
    "seite nicht gefunden", "nicht gefunden", "seite existiert nicht", "fehlerseite",
    "page introuvable", "page non trouvée", "page inexistante", "cette page n'existe pas",
    "página no encontrada", "no se encontró la página", "la página no existe",
    "página não encontrada", "pagina non trovata", "pagina niet gevonden",
    "nie znaleziono strony", "strona nie istnieje", "strona nie została znaleziona",
    "страница не найдена", "страница не существует", "сторінку не знайдено",
    "сторінка не знайдена", "stránka nenalezena", "stránka nebyla nalezena",
    "sidan kunde inte hittas", "sidan hittades inte", "siden blev ikke fundet",
    "siden finnes ikke", "siden ble ikke funnet", "sivua ei löytynyt", "sayfa bulunamadı",
    "az oldal nem található", "pagina nu a fost găsită", "η σελίδα δεν βρέθηκε",
    "ページが見つかりません", "お探しのページ", "页面不存在", "找不到页面", "页面未找到",
    "頁面不存在", "找不到網頁", "페이지를 찾을 수 없습니다", "الصفحة غير موجودة",
    "הדף לא נמצא", "صفحه پیدا نشد", "पृष्ठ नहीं मिला", "halaman tidak ditemukan",
    "không tìm thấy trang",
)  # fmt: skip
_CODE_WORDS = r"error|fehler|erreur|erro|errore|ошибка|помилка|błąd|hata|chyba|http|код"
_ERROR_CODE = re.compile(
    rf"^\W*(?:404|410)\b|\b(?:{_CODE_WORDS})\W{{0,3}}(?:404|410)\b"
    rf"|\b(?:404|410)\W{{0,3}}(?:{_CODE_WORDS}|not found|page|gone)\b"
)
_ERROR_WHOLE = frozenset({"error", "an error occurred", "error page", "server error", "gone",
                          "unavailable", "page unavailable", "oops", "sorry"})  # fmt: skip
_CHALLENGE = (
    "just a moment", "attention required", "access denied", "are you a robot",
    "are you human", "verify you are human", "verifying you are human", "robot check",
    "checking your browser", "ddos-guard", "pardon our interruption", "captcha",
    "human verification", "bot verification", "you have been blocked", "one more step",
    "request unsuccessful", "access to this page has been denied",
)  # fmt: skip
_PARKED = (
    "domain is for sale", "domain may be for sale", "domain for sale", "buy this domain",
    "this domain is parked", "domain has expired", "domain name has expired", "parked free",
    "make an offer on this domain", "inquire about this domain", "this web page is parked",
    "domain is available for purchase", "website is for sale", "get this domain",
    "this domain name is available", "domain parking",
)  # fmt: skip
_PARKING_MARKUP = re.compile(
    r"(?<![\w-])(?:sedoparking\.com|parkingcrew\.net|bodis\.com|dan\.com|afternic\.com"
    r"|hugedomains\.com|undeveloped\.com|parklogic\.com|domainmarket\.com|above\.com"
    r"|searchvity\.com|skenzo\.com)|window\.park\b|parking-lander",
    re.I,
)
_MARKETPLACES = ("sedo.com", "dan.com", "afternic.com", "hugedomains.com", "undeveloped.com",
                 "buydomains.com", "atom.com", "domainmarket.com", "squadhelp.com",
                 "brandbucket.com", "godaddy.com")  # fmt: skip
_GENERIC_TITLES = frozenset({"untitled", "document", "home", "homepage", "index", "welcome",
                             "loading", "default", "title", "page", "new page", "app", "blank",
                             "untitled document", "react app", "vite app", "error"})  # fmt: skip
_ERROR_SEGMENTS = frozenset({"404", "410", "notfound", "pagenotfound", "error", "errors",
                             "error404", "404error", "errorpage", "404page"})  # fmt: skip
_INDEX_STEMS = frozenset({"index", "home", "default", "main"})
_HIDDEN = re.compile(r"<(script|style|noscript|template|svg)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.I | re.S)
_WORDS = re.compile(r"\w+")
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·»•]\s+|\s*[|·»•]\s*")
logging.getLogger("htmldate").setLevel(logging.ERROR)


def classify(url: str, outcome: FetchOutcome, probe: FetchOutcome | None = None) -> LinkResult:
    """The verdict on ``url`` from its fetch ``outcome`` and, when given, the outcome of
    :func:`probe_url` on the same host.  Title drift against the citation is not a link
    status: the link stage reports it as its own finding (``content-drift``)."""
    status, rule, detail = _verdict(url, outcome, probe)
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
        page_date=page_date(outcome.body) if alive and _is_html(outcome) else "",
        elapsed_ms=outcome.elapsed_ms,
        suggested_url=suggested,
    )


def _verdict(url: str, outcome: FetchOutcome, probe: FetchOutcome | None
             ) -> tuple[LinkStatus, str, str]:  # fmt: skip
    where = f" ({outcome.detail})" if outcome.detail else ""
    if outcome.error:
        fallback = (LinkStatus.TRANSIENT, f"connection problem ({outcome.error}), for now")
        status, text = _ERRORS.get(outcome.error, fallback)
        return status, outcome.error, text + where
    code = outcome.status or 0
    answer = f"the server answers HTTP {code} {_phrase(code)}".rstrip()
    if _challenged(outcome):
        return LinkStatus.BLOCKED, "bot-challenge", f"{answer}: a bot challenge, not a verdict"
    if code in (404, 410) or (400 <= code < 500 and code not in BLOCKED_CODES):
        return LinkStatus.FAILING, f"http-{code}", answer
    if code in BLOCKED_CODES:
        return LinkStatus.BLOCKED, f"http-{code}", f"{answer}: access refused, not a verdict"
    if not 200 <= code < 300:
        return LinkStatus.TRANSIENT, f"http-{code}", f"{answer}, for now"
    return _judge_page(url, outcome, probe)


def _phrase(code: int) -> str:
    if code == 999:
        return "(LinkedIn-style refusal of bots)"
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return ""


def _judge_page(url: str, outcome: FetchOutcome, probe: FetchOutcome | None
                ) -> tuple[LinkStatus, str, str]:  # fmt: skip
    final = outcome.final_url or url
    if outcome.redirects and _is_root(final) and not _is_root(url, index_too=True):
        return LinkStatus.SOFT_404, "redirect-to-root", f"redirects to the site root {final}"
    if outcome.redirects and _error_path(final, url):
        return LinkStatus.SOFT_404, "redirect-to-error-page", f"redirects to {final}"
    parked = _parked(url, outcome)
    if parked:
        return LinkStatus.USURPED, "parked-domain", parked
    if _is_html(outcome):
        text = visible_text(outcome.body)
        if is_error_title(outcome.title):
            return LinkStatus.SOFT_404, "soft404-title", f"error page titled {outcome.title!r}"
        heading = _first_h1(outcome.body)
        if len(text) < 3000 and is_error_title(heading):
            return LinkStatus.SOFT_404, "soft404-content", f"error page headed {heading!r}"
        size = len(text.encode())
        if size < NEAR_EMPTY_BYTES and not _meaningful_title(outcome.title, final):
            return LinkStatus.SOFT_404, "near-empty", f"{size} bytes of text and no real title"
    same = _same_as_probe(url, outcome, probe)
    if same:
        return LinkStatus.SOFT_404, "soft404-probe", same
    permanent = all(code in PERMANENT_REDIRECTS for code in outcome.redirects)
    if outcome.redirects and permanent and _normal(final) != _normal(url):
        return LinkStatus.REDIRECTED, "permanent-redirect", f"permanently moved to {final}"
    if outcome.redirects:
        return LinkStatus.ALIVE, "temporary-redirect", f"answers HTTP 200 at {final}"
    return LinkStatus.ALIVE, f"http-{outcome.status}", f"answers HTTP {outcome.status}"


def _is_html(outcome: FetchOutcome) -> bool:
    kind = outcome.content_type
    return outcome.method == "GET" and (not kind or "html" in kind)


def _challenged(outcome: FetchOutcome) -> bool:
    if outcome.headers.get("cf-mitigated", "").strip().lower() == "challenge":
        return True
    title = normalise(outcome.title)
    return any(phrase in title for phrase in _CHALLENGE)


def _parked(url: str, outcome: FetchOutcome) -> str:
    """Why the page looks parked or for sale ("" if it does not)."""
    final = urlsplit(outcome.final_url or url)
    host, cited_host = (final.hostname or ""), (urlsplit(url).hostname or "")
    for market in _MARKETPLACES:
        on_market = host == market or host.endswith("." + market)
        if on_market and not (cited_host == market or cited_host.endswith("." + market)):
            return f"redirects to the domain marketplace {host}"
    if outcome.redirects and final.path.rstrip("/") == "/lander":
        return f"redirects to a parking lander {outcome.final_url}"
    title = normalise(outcome.title)
    if any(phrase in title for phrase in _PARKED):
        return f"parking page titled {outcome.title!r}"
    if not _is_html(outcome):
        return ""
    markup = {m.group(0).lower() for m in _PARKING_MARKUP.finditer(outcome.body)}
    text = normalise(visible_text(outcome.body))
    phrase = next((p for p in _PARKED if p in text), "")
    if phrase and (len(text) < 5000 or markup):
        return f"parking page ({phrase!r})"
    if len(markup) >= 2:
        return f"parking-service markup ({', '.join(sorted(markup))})"
    return ""


def _same_as_probe(url: str, outcome: FetchOutcome, probe: FetchOutcome | None) -> str:
    """Why the cited answer looks like the answer for a surely-missing path ("" if not)."""
    if probe is None or not probe.ok or not 200 <= (probe.status or 0) < 300 or _is_root(url):
        return ""
    final, probe_final = _normal(outcome.final_url or url), _normal(probe.final_url)
    if outcome.redirects and probe.redirects and final == probe_final:
        return f"a surely-missing path redirects to the same place ({probe.final_url})"
    if not (_is_html(outcome) and _is_html(probe)):
        return ""
    a, b = len(visible_text(outcome.body)), len(visible_text(probe.body))
    length_ratio = min(a, b) / max(a, b) if max(a, b) else 1.0
    if title_similarity(outcome.title, probe.title) >= 0.9 and length_ratio >= 0.9:
        return f"a surely-missing path answers the same page ({probe.title!r})"
    return ""


def _is_root(url: str, index_too: bool = False) -> bool:
    """The site root (with ``index_too``, also a top-level index/home/default/main page)."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    index = index_too and "/" not in path and splitext(path)[0].lower() in _INDEX_STEMS
    return (not path or index) and not parts.query


def _error_path(final: str, cited: str) -> bool:
    """True when ``final`` names an error page or a bare index the cited URL did not."""
    path, cited_path = urlsplit(final).path.lower(), urlsplit(cited).path.lower()
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
    parts = urlsplit(url)
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def _meaningful_title(title: str, url: str) -> bool:
    norm = normalise(title)
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return bool(norm) and norm not in _GENERIC_TITLES and norm not in (host, normalise(host))


def _first_h1(body: str) -> str:
    match = _H1.search(body)
    return " ".join(html.unescape(_TAG.sub(" ", match.group(1))).split()) if match else ""


def visible_text(body: str) -> str:
    """The page's text without markup, scripts and styles, whitespace collapsed."""
    text = html.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", body)))
    return " ".join(_CONTROL.sub("", text).split())


def normalise(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def is_error_title(title: str) -> bool:
    """True for a title that names an error page (404 codes, "not found" in many languages)."""
    norm = normalise(title)
    if not norm:
        return False
    bare = " ".join(_WORDS.findall(norm))
    return (bare in _ERROR_WHOLE or bool(_ERROR_CODE.search(norm))
            or any(phrase in norm for phrase in _NOT_FOUND))  # fmt: skip


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
    parts = [live_title, *_TITLE_SEPARATORS.split(live_title)]
    best = max(title_similarity(cited_title, part) for part in parts if part.strip())
    return max(best, len(cited & live) / len(cited)) < threshold


def page_date(body: str) -> str:
    """The publication date the page states (ISO), from its metadata, or ""."""
    if not body:
        return ""
    try:  # bytes, never str: htmldate downloads a str that looks like a URL
        found = htmldate.find_date(body.encode(), original_date=True, extensive_search=False)
    except Exception:  # htmldate on hostile markup: no date rather than no verdict
        return ""
    return found or ""


def probe_url(url: str) -> str:
    """A random, surely-missing URL on the same host, with the same kind of extension
    (``/<24 hex>.html`` for ``.../page.html``); cache its outcome per host and extension."""
    parts = urlsplit(url)
    ext = splitext(parts.path)[1].lower()
    ext = ext if re.fullmatch(r"\.[a-z0-9]{1,5}", ext) else ""
    return urlunsplit((parts.scheme, parts.netloc, f"/{secrets.token_hex(12)}{ext}", "", ""))
