"""The Save Page Now 2 (SPN2) API: submit a capture, poll its job, read the user status.

Source: "Save Page Now 2 Public API Docs Draft" (Vangelis Banos, Internet Archive;
revisions of 2022-04-05 and 2025-10-22).  Authentication is the account's S3 keys in the
header ``authorization: LOW <access>:<secret>``; they are read from the environment
(``CITEWATCH_IA_ACCESS``, ``CITEWATCH_IA_SECRET``) and live only in this module's
:class:`Credentials`, whose ``repr`` shows neither key.  No answer, exception message or
log line built here contains them: errors carry the HTTP status and SPN2's own words only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests

from checker.save.config import ENV_ACCESS as ENV_ACCESS
from checker.save.config import ENV_SECRET as ENV_SECRET
from checker.save.config import USER_AGENT as USER_AGENT
from checker.save.config import WAYBACK as WAYBACK
from checker.save.config import Credentials as Credentials
from checker.save.config import SaveConfig as SaveConfig

MAX_ANSWER = 256 * 1024  #: bytes of an SPN2 answer read, at most


class SaveStopped(Exception):
    """Saving must stop for the rest of the run (the message says why, without secrets)."""


class RateLimited(Exception):
    """HTTP 429 from SPN2 itself; ``retry_after`` in seconds when it said."""

    def __init__(self, retry_after: float | None) -> None:
        super().__init__("SPN2 answered HTTP 429 Too Many Requests")
        self.retry_after = retry_after


class SaveUnavailable(Exception):
    """One call failed (connection, 5xx, not JSON); the URL may be tried on a later run."""


@dataclass(frozen=True, slots=True)
class JobAnswer:
    """What ``POST /save`` or ``GET /save/status/<job_id>`` said."""

    status: str  #: "pending", "success", "error" ("submitted" for a POST with a job_id)
    job_id: str = ""
    timestamp: str = ""
    original_url: str = ""
    status_ext: str = ""  #: "error:…" on errors
    message: str = ""


def _number(value: str) -> float | None:
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class SaveClient:
    """One requests session speaking SPN2; a call at a time (the runner is single-threaded)."""

    def __init__(self, config: SaveConfig, credentials: Credentials) -> None:
        self.config = config
        self._session = requests.Session()
        self._session.headers.update(
            {
                "Accept": "application/json",
                "User-Agent": config.user_agent,
                "Authorization": credentials.header(),
            }
        )
        self.calls = 0

    def close(self) -> None:
        self._session.close()

    def _request(self, method: str, path: str, data: dict[str, str] | None = None) -> Any:
        url = f"{self.config.base_url.rstrip('/')}{path}"
        self.calls += 1
        try:
            response = self._session.request(
                method,
                url,
                data=data,
                timeout=(self.config.connect_timeout, self.config.read_timeout),
                allow_redirects=False,
                stream=True,
            )
        except requests.RequestException as err:
            # The type only: requests' messages can repeat the request, never its headers,
            # but nothing of the request is needed here.
            raise SaveUnavailable(f"SPN2 could not be reached ({type(err).__name__})") from None
        try:
            body = response.raw.read(MAX_ANSWER, decode_content=True) or b""
        except Exception:  # a broken or oversized answer is just unusable
            body = b""
        finally:
            response.close()
        status = response.status_code
        if status == 429:
            raise RateLimited(_number(response.headers.get("Retry-After", "")))
        if status in (401, 403):
            raise SaveStopped(
                f"SPN2 refused the credentials (HTTP {status}); check {ENV_ACCESS} and {ENV_SECRET}"
            )
        if status >= 500 or status in (400, 404):
            raise SaveUnavailable(f"SPN2 answered HTTP {status}")
        try:
            return json.loads(body.decode("utf-8", "replace"))
        except ValueError:
            raise SaveUnavailable(f"SPN2 answered HTTP {status}, not JSON") from None

    def user_status(self) -> tuple[int, int] | None:
        """(available, processing) capture sessions of the account, or None if unknown."""
        try:
            data = self._request("GET", "/save/status/user")
        except SaveUnavailable:
            return None
        if not isinstance(data, dict):
            return None
        try:
            return int(data["available"]), int(data.get("processing", 0))
        except (KeyError, TypeError, ValueError):
            return None

    def submit(self, url: str, if_not_archived_within: str) -> JobAnswer:
        data = self._request(
            "POST",
            "/save",
            {
                "url": url,
                "skip_first_archive": "1",
                "if_not_archived_within": if_not_archived_within,
            },
        )
        answer = _answer(data)
        if answer.job_id and answer.status == "":
            return JobAnswer("submitted", answer.job_id, message=answer.message)
        if not answer.job_id and answer.status != "error":
            raise SaveUnavailable("SPN2 accepted the request but gave no job_id")
        return answer

    def status(self, job_id: str) -> JobAnswer:
        answer = _answer(self._request("GET", f"/save/status/{job_id}"))
        if answer.status not in ("pending", "success", "error"):
            raise SaveUnavailable(f"SPN2 job status {answer.status!r} is not documented")
        return answer


def _answer(data: Any) -> JobAnswer:
    if not isinstance(data, dict):
        raise SaveUnavailable("SPN2 answered JSON that is not an object")

    def text(key: str) -> str:
        value = data.get(key)
        return str(value) if value is not None else ""

    status = text("status")
    status_ext = text("status_ext")
    if status_ext.startswith("error:") and not status:
        status = "error"
    return JobAnswer(
        status,
        text("job_id"),
        text("timestamp"),
        text("original_url"),
        status_ext,
        text("message")[:500],
    )
