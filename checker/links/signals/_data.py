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


def union(patterns: list[str], flags: int = re.I) -> re.Pattern[str]:
    """One regular expression matching any of ``patterns``."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


def phrases(words: list[str]) -> re.Pattern[str]:
    """A regular expression finding any of the (already normalised) ``words``."""
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
