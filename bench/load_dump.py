"""``citewatch load`` on a generated MediaWiki dump: throughput and memory.

    python bench/load_dump.py [--pages 10000] [--state PATH|postgresql://…]

Writes a ``.xml.bz2`` dump of generated articles (``checker.testing.wikidump``: cite
web/news/book, citation, bare links, named refs and reuse, webarchive, dead link), runs
``citewatch load`` on it in a child process, and prints pages/s and the child's peak
RSS — once on a tenth of the pages and once on all, so constant memory shows as the same
peak for both sizes.  Without ``--state`` a throwaway SQLite file is used.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checker.testing.wikidump import pages, write_dump


def url_for(n: int, i: int) -> str:
    return f"https://www.site{(n * 7 + i) % 3000}.example/news/{n}/{i}.html"


def run(dump: Path, state: str) -> str:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "checker", "load", str(dump), "--state", state],
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.monotonic() - started
    line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-300:]
    return f"{line} (wall {took:.1f} s, exit {done.returncode})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--state", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("| dump | result |\n|---|---|")
        for count in (max(1, args.pages // 10), args.pages):
            started = time.monotonic()
            dump = write_dump(Path(tmp) / f"wiki-{count}.xml.bz2", pages(count, url_for))
            made = time.monotonic() - started
            size = dump.stat().st_size / 1e6
            state = args.state or str(Path(tmp) / f"state-{count}.sqlite")
            result = run(dump, state)
            print(f"| {count:,} pages ({size:.1f} MB bz2, made in {made:.0f} s) | {result} |")


if __name__ == "__main__":
    main()
