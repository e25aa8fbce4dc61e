"""A local double of Save Page Now 2 (SPN2), the Wayback Machine's capture API, on loopback.

The lookup double (:mod:`checker.testing.archive_double`) stays as it is; this one runs its
own server and, given that double, stores every capture it makes there so lookups see it.
Shapes follow the "Save Page Now 2 Public API Docs Draft": ``POST /save`` answers
``{"url", "job_id"}``; ``GET /save/status/<job_id>`` answers ``{"status": "pending"}``
until the job ends in ``{"status": "success", "timestamp", "original_url", …}`` or
``{"status": "error", "status_ext": "error:…", "message"}``; ``GET /save/status/user``
answers ``{"available", "processing"}``.  Requests without the right ``authorization:
LOW <access>:<secret>`` get 401.  Standard library only.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from time import monotonic
from typing import Any
from urllib.parse import parse_qs, urlsplit

from checker.testing.archive_double import ArchiveDouble, _Handler, _Server

SPN_ERROR_MESSAGES = {
    "error:too-many-daily-captures": "This URL has been captured 10 times today. "
    "We cannot make any more captures.",
    "error:user-session-limit": "You have already reached the limit of active sessions. "
    "Please wait for a minute and then try again.",
    "error:blocked-url": "This URL is in the Save Page Now service block list.",
    "error:too-many-requests": "The target host has received too many requests from SPN.",
    "error:max-daily-bandwidth": "You have reached your daily bandwidth limit.",
    "error:not-found": "The server cannot find the requested resource.",
    "error:soft-time-limit-exceeded": "Capture duration exceeded 45s time limit.",
}


class _SpnHandler(_Handler):
    server_version = "SpnDouble/1.0"

    def do_POST(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionError, TimeoutError):
            self.server.double._handle(self)


class _SpnServer(_Server):
    def __init__(self, double: Any, host: str) -> None:
        self.double = double
        ThreadingHTTPServer.__init__(self, (host, 0), _SpnHandler)


@dataclass
class SpnJob:
    job_id: str
    url: str
    form: dict[str, str]
    polls: int = 0


class SpnDouble:
    """SPN2 on 127.0.0.x.  ``archive``: an :class:`ArchiveDouble` that gets every capture
    made (so lookups see it).  Jobs succeed after ``polls`` status requests; per URL,
    :meth:`fail` ends a job with an error code (``at_submit``: POST answers it at once),
    :meth:`slow` keeps one pending for ``polls`` requests (None: forever),
    :meth:`recent` holds an existing capture that ``if_not_archived_within`` returns.
    :meth:`rate_limit` answers 429 with ``Retry-After``; :attr:`session_limit` caps jobs
    pending at once (more: ``error:user-session-limit`` at submit).  :attr:`submissions`
    holds every POST /save form; :attr:`requests` logs ``(time, method, path)``; neither
    keeps the authorization header."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        *,
        access: str = "test-access",
        secret: str = "test-secret",
        archive: ArchiveDouble | None = None,
        polls: int = 1,
        available: int = 4,
        timestamp: str = "",
    ) -> None:
        ip = ipaddress.ip_address(host)
        if ip.version != 4 or not ip.is_loopback:
            raise ValueError(f"SpnDouble binds to 127.0.0.0/8 only, not {host}")
        self.host = host
        self.archive = archive
        self.polls = polls
        self.available = available
        self.session_limit = available
        self.timestamp = timestamp  #: '' → the current UTC time
        self._auth = f"LOW {access}:{secret}"
        self._revoke_at: int | None = None
        self._server: _SpnServer | None = None
        self._lock = threading.Lock()
        self._jobs: dict[str, SpnJob] = {}
        self._answers: dict[str, dict[str, Any]] = {}
        self._failures: dict[str, tuple[str, bool]] = {}
        self._slow: dict[str, int | None] = {}
        self._recent: dict[str, str] = {}
        self._limit: tuple[int, int, int | None] | None = None
        self._limit_seen = 0
        self.submissions: list[dict[str, str]] = []
        self.requests: list[tuple[float, str, str]] = []
        self.auth_failures = 0

    def __enter__(self) -> SpnDouble:
        self._server = _SpnServer(self, self.host)
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("SpnDouble is not running")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def fail(self, url: str, status_ext: str, *, at_submit: bool = False) -> None:
        with self._lock:
            self._failures[url] = (status_ext, at_submit)

    def slow(self, url: str, polls: int | None = None) -> None:
        with self._lock:
            self._slow[url] = polls

    def recent(self, url: str, timestamp: str) -> None:
        with self._lock:
            self._recent[url] = timestamp

    def rate_limit(self, after: int = 0, *, retry_after: int = 1, times: int | None = None) -> None:
        with self._lock:
            self._limit = (after, retry_after, times)
            self._limit_seen = 0

    def revoke_keys(self, after: int = 0) -> None:
        """After ``after`` more requests, every request answers 401 (keys revoked in the
        middle of a run)."""
        with self._lock:
            self._revoke_at = len(self.requests) + after

    def pending(self) -> int:
        """Jobs not finished yet."""
        with self._lock:
            return sum(1 for job_id in self._jobs if job_id not in self._answers)

    # --- the server side ---------------------------------------------------------------

    def _handle(self, h: _Handler) -> None:
        parts = urlsplit(h.path)
        size = int(h.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(h.rfile.read(size).decode()).items()} if size else {}
        with self._lock:
            self.requests.append((monotonic(), h.command, parts.path))
            limited = None
            if self._limit is not None:
                self._limit_seen += 1
                after, retry_after, times = self._limit
                if self._limit_seen > after and (
                    times is None or self._limit_seen <= after + times
                ):
                    limited = retry_after
        if limited is not None:
            body = b"<html><head><title>429 Too Many Requests</title></head></html>"
            return h.reply(429, body, "text/html", {"Retry-After": str(limited)})
        with self._lock:
            revoked = self._revoke_at is not None and len(self.requests) > self._revoke_at
        if revoked or h.headers.get("Authorization") != self._auth:
            with self._lock:
                self.auth_failures += 1
            return self._json(h, {"message": "You need to be logged in to use Save Page Now."}, 401)
        if parts.path == "/save/status/user":
            busy = self.pending()
            return self._json(h, {"available": max(0, self.available - busy), "processing": busy})
        if parts.path.startswith("/save/status/"):
            return self._status(h, parts.path.rsplit("/", 1)[1])
        if parts.path == "/save" and h.command == "POST":
            return self._submit(h, form)
        h.reply(404, b"Not Found\n", "text/plain;charset=UTF-8")

    def _json(self, h: _Handler, doc: dict[str, Any], status: int = 200) -> None:
        h.reply(status, json.dumps(doc).encode(), "application/json")

    def _submit(self, h: _Handler, form: dict[str, str]) -> None:
        url = form.get("url", "")
        with self._lock:
            self.submissions.append(dict(form))
            busy = sum(1 for job_id in self._jobs if job_id not in self._answers)
            failure = self._failures.get(url)
            job_id = f"spn2-{hashlib.sha1(f'{url}{len(self.submissions)}'.encode()).hexdigest()}"
        if busy >= self.session_limit:
            code = "error:user-session-limit"
            doc = {"status": "error", "status_ext": code, "message": SPN_ERROR_MESSAGES[code]}
            return self._json(h, doc)
        if failure is not None and failure[1]:
            code = failure[0]
            doc = {"status": "error", "status_ext": code,
                   "message": SPN_ERROR_MESSAGES.get(code, code)}  # fmt: skip
            return self._json(h, doc)
        with self._lock:
            self._jobs[job_id] = SpnJob(job_id, url, dict(form))
        self._json(h, {"url": url, "job_id": job_id})

    def _status(self, h: _Handler, job_id: str) -> None:
        doc: dict[str, Any]
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                doc = {"status": "error", "status_ext": "error:job-failed", "job_id": job_id,
                       "message": "no such job"}  # fmt: skip
                return self._json(h, doc)
            if job_id in self._answers:  # finished: SPN2 keeps the answer for a while
                return self._json(h, self._answers[job_id])
            job.polls += 1
            need = self._slow.get(job.url, self.polls)
            failure = self._failures.get(job.url)
            if need is None or job.polls < need:
                return self._json(h, {"status": "pending", "job_id": job_id, "resources": []})
            recent = self._recent.get(job.url)
            stamp = recent or self.timestamp or datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        if failure is not None:
            code = failure[0]
            doc = {
                "status": "error",
                "status_ext": code,
                "job_id": job_id,
                "message": SPN_ERROR_MESSAGES.get(code, code),
                "resources": [],
            }
        else:
            doc = {
                "status": "success",
                "job_id": job_id,
                "original_url": job.url,
                "timestamp": stamp,
                "duration_sec": 0.1,
                "resources": [job.url],
            }
            if recent:
                doc["message"] = "The same snapshot had been made recently."
            elif self.archive is not None:
                self.archive.add_capture(job.url, stamp, title="Saved page")
        with self._lock:
            self._answers[job_id] = doc
        self._json(h, doc)
