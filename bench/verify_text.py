"""The verify stage's text work on one large page: time per operation, printed as a table.

    python bench/verify_text.py [--kb 1024]

A page of ``--kb`` kilobytes of article paragraphs between navigation and footer
boilerplate: visible text, main text (trafilatura), a quote found at the end, a missing
quote's closest passage, and the shingle similarity of two such pages.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checker.verify.text import closest_passage, find_quote, main_text, page_text, similarity

WORDS = [
    "council",
    "harbour",
    "plan",
    "public",
    "access",
    "waterfront",
    "developers",
    "residents",
    "decision",
    "appeal",
    "budget",
    "phase",
    "works",
    "quay",
    "committee",
    "debate",
    "chair",
    "city",
    "ruling",
    "festival",
    "railway",
    "visitors",
]


def make_page(kb: int, seed: int) -> str:
    rng = random.Random(seed)
    paragraphs, size = [], 0
    while size < kb * 1024:
        words = " ".join(rng.choice(WORDS) for _ in range(60))
        paragraphs.append(f"<p>{words.capitalize()}.</p>")
        size += len(paragraphs[-1])
    nav = "<nav>" + " · ".join(f"<a href='/s{i}'>Section {i}</a>" for i in range(40)) + "</nav>"
    body = "".join(paragraphs) + "<p>The city would not relent on public access.</p>"
    return f"<html><head><title>Bench</title></head><body>{nav}<main>{body}</main></body></html>"


def timed(label: str, work: Callable[[], object]) -> None:
    start = time.perf_counter()
    work()
    print(f"| {label} | {time.perf_counter() - start:.2f} s |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kb", type=int, default=1024)
    kb = parser.parse_args().kb
    a, b = make_page(kb, 1), make_page(kb, 2)
    text = page_text(a)
    print(f"page of {len(a) // 1024} KB, {len(text.split()):,} words\n")
    print("| operation | time |\n|---|---|")
    timed("page_text (visible text)", lambda: page_text(a))
    timed("main_text (trafilatura)", lambda: main_text(a))
    timed("find_quote (found at the end)", lambda: find_quote("would not relent", text))
    timed("closest_passage (missing quote)", lambda: closest_passage("never relent ever", text))
    timed("similarity (two pages)", lambda: similarity(text, page_text(b)))


if __name__ == "__main__":
    main()
