"""summary.md (and the advice index.html shares with it): the headline in words, the
patch command that really applies the report, rejected archive candidates, and every
value escaped -- the location column included."""

from __future__ import annotations

import datetime as dt
import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from checker.cli import main
from checker.model import (
    ArchiveResult,
    ArchiveStatus,
    Candidate,
    CheckResult,
    Finding,
    LinkResult,
    LinkStatus,
    Location,
    Reference,
    RunInfo,
    Severity,
    Snapshot,
)
from checker.reports import markdown_report

RUN = RunInfo(
    tool_version="0.1.0",
    started=dt.datetime(2024, 5, 1, 2, 0, 0, tzinfo=dt.UTC),
    finished=dt.datetime(2024, 5, 1, 2, 0, 9, tzinfo=dt.UTC),
    today=dt.date(2024, 5, 1),
    input_path="refs.csv",
    input_format="csv",
    offline=False,
    fail_on="error",
)
HOSTILE = "x|y\n<script>alert(1)</script> `code` *em* [l](javascript:alert(2)) ~~s~~ $m$ &amp;"
DEAD = "https://news.example/gone"


def unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_every_value_escaped_location_included() -> None:
    refs = (
        Reference(HOSTILE, title=HOSTILE, location=Location("a.html", None, HOSTILE)),
        Reference("2", title="t", location=Location("a.html", None, "cite_note|`<b>`")),
    )
    findings = (
        Finding("title-caps", Severity.WARNING, HOSTILE, HOSTILE, ("title",), suggestion=HOSTILE),
        Finding("title-caps", Severity.WARNING, "m", "2", ("title",)),
    )
    text = markdown_report.render(CheckResult(refs, findings, (), RUN), 1)
    assert "<script>" not in text and "<b>" not in text
    assert not re.search(r"(?<!\\)\]\(javascript", text)  # no link can form
    assert "&amp;amp;" in text  # an entity in the input is shown, not interpreted
    rows = [line for line in text.splitlines() if "warning | <code>title-caps" in line]
    assert len(rows) == 2
    for row in rows:
        assert unescaped_pipes(row) == 7, row  # six cells, none broken
        assert "\n" not in row
    hostile_row, anchor_row = rows
    assert hostile_row.startswith("| x\\|y<br>&lt;script&gt;")
    assert "\\`code\\`" in hostile_row and "\\*em\\*" in hostile_row
    assert "| #x\\|y<br>&lt;script&gt;" in hostile_row  # the location column, escaped
    assert "| #cite\\_note\\|\\`&lt;b&gt;\\`" in anchor_row


def test_headline_not_passed_above_errors() -> None:
    run = RUN.__class__(**{**{f: getattr(RUN, f) for f in RUN.__slots__}, "fail_on": "never"})
    refs = (Reference("1", title="t"),)
    findings = tuple(Finding("x", Severity.ERROR, "bad", "1", ("title",)) for _ in range(8))
    text = markdown_report.render(CheckResult(refs, findings, (), run), 0)
    assert "Passed" not in text
    assert "⚠️ **Not failing**: 8 errors — not failing (fail-on: never)" in text


def test_rejected_candidates_and_why() -> None:
    good = "https://web.archive.org/web/20170415000000/" + DEAD
    bad = "https://web.archive.org/web/20170401000000/" + DEAD
    snap = Snapshot(
        url=good,
        original=DEAD,
        timestamp="20170415000000",
        captured=dt.datetime(2017, 4, 15),
        target=dt.date(2017, 4, 16),
        distance_days=-1,
        title="t",
        reason="title matches",
        source="cdx",
    )
    other = "https://other.example/x"
    candidates = (
        Candidate("20170401000000", bad, False, "error page | '404'"),
        Candidate("20170415000000", good, True, "title matches"),
    )
    archives = {
        DEAD: ArchiveResult(DEAD, ArchiveStatus.FOUND, snap, candidates),
        other: ArchiveResult(
            other,
            ArchiveStatus.NONE,
            None,
            (Candidate("2017", "javascript:alert(1)", False, "parked <b>"),),
        ),
    }
    links = {
        DEAD: LinkResult(DEAD, LinkStatus.DEAD, "http-404"),
        other: LinkResult(other, LinkStatus.DEAD, "http-404"),
    }
    refs = (Reference("1", url=DEAD, title="t"), Reference("2", url=other, title="u"))
    text = markdown_report.render(CheckResult(refs, (), (), RUN, links=links, archives=archives), 0)
    section = text.split("## Archive captures found and rejected", 1)[1]
    assert f"| 1 | ✅ found | [2017-04-15 00:00:00]({good}) | title matches |" in section
    assert f"| 1 | rejected | [2017-04-01 00:00:00]({bad}) | error page \\| '404' |" in section
    assert "| 2 | rejected | 2017 (javascript:alert(1)) | parked &lt;b&gt; |" in section
    assert "| 2 | none |  | no usable capture |" in section
    assert "](javascript" not in text


def test_code_block_fence_outlasts_backticks() -> None:
    block = markdown_report.code_block("citewatch patch 'a````b.csv' --write")
    assert block == ["`````sh", "citewatch patch 'a````b.csv' --write", "`````"]


# --- through the CLI: the command the report prints is the one that applies it -----------

ERRORS = "id,title,date,access_date\n1,A headline long enough,13 April 2017,14 April 2016\n"


def test_cli_report_prints_the_patch_command_that_applies_it(tmp_path: Path) -> None:
    folder = tmp_path / "my refs"
    folder.mkdir()
    src = folder / "it's here.csv"
    src.write_text(ERRORS, encoding="utf-8")
    out = tmp_path / "night reports"
    runner = CliRunner()
    args = ["check", str(src), "--offline", "--out", str(out), "--fail-on", "never"]
    checked = runner.invoke(main, [*args, "--today", "2026-11-24"])
    assert checked.exit_code == 0, checked.output

    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "⚠️ **Not failing**: 1 error, 1 info — not failing (fail-on: never)" in summary
    block = summary.split("```sh\n", 1)[1].split("\n```", 1)[0]
    html = (out / "index.html").read_text(encoding="utf-8")
    shown = re.search(r'<code id="patch-command">(.*?)</code>', html)
    assert shown is not None
    assert shown.group(1).replace("&#39;", "'").replace("&#34;", '"') == block
    argv = shlex.split(block)
    assert argv[:2] == ["citewatch", "patch"] and "--accept-date-fixes" in argv
    assert argv[-1] == "--write" and argv[2] == str(src)
    assert argv[argv.index("--report") + 1] == str(out / "report.json")

    applied = runner.invoke(main, argv[1:])
    assert applied.exit_code == 0, applied.output
    # the date fix was written, nothing else
    assert src.read_text(encoding="utf-8") == ERRORS.replace("14 April 2016", "14 April 2017")


def test_cli_summary_escapes_the_location_column(tmp_path: Path) -> None:
    """A saved Wikipedia page whose note anchor holds Markdown and HTML: the location
    column of summary.md keeps it as text inside its cell."""
    page = (Path(__file__).parent / "data" / "wikipedia_page.html").read_text(encoding="utf-8")
    hostile = 'id="cite_note-3|x&#10;`y`&lt;img src=x&gt;*z*[a](javascript:b)"'
    assert page.count('id="cite_note-3"') == 1
    src = tmp_path / "page.html"
    src.write_text(page.replace('id="cite_note-3"', hostile), encoding="utf-8")
    out = tmp_path / "out"
    args = ["check", str(src), "--offline", "--out", str(out), "--today", "2026-11-24"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    summary = (out / "summary.md").read_text(encoding="utf-8")
    (row,) = [
        line for line in summary.splitlines() if "error | <code>archive-date-mismatch" in line
    ]
    assert "#cite\\_note-3\\|x<br>\\`y\\`&lt;img src=x&gt;\\*z\\*\\[a\\](javascript:b)" in row
    assert unescaped_pipes(row) == 7
    assert "<img" not in summary and "`y`" not in summary


def test_counted_nouns_take_the_right_plural() -> None:
    # "86 date fixs" was written in both summaries.
    from checker.reports import html_report, records

    template = html_report._environment().from_string("{{ plural(n, noun) }}")
    for count, noun, expected in [
        (1, "date fix", "1 date fix"),
        (86, "date fix", "86 date fixes"),
        (2, "archive cell", "2 archive cells"),
        (1200, "hop", "1,200 hops"),
        (3, "match", "3 matches"),
    ]:
        assert records.plural(count, noun) == expected
        assert template.render(n=count, noun=noun) == expected  # the HTML report's
