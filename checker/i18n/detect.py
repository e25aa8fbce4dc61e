"""The language of an input, read from the input itself ("" means English).

* saved HTML: ``<html lang>``, else the ``lang`` of the article body
  (``mw-parser-output``), else the wiki's domain (canonical link, ``og:url``, the COinS
  ``info:sid/de.wikipedia.org``);
* wikitext: the citation templates it uses (``{{Internetquelle}}`` → de), the language
  whose templates occur most;
* plain text: the rendered phrases (``abgerufen am``, ``consulté le``…) against English
  ``Retrieved``.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from checker.i18n import available, language, normalise_lang

_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)", re.I)
_BODY_LANG = re.compile(
    r"<div\b[^>]*class=\"[^\"]*mw-parser-output[^\"]*\"[^>]*\blang=\"([A-Za-z-]+)\""
    r"|<div\b[^>]*\blang=\"([A-Za-z-]+)\"[^>]*class=\"[^\"]*mw-parser-output",
    re.I,
)
_DOMAIN = re.compile(
    r"(?:rel=\"canonical\"[^>]*href=\"https?://|og:url\"[^>]*content=\"https?://"
    r"|info(?::|%3A)sid(?:/|%2F))([a-z]{2,3}(?:-[a-z]+)?)\.(?:m\.)?wikipedia\.org",
    re.I,
)


def from_html(text: str) -> str:
    """The language of a saved page ("" for English or unknown)."""
    head = text[:200_000]
    if match := _HTML_LANG.search(head):
        return normalise_lang(match[1])
    if match := _BODY_LANG.search(head):
        return normalise_lang(match[1] or match[2])
    domains = Counter(normalise_lang(m[1]) for m in _DOMAIN.finditer(text))
    if domains:
        return domains.most_common(1)[0][0]
    return ""


@lru_cache(maxsize=1)
def _template_patterns() -> dict[str, re.Pattern[str]]:
    patterns = {}
    for code in available():
        data = language(code)
        if data is None or not data.templates:
            continue
        names = "|".join(re.escape(name).replace(r"\ ", r"[ _]+") for name in data.templates)
        patterns[code] = re.compile(r"\{\{\s*(?:" + names + r")\s*[|}]", re.I)
    return patterns


def from_wikitext(text: str) -> str:
    """The language whose citation templates the article uses most ("" if none)."""
    counts = {code: len(p.findall(text)) for code, p in _template_patterns().items()}
    best = max(counts.items(), key=lambda item: item[1], default=("", 0))
    return best[0] if best[1] else ""


_ENGLISH_PHRASE = re.compile(r"\bRetrieved\b")


@lru_cache(maxsize=1)
def _phrase_patterns() -> dict[str, re.Pattern[str]]:
    patterns = {}
    for code in available():
        data = language(code)
        if data is None:
            continue
        words = [
            re.escape(phrase.replace("{date}", "").strip())
            for phrase in (*data.retrieved, *data.archived)
            if phrase.replace("{date}", "").strip()
        ]
        if words:
            patterns[code] = re.compile("|".join(words), re.I)
    return patterns


def from_text(text: str) -> str:
    """The language whose rendered phrases occur most, if more than English's."""
    english = len(_ENGLISH_PHRASE.findall(text))
    counts = {code: len(p.findall(text)) for code, p in _phrase_patterns().items()}
    best = max(counts.items(), key=lambda item: item[1], default=("", 0))
    return best[0] if best[1] > english else ""


__all__ = ["from_html", "from_text", "from_wikitext"]
