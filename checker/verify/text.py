"""Text of pages, quote matching and text similarity.

* :func:`page_text`: every visible word of an HTML page (scripts, styles, templates
  dropped); :func:`main_text`: the main text only, boilerplate (navigation, headers,
  footers, cookie banners, sidebars) stripped by ``trafilatura``.
* :func:`find_quote`: is a cited quote in a text?  Both sides are normalised the way real
  pages need: HTML entities decoded, Unicode NFKC, soft hyphens and zero-width characters
  removed, typographic quotes and apostrophes dropped, dashes and minus signs made ``-``,
  case folded, whitespace collapsed.  An ellipsis in the quote (``…``, ``...``, ``[…]``)
  matches any gap: the pieces must appear in order.
* :func:`closest_passage`: where a missing quote comes nearest (word windows ranked by
  shared words, the best few scored by ``difflib``), with its similarity 0–1.
* :func:`similarity`: Jaccard similarity of the sets of word 3-shingles of two texts.
"""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_QUOTES = dict.fromkeys(map(ord, "'\"‘’‚‛′″‹›«»“”„‟`´"), None)
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−⁃﹘﹣－"), "-")
_TABLE = str.maketrans({**_INVISIBLE, **_QUOTES, **_DASHES})
_ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:…|\.\s*\.\s*\.)\s*\]|…|\.\s*\.\s*\.)\s*")
_DROPPED = ("script", "style", "noscript", "template", "svg", "head")
SHINGLE = 3  #: words per shingle in :func:`similarity`


def normalise_words(text: str) -> list[str]:
    """The words of ``text`` after the normalisation described in the module docstring
    (punctuation dropped too, hyphens inside words kept)."""
    return [word for token in text.split() for word in _token(token)]


@lru_cache(maxsize=1 << 16)
def _token(token: str) -> tuple[str, ...]:
    """One whitespace-separated token, normalised (an entity such as ``&nbsp;`` may
    split it in several words)."""
    text = unicodedata.normalize("NFKC", html.unescape(token)).translate(_TABLE).casefold()
    words = (_word(word) for word in text.split())
    return tuple(word for word in words if word)


def _word(word: str) -> str:
    if word.isalnum():
        return word
    kept = "".join(ch for ch in word if ch == "-" or not unicodedata.category(ch).startswith("P"))
    return kept.strip("-")


def page_text(document: str) -> str:
    """The visible text of an HTML document (plain text is returned as it is).  Strings
    are joined with spaces, so blocks never glue words together."""
    if "<" not in document:
        return document
    from bs4 import BeautifulSoup  # on use: with soupsieve, 60 ms of every run's start

    soup = BeautifulSoup(document, "lxml")
    for element in soup(list(_DROPPED)):
        element.decompose()
    return " ".join(soup.get_text(" ").split())


def main_text(document: str) -> str:
    """The main text of an HTML page, boilerplate stripped (``trafilatura``); the whole
    visible text when the extractor finds no main text."""
    import trafilatura  # here, not at the top: most runs never extract a page's main text

    extracted = trafilatura.extract(
        document, include_comments=False, include_tables=True, favor_precision=True
    )
    return extracted if extracted and extracted.strip() else page_text(document)


def quote_pieces(quote: str) -> list[list[str]]:
    """The normalised words of each part of ``quote`` between ellipses."""
    pieces = [normalise_words(part) for part in _ELLIPSIS.split(quote)]
    return [piece for piece in pieces if piece]


def find_quote(quote: str, text: str) -> bool:
    """Whether every piece of ``quote`` is in ``text``, in order (word boundaries kept)."""
    pieces = quote_pieces(quote)
    if not pieces:
        return False
    haystack = " " + " ".join(normalise_words(text)) + " "
    position = 0
    for piece in pieces:
        needle = " " + " ".join(piece) + " "
        found = haystack.find(needle, position)
        if found < 0:
            return False
        position = found + len(needle) - 1
    return True


@dataclass(frozen=True, slots=True)
class Passage:
    text: str  #: the passage as the page has it (whitespace collapsed)
    similarity: float  #: 0–1, difflib's ratio of the normalised words


def closest_passage(quote: str, text: str, candidates: int = 8) -> Passage | None:
    """The passage of ``text`` most like ``quote`` (as long as the quote, in words)."""
    raw = text.split()
    words = [" ".join(_token(word)) for word in raw]
    wanted = [w for piece in quote_pieces(quote) for w in piece]
    if not wanted or not raw:
        return None
    size = min(len(wanted), len(words))
    need = Counter(wanted)
    window: Counter[str] = Counter(words[:size])
    shared = sum(min(count, need[word]) for word, count in window.items())
    scores = [(shared, 0)]
    for start in range(1, len(words) - size + 1):
        gone, new = words[start - 1], words[start + size - 1]
        if window[gone] <= need[gone]:
            shared -= 1
        window[gone] -= 1
        if window[new] < need[new]:
            shared += 1
        window[new] += 1
        scores.append((shared, start))
    scores.sort(key=lambda item: (-item[0], item[1]))
    best: Passage | None = None
    target = " ".join(wanted)
    for _, start in scores[:candidates]:
        passage = " ".join(words[start : start + size])
        ratio = difflib.SequenceMatcher(None, target, passage, autojunk=False).ratio()
        if best is None or ratio > best.similarity:
            best = Passage(" ".join(raw[start : start + size]), round(ratio, 2))
    return best


def shingles(text: str, size: int = SHINGLE) -> set[int]:
    words = normalise_words(text)
    if len(words) < size:
        return {hash(tuple(words))} if words else set()
    return {hash(tuple(words[i : i + size])) for i in range(len(words) - size + 1)}


def similarity(a: str, b: str) -> float:
    """Jaccard similarity (0–1) of the word 3-shingles of two texts."""
    left, right = shingles(a), shingles(b)
    if not left and not right:
        return 1.0
    return len(left & right) / len(left | right)


def word_count(text: str) -> int:
    return len(text.split())
