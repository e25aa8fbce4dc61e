"""The shared store at scale: due-driven nights, due selection, batched writes.

    python bench/store.py [--links 2000000] [--due 0.01] [--dsn postgresql://…]

Without ``--dsn`` a throwaway PostgreSQL server is started (Debian's package, fsync
off: numbers for this machine, not for production).  Steps, each timed and printed:

1. seed ``--links`` links over many sites (COPY), ``--due`` of them due now, pointing
   at a loopback web server that counts requests;
2. due selection of single partitions (``claim_due(part=…)``, milliseconds) and the
   query plan (an index scan, not a table scan);
3. night 1: ``citewatch crawl`` checks the due links: requests at the web = due count;
4. night 2, the same day: zero requests;
5. result writes: ``record_batch`` in batches of 1,000 on one connection, results/s
   (PostgreSQL and SQLite; bare verdicts and verdicts with evidence; median and best of
   five nights).  ``--writes-only`` runs this step alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from click.testing import CliRunner

from checker.cli import main
from checker.model import Hop, LinkResult, LinkStatus
from checker.store import Policy, open_store
from checker.store.sites import part_of, site_of
from checker.testing.postgres import LocalPostgres

PAGE = b"<html><head><title>Bench Page</title></head><body>" + b"<p>text</p>" * 40 + b"</body>"


class Web:
    """A loopback server answering 200 to every path, counting what it is asked."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.lock = threading.Lock()
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, body: bool) -> None:
                with web.lock:
                    web.paths.append(f"{self.headers.get('Host', '')}{self.path}")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(PAGE)))
                self.end_headers()
                if body:
                    self.wfile.write(PAGE)

            def do_HEAD(self) -> None:
                self._answer(False)

            def do_GET(self) -> None:
                self._answer(True)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def seed(dsn: str, links: int, due_share: float, web: Web, hosts: int) -> tuple[int, list[str]]:
    """COPY ``links`` rows; the due ones point at the loopback web."""
    import psycopg

    rng = random.Random(7)
    now = dt.datetime.now(dt.UTC)
    result = json.dumps({"status": "alive"})
    due_hosts = [f"h{i}.due{i}.example" for i in range(hosts)]
    with open_store(dsn) as store:  # creates the schema
        store.now()
    sites: dict[str, int] = {}
    due_count = 0
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP INDEX links_due; DROP INDEX links_next; DROP INDEX links_site")
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY links (url_hash, url, site, part, next_due, failures, last_checked, "
                "last_status, result) FROM STDIN"
            ) as copy,
        ):
            for i in range(links):
                if rng.random() < due_share:
                    host = due_hosts[due_count % hosts]
                    url = f"http://{host}:{web.port}/article/{i}"
                    when = now - dt.timedelta(hours=rng.uniform(1, 48))
                    due_count += 1
                else:
                    host = f"www.site{i % (links // 10 + 1)}.example"
                    url = f"http://{host}/article/{i}"
                    when = now + dt.timedelta(days=rng.uniform(0.1, 8))
                site = site_of(host)
                if site not in sites:
                    sites[site] = part_of(site)
                digest = hashlib.sha256(url.encode()).digest()
                copy.write_row((digest, url, site, sites[site], when, 0, now, "alive", result))
        with conn.cursor() as cur, cur.copy("COPY sites (site, part) FROM STDIN") as copy:
            for site, part in sites.items():
                copy.write_row((site, part))
        conn.execute("CREATE INDEX links_due ON links (part, next_due) WHERE next_due IS NOT NULL")
        conn.execute("CREATE INDEX links_next ON links (next_due) WHERE next_due IS NOT NULL")
        conn.execute("CREATE INDEX links_site ON links (site)")
        conn.execute("VACUUM ANALYZE links")
    return due_count, due_hosts


def crawl(dsn: str, web: Web, hosts: list[str]) -> tuple[float, str, int, int]:
    web.paths.clear()
    args = ["crawl", "--state", dsn, "--no-archive", "--no-probe", "--allow-private"]
    args += ["--host-interval", "0", "--max-concurrency", "32", "--site-budget", "100000"]
    for host in hosts:
        args += ["--resolve", f"{host}=127.0.0.1"]
    started = time.monotonic()
    result = CliRunner().invoke(main, args)
    took = time.monotonic() - started
    line = result.output.strip().splitlines()[-1] if result.output.strip() else ""
    return took, line, len(web.paths), len({p.split("/", 1)[1] for p in web.paths})


def _server_cpu(store: Any) -> float:
    """CPU seconds the PostgreSQL backend of ``store``'s connection has used (the server
    runs on this machine in the bench), 0 for SQLite (its work is in this process)."""
    if store.kind != "postgresql":
        return 0.0
    with store._read() as cur:
        pid = cur.execute("SELECT pg_backend_pid()").fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def writes(
    location: str, n: int = 20_000, batch: int = 1000, rounds: int = 5, evidence: bool = False
) -> tuple[float, float, float, float]:
    """(median results/s, best results/s, results/s of the database statements alone,
    results per CPU second of this process and the database backend together) over
    ``rounds`` nights that each re-record the same ``n`` links.  The last figure does not
    depend on what else the machine runs: it is the rate once the CPU is there.

    ``evidence``: results as a real check leaves them (two hops, a title, one in ten
    failing and one in ten transient) instead of bare alive verdicts."""
    day = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    statuses = [LinkStatus.ALIVE] * 8 + [LinkStatus.FAILING, LinkStatus.TRANSIENT]

    def result(i: int) -> LinkResult:
        url = f"http://w{i % 500}.example/{i}"
        if not evidence:
            return LinkResult(url, LinkStatus.ALIVE, "ok", http_status=200)
        hops = (
            Hop("HEAD", url, 301, location=url.replace("http:", "https:"), elapsed_ms=12),
            Hop("GET", url.replace("http:", "https:"), 200, elapsed_ms=30),
        )
        status = statuses[i % len(statuses)]
        return LinkResult(url, status, "ok", "a detail", hops, http_status=200, title="A title")

    raws = [result(i) for i in range(n)]
    in_db = [0.0]
    rates = []
    with open_store(location, Policy(timezone="UTC")) as store:
        store.add_links([r.url for r in raws], day)
        for name in ("_lock_rows", "_write_results"):
            original = getattr(store, name)

            def timed(*args: Any, _original: Any = original) -> Any:
                started = time.monotonic()
                try:
                    return _original(*args)
                finally:
                    in_db[0] += time.monotonic() - started

            setattr(store, name, timed)
        cpu = time.process_time() + _server_cpu(store)
        for night in range(rounds):
            now = day + dt.timedelta(days=night)
            started = time.monotonic()
            for i in range(0, n, batch):
                store.record_batch(raws[i : i + batch], now, f"bench-{night}")
            rates.append(n / (time.monotonic() - started))
        cpu = time.process_time() + _server_cpu(store) - cpu
    return statistics.median(rates), max(rates), n * rounds / in_db[0], n * rounds / cpu


def print_writes(dsn: str | None) -> None:
    for evidence in (False, True):
        kind = "with evidence (2 hops, 10 % failing)" if evidence else "bare alive verdicts"
        if dsn is not None:
            rate, best, db, cpu = writes(dsn, evidence=evidence)
            print(
                f"| result writes, PostgreSQL, 1 connection, {kind} | median {rate:,.0f}/s, "
                f"best {best:,.0f}/s (the SQL alone: {db:,.0f}/s); "
                f"{cpu:,.0f} per CPU second (client + backend) |"
            )
        with tempfile.TemporaryDirectory() as tmp:
            rate, best, db, cpu = writes(str(Path(tmp) / "s.sqlite"), evidence=evidence)
        print(
            f"| result writes, SQLite, {kind} | median {rate:,.0f}/s, best {best:,.0f}/s "
            f"(the SQL alone: {db:,.0f}/s); {cpu:,.0f} per CPU second |"
        )


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--links", type=int, default=2_000_000)
    parser.add_argument("--due", type=float, default=0.01)
    parser.add_argument("--hosts", type=int, default=200, help="hosts the due links are on")
    parser.add_argument("--dsn", default=None)
    parser.add_argument(
        "--writes-only", action="store_true", help="only step 5 (result writes), in a new database"
    )
    args = parser.parse_args()
    server = None if args.dsn else LocalPostgres().start()
    web = Web()
    try:
        dsn = args.dsn or server.new_database()  # type: ignore[union-attr]
        print("| step | result |\n|---|---|")
        if args.writes_only:
            print_writes(dsn)
            return
        t = time.monotonic()
        due, hosts = seed(dsn, args.links, args.due, web, args.hosts)
        took = time.monotonic() - t
        print(f"| seed {args.links:,} links (COPY + indexes) | {took:.1f} s, {due:,} due |")
        with open_store(dsn) as store:
            now = store.now()
            parts = sorted({part_of(site_of(h)) for h in hosts})[:20]
            times = []
            for part in parts:
                t = time.monotonic()
                store.claim_due(now, "probe", part=part, lease=dt.timedelta(0))
                times.append((time.monotonic() - t) * 1000)
            print(
                f"| due selection of one partition (median of {len(times)}) | "
                f"{statistics.median(times):.1f} ms (max {max(times):.1f} ms) |"
            )
            import psycopg

            with psycopg.connect(dsn) as conn:
                plan = conn.execute(
                    "EXPLAIN SELECT url FROM links WHERE part = %s AND next_due <= now()",
                    (parts[0],),
                ).fetchall()
            print(f"| its plan | {plan[0][0].strip()} |")
        took, line, requests, urls = crawl(dsn, web, hosts)
        print(
            f"| night 1: crawl | {took:.1f} s; {requests:,} requests, {urls:,} URLs, {due:,} due |"
        )
        print(f"| night 1 says | {line} |")
        took, line, requests, urls = crawl(dsn, web, hosts)
        print(f"| night 2, same day | {took:.1f} s; {requests} requests |")
        print_writes(server.new_database() if server else dsn)
    finally:
        web.close()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main_bench()
