"""index.html: a self-contained report for people, usable offline and at any list size.

Rendered with jinja2 (autoescape on) from ``templates/report.html.j2``: verdict, run
metadata, summary and link cards (a red banner when the run was inconclusive), inline SVG
charts (:mod:`checker.reports.charts`), findings by code, list-level findings, input
problems and the references, those with findings first (:func:`records.ordered_references`).

Built for a million references: only the first :data:`PAGE_SIZE` rows are rendered as
HTML, each with a ``<details>`` holding the full link evidence (enough without JS); every
row is embedded once as a compact JSON array (:data:`COLUMNS`: severities as ranks, link
statuses as indexes into ``link_statuses``, the URL as an index into ``origins`` -- ``[origin,
host]`` pairs written after the rows -- plus the rest, the evidence as :data:`LINK_COLUMNS`
or 0) in ``<script type="application/json" id="data">`` for the inline script that pages,
sorts, filters and renders them; and the page is written as a stream of chunks.

The embedded JSON has ``<``, ``>`` and ``&`` written as ``\\u003c``, ``\\u003e`` and
``\\u0026``, so no value (say a title ``</script>``) can close the script element.  No
external asset is referenced and a Content-Security-Policy forbids loading any.  Cited
URLs and archive captures are links only when they are ``http(s)`` and at most
:data:`MAX_HREF` long, always with ``rel="noopener noreferrer nofollow"``.

Every value from the input or the web is cut to :data:`MAX_TEXT` characters (titles to
:data:`MAX_TITLE`, ids and places to :data:`MAX_ID`, URLs to :data:`MAX_URL`) with an
ellipsis before it reaches the page: a megabyte-long title must not make the page slow
to open; report.json holds every value in full.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import json
import re
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from pathlib import Path
from typing import Any

import jinja2
import orjson
from markupsafe import Markup

from checker.model import (
    ArchiveResult,
    CheckResult,
    Finding,
    LinkResult,
    LinkStatus,
    Reference,
    Severity,
)
from checker.reports import charts, guide, records

TEMPLATE = "report.html.j2"
#: Rows per page, server-rendered (first page) and client-side.
PAGE_SIZE = 200
#: Input problems and list-level findings listed in full up to this many.
MAX_LISTED = 500
#: Rows serialised per JSON chunk.
BATCH = 2000
#: Longest text shown (messages, evidence), in characters; the rest is cut.
MAX_TEXT = 1000
#: Longest title or work shown in the title column.
MAX_TITLE = 300
#: Longest id, place or archive timestamp shown.
MAX_ID = 200
#: Longest URL shown (cut beyond), and the longest one made a link.
MAX_URL = 2048
MAX_HREF = 2000
#: Statuses of a link that was never judged (shown as "not judged", never as "ok").
NOT_JUDGED = frozenset({"inconclusive", "skipped"})

#: Severity labels by rank, as the embedded data encodes them (0 = no findings).
SEVERITIES: tuple[str, ...] = ("", *(s.label for s in sorted(Severity)))
_RANK = {label: rank for rank, label in enumerate(SEVERITIES)}
_WORST_FIRST = tuple(
    "dead usurped soft-404 failing invalid unsafe transient blocked redirected alive skipped "  # noqa: SIM905
    "inconclusive".split()
)
#: Link statuses by index, worst first (so sorting by index sorts by badness); 0 = none.
LINK_STATUSES: tuple[str, ...] = (
    "",
    *_WORST_FIRST,
    *(s.value for s in LinkStatus if s.value not in _WORST_FIRST),
)
_LINK_RANK = {status: index for index, status in enumerate(LINK_STATUSES)}
#: The embedded row array.
COLUMNS: tuple[str, ...] = ("id", "where", "title", "work", "date", "worst", "findings")
COLUMNS += ("link", "origin", "path", "http", "evidence")  # then "archive" when present
LINK_COLUMNS: tuple[str, ...] = ("rule", "detail", "final_url", "title", "page_date")
LINK_COLUMNS += ("checked_at", "failures", "failing_since", "suggested_url", "hops")
HOP_COLUMNS = ("method", "url", "status", "error", "ms")
ARCHIVE_COLUMNS = ("url", "captured", "distance_days", "reason", "status", "detail", "rejected")
REJECTED_COLUMNS = ("timestamp", "url", "reason")

Row = list[Any]
_ORIGIN = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["group_of"] = charts.group_of
    env.globals["href"] = href
    env.globals["link_label"] = link_label
    env.globals["plural"] = records.plural
    return env


def clip(value: Any, limit: int = MAX_TEXT) -> Any:
    """``value`` cut to ``limit`` characters with an ellipsis (non-strings unchanged)."""
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1] + "…"
    return value


def href(url: str) -> str:
    """``url`` if it may be a link (http or https, not too long), else ""."""
    if len(url) <= MAX_HREF and url[:8].lower().startswith(("http://", "https://")):
        return url
    return ""


def script_json(value: object) -> str:
    """Compact JSON that is safe inside a ``<script>`` element (encoded by orjson, which
    writes what ``json.dumps(value, ensure_ascii=False, separators=(",", ":"))`` writes
    for these values: text, whole numbers, lists; the standard encoder where orjson
    refuses a value, such as a lone surrogate)."""
    try:
        text = orjson.dumps(value).decode()
    except (orjson.JSONEncodeError, TypeError):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if "<" in text or ">" in text or "&" in text:
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text


def _where(ref: Reference) -> int | str | None:
    """The line number, else ``#anchor``, else None."""
    location = ref.location
    if location is None:
        return None
    if location.line is not None:
        return location.line
    return clip("#" + location.anchor, MAX_ID) if location.anchor else None


def _iso(moment: dt.datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


class Origins:
    """Distinct ``scheme://host[:port]`` prefixes, numbered as the rows meet them."""

    def __init__(self) -> None:
        self.table: list[list[str]] = [["", ""]]
        self._index: dict[str, int] = {"": 0}

    def split(self, url: str) -> tuple[int, str]:
        """(origin index, rest of the URL); index 0 and the whole URL without a scheme."""
        match = _ORIGIN.match(url)
        if match is None:
            return 0, url
        origin = match.group()
        index = self._index.get(origin)
        if index is None:
            index = self._index[origin] = len(self.table)
            self.table.append([origin, charts.host_of(origin)])
        return index, url[len(origin) :]

    def host(self, index: int) -> str:
        return self.table[index][1]


def evidence(link: LinkResult) -> list[Any]:
    """The link evidence as the short array :data:`LINK_COLUMNS` (URLs equal to the
    link's own written as "")."""
    return [
        link.rule,
        clip(link.detail),
        "" if link.final_url == link.url else clip(link.final_url, MAX_URL),
        clip(link.title),
        clip(link.page_date, MAX_ID),
        _iso(link.checked_at),
        link.failures,
        _iso(link.failing_since),
        clip(link.suggested_url, MAX_URL),
        [
            [
                h.method,
                "" if h.url == link.url else clip(h.url, MAX_URL),
                h.status or 0,
                clip(h.error),
                h.elapsed_ms,
            ]
            for h in link.hops
        ],
    ]


def snapshot_of(archive: ArchiveResult | None) -> list[Any] | None:
    """ARCHIVE SNAPSHOT SLOT: what the archive stage found as :data:`ARCHIVE_COLUMNS`:
    the validated capture (url "" when none), the lookup's status and detail, and every
    rejected candidate with the reason (:data:`REJECTED_COLUMNS`).  None when the stage
    neither found nor rejected anything and has nothing to say (say, a live link)."""
    if archive is None:
        return None
    rejected = [
        [clip(guide.stamp(c.timestamp), MAX_ID), clip(c.url, MAX_URL), clip(c.reason)]
        for c in archive.candidates
        if not c.accepted
    ]
    snap = archive.snapshot
    status = archive.status.value
    if snap is None and not rejected and status == "skipped":
        return None
    if snap is None:
        return ["", "", None, "", status, clip(archive.detail), rejected]
    return [
        clip(snap.url, MAX_URL),
        _iso(snap.captured),
        snap.distance_days,
        clip(snap.reason),
        status,
        clip(archive.detail),
        rejected,
    ]


def row(
    ref: Reference,
    findings: list[Finding],
    link: LinkResult | None = None,
    origins: Origins | None = None,
    snapshot: list[Any] | None = None,
    recs: records.Records | None = None,
) -> Row:
    """One reference as the compact array the page embeds and renders."""
    url = ref.url.strip()
    if len(url) > MAX_URL:
        url = clip(url, MAX_URL)
    origin, path = origins.split(url) if origins is not None else (0, url)
    if link is None:
        tail: Row = [0, origin, path, 0, 0]
    else:
        status = _LINK_RANK[link.status.value]
        tail = [status, origin, path, link.http_status or 0, evidence(link)]
    if snapshot is not None:
        tail.append(snapshot)
    worst, found = 0, []
    if findings:  # the rare case: most of a million references have none
        shared = recs.findings_of(ref) if recs is not None else None
        if shared is None:
            shared = records.reference_record(ref, findings)["findings"]
        worst = _RANK[shared[0]["severity"]]
        found = [
            [f["code"], _RANK[f["severity"]], clip(f["message"]), clip(f["suggestion"])]
            for f in shared
        ]
    ref_id, title, work, date = ref.id, ref.title, ref.work, ref.date  # clip() inlined:
    return [  # a million references have five million cells, all short
        ref_id if len(ref_id) <= MAX_ID else clip(ref_id, MAX_ID),
        _where(ref),
        title if len(title) <= MAX_TITLE else clip(title, MAX_TITLE),
        work if len(work) <= MAX_TITLE else clip(work, MAX_TITLE),
        date if len(date) <= MAX_ID else clip(date, MAX_ID),
        worst,
        found,
        *tail,
    ]


def _data_chunks(result: CheckResult, rows: Iterable[Row], origins: Origins) -> Iterator[Markup]:
    head = {
        "columns": list(COLUMNS),
        "finding_columns": ["code", "severity", "message", "suggestion"],
        "link_columns": list(LINK_COLUMNS),
        "hop_columns": list(HOP_COLUMNS),
        "archive_columns": list(ARCHIVE_COLUMNS),
        "severities": list(SEVERITIES),
        "link_statuses": list(LINK_STATUSES),
        "link_groups": [charts.group_of(s) if s else "" for s in LINK_STATUSES],
        "page_size": PAGE_SIZE,
        "total": len(result.references),
    }
    yield Markup(script_json(head)[:-1] + ',"rows":[')
    iterator = iter(rows)
    separator = ""
    while batch := list(islice(iterator, BATCH)):
        yield Markup(separator + script_json(batch)[1:-1])
        separator = ","
    yield Markup('],"origins":' + script_json(origins.table) + "}")


def _clipped_link(link: LinkResult | None) -> dict[str, Any] | None:
    """The link record with every value cut for display."""
    record = records.link_record(link)
    if record is None:
        return None
    urls = ("url", "final_url", "suggested_url")
    clipped = {k: clip(v, MAX_URL if k in urls else MAX_TEXT) for k, v in record.items()}
    clipped["hops"] = [
        {k: clip(v, MAX_URL if k in ("url", "location") else MAX_TEXT) for k, v in hop.items()}
        for hop in record["hops"]
    ]
    return clipped


def _server_row(result: CheckResult, ref: Reference, data: Row, origins: Origins) -> dict[str, Any]:
    """What the template needs beyond the row array: the full link record."""
    link = _clipped_link(result.link_of(ref))
    snapshot = data[12] if len(data) > 12 else None
    host, status = origins.host(data[8]), LINK_STATUSES[data[7]]
    return {
        "row": data,
        "url": clip(ref.url.strip(), MAX_URL),
        "host": host,
        "status": status,
        "link": link,
        "snapshot": snapshot,
    }


def link_label(status: str) -> str:
    """What a link status is called on the page ("not judged" for an inconclusive run)."""
    return "not judged" if status == "inconclusive" else status


def context(
    result: CheckResult,
    exit_code: int,
    report_dir: Path | str = "reports",
    recs: records.Records | None = None,
) -> dict[str, Any]:
    """Everything the template needs; ``data_chunks`` is a lazy stream.  ``recs``: the
    records the other reports were written from (shared, not built again)."""
    recs = recs or records.Records(result, exit_code)
    origins = Origins()
    ordered = recs.ordered()
    first = list(islice(ordered, PAGE_SIZE))

    links, archives = result.links, result.archives

    def make(ref: Reference, findings: list[Finding]) -> Row:
        url = ref.url.strip()
        link = links.get(url) if url else None
        snapshot = snapshot_of(archives.get(url)) if archives and url else None
        return row(ref, findings, link, origins, snapshot, recs)

    first_rows = [make(ref, findings) for ref, findings in first]
    rest = (make(ref, findings) for ref, findings in ordered)
    list_findings = sorted(result.list_findings(), key=lambda f: (-f.severity, f.code))
    summary = recs.summary
    run = records.run_record(result, exit_code)
    run["input"] = clip(run["input"], MAX_URL)
    problems = [records.problem_record(p) for p in result.problems[:MAX_LISTED]]
    for problem in problems:
        for key in ("path", "field", "message", "ref_id"):
            problem[key] = clip(problem[key], MAX_TEXT if key == "message" else MAX_ID)
    found = [records.finding_record(f) for f in list_findings[:MAX_LISTED]]
    for finding in found:
        finding["message"] = clip(finding["message"])
        finding["suggestion"] = clip(finding["suggestion"])
        finding["related"] = [clip(r, MAX_ID) for r in finding["related"][:50]]
    return {
        "run": run,
        "headline": guide.headline(run, summary),
        "advice": recs.advice(report_dir),
        "summary": summary,
        "max_text": MAX_TEXT,
        "max_title": MAX_TITLE,
        "max_href": MAX_HREF,
        "charts": {
            key: Markup(value) if key.endswith("_svg") else value
            for key, value in charts.figures(result, summary["links"]).items()
        },
        "problems": problems,
        "problems_more": max(0, len(result.problems) - MAX_LISTED),
        "list_findings": found,
        "list_findings_more": max(0, len(list_findings) - MAX_LISTED),
        "first_page": [
            _server_row(result, ref, data, origins)
            for (ref, _), data in zip(first, first_rows, strict=True)
        ],
        "captures": [c for c in records.captures_record(result) if c["status"] == "captured"],
        "page_size": PAGE_SIZE,
        "severities": SEVERITIES,
        "not_judged": NOT_JUDGED,
        "data_chunks": _data_chunks(result, chain(first_rows, rest), origins),
    }


def prepare() -> None:
    """Compile the template now (it is kept by the environment)."""
    _environment().get_template(TEMPLATE)


def generate(
    result: CheckResult,
    exit_code: int,
    report_dir: Path | str = "reports",
    recs: records.Records | None = None,
) -> Iterator[str]:
    """The page as a stream of text chunks; ``report_dir`` is the folder the reports go
    to, as the patch command should name it."""
    template = _environment().get_template(TEMPLATE)
    return template.generate(**context(result, exit_code, report_dir, recs))


def render(result: CheckResult, exit_code: int, report_dir: Path | str = "reports") -> str:
    return "".join(generate(result, exit_code, report_dir))


def write(
    result: CheckResult, exit_code: int, path: Path, recs: records.Records | None = None
) -> None:
    # The rows hold no reference cycles; without this, the cyclic collector would scan a
    # million references' objects again and again while the rows are made (2x slower).
    enabled = gc.isenabled()
    gc.disable()
    try:
        with path.open("w", encoding="utf-8") as out:
            for chunk in generate(result, exit_code, path.parent, recs):
                out.write(chunk)
    finally:
        if enabled:
            gc.enable()
