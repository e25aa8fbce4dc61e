"""Archive-link checks: malformed archive URLs, dates that disagree with the capture
timestamp, and the missing-partner rules of the citation templates (archive-url needs
archive-date and url; archive-date needs archive-url; url-status needs archive-url)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from checker.archiveurl import normalise_url, parse_archive_url
from checker.checks import CheckConfig
from checker.checks.dates import cs1_date
from checker.model import DateFormat, Finding, Reference, Severity, format_date

URL_STATUSES = frozenset({"live", "dead", "unfit", "usurped", "deviated"})


def check(ref: Reference, config: CheckConfig) -> Iterator[Finding]:
    if ref.archive_url:
        yield from _archive_url(ref)
    elif ref.archive_date:
        yield Finding(
            "archive-date-without-url",
            Severity.WARNING,
            "An archive date but no archive URL: the archived copy cannot be reached",
            ref.id,
            fields=("archive_date", "archive_url"),
            values=(ref.archive_date, ""),
            suggestion="add the archive URL, or remove the archive date",
        )
    status = ref.url_status.strip().lower()
    if status and status not in URL_STATUSES:
        yield Finding(
            "invalid-url-status",
            Severity.ERROR,
            f"url_status {ref.url_status!r} is not one of live, dead, unfit, usurped",
            ref.id,
            fields=("url_status",),
            values=(ref.url_status,),
        )
    elif status and status != "live" and not ref.archive_url:
        yield Finding(
            "url-status-without-archive",
            Severity.WARNING,
            f"url_status is {status!r} but there is no archive URL to send readers to",
            ref.id,
            fields=("url_status", "archive_url"),
            values=(ref.url_status, ""),
            suggestion="add an archived copy (citewatch check finds one for dead links)",
        )


def _archive_url(ref: Reference) -> Iterator[Finding]:
    link = parse_archive_url(ref.archive_url)
    if link.problem:
        yield Finding(
            "archive-url-malformed",
            Severity.ERROR,
            f"Archive URL is malformed: {link.problem}",
            ref.id,
            fields=("archive_url",),
            values=(ref.archive_url,),
        )
    if not ref.archive_date:
        suggested = {}
        if link.timestamp is not None:
            suggested = {"archive_date": render_like(ref, link.timestamp.date())}
        yield Finding(
            "archive-url-without-date",
            Severity.ERROR,
            "An archive URL without an archive date",
            ref.id,
            fields=("archive_date", "archive_url"),
            values=("", ref.archive_url),
            suggestion=(
                f"archive_date = {suggested['archive_date']!r} (from the URL's timestamp)"
                if suggested
                else "add the date of the archived capture"
            ),
            suggested=suggested,
        )
    if not ref.url:
        yield Finding(
            "archive-url-without-url",
            Severity.ERROR,
            "An archive URL without the original URL",
            ref.id,
            fields=("url", "archive_url"),
            values=("", ref.archive_url),
            suggestion=f"url = {link.original!r}" if link.original else "",
            suggested={"url": link.original} if link.original else {},
        )
    elif link.original and normalise_url(link.original) != normalise_url(ref.url):
        yield Finding(
            "archive-url-other-page",
            Severity.WARNING,
            f"The archive URL is a capture of {link.original!r}, not of the cited URL",
            ref.id,
            fields=("archive_url", "url"),
            values=(ref.archive_url, ref.url),
        )
    if link.timestamp is None or not ref.archive_date:
        return
    value = cs1_date(ref.archive_date)  # None for an invalid date (reported as invalid-date)
    captured = link.timestamp.date()
    if value is not None and not value.earliest <= captured <= value.latest:
        fixed = render_like(ref, captured)
        yield Finding(
            "archive-date-mismatch",
            Severity.ERROR,
            f"Archive date {ref.archive_date!r} disagrees with the capture's timestamp "
            f"({captured.isoformat()})",
            ref.id,
            fields=("archive_date", "archive_url"),
            values=(ref.archive_date, ref.archive_url),
            suggestion=f"archive_date = {fixed!r}",
            suggested={"archive_date": fixed},
        )


def render_like(ref: Reference, day: dt.date) -> str:
    """``day`` written in the format the reference already uses for its dates."""
    for raw in (ref.archive_date, ref.access_date, ref.date):
        value = cs1_date(raw)
        if value is not None and value.format in (DateFormat.DMY, DateFormat.MDY, DateFormat.YMD):
            return value.render(day)
    return format_date(day, DateFormat.YMD)
