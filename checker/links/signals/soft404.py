"""Soft 404s known from the page itself: a 200 answer whose title, headings or (short)
text say the page is not there, in many languages and layouts.

The random-path probe (:func:`checker.links.page.probe_url`) then only confirms; it
still catches sites whose error page says nothing recognisable.  Decided, first match
wins, from:

1. the title names an error: a 404/410 code ("Error 404", "404 - ...", "HTTP 404"), a
   not-found phrase in one of ~30 languages, or a bare error word ("Error", "Błąd",
   "Fehler", "エラー", ...).  On a long page (a real article) only a title *segment*
   ("Page not found | Site") counts, so "Lost and not found: a history" stays alive;
2. one of the first headings does (short pages only), or is a bare "404";
3. the text of a short page carries a not-found sentence next to an error code, or a
   not-found sentence is most of what the page says.

Phrases live in ``data/soft404.json`` with their sources.
"""

from __future__ import annotations

import re

from checker.links.signals._data import load, phrases
from checker.links.signals.text import fold, headings

#: Visible text (characters) of a short page: error pages say little.
SHORT_TEXT = 3000
#: Above this much text a page is an article: only a whole title segment counts.
LONG_TEXT = 5000

_WORDS = re.compile(r"\w+")


def _bare(text: str) -> str:
    return " ".join(_WORDS.findall(fold(text)))


_DATA = load("soft404")
_NOT_FOUND = phrases([fold(p) for p in _DATA["not_found"]])
_ERROR_WHOLE = frozenset(_bare(w) for w in _DATA["error_words"])
_ERROR_SEGMENT = frozenset(_bare(w) for w in _DATA["segment_error_words"])
_CODE_WORDS = fold(_DATA["code_words"])
_ERROR_CODE = re.compile(
    rf"^\W*(?:404|410)\b|\b(?:{_CODE_WORDS})\W{{0,3}}(?:404|410)\b"
    rf"|\b(?:404|410)\W{{0,3}}(?:{_CODE_WORDS}|not found|page|gone)\b"
)
_ANY_CODE = re.compile(r"(?<![\d.,/-])(?:404|410)(?![\d.,/-])")
_SEPARATORS = re.compile(r"\s+[|\-–—:·»•]\s+|\s*[|·»•]\s*")


def is_error_title(title: str) -> bool:
    """True for a title that names an error page (404 codes, "not found" in many
    languages, or a bare error word)."""
    norm = fold(title)
    if not norm:
        return False
    return (_bare(norm) in _ERROR_WHOLE or bool(_ERROR_CODE.search(norm))
            or bool(_NOT_FOUND.search(norm))
            or any(_bare(part) in _ERROR_SEGMENT for part in _SEPARATORS.split(title)))  # fmt: skip


def _error_segment(title: str) -> bool:
    """True when one of the title's separated parts is itself an error title: an error
    code, or a not-found phrase that is most of that part, not a word in a headline."""
    for part in _SEPARATORS.split(title):
        norm = fold(part)
        if not norm:
            continue
        if _ERROR_CODE.search(norm):  # a bare "Sorry" or "Gone" segment may be a song
            return True
        match = _NOT_FOUND.search(norm)
        if match and len(match.group(0)) >= 0.6 * len(norm):
            return True
    return False


def soft_404(title: str, body: str, text: str) -> str:
    """Why the page reads as an error page ("" if it does not)."""
    size = len(text)
    if title and (_error_segment(title) if size > LONG_TEXT else is_error_title(title)):
        return f"error page titled {title!r}"
    if size >= SHORT_TEXT:
        return ""
    for heading in headings(body):
        if is_error_title(heading) or _bare(heading) in ("404", "410"):
            return f"error page headed {heading!r}"
    norm = fold(text)
    sentence = _NOT_FOUND.search(norm)
    if sentence and (_ANY_CODE.search(norm) or len(sentence.group(0)) * 8 >= len(norm)):
        return f"error page saying {sentence.group(0)!r}"
    return ""
