"""Offline checks on N synthetic references: time and peak memory, printed as a table.

    python bench/offline_checks.py [--n 1000000] [--reports]

The synthetic list mixes the shapes of real reference lists (dmy/mdy/ymd dates,
ranges, archive links, ISBNs, duplicates) and injects faults at realistic rates, so
every check does real work.  Goal (issue #2): 1,000,000 references under 60 s and
2 GB on a 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checker import api
from checker.checks import CheckConfig, run_checks
from checker.model import ImportResult, Reference
from checker.reports import OutputFormat, write_reports

HOSTS = [f"site{i}.example" for i in range(2000)]
WORDS = [
    "purge",
    "report",
    "rights",
    "gay",
    "chechnya",
    "russia",
    "court",
    "asylum",
    "protest",
    "embassy",
    "camp",
]


def _date(rng: random.Random, day: dt.date) -> str:
    shape = rng.random()
    if shape < 0.45:
        return f"{day.day} {day:%B} {day.year}"
    if shape < 0.75:
        return f"{day:%B} {day.day}, {day.year}"
    if shape < 0.95:
        return day.isoformat()
    return f"{day:%B} {day.year}"


def synthetic(n: int, seed: int = 7) -> list[Reference]:
    rng = random.Random(seed)
    base = dt.date(2005, 1, 1)
    refs = []
    for i in range(n):
        pub = base + dt.timedelta(days=rng.randrange(7000))
        access = pub + dt.timedelta(days=rng.randrange(0, 900))
        if rng.random() < 0.01:
            access -= dt.timedelta(days=365)  # the New-Year slip
        host = rng.choice(HOSTS)
        url = f"https://{host}/{pub:%Y/%m/%d}/{rng.choice(WORDS)}-{i}"
        title = " ".join(rng.choice(WORDS) for _ in range(7)).capitalize() + f" {i % 50000}"
        archive_url = archive_date = ""
        if rng.random() < 0.2:
            stamp = access + dt.timedelta(days=rng.randrange(0, 30))
            archive_url = f"https://web.archive.org/web/{stamp:%Y%m%d}120000/{url}"
            archive_date = _date(rng, stamp if rng.random() > 0.02 else stamp + dt.timedelta(1))
        refs.append(
            Reference(
                id=str(i + 1),
                url=url,
                title=title,
                author=rng.choice(["Walker, Shaun", "Kramer, Andrew E.", "", "Staff"]),
                work=rng.choice(["The Guardian", "BBC News", "The Independent", ""]),
                date=_date(rng, pub),
                access_date=_date(rng, access) if rng.random() > 0.03 else "",
                archive_url=archive_url,
                archive_date=archive_date,
                isbn=rng.choice(["", "", "", "1873328125", "1873328126"]),
            )
        )
    return refs


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--reports", action="store_true", help="also write every report")
    args = parser.parse_args()
    rows = []
    t0 = time.perf_counter()
    refs = synthetic(args.n)
    t1 = time.perf_counter()
    rows.append(("generate synthetic references", t1 - t0, peak_mb()))
    config = CheckConfig(today=dt.date(2026, 11, 24))
    findings = run_checks(refs, config)
    t2 = time.perf_counter()
    rows.append(("offline checks", t2 - t1, peak_mb()))
    if args.reports:
        imported = ImportResult(tuple(refs), source="synthetic", format="bench")
        result = api.check_import(imported, config)
        with tempfile.TemporaryDirectory() as out:
            for fmt in OutputFormat:
                t3 = time.perf_counter()
                write_reports(result, Path(out), [fmt])
                size = (Path(out) / fmt.filename).stat().st_size / 1e6
                rows.append(
                    (f"write {fmt.filename} ({size:.0f} MB)", time.perf_counter() - t3, peak_mb())
                )
    print(f"\n{args.n:,} references, {len(findings):,} findings\n")
    print(f"| {'step':<36} | {'seconds':>8} | {'peak RSS MB':>11} |")
    print(f"|{'-' * 38}|{'-' * 10}|{'-' * 13}|")
    for name, seconds, mem in rows:
        print(f"| {name:<36} | {seconds:>8.1f} | {mem:>11.0f} |")


if __name__ == "__main__":
    main()
