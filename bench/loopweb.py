"""A loopback web for the link benchmark, run in its own process (its own GIL).

    python bench/loopweb.py HOSTS LATENCY

Starts HOSTS HTTP/1.1 servers on 127.0.0.10… (port 0), prints one JSON line with their
``[ip, port]`` pairs, then serves until stdin closes.  Every answer comes after LATENCY
seconds: paths under ``/ok/`` get 200 with a titled page (each page names its path),
anything else 404.  The server measures what the client did: the most requests in flight
at once on one host, and the connections opened.  ``GET /__stats`` on the first host
returns them as JSON (and resets them); it is not counted.  Nothing leaves 127.0.0.0/8.
"""

from __future__ import annotations

import html
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: Every page differs (it names its path, spelt in letters: the pages carry no digits, so
#: no date to look for, as on the load the goals were set on), as real pages do: a tool
#: that remembers its last pages' findings gains nothing from the pages being alike.
OK_BODY = (
    "<html><head><title>Story</title></head><body><p>{path}</p>" + "text " * 300 + "</body></html>"
)
GONE_BODY = "<html><head><title>404 Not Found</title></head><body>gone: {path}</body></html>"


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}
        self.connections = 0
        self.requests = 0

    def enter(self, host: str) -> None:
        with self.lock:
            now = self.in_flight.get(host, 0) + 1
            self.in_flight[host] = now
            self.requests += 1
            if now > self.max_in_flight.get(host, 0):
                self.max_in_flight[host] = now

    def leave(self, host: str) -> None:
        with self.lock:
            self.in_flight[host] -= 1

    def take(self) -> dict[str, Any]:
        with self.lock:
            out = {
                "max_in_flight": max(self.max_in_flight.values(), default=0),
                "connections": self.connections,
                "requests": self.requests,
            }
            self.max_in_flight.clear()
            self.connections = self.requests = 0
            return out


STATS = Stats()
LATENCY = 0.1


def _spelt(path: str) -> str:
    """``path`` with its digits as letters ("/ok/12" → "/ok/bc"), escaped for HTML."""
    return html.escape(path.translate(_LETTERS))


_LETTERS = str.maketrans("0123456789", "abcdefghij")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY, as real servers set it (nginx's tcp_nodelay is on by default): the
    # headers and the body go out in two writes, and without it Nagle's algorithm holds
    # the body until the client's delayed ACK (40 ms) on every kept-alive answer.
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        with STATS.lock:
            STATS.connections += 1

    def do_GET(self) -> None:
        if self.path == "/__stats":
            self._answer(200, json.dumps(STATS.take()).encode(), "application/json")
            return
        host = self.server.server_address[0]  # type: ignore[index]
        # In flight from the request's arrival until its answer is sent, not written: a
        # client that reads the answer and sends its next request on a new connection
        # meets another server thread, which may count it before this thread (waiting
        # for the interpreter lock of a busy server) has counted this one out.
        STATS.enter(str(host))
        try:
            time.sleep(LATENCY)
            ok = self.path.startswith("/ok/")
            body = (OK_BODY if ok else GONE_BODY).format(path=_spelt(self.path))
        finally:
            STATS.leave(str(host))
        self._answer(200 if ok else 404, body.encode(), "text/html")

    do_HEAD = do_GET

    def _answer(self, code: int, body: bytes, kind: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512

    def server_bind(self) -> None:  # no reverse DNS lookup of the address
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up early is not news


def main() -> None:
    global LATENCY
    hosts, LATENCY = int(sys.argv[1]), float(sys.argv[2])
    addresses = []
    for i in range(hosts):
        server = Server((f"127.0.0.{10 + i}", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        addresses.append(list(server.server_address[:2]))
    print(json.dumps(addresses), flush=True)
    sys.stdin.read()  # serve until the parent closes our stdin


if __name__ == "__main__":
    main()
