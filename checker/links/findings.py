"""Findings from the link stage: rotten links, redirects, content drift, a page that
states another publication date, host outages and an unusable network."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from checker.dates import DateError, parse_date
from checker.links.classify import drifted
from checker.links.runner import LinkRun
from checker.model import Finding, LinkResult, LinkStatus, Reference, Severity

#: A page's own publication date may differ from the cited one by time zones and
#: overnight editions; beyond this many days it is worth a look.
PAGE_DATE_TOLERANCE_DAYS = 2

_BY_STATUS: dict[LinkStatus, tuple[str, Severity, str]] = {
    LinkStatus.DEAD: ("link-dead", Severity.ERROR, "The link is dead"),
    LinkStatus.FAILING: ("link-failing", Severity.WARNING, "The link is failing"),
    LinkStatus.SOFT_404: (
        "link-soft-404",
        Severity.ERROR,
        "The link answers, but with an error page (soft 404)",
    ),
    LinkStatus.USURPED: (
        "link-usurped",
        Severity.ERROR,
        "The domain now belongs to someone else (parked, for sale, taken over)",
    ),
    LinkStatus.BLOCKED: (
        "link-blocked",
        Severity.INFO,
        "The site refused an automated check (unknown, not dead)",
    ),
    LinkStatus.TRANSIENT: (
        "link-transient",
        Severity.INFO,
        "The site had a temporary failure (unknown for now)",
    ),
    LinkStatus.TLS_ERROR: (
        "link-tls-error",
        Severity.WARNING,
        "The site's TLS certificate or handshake failed (not dead: the content may be served)",
    ),
    LinkStatus.REDIRECTED: ("link-redirected", Severity.INFO, "The link moved permanently"),
    LinkStatus.UNSAFE: (
        "link-unsafe",
        Severity.WARNING,
        "The link points at a private or local address and was not checked",
    ),
}


def link_findings(refs: Sequence[Reference], run: LinkRun) -> Iterator[Finding]:
    if run.inconclusive:
        yield Finding(
            "links-inconclusive",
            Severity.ERROR,
            f"Link checking was inconclusive: {run.network.reason}. No link was marked "
            "dead and nothing may be patched from this run.",
            None,
            suggestion="check the machine's network (DNS, proxy, firewall) and re-run",
        )
        return
    for outage in run.network.outages:
        yield Finding(
            "host-outage",
            Severity.WARNING,
            f"Host {outage.host} is unreachable for all its {outage.urls} links "
            f"({', '.join(outage.errors)}): one outage, not {outage.urls} separate dead pages",
            None,
            fields=("url",),
            values=(outage.host,),
        )
    for ref in refs:
        result = run.for_reference(ref)
        if result is not None:
            yield from _for_reference(ref, result)


def _for_reference(ref: Reference, result: LinkResult) -> Iterator[Finding]:
    known = _BY_STATUS.get(result.status)
    if known is not None:
        code, severity, text = known
        suggestion, suggested = "", {}
        if result.status is LinkStatus.REDIRECTED and result.suggested_url:
            suggestion = f"url = {result.suggested_url!r}"
            suggested = {"url": result.suggested_url}
        elif result.status.rotten:
            suggestion = "link an archived copy (archive_url, archive_date, url_status)"
        detail = f": {result.detail}" if result.detail else ""
        yield Finding(
            code,
            severity,
            f"{text}{detail}",
            ref.id,
            fields=("url",),
            values=(ref.url,),
            suggestion=suggestion,
            suggested=suggested,
        )
    if result.status in (LinkStatus.ALIVE, LinkStatus.REDIRECTED):
        if ref.title and result.title and drifted(ref.title, result.title):
            yield Finding(
                "content-drift",
                Severity.WARNING,
                f"The page's title is now {result.title!r}; the citation says {ref.title!r}",
                ref.id,
                fields=("title", "url"),
                values=(ref.title, result.title),
                suggestion="check that the page still supports the text; cite an archived "
                "copy of the version that did",
            )
        yield from _page_date(ref, result)


def _page_date(ref: Reference, result: LinkResult) -> Iterator[Finding]:
    if not result.page_date or not ref.date:
        return
    try:
        cited = parse_date(ref.date)
        stated = parse_date(result.page_date)
    except DateError:
        return
    if cited is None or stated is None:
        return
    gap = max((cited.earliest - stated.latest).days, (stated.earliest - cited.latest).days)
    if gap > PAGE_DATE_TOLERANCE_DAYS:
        yield Finding(
            "publication-date-mismatch",
            Severity.WARNING,
            f"The page states it was published {result.page_date}; the citation says "
            f"{ref.date!r} ({gap} days apart)",
            ref.id,
            fields=("date",),
            values=(ref.date, result.page_date),
            suggestion=f"date = {cited.render(stated.earliest)!r}" if stated.is_full_date else "",
            suggested={"date": cited.render(stated.earliest)} if stated.is_full_date else {},
        )
