"""URL checks that need no network: malformed URLs and dates in the URL path that
disagree with the cited publication date (``/2017/04/13/`` cited as 2019)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from urllib.parse import SplitResult, urlsplit

from checker.archiveurl import plain_parts
from checker.checks import CheckConfig
from checker.checks.dates import cs1_date
from checker.model import Finding, Reference, Severity

_YMD_PATH = re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>\d{1,2})/(?P<d>\d{1,2})(?=/|$|[-_.])")
_YM_PATH = re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>\d{1,2})(?=/|$)")
_MY_PATH = re.compile(r"/(?P<m>\d{2})/(?P<y>(?:19|20)\d{2})(?=/|$)")
_COMPACT = re.compile(r"(?<![\d])(?P<y>(?:19|20)\d{2})-?(?P<m>\d{2})-?(?P<d>\d{2})(?![\d])")


_FIRST_WEB_DAY = dt.date(1991, 1, 1)
_ONE_DAY = dt.timedelta(days=1)


def url_date(path: str, today: dt.date) -> tuple[dt.date, dt.date, str] | None:
    """The date a URL path states, as an interval, with the matched text."""
    if "19" not in path and "20" not in path:  # every pattern needs a year 19xx or 20xx
        return None
    tomorrow = today + _ONE_DAY
    for pattern in (_YMD_PATH, _COMPACT):
        for m in pattern.finditer(path):
            year, month, day_of_month = m.groups()
            try:
                day = dt.date(int(year), int(month), int(day_of_month))
            except ValueError:
                continue
            if _FIRST_WEB_DAY <= day <= tomorrow:
                return day, day, m.group(0).strip("/")
    for pattern in (_YM_PATH, _MY_PATH):
        for m in pattern.finditer(path):
            year, month = int(m["y"]), int(m["m"])
            if 1 <= month <= 12 and 1991 <= year <= today.year:
                start = dt.date(year, month, 1)
                end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
                return start, end, m.group(0).strip("/")
    return None


def check(ref: Reference, config: CheckConfig) -> Iterator[Finding]:
    if not ref.url:
        return
    url = ref.url.strip()
    plain = plain_parts(url)  # the usual URL: well formed, no urlsplit needed
    if plain is not None:
        problem, path = "", plain[1]
    else:
        try:
            parts = urlsplit(url)
        except ValueError as exc:  # "Invalid IPv6 URL" and the like: bad input, not a bug
            parts, problem, path = None, str(exc), ""
        if parts is not None:
            problem, path = _malformed(ref.url, parts), parts.path
    if problem:
        yield Finding(
            "invalid-url",
            Severity.ERROR,
            f"URL is malformed: {problem}",
            ref.id,
            fields=("url",),
            values=(ref.url,),
        )
        return
    if not ref.date:
        return
    pub = cs1_date(ref.date)  # None for an invalid date too (reported by the date checks)
    if pub is None:
        return
    found = url_date(path, config.today)
    if found is None:
        return
    start, end, text = found
    gap = max((pub.earliest - end).days, (start - pub.latest).days)
    if gap > config.url_date_tolerance_days:
        yield Finding(
            "url-date-mismatch",
            Severity.WARNING,
            f"The URL says {text!r} but the cited publication date is {ref.date!r} "
            f"({gap} days apart)",
            ref.id,
            fields=("date", "url"),
            values=(ref.date, ref.url),
            suggestion="check the publication date against the page",
        )


_SPACE = re.compile(r"\s")


def _malformed(url: str, parts: SplitResult) -> str:
    if _SPACE.search(url.strip()):
        return "contains whitespace"
    if parts.scheme.lower() not in ("http", "https", "ftp"):
        return f"scheme {parts.scheme or '(none)'!r} (expected http or https)"
    if not parts.netloc or not parts.hostname:
        return "no host name"
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return "bad port"
    return ""
