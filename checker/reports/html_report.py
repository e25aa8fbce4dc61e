"""index.html: a self-contained report for people, usable offline and at any list size.

Rendered with jinja2 (autoescape on) from ``templates/report.html.j2``: summary cards,
run metadata, findings by code, list-level findings, input problems and the table of
references, those with findings first (worst first, :func:`records.ordered_references`).

A list can hold a million references, so the page is built for that:

* only the first :data:`PAGE_SIZE` rows are rendered as HTML (enough without JS);
* every row is embedded once as a compact JSON array in
  ``<script type="application/json" id="data">`` -- ``[id, where, title, work, date,
  worst, [[code, severity, message, suggestion], ...]]`` with severities as ranks
  0-3 -- and a small inline script pages, filters and searches them client-side;
* the page is written as a stream of chunks (``Template.generate``), the rows
  serialised in batches, so the writer never holds the whole document.

The embedded JSON has ``<``, ``>`` and ``&`` written as ``\\u003c``, ``\\u003e`` and
``\\u0026``, so no value (say a title ``</script>``) can close the script element.  No
external asset is referenced and a Content-Security-Policy forbids loading any.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from checker.model import CheckResult, Finding, Reference, Severity
from checker.reports import records
from checker.reports.markdown_report import verdict

TEMPLATE = "report.html.j2"
#: Rows per page, server-rendered (first page) and client-side.
PAGE_SIZE = 200
#: Input problems and list-level findings listed in full up to this many.
MAX_LISTED = 500
#: Rows serialised per JSON chunk.
BATCH = 2000

#: Severity labels by rank, as the embedded data encodes them (0 = no findings).
SEVERITIES: tuple[str, ...] = ("", *(s.label for s in sorted(Severity)))
_RANK = {label: rank for rank, label in enumerate(SEVERITIES)}
_JSON_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})

Row = list[Any]


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def script_json(value: object) -> str:
    """Compact JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_JSON_ESCAPES)


def _where(ref: Reference) -> int | str | None:
    """The line number, else ``#anchor``, else None."""
    location = ref.location
    if location is None:
        return None
    if location.line is not None:
        return location.line
    return "#" + location.anchor if location.anchor else None


def row(ref: Reference, findings: list[Finding]) -> Row:
    """One reference as the compact array the page embeds and renders."""
    if not findings:  # the common case, kept cheap for lists of a million references
        return [ref.id, _where(ref), ref.title, ref.work, ref.date, 0, []]
    record = records.reference_record(ref, findings)
    return [
        ref.id,
        _where(ref),
        ref.title,
        ref.work,
        ref.date,
        _RANK[record["worst"]],
        [
            [f["code"], _RANK[f["severity"]], f["message"], f["suggestion"]]
            for f in record["findings"]
        ],
    ]


def _data_chunks(result: CheckResult, rows: Iterable[Row]) -> Iterator[Markup]:
    head = {
        "columns": ["id", "where", "title", "work", "date", "worst", "findings"],
        "finding_columns": ["code", "severity", "message", "suggestion"],
        "severities": list(SEVERITIES),
        "page_size": PAGE_SIZE,
        "total": len(result.references),
    }
    yield Markup(script_json(head)[:-1] + ',"rows":[')
    iterator = iter(rows)
    separator = ""
    while batch := list(islice(iterator, BATCH)):
        yield Markup(separator + script_json(batch)[1:-1])
        separator = ","
    yield Markup("]}")


def context(result: CheckResult, exit_code: int) -> dict[str, Any]:
    """Everything the template needs; ``data_chunks`` is a lazy stream."""
    rows = (row(ref, findings) for ref, findings in records.ordered_references(result))
    first_page = list(islice(rows, PAGE_SIZE))
    list_findings = sorted(result.list_findings(), key=lambda f: (-f.severity, f.code))
    return {
        "run": records.run_record(result, exit_code),
        "verdict": verdict(exit_code),
        "summary": records.summary_record(result),
        "problems": [records.problem_record(p) for p in result.problems[:MAX_LISTED]],
        "problems_more": max(0, len(result.problems) - MAX_LISTED),
        "list_findings": [records.finding_record(f) for f in list_findings[:MAX_LISTED]],
        "list_findings_more": max(0, len(list_findings) - MAX_LISTED),
        "first_page": first_page,
        "page_size": PAGE_SIZE,
        "severities": SEVERITIES,
        "data_chunks": _data_chunks(result, chain(first_page, rows)),
    }


def generate(result: CheckResult, exit_code: int) -> Iterator[str]:
    """The page as a stream of text chunks."""
    template = _environment().get_template(TEMPLATE)
    return template.generate(**context(result, exit_code))


def render(result: CheckResult, exit_code: int) -> str:
    return "".join(generate(result, exit_code))


def write(result: CheckResult, exit_code: int, path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for chunk in generate(result, exit_code):
            out.write(chunk)
