"""Reading a page's text the way the verdict rules need it (shared by every signal)."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

_HIDDEN = re.compile(r"<(script|style|noscript|template|svg)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_HEADING = re.compile(r"<(h[1-3])\b[^>]{0,500}>(.{0,1000}?)</\1\s*>", re.I | re.S)
_META_DESCRIPTION = re.compile(
    r"<meta\b[^>]*\bname\s*=\s*[\"']description[\"'][^>]*\bcontent\s*=\s*[\"']([^\"']*)", re.I
)
_WORDS = re.compile(r"\w+")


@lru_cache(maxsize=16)  # a host's probe page is compared with each of its pages
def visible_text(body: str) -> str:
    """The page's text without markup, scripts and styles, whitespace collapsed."""
    text = html.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", body)))
    return " ".join(_CONTROL.sub("", text).split())


def normalise(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed."""
    if text.isascii():
        return " ".join(text.lower().split())
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def bare(text: str) -> str:
    """Only the words of ``text``, normalised and single-spaced."""
    return " ".join(_WORDS.findall(normalise(text)))


def headings(body: str, limit: int = 4) -> list[str]:
    """The text of the first ``limit`` h1-h3 headings, in document order."""
    found = []
    for match in _HEADING.finditer(_HIDDEN.sub(" ", body)):
        text = " ".join(html.unescape(_TAG.sub(" ", match.group(2))).split())
        if text:
            found.append(text)
        if len(found) >= limit:
            break
    return found


def meta_description(body: str) -> str:
    match = _META_DESCRIPTION.search(body[:65536])
    return " ".join(html.unescape(match.group(1)).split()) if match else ""


_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss",
                       "ı": "i", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "’": "'"})  # fmt: skip


@lru_cache(maxsize=32)  # the signals of one page fold the same text several times
def fold(text: str) -> str:
    """:func:`normalise` without diacritics ("Błąd" → "blad", "Página" → "pagina"): many
    pages, and the crawls that saved them, drop accents, so phrases match either way."""
    if text.isascii():  # nothing to decompose or translate
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def fold_pattern(pattern: str) -> str:
    """A regular expression for :func:`fold`-ed text: its letters folded like the text,
    its escapes (``\\S``, ``\\b``, ``\\.``) left as they are (folding ``\\S`` would
    make it ``\\s``)."""
    return re.sub(
        r"\\.|[^\\]+",
        lambda m: m.group(0) if m.group(0).startswith("\\") else fold(m.group(0)),
        pattern,
    )
