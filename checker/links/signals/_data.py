"""The signals' marker lists, kept as JSON data beside this module (sources noted inside).

Every page a run fetches is searched for hundreds of markers, so the patterns are built
to be cheap to run: the phrase lists, and the literals every match of a marker
expression must contain (its gates), go into one Aho-Corasick automaton; a page's text
is scanned once, in compiled code, for all of them, and an expression runs only on a
text holding one of its gates.  Both give exactly the answers of the plain expressions;
``tests/test_signals.py`` holds them to that.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from importlib import resources
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

#: Gate literals shorter than this are not worth a substring test.
MIN_GATE = 3


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed ``data/<name>.json`` of this package."""
    text = (
        resources.files("checker.links.signals").joinpath("data", f"{name}.json").read_text("utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data


def lower_pattern(pattern: str) -> str:
    """``pattern`` for lower-cased text: letters lower-cased, escapes (``\\S``, ``\\W``, ...)
    left alone.  Matching lower-cased text without ``re.I`` is several times faster."""
    return re.sub(r"(?<!\\)[A-Z]", lambda m: m.group(0).lower(), pattern)


class Gated:
    """A compiled expression that runs only on text containing one of ``gates`` (the
    literals at least one of which every match contains); without gates it always runs.
    Whether a text holds a gate is read off the text's one scan by :data:`LITERALS`."""

    __slots__ = ("expression", "gates", "index", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.expression = re.compile(pattern, flags)
        self.pattern = pattern
        self.gates = () if flags & re.IGNORECASE else required_literals(pattern)
        self.index = LITERALS.add(self.gates) if self.gates else -1

    def _open(self, text: str) -> bool:
        return not self.gates or self.index in LITERALS.found(text)

    def search(self, text: str) -> re.Match[str] | None:
        return self.expression.search(text) if self._open(text) else None

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return self.expression.fullmatch(text) if self._open(text) else None


def union(patterns: list[str], flags: int = 0) -> Gated:
    """One expression matching any of ``patterns`` in lower-cased text."""
    return Gated("|".join(f"(?:{lower_pattern(p)})" for p in patterns), flags)


class Markers(list[tuple[Gated, str]]):
    """``(expression, label)`` pairs searched together in one text."""

    def labels(self, text: str) -> Iterator[str]:
        """The label of every marker found in ``text``, in order; the gates of all of them
        are read off the text's one scan."""
        found = LITERALS.found(text)
        for pattern, label in self:
            if (not pattern.gates or pattern.index in found) and pattern.expression.search(text):
                yield label


def markers(entries: list[dict[str, str]], label: str, flags: int = 0) -> Markers:
    """``(expression, label)`` for each entry, for lower-cased text."""
    return Markers((Gated(lower_pattern(e["pattern"]), flags), e[label]) for e in entries)


class PhraseMatch:
    """Where a phrase was found: ``group(0)`` and ``span()`` as on a regular expression's
    match."""

    __slots__ = ("_end", "_start", "_text")

    def __init__(self, text: str, start: int, end: int) -> None:
        self._text, self._start, self._end = text, start, end

    def group(self, index: int = 0) -> str:
        if index != 0:
            raise IndexError("no such group")
        return self._text[self._start : self._end]

    def span(self) -> tuple[int, int]:
        return self._start, self._end


class Literals:
    """Every literal the signals look for (phrase lists and the gates of expressions), in
    one Aho-Corasick automaton (ahocorasick_rs, Rust's ``aho-corasick`` crate): a text is
    scanned once for all of them, and the last few texts' findings are remembered, so the
    soft-404, parking and bot-wall rules that read one page pay for a single pass over
    each of its texts."""

    def __init__(self) -> None:
        self._lists: list[frozenset[str]] = []
        self._automaton: _Automaton | None = None  #: built on the first scan after an add
        self._lock = threading.Lock()

    def add(self, words: Iterable[str]) -> int:
        """Register a list of literals; its index in the findings."""
        with self._lock:
            self._lists.append(frozenset(w for w in words if w))
            self._automaton = None
            return len(self._lists) - 1

    def found(self, text: str) -> dict[int, tuple[int, int]]:
        """For each list with a literal in ``text``: the span of its leftmost literal
        there, the longest one at that place."""
        automaton = self._automaton
        if automaton is None:
            automaton = self._build()
        return _scan(text, automaton)

    def _build(self) -> _Automaton:
        with self._lock:
            if self._automaton is None:
                owners: dict[str, list[int]] = {}
                for index, words in enumerate(self._lists):
                    for word in words:
                        owners.setdefault(word, []).append(index)
                self._automaton = _Automaton(owners)
            return self._automaton


class _Automaton:
    """The literals and, for each, the lists it belongs to."""

    def __init__(self, owners: dict[str, list[int]]) -> None:
        import ahocorasick_rs

        self.words = list(owners)
        self.owners = [tuple(owners[word]) for word in self.words]
        self.matcher = ahocorasick_rs.AhoCorasick(self.words) if self.words else None


@lru_cache(maxsize=8)  # one page's texts are searched by several rules
def _scan(text: str, automaton: _Automaton) -> dict[int, tuple[int, int]]:
    best: dict[int, tuple[int, int]] = {}
    if automaton.matcher is None:
        return best
    owners = automaton.owners
    for word, start, stop in automaton.matcher.find_matches_as_indexes(text, overlapping=True):
        for index in owners[word]:
            known = best.get(index)
            if known is None or start < known[0] or (start == known[0] and stop > known[1]):
                best[index] = (start, stop)
    return best


LITERALS = Literals()


class Phrases:
    """Finds any of some (already normalised) phrases in a text: at the leftmost place
    where one occurs, the longest one there (as an alternation sorted longest first
    would), from the text's one scan by :data:`LITERALS`."""

    __slots__ = ("empty", "index")

    def __init__(self, words: list[str]) -> None:
        self.index = LITERALS.add(words)
        self.empty = not any(words)

    def search(self, text: str) -> PhraseMatch | None:
        if self.empty:
            return None
        span = LITERALS.found(text).get(self.index)
        return PhraseMatch(text, *span) if span else None


def phrases(words: list[str]) -> Phrases:
    """A :class:`Phrases` finding any of the (already normalised) ``words``."""
    return Phrases(words)


def required_literals(pattern: str) -> tuple[str, ...]:
    """Literals (each at least :data:`MIN_GATE` long) one of which every match of
    ``pattern`` contains, or ``()`` when no such set can be read off the expression."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, AttributeError, TypeError):
        return ()
    if parsed.state.flags & re.IGNORECASE:  # (?i) at the start: letters match either case
        return ()
    return _sequence_literals(list(parsed)) or ()


def _sequence_literals(items: list[tuple[Any, Any]]) -> tuple[str, ...] | None:
    if len(items) == 1 and items[0][0] is sre.BRANCH:  # every alternative needs a gate
        found: list[str] = []
        for branch in items[0][1][1]:
            literals = _sequence_literals(list(branch))
            if not literals:
                return None
            found.extend(literals)
        return tuple(dict.fromkeys(found))
    best, run = "", ""
    for op, arg in items:  # the longest run of plain characters the sequence must match
        if op is sre.LITERAL:
            run += chr(arg)
            continue
        best, run = max(best, run, key=len), ""
    best = max(best, run, key=len)
    if len(best) >= MIN_GATE:
        return (best,)
    for op, arg in items:  # else a group or alternation the sequence must match
        if op is sre.BRANCH:
            literals = _sequence_literals([(op, arg)])
        elif op is sre.SUBPATTERN and not arg[1] & re.IGNORECASE:
            literals = _sequence_literals(list(arg[-1]))
        else:
            continue
        if literals:
            return literals
    return None
