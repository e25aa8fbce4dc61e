"""summary.md: a short Markdown summary for a CI job page (GitHub step summary).

The headline in words (:func:`checker.reports.guide.headline`), counts by severity and
by finding code, what to do (the exact ``citewatch patch`` command, in a code block),
the first findings, worst first, and the archive lookups with every rejected candidate
and why.  Every value from the input or the web is escaped (:func:`escape`): HTML
special characters become entities, Markdown punctuation that could start emphasis,
links, code, maths or a table cell is backslash-escaped, and newlines become ``<br>``,
so no id, place, title or message can break out of its table cell or inject markup.
Links are written only for http(s) archive captures whose URL holds nothing Markdown
could misread (:func:`md_link`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from checker.model import CheckResult
from checker.reports import guide, records

#: How many findings the summary lists before pointing to index.html.
MAX_FINDINGS = 50
#: Longest value shown in a cell, in characters, before it is cut with an ellipsis.
MAX_CELL = 300
#: How many references' archive lookups the summary lists.
MAX_ARCHIVES = 30

_SPECIAL = re.compile(r"[\\`*_\[\]|~$&<>]|\r\n|[\r\n]")
_REPLACE = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r\n": "<br>", "\r": "<br>", "\n": "<br>"}
_ICONS = {"error": "🔴", "warning": "🟠", "info": "🔵"}
_STATE_ICONS = {"passed": "✅", "not-failing": "⚠️", "inconclusive": "⚠️"}
#: A URL that can go into ``[text](url)`` as it is: http(s), nothing Markdown or a table
#: cell could read otherwise (no spaces, brackets, pipes, quotes, backslashes, backticks).
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]+", re.I)


def escape(value: object, limit: int = MAX_CELL) -> str:
    """Escape one value for a Markdown table cell (or running text)."""
    text = "" if value is None else str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _SPECIAL.sub(lambda m: _REPLACE.get(m.group(), "\\" + m.group()), text)


def md_link(url: str, text: str) -> str:
    """``[text](url)`` for a plain http(s) URL; else the escaped text and URL."""
    if len(url) <= 2000 and _PLAIN_URL.fullmatch(url):
        return f"[{escape(text)}]({url})"
    return f"{escape(text)} ({escape(url, 120)})"


def code_block(text: str) -> list[str]:
    """A fenced code block that no run of backticks in ``text`` can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "sh", text, fence]


def _count(n: int, noun: str) -> str:
    return records.plural(n, noun)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def _findings(
    result: CheckResult, recs: records.Records
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(id, line, finding record) for every finding: list-level first, then worst first."""
    for finding in result.list_findings():
        yield "(list)", "", records.finding_record(finding)
    for ref, findings in recs.ordered():
        if not findings:
            break  # ordered_references puts every reference with findings first
        line = records.place(records.location_record(ref))
        for record in recs.findings_of(ref):
            yield ref.id, line, record


def _what_to_do(recs: records.Records, report_dir: Path | str) -> list[str]:
    advice: guide.PatchAdvice = recs.advice(report_dir)
    lines = ["", "## What to do", ""]
    if advice.write:
        dates = f" and {_count(advice.date_cells, 'date fix')}" if advice.date_cells else ""
        lines += [
            f"`citewatch patch` can write {_count(advice.archive_cells, 'archive cell')}"
            f"{dates} into the input. See the diff (without `--write`), then apply it:",
            "",
            *code_block(advice.write),
        ]
    if advice.note:
        lines += ["", escape(advice.note, 1000)]
    return lines


def _archive_rows(result: CheckResult, recs: records.Records) -> list[list[str]]:
    """One row per archive capture found or candidate rejected, worst references first."""
    rows: list[list[str]] = []
    seen = 0
    if not result.archives:
        return rows
    for ref, _ in recs.ordered():
        archive = result.archive_of(ref)
        if archive is None or (not archive.candidates and archive.status.value == "skipped"):
            continue
        seen += 1
        if seen > MAX_ARCHIVES:
            break
        if archive.snapshot is not None:
            snap = archive.snapshot
            rows.append(
                [
                    escape(ref.id),
                    "✅ found",
                    md_link(snap.url, snap.captured.isoformat(sep=" ", timespec="seconds")),
                    escape(snap.reason),
                ]
            )
        for candidate in archive.candidates:
            if not candidate.accepted:
                rows.append(
                    [
                        escape(ref.id),
                        "rejected",
                        md_link(candidate.url, guide.stamp(candidate.timestamp)),
                        escape(candidate.reason),
                    ]
                )
        if archive.snapshot is None:
            status, detail = archive.status.value, archive.detail or "no usable capture"
            rows.append([escape(ref.id), escape(status), "", escape(detail)])
    return rows


def _section(title: str, header: Sequence[str], rows: list[list[str]]) -> list[str]:
    return ["", f"## {title}", "", *_table(list(header), rows)]


def render(
    result: CheckResult,
    exit_code: int,
    report_dir: Path | str = "reports",
    recs: records.Records | None = None,
) -> str:
    """The summary; ``recs``: the records the other reports were written from."""
    recs = recs or records.Records(result, exit_code)
    run = records.run_record(result, exit_code)
    summary = recs.summary
    counts: dict[str, int] = summary["findings"]
    total = sum(counts.values())

    head = guide.headline(run, summary)
    icon = _STATE_ICONS.get(head.state, "❌")
    lines = [
        "# citewatch report",
        "",
        f"{icon} **{head.label}**: {escape(head.text)}",
        "",
        f"exit code {exit_code} (fail-on: {escape(run['fail_on'])}) · "
        f"{_count(summary['references'], 'reference')}, {summary['with_findings']:,} with "
        f"findings, {_count(total, 'finding')}, "
        f"{_count(summary['input_problems'], 'input problem')}",
        "",
        f"Input <code>{escape(run['input'])}</code> ({escape(run['input_format'])}), "
        f"checked {escape(run['started'])} by citewatch {escape(run['tool_version'])}.",
        "",
        "## Findings by severity",
        "",
    ]
    severity_rows = [[f"{_ICONS[label]} {label}", f"{counts[label]:,}"] for label in counts]
    severity_rows.reverse()  # error, warning, info
    severity_rows.append(["input problems", f"{summary['input_problems']:,}"])
    lines += _table(["Severity", "Count"], severity_rows)

    if summary["by_code"]:
        lines += ["", "## Findings by code", ""]
        code_rows = [
            [f"<code>{escape(c['code'])}</code>", escape(c["severity"]), f"{c['count']:,}"]
            for c in summary["by_code"]
        ]
        lines += _table(["Code", "Severity", "Count"], code_rows)

    lines += _what_to_do(recs, report_dir)

    if total:
        shown: list[list[str]] = []
        for ref_id, line, finding in _findings(result, recs):
            if len(shown) == MAX_FINDINGS:
                break
            shown.append(
                [
                    escape(ref_id),
                    escape(line),
                    f"{_ICONS[finding['severity']]} {finding['severity']}",
                    f"<code>{escape(finding['code'])}</code>",
                    escape(finding["message"]),
                    escape(finding["suggestion"]),
                ]
            )
        title = "First findings" if total > len(shown) else "Findings"
        lines += ["", f"## {title}", ""]
        header = ["ID", "Line", "Severity", "Code", "Message", "Suggestion"]
        lines += _table(header, shown)
        if total > len(shown):
            lines += ["", f"… and {total - len(shown):,} more (see index.html)"]
    archive_rows = _archive_rows(result, recs)
    if archive_rows:
        header = ["ID", "Archive", "Capture", "Why"]
        lines += _section("Archive captures found and rejected", header, archive_rows)
    return "\n".join(lines) + "\n"


def write(
    result: CheckResult, exit_code: int, path: Path, recs: records.Records | None = None
) -> None:
    path.write_text(render(result, exit_code, path.parent, recs), encoding="utf-8")
