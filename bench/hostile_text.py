"""The text importer on hostile lines: seconds per line shape at two sizes.

    python bench/hostile_text.py [--kb 150]

Issue #12: a 150 KB line took 19.6 s (a run of initials made ``_split`` slice the
growing element at every ". "; a long run of whitespace made the entry pattern and the
element patterns backtrack quadratically).  Linear means the ratio column stays near 2
when the line doubles.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checker.importers.text_format import read

SHAPES = {
    "initials 'A. A. …'": "A. ",
    "'a. a. …'": "a. ",
    "dash dates": "1 May 2019 - ",
    "Retrieved …": "Retrieved 1 May 2019. ",
    "words": "word ",
}


def seconds(body: str) -> float:
    data = ("1. ^ first entry\n2. ^ " + body + "\n3. ^ third\n").encode()
    start = time.perf_counter()
    read("bench.txt", data)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kb", type=int, default=150)
    size = parser.parse_args().kb * 1000
    print(f"| line shape | {size // 1000} KB | {2 * size // 1000} KB | ratio |")
    print("|---|---|---|---|")
    shapes = dict(SHAPES)
    for name, unit in shapes.items():
        one = seconds(unit * (size // len(unit)))
        two = seconds(unit * (2 * size // len(unit)))
        print(f"| {name} | {one:.2f} s | {two:.2f} s | {two / max(one, 1e-6):.1f} |")
    for name, body in (
        ("a whitespace run", "a" + " " * size + "x"),
        ("a tab run", "a" + "\t" * size + "."),
    ):
        print(f"| {name} | {seconds(body):.2f} s | | |")


if __name__ == "__main__":
    main()
