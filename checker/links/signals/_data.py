"""The signals' marker lists, kept as JSON data beside this module (sources noted inside).

Every page a run fetches is searched for hundreds of markers, so the patterns are built
to be cheap to run: a phrase list becomes one trie-shaped expression (at each position
only the branches for the next character are tried), and a marker expression is gated
by the literal text every match of it must contain (a substring test in C rules most
pages out before the expression runs).  Both give exactly the answers of the plain
expressions; ``tests/test_signals.py`` holds them to that.
"""

from __future__ import annotations

import json
import re
from functools import cache
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
    literals at least one of which every match contains); without gates it always runs."""

    __slots__ = ("expression", "gates", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.expression = re.compile(pattern, flags)
        self.pattern = pattern
        self.gates = () if flags & re.IGNORECASE else required_literals(pattern)

    def _open(self, text: str) -> bool:
        return not self.gates or any(gate in text for gate in self.gates)

    def search(self, text: str) -> re.Match[str] | None:
        return self.expression.search(text) if self._open(text) else None

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return self.expression.fullmatch(text) if self._open(text) else None


def union(patterns: list[str], flags: int = 0) -> Gated:
    """One expression matching any of ``patterns`` in lower-cased text."""
    return Gated("|".join(f"(?:{lower_pattern(p)})" for p in patterns), flags)


def markers(entries: list[dict[str, str]], label: str, flags: int = 0) -> list[tuple[Gated, str]]:
    """``(expression, label)`` for each entry, for lower-cased text."""
    return [(Gated(lower_pattern(e["pattern"]), flags), e[label]) for e in entries]


def phrases(words: list[str]) -> re.Pattern[str]:
    """An expression finding any of the (already normalised) ``words``: at the leftmost
    place where one occurs, the longest one there (as an alternation sorted longest
    first would), built as a trie so that each position tries one branch per letter."""
    trie: dict[str, Any] = {}
    for word in words:
        if not word:
            continue
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return re.compile(_trie_pattern(trie) if trie else r"(?!)")


def _trie_pattern(node: dict[str, Any]) -> str:
    ends = "" in node
    branches = [re.escape(char) + _trie_pattern(node[char]) for char in sorted(node) if char]
    if not branches:
        return ""
    if len(branches) == 1 and not ends:
        return branches[0]
    group = "(?:" + "|".join(branches) + ")"
    return group + "?" if ends else group  # greedy: the longer word first, then this one


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
