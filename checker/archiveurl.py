"""Reading archive URLs: which service, which capture time, which original URL.

Shared by the offline checks (archive-date agreement, malformed links) and the archive
stage.  Wayback URLs look like ``https://web.archive.org/web/20170413123456/http://…``
(optionally with a playback flag such as ``id_`` after the timestamp); archive.today
URLs like ``https://archive.ph/2017.04.13-123456/http://…``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

WAYBACK = "https://web.archive.org"  #: the Wayback Machine (its API and Save Page Now)
WAYBACK_HOSTS = frozenset({"web.archive.org", "wayback.archive.org", "www.web.archive.org"})
ARCHIVE_TODAY_HOSTS = frozenset(
    {
        "archive.today",
        "archive.is",
        "archive.ph",
        "archive.li",
        "archive.vn",
        "archive.fo",
        "archive.md",
    }
)
_WAYBACK_PATH = re.compile(r"^/web/(?P<stamp>[^/]*)/(?P<original>.+)$")
_STAMP = re.compile(r"^(?P<digits>\d+)(?P<flag>[a-z]{2}_)?$")
_TODAY_PATH = re.compile(r"^/(?P<stamp>\d{4}\.\d{2}\.\d{2}-\d{6})/(?P<original>.+)$")


@dataclass(frozen=True, slots=True)
class ArchiveLink:
    """What an archive URL says.  ``problem`` is set when it is malformed."""

    service: str  # "wayback", "archive.today" or "other"
    timestamp: dt.datetime | None = None
    original: str = ""
    problem: str = ""


def parse_archive_url(url: str) -> ArchiveLink:
    url = url.strip()
    plain = plain_parts(url) if url.startswith("http") else None
    if plain is not None:  # the usual URL, without urlsplit's cost
        host, path, query = plain[0].lower(), plain[1], plain[2]
        path += f"?{query}" if query else ""
    else:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return ArchiveLink("other", problem="not an http(s) URL")
        host = parts.hostname.lower()
        path = parts.path + (f"?{parts.query}" if parts.query else "")
    if host in WAYBACK_HOSTS:
        return _wayback(path)
    if host in ARCHIVE_TODAY_HOSTS:
        m = _TODAY_PATH.match(path)
        if not m:
            return ArchiveLink("archive.today")  # short form (archive.ph/AbCd1): no date in URL
        stamp = dt.datetime.strptime(m["stamp"], "%Y.%m.%d-%H%M%S")
        return ArchiveLink("archive.today", stamp, m["original"])
    return ArchiveLink("other")


def _wayback(path: str) -> ArchiveLink:
    m = _WAYBACK_PATH.match(path)
    if not m:
        return ArchiveLink("wayback", problem="no /web/<timestamp>/<url> part")
    stamp, original = m["stamp"], m["original"]
    sm = _STAMP.match(stamp)
    if stamp == "*" or "*" in stamp:
        return ArchiveLink(
            "wayback", original=original, problem="wildcard timestamp: a search page, not a capture"
        )
    if not sm:
        return ArchiveLink(
            "wayback", original=original, problem=f"timestamp {stamp!r} is not digits"
        )
    digits = sm["digits"]
    if len(digits) != 14:
        return ArchiveLink(
            "wayback",
            original=original,
            problem=f"timestamp {digits!r} has {len(digits)} digits; a capture needs 14",
        )
    try:
        when = _stamp(digits)
    except ValueError:
        return ArchiveLink(
            "wayback",
            original=original,
            problem=f"timestamp {digits!r} is not a real date and time",
        )
    return ArchiveLink("wayback", when, original)


def _stamp(digits: str) -> dt.datetime:
    """``strptime(digits, "%Y%m%d%H%M%S")`` for 14 digits, without its cost: a valid
    date and time in the fixed positions is what strptime reads first; anything else
    is left to strptime itself (its reading, or its ValueError)."""
    try:
        return dt.datetime(
            int(digits[:4]),
            int(digits[4:6]),
            int(digits[6:8]),
            int(digits[8:10]),
            int(digits[10:12]),
            int(digits[12:14]),
        )
    except ValueError:
        return dt.datetime.strptime(digits, "%Y%m%d%H%M%S")


#: A plain URL (http, https or ftp in lower case; an ASCII host name of letters, digits
#: and hyphens; no port, user or whitespace): its parts are what ``urlsplit`` gives.
_PLAIN = re.compile(
    r"(?:https?|ftp)://(?P<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)"
    r"(?P<path>/[^?#\s]*)?(?:\?(?P<query>[^#\s]*))?(?:#\S*)?"
)


def plain_parts(url: str) -> tuple[str, str, str] | None:
    """(host as written, path, query) of a plain URL (see ``_PLAIN``), as ``urlsplit``
    reads them; None for any other URL (read it with ``urlsplit``)."""
    m = _PLAIN.fullmatch(url)
    if m is None:
        return None
    return m["host"], m["path"] or "", m["query"] or ""


def normalise_url(url: str) -> str:
    """A comparison key: scheme, ``www.``, default ports, trailing slash and fragment ignored."""
    url = url.strip()
    plain = plain_parts(url)
    if plain is not None:  # the usual URL, without urlsplit's cost
        host, path, query = plain
        host = host.lower().removeprefix("www.")
        return f"{host}{path.rstrip('/')}{'?' + query if query else ''}"
    try:
        return split_key(url)
    except ValueError:  # "Invalid IPv6 URL": the text itself is the only key it has
        return url.lower()


def split_key(url: str) -> str:
    """:func:`normalise_url`'s key read by ``urlsplit`` (any URL; raises ValueError for
    one ``urlsplit`` refuses): what the plain-URL shortcut must agree with."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    try:
        port = parts.port if parts.port not in (None, 80, 443) else None
    except ValueError:
        port = None
    path = parts.path.rstrip("/") or ""
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{':' + str(port) if port else ''}{path}{query}"
