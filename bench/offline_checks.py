"""Offline checks on N synthetic references: time and peak memory, printed as a table.

    python bench/offline_checks.py [--n 1000000] [--reports] [--end-to-end [--no-pss]]
    python bench/offline_checks.py --compare 200000

The synthetic list mixes the shapes of real reference lists (dmy/mdy/ymd dates,
ranges, archive links, ISBNs, duplicates) and injects faults at realistic rates, so
every check does real work.  Goal (issue #2): 1,000,000 references under 60 s and
2 GB on a 2-core machine.  ``--end-to-end`` writes the list as a CSV file and times
``citewatch check --offline`` on it in a child process (import, checks, all five
reports), with the child's peak RSS and the peak PSS of all its processes: the goal of
issue #10 (under 60 s and 2 GB).  The PSS sampler walks every process's page tables
twice a second, which takes seconds from the run on two cores: ``--no-pss`` times it
without the sampler.
``--compare N`` writes every report of N references twice, with every shortcut for long
lists taken (parallel CSV parse, forked checks, forked report writer) and with none,
and says whether the five files are the same bytes (the run's clock times aside).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
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


class TreeMemory(threading.Thread):
    """Samples the summed PSS (proportional set size) of a process and its descendants:
    forked workers share pages with their parent, so their RSS values cannot be added."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self._done = pid, 0, threading.Event()

    def _tree(self, pid: int) -> list[int]:
        found = [pid]
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    for child in handle.read().split():
                        found += self._tree(int(child))
        except OSError:
            pass
        return found

    @staticmethod
    def _pss_kb(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def run(self) -> None:
        while not self._done.wait(0.5):
            self.peak_kb = max(self.peak_kb, sum(map(self._pss_kb, self._tree(self.pid))))

    def stop(self) -> None:
        self._done.set()
        self.join()


def write_csv(path: Path, n: int) -> None:
    columns = ["id", "url", "title", "author", "work", "date", "access_date"]
    columns += ["archive_url", "archive_date", "isbn"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for ref in synthetic(n):
            writer.writerow([getattr(ref, c) for c in columns])


def compare(n: int) -> bool:
    """Every report of n references with the long-list shortcuts and without: the same
    bytes?  (Times of the run masked.)"""
    import re

    import checker.reports as reports
    from checker import checks
    from checker.importers import csv_parallel, load

    stamp = re.compile(rb'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\+00:00)?|time="[0-9.]+"')
    limits = [(csv_parallel, "PARALLEL_MIN"), (checks, "PARALLEL_MIN"), (reports, "FORK_MIN")]
    saved = [getattr(module, name) for module, name in limits]
    forced = [1, 10, 1]  # every shortcut taken, whatever the list's length
    written: dict[str, dict[str, bytes]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "refs.csv"
        write_csv(source, n)
        for label, fast in (("plain", False), ("shortcuts", True)):
            for (module, name), value in zip(limits, forced, strict=True):
                setattr(module, name, value if fast else 10**12)
            started = time.perf_counter()
            config = CheckConfig(today=dt.date(2026, 11, 24))
            result = api.check_import(load(source), config)
            out = Path(tmp) / "out"  # the same folder: the reports name it
            write_reports(result, out, exit_code=int(api.exit_code(result)))
            written[label] = {p.name: stamp.sub(b"T", p.read_bytes()) for p in out.iterdir()}
            print(f"{label}: {time.perf_counter() - started:.1f} s")
            del result
    for (module, name), value in zip(limits, saved, strict=True):
        setattr(module, name, value)
    same = written["plain"] == written["shortcuts"]
    for name in sorted(written["plain"]):
        verdict = (
            "same" if written["plain"][name] == written["shortcuts"].get(name) else "DIFFERENT"
        )
        print(f"{name}: {verdict} ({len(written['plain'][name]):,} bytes)")
    return same


def end_to_end(n: int, pss: bool = True) -> None:
    """``citewatch check --offline`` on n synthetic references, as a user runs it.  The
    PSS sampler reads every process's page tables twice a second, which costs the run
    some seconds on two cores: ``pss=False`` times the run without it."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "refs.csv"
        write_csv(source, n)
        size = source.stat().st_size / 1e6
        citewatch = Path(sys.executable).parent / "citewatch"
        command = [str(citewatch), "check", str(source), "--offline", "--quiet"]
        command += ["--out", str(Path(tmp) / "out"), "--today", "2026-11-24"]
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        sampler = TreeMemory(child.pid)
        if pss:
            sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        if pss:
            sampler.stop()
        assert child.stdout is not None
        summary = child.stdout.read().strip().splitlines()[-1:]
        print(f"\n{n:,} references in a {size:.0f} MB CSV: citewatch check --offline, all "
              f"five reports (exit {os.waitstatus_to_exitcode(status)})\n")  # fmt: skip
        cpu = usage.ru_utime + usage.ru_stime  # the child and the workers it reaped
        print("| step | wall s | CPU s | peak RSS MB | peak PSS of all processes MB |")
        print("|---|---|---|---|---|")
        peak = f"{sampler.peak_kb / 1024:.0f}" if pss else "not sampled (--no-pss)"
        print(f"| import, checks, five reports (end to end) | {wall:.1f} | {cpu:.1f} | "
              f"{usage.ru_maxrss / 1024:.0f} | {peak} |")  # fmt: skip
        print("(peak RSS: the largest single process; PSS: the process and its forked")
        print(" workers together, shared pages counted once, sampled every 0.5 s)")
        print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        print(f"\n{' '.join(summary)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--reports", action="store_true", help="also write every report")
    parser.add_argument("--end-to-end", action="store_true", help="the CLI on a CSV file")
    parser.add_argument("--compare", type=int, metavar="N", help="shortcuts vs plain path")
    parser.add_argument("--no-pss", action="store_true", help="--end-to-end, PSS not sampled")
    args = parser.parse_args()
    if args.compare:
        sys.exit(0 if compare(args.compare) else 1)
    if args.end_to_end:
        end_to_end(args.n, pss=not args.no_pss)
        return
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
