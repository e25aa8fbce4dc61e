"""Report writers: one module per output format, all rendering the same records.

:func:`write_reports` writes the chosen formats into a directory, each file written to a
temporary name and renamed into place so a crash never leaves half a report.
"""

from __future__ import annotations

import enum
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from checker.model import CheckResult


class OutputFormat(enum.StrEnum):
    """Report formats, with their file names in the output directory."""

    JSON = "json"
    CSV = "csv"
    HTML = "html"
    MARKDOWN = "markdown"
    JUNIT = "junit"

    @property
    def filename(self) -> str:
        return {
            "json": "report.json",
            "csv": "report.csv",
            "html": "index.html",
            "markdown": "summary.md",
            "junit": "junit.xml",
        }[self.value]


Writer = Callable[[CheckResult, int, Path], None]


def _writer(fmt: OutputFormat) -> Writer:
    if fmt is OutputFormat.JSON:
        from checker.reports import json_report

        return json_report.write
    if fmt is OutputFormat.CSV:
        from checker.reports import csv_report

        return csv_report.write
    if fmt is OutputFormat.HTML:
        from checker.reports import html_report

        return html_report.write
    if fmt is OutputFormat.MARKDOWN:
        from checker.reports import markdown_report

        return markdown_report.write
    from checker.reports import junit_report

    return junit_report.write


def write_reports(
    result: CheckResult,
    out_dir: Path,
    formats: Iterable[OutputFormat] = tuple(OutputFormat),
    exit_code: int = 0,
) -> list[Path]:
    """Write each format into ``out_dir``; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        target = out_dir / fmt.filename
        fd, tmp = tempfile.mkstemp(prefix=f".{fmt.filename}.", dir=out_dir)
        os.close(fd)
        os.chmod(tmp, 0o644)
        try:
            _writer(fmt)(result, exit_code, Path(tmp))
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        written.append(target)
    return written


__all__ = ["OutputFormat", "write_reports"]
