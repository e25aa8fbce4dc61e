"""Report writers: one module per output format, all rendering the same records.

:func:`write_reports` writes the chosen formats into a directory, each file written to a
temporary name and renamed into place so a crash never leaves half a report.

The records are built once (:class:`records.Records`) and shared: report.json,
report.csv and junit.xml are written in one pass over the references, each reference's
record built once and handed to the three writers (JSON encoded with orjson, JUnit
written as text).  The HTML and Markdown writers take the same records; for a list of
2,000+ they and junit.xml are written by a forked child while report.json and
report.csv are written here.
"""

from __future__ import annotations

import contextlib
import enum
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from checker.bulk import cores, freeze_large, gc_paused
from checker.model import CheckResult
from checker.reports import records


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
SharedWriter = Callable[[CheckResult, int, Path, records.Records], None]


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


def _shared_writer(fmt: OutputFormat) -> SharedWriter:
    """The HTML or Markdown writer, which takes the shared records."""
    if fmt is OutputFormat.HTML:
        from checker.reports import html_report

        return html_report.write
    from checker.reports import markdown_report

    return markdown_report.write


#: Formats written together in one pass over the references, in input order.
STREAMED = (OutputFormat.JSON, OutputFormat.CSV, OutputFormat.JUNIT)


@contextlib.contextmanager
def _temporary(out_dir: Path, fmt: OutputFormat) -> Iterator[Path]:
    """A temporary file beside the report, renamed into place if the block succeeds."""
    fd, tmp = tempfile.mkstemp(prefix=f".{fmt.filename}.", dir=out_dir)
    os.close(fd)
    os.chmod(tmp, 0o644)
    try:
        yield Path(tmp)
        os.replace(tmp, out_dir / fmt.filename)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _write_streamed(recs: records.Records, paths: dict[OutputFormat, Path]) -> None:
    """report.json, report.csv and junit.xml in one pass, one record per reference."""
    from checker.reports import csv_report, json_report, junit_report

    big = 1 << 20
    with contextlib.ExitStack() as stack:
        json_out = csv_out = junit_out = None
        if OutputFormat.JSON in paths:
            json_out = stack.enter_context(paths[OutputFormat.JSON].open("wb", buffering=big))
            json_report.head(recs, json_out)
        if OutputFormat.CSV in paths:
            path = paths[OutputFormat.CSV]
            csv_out = stack.enter_context(path.open("w", encoding="utf-8", newline=""))
            cells = csv_report.head(recs, csv_out)
        if OutputFormat.JUNIT in paths:
            path = paths[OutputFormat.JUNIT]
            junit_out = stack.enter_context(path.open("w", encoding="utf-8", buffering=big))
            junit_report.head(recs, junit_out)
        for index, ref in enumerate(recs.result.references):
            record = recs.reference(ref)
            if json_out is not None:
                json_report.item(index, record, json_out)
            if csv_out is not None:
                csv_report.item(ref, record, csv_out, cells)
            if junit_out is not None:
                junit_report.item(ref, record, junit_out)
        if json_out is not None:
            json_report.tail(json_out)
        if junit_out is not None:
            junit_report.tail(recs, junit_out)


#: Lists at least this long write index.html, summary.md and junit.xml in a forked
#: process while this one writes report.json and report.csv (two cores, about half the
#: wall time each).  Measured on two cores, alternating the two ways 15 times on a
#: link check's result: 1,000 references 91 ms serial against 118 forked, 2,000 152
#: against 119, 5,000 456 against 256 (medians; the fork and the child's start cost a
#: few milliseconds, and the pages both processes touch are copied).
FORK_MIN = 2_000
#: Lists shorter than this keep each reference's finding records once built (a long
#: list's are rebuilt where they are needed: memory).
KEEP_MAX = 100_000
#: The streamed formats the parent writes when the others are written by a forked child.
PARENT_STREAMED = (OutputFormat.JSON, OutputFormat.CSV)


def _can_fork(count: int) -> bool:
    """Forking is safe and worth it: a long list, fork exists, a second processor for
    the child, and no other thread runs (a forked child inherits no thread, and a lock
    held by one would never be released)."""
    return (
        count >= FORK_MIN and hasattr(os, "fork") and threading.active_count() == 1 and cores() >= 2
    )


def _write_forked(
    recs: records.Records, paths: dict[OutputFormat, Path], others: list[OutputFormat]
) -> None:
    """report.json and report.csv here, the others (junit.xml among them) in a forked
    child writing into their temporary files; an error in the child is raised here (as
    OSError when it was one)."""
    read_end, write_end = os.pipe()
    freeze_large(len(recs.result.references))  # the child's collections leave shared pages
    recs.keep = False  # each process builds a reference's finding records when it needs them
    pid = os.fork()
    if pid == 0:  # the child: write, report an error through the pipe, never return
        os.close(read_end)
        status = 0
        try:
            for fmt in others:
                _shared_writer(fmt)(recs.result, recs.exit_code, paths[fmt], recs)
            if OutputFormat.JUNIT in paths:  # the larger share of the work in the child
                from checker.reports import junit_report

                junit = paths[OutputFormat.JUNIT]
                junit_report.write(recs.result, recs.exit_code, junit, recs)
        except BaseException as err:
            kind = "OSError" if isinstance(err, OSError) else type(err).__name__
            os.write(write_end, f"{kind}\t{err}".encode("utf-8", "replace")[:4000])
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        mine = {f: p for f, p in paths.items() if f in PARENT_STREAMED}
        if mine:
            _write_streamed(recs, mine)
    finally:
        with os.fdopen(read_end, "rb") as pipe:
            message = pipe.read().decode("utf-8", "replace")
        _, status = os.waitpid(pid, 0)
    if status != 0:
        kind, _, text = message.partition("\t")
        if kind == "OSError":
            raise OSError(text or "writing the HTML/Markdown report failed")
        raise RuntimeError(f"writing the HTML/Markdown report failed: {kind}: {text}")


@gc_paused  # the records hold no cycles: no collection scans them again and again
def write_reports(
    result: CheckResult,
    out_dir: Path,
    formats: Iterable[OutputFormat] = tuple(OutputFormat),
    exit_code: int = 0,
) -> list[Path]:
    """Write each format into ``out_dir``; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    chosen = list(dict.fromkeys(formats))
    streamed = [fmt for fmt in chosen if fmt in STREAMED]
    recs = records.Records(result, exit_code)  # shared by every format
    recs.keep = len(result.references) < KEEP_MAX  # a long list's are rebuilt, not kept
    others = [fmt for fmt in chosen if fmt not in STREAMED]
    if streamed and others and _can_fork(len(result.references)):
        with contextlib.ExitStack() as stack:
            paths = {fmt: stack.enter_context(_temporary(out_dir, fmt)) for fmt in chosen}
            _write_forked(recs, paths, others)
        return [out_dir / fmt.filename for fmt in chosen]
    if streamed:
        with contextlib.ExitStack() as stack:
            paths = {fmt: stack.enter_context(_temporary(out_dir, fmt)) for fmt in streamed}
            _write_streamed(recs, paths)
    for fmt in others:
        with _temporary(out_dir, fmt) as tmp:
            _shared_writer(fmt)(result, exit_code, tmp, recs)
    return [out_dir / fmt.filename for fmt in chosen]


def prepare(formats: Iterable[OutputFormat] = tuple(OutputFormat)) -> None:
    """Load the writers of ``formats`` ahead of :func:`write_reports` (the HTML template
    compiled): what a link check does while its fetch processes fetch."""
    for fmt in dict.fromkeys(formats):
        _writer(fmt)
    import checker.patch.wikitext  # the patch advice plans a wikitext patch  # noqa: F401

    if OutputFormat.HTML in formats:
        from checker.reports import html_report

        html_report.prepare()


__all__ = ["OutputFormat", "prepare", "write_reports"]
