"""What the simulated web serves: its pages, the fixed routes of news.example and
blog.example, and the bodies of parked, portal and challenge answers (used by
:mod:`checker.testing.simweb`)."""

from __future__ import annotations

import gzip
import html
import json
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

PUBLISHED = "2019-03-14"
_FILLER = (
    "The committee published its findings after a two-year inquiry into the matter. "
    "Witnesses described the events in detail, and the report lists every source it "
    "relied on, with dates, places and the names of the officials involved. "
)
_NAV = "Home · World · Politics · Business · Science · Culture · Sport · Opinion · Contact us. "
_NOT_FOUND = {
    "en": "Page Not Found",
    "de": "Seite nicht gefunden",
    "fr": "Page introuvable",
    "ru": "Страница не найдена",
    "es": "Página no encontrada",
    "ja": "ページが見つかりません",
    "code": "Error 404",
}
_PARKED = (
    "<!doctype html><html><head><title>{host} - This domain is for sale!</title>"
    '<script src="https://img.sedoparking.com/js/park.js"></script></head><body>'
    '<div class="parking"><h1>{host}</h1><p>This domain is for sale. Buy this domain '
    "today!</p><p>Related searches: Cheap Flights · Insurance · Loans</p></div></body></html>"
)
_PORTAL = (
    "<!doctype html><html><head><title>Guest Wi-Fi — Sign in</title></head><body><h1>Welcome"
    "</h1><p>Sign in to use the network. By continuing you accept the terms of use of this "
    "hotspot.</p><form><input name=room><button>Connect</button></form></body></html>"
)
_CHALLENGE = (
    "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    "<noscript>Enable JavaScript and cookies to continue</noscript>"
    '<div id="challenge-running">Checking if the site connection is secure</div>'
    "</body></html>"
)


def page(title: str, text: str = "", *, date: str = "", extra_head: str = "") -> bytes:
    """An HTML page; ``date`` adds JSON-LD and meta publication dates."""
    head = f"<title>{html.escape(title)}</title>{extra_head}"
    if date:
        ld = json.dumps({"@type": "NewsArticle", "headline": title, "datePublished": date})
        head += (
            f'<meta property="article:published_time" content="{date}">'
            f'<script type="application/ld+json">{ld}</script>'
        )
    body = f"<nav>{_NAV}</nav><main><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></main>"
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>".encode()


def article(title: str) -> bytes:
    return page(title, _FILLER * 6, date=PUBLISHED)


HOME = page("Example News — Home", _FILLER * 3)

_SUFFIX = " — Example News"
_HTML = "text/html; charset=utf-8"
_NO: Mapping[str, str] = MappingProxyType({})
Route = tuple[int, bytes, dict[str, str], str]


def _static_routes() -> dict[str, Route]:
    """The fixed answers of news.example and blog.example, by path."""
    moved = {p: (301, b"", {"Location": to}, _HTML) for p, to in _MOVES.items()}
    latin = page("Café, économie et société à Zürich", _FILLER * 3).decode()
    cyrillic = page("Новости экономики", _FILLER * 3, extra_head='<meta charset="windows-1251">')
    return {
        "/": (200, HOME, {}, _HTML),
        "/home": (200, HOME, {}, _HTML),
        **moved,
        "/to-404": (302, b"", {"Location": "/404.html"}, _HTML),
        "/404.html": (200, page("Example News", "Sorry about that. " + _NAV * 12), {}, _HTML),
        "/head-405": (200, article("Head Shy" + _SUFFIX), {}, _HTML),
        "/head-404": (200, article("Head Shy" + _SUFFIX), {}, _HTML),
        "/tiny": (200, b"<html><head></head><body><p>OK</p></body></html>", {}, _HTML),
        "/tiny-titled": (200, page("Errata for Smith and Jones (2019)", "P. 12: 1.5."), {}, _HTML),
        "/drifted": (200, article("Completely Different Story" + _SUFFIX), {}, _HTML),
        **{f"/notfound/{k}": (200, page(t, _NAV * 12), {}, _HTML) for k, t in _NOT_FOUND.items()},
        "/pdf": (200, b"%PDF-1.4\n%%EOF\n", {}, "application/pdf"),
        "/gzip": (
            200,
            gzip.compress(article("Gzipped" + _SUFFIX)),
            {"Content-Encoding": "gzip"},
            _HTML,
        ),
        "/latin1": (200, latin.encode("latin-1"), {}, "text/html; charset=ISO-8859-1"),
        "/cp1251": (200, cyrillic.decode().encode("cp1251"), {}, "text/html"),
    }


_MOVES = {"/loop/a": "/loop/b", "/loop/b": "/loop/a", "/to-root": "/"}
_STATIC = _static_routes()


@lru_cache(maxsize=1)
def _bomb_member() -> bytes:
    return gzip.compress(b"\0" * (16 << 20), compresslevel=9)
