"""summary.md: a short Markdown summary for a CI job page (GitHub step summary).

Verdict, counts by severity, counts by finding code and the first findings, worst
first.  Every value from the input is escaped: HTML special characters become
entities, Markdown punctuation that could start emphasis, links, code, maths or a table
cell is backslash-escaped, and newlines become ``<br>``, so no title or message can
break out of its table cell or inject markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from checker.model import CheckResult
from checker.reports import records

#: How many findings the summary lists before pointing to index.html.
MAX_FINDINGS = 50
#: Longest value shown in a cell, in characters, before it is cut with an ellipsis.
MAX_CELL = 300

_SPECIAL = re.compile(r"[\\`*_\[\]|~$&<>]|\r\n|[\r\n]")
_REPLACE = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r\n": "<br>", "\r": "<br>", "\n": "<br>"}
_ICONS = {"error": "🔴", "warning": "🟠", "info": "🔵"}
#: What each exit code of ``citewatch check`` means (see checker.api.ExitCode).
VERDICTS = {0: "Passed", 1: "Failed", 2: "Input error", 3: "Inconclusive"}


def verdict(exit_code: int) -> str:
    """A one-word verdict for an exit code."""
    return VERDICTS.get(exit_code, "Failed")


def escape(value: object, limit: int = MAX_CELL) -> str:
    """Escape one value for a Markdown table cell (or running text)."""
    text = "" if value is None else str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _SPECIAL.sub(lambda m: _REPLACE.get(m.group(), "\\" + m.group()), text)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def _findings(result: CheckResult) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(id, line, finding record) for every finding: list-level first, then worst first."""
    for finding in result.list_findings():
        yield "(list)", "", records.finding_record(finding)
    for ref, findings in records.ordered_references(result):
        if not findings:
            break  # ordered_references puts every reference with findings first
        record = records.reference_record(ref, findings)
        line = records.place(record["location"])
        for finding in record["findings"]:
            yield ref.id, line, finding


def render(result: CheckResult, exit_code: int) -> str:
    run = records.run_record(result, exit_code)
    summary = records.summary_record(result)
    counts: dict[str, int] = summary["findings"]
    total = sum(counts.values())

    icon = {0: "✅", 3: "⚠️"}.get(exit_code, "❌")
    lines = [
        "# citewatch report",
        "",
        f"{icon} **{verdict(exit_code)}** — exit code {exit_code} "
        f"(fail-on: {escape(run['fail_on'])}) · "
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

    if total:
        shown: list[list[str]] = []
        for ref_id, line, finding in _findings(result):
            if len(shown) == MAX_FINDINGS:
                break
            shown.append(
                [
                    escape(ref_id),
                    line,
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
    return "\n".join(lines) + "\n"


def write(result: CheckResult, exit_code: int, path: Path) -> None:
    path.write_text(render(result, exit_code), encoding="utf-8")
