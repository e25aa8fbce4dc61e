"""The signals' marker lists, kept as JSON data beside this module (sources noted inside)."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any


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


def union(patterns: list[str], flags: int = 0) -> re.Pattern[str]:
    """One regular expression matching any of ``patterns`` in lower-cased text."""
    return re.compile("|".join(f"(?:{lower_pattern(p)})" for p in patterns), flags)


def markers(
    entries: list[dict[str, str]], label: str, flags: int = 0
) -> list[tuple[re.Pattern[str], str]]:
    """``(compiled pattern, label)`` for each entry, for lower-cased text."""
    return [(re.compile(lower_pattern(e["pattern"]), flags), e[label]) for e in entries]


def phrases(words: list[str]) -> re.Pattern[str]:
    """A regular expression finding any of the (already normalised) ``words``."""
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
