"""Every report format, rendered from one small hand-built CheckResult."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from checker.model import (
    CheckResult,
    Finding,
    InputProblem,
    Location,
    Reference,
    RunInfo,
    Severity,
)
from checker.reports import (
    OutputFormat,
    csv_report,
    html_report,
    json_report,
    junit_report,
    markdown_report,
    write_reports,
)

XSS = "</script><script>alert(1)</script>"

RUN = RunInfo(
    tool_version="0.1.0",
    started=dt.datetime(2024, 5, 1, 2, 0, 0),
    finished=dt.datetime(2024, 5, 1, 2, 0, 7),
    today=dt.date(2024, 5, 1),
    input_path="refs.csv",
    input_format="csv",
    offline=True,
    fail_on="warning",
)


def make_result(extra_refs: int = 0) -> CheckResult:
    refs = [
        Reference("clean-1", title="A clean reference", work="Work", location=Location("r", 2)),
        Reference(
            "xss",
            url="https://example.org/a",
            title=XSS,
            work="The <b>Times</b>",
            date="13 April 2017",
            location=Location("refs.csv", 3),
        ),
        Reference("pipe", title="Pipes | and\nnewlines\x07", location=Location("refs.csv", 4)),
        Reference("=cmd", title="+SUM(A1)", author="@me", work="-x", location=Location("r", 5)),
        Reference("clean-2", title="Another clean one", extra={"note": "kept"}),
    ]
    refs += [Reference(f"bulk-{i}", title=f"Bulk {i}") for i in range(extra_refs)]
    findings = [
        Finding("date-style", Severity.INFO, "Mixed date styles in the list", None),
        Finding(
            "access-before-date",
            Severity.ERROR,
            "Retrieved before it was published | really\nsecond line",
            "pipe",
            fields=("access_date", "date"),
            values=("1 May 2017", "2 May 2017"),
            suggestion="Check | the dates",
            suggested={"access_date": "3 May 2017"},
        ),
        Finding("date-future", Severity.WARNING, "Date <i>in</i> the future", "xss", ("date",)),
        Finding("title-caps", Severity.INFO, "Title in capitals", "xss", ("title",)),
        Finding("formula", Severity.INFO, "=HYPERLINK(evil)", "=cmd", ("title",)),
    ]
    problems = [InputProblem("refs.csv", 7, "isbn", "not an ISBN: <x>", ref_id="clean-2")]
    return CheckResult(tuple(refs), tuple(findings), tuple(problems), RUN)


@pytest.fixture
def result() -> CheckResult:
    return make_result()


def render(module: Any, result: CheckResult, tmp_path: Path, exit_code: int = 1) -> str:
    path = tmp_path / "out"
    module.write(result, exit_code, path)
    text: str = path.read_text(encoding="utf-8")
    return text


# --- JSON ---------------------------------------------------------------------------


def test_json_schema_and_grouping(result: CheckResult, tmp_path: Path) -> None:
    doc = json.loads(render(json_report, result, tmp_path))
    assert doc["schema"] == "citewatch-report"
    assert doc["schema_version"] == "1.2"
    for key in ("run", "summary", "columns", "problems", "list_findings", "references"):
        assert key in doc
    assert doc["run"]["exit_code"] == 1
    assert doc["run"]["started"] == "2024-05-01T02:00:00"
    assert doc["summary"]["findings"] == {"info": 3, "warning": 1, "error": 1}
    assert doc["summary"]["with_findings"] == 3
    assert [f["code"] for f in doc["list_findings"]] == ["date-style"]
    assert doc["problems"][0]["row"] == 7

    refs = {r["id"]: r for r in doc["references"]}
    assert [r["id"] for r in doc["references"]] == ["clean-1", "xss", "pipe", "=cmd", "clean-2"]
    for ref in doc["references"]:
        assert set(ref) == {
            "id",
            "location",
            "fields",
            "extra",
            "findings",
            "worst",
            "link",
            "archive",
        }
        assert ref["link"] is None and ref["archive"] is None
    assert [f["code"] for f in refs["xss"]["findings"]] == ["date-future", "title-caps"]
    assert refs["xss"]["worst"] == "warning"
    assert refs["clean-1"]["findings"] == [] and refs["clean-1"]["worst"] is None
    finding = refs["pipe"]["findings"][0]
    assert set(finding) == {
        "code",
        "severity",
        "field",
        "fields",
        "values",
        "message",
        "suggestion",
        "suggested",
        "related",
    }
    assert finding["field"] == "access_date"
    assert finding["suggested"] == {"access_date": "3 May 2017"}
    assert refs["clean-2"]["extra"] == {"note": "kept"}
    assert refs["xss"]["fields"]["title"] == XSS


# --- CSV ----------------------------------------------------------------------------


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_rows(result: CheckResult, tmp_path: Path) -> None:
    text = render(csv_report, result, tmp_path)
    header = next(csv.reader(io.StringIO(text)))
    assert header[:7] == ["id", "line", "severity", "code", "field", "message", "suggestion"]
    assert header[7:] == [
        "url",
        "title",
        "author",
        "work",
        "publisher",
        "date",
        "access_date",
        "archive_url",
        "archive_date",
        "url_status",
        "isbn",
        "issn",
        "doi",
        "language",
        "quote",
    ]
    rows = read_csv(text)
    # 5 findings, plus one row each for the two references without findings.
    assert len(rows) == 5 + 2
    assert [r["id"] for r in rows] == [
        "(list)",
        "clean-1",
        "xss",
        "xss",
        "pipe",
        "'=cmd",
        "clean-2",
    ]
    assert rows[0]["code"] == "date-style" and rows[0]["title"] == ""
    assert rows[1]["code"] == "" and rows[1]["severity"] == "" and rows[1]["line"] == "2"
    assert rows[1]["title"] == "A clean reference"
    pipe = rows[4]
    assert pipe["message"] == "Retrieved before it was published | really\nsecond line"
    assert pipe["suggestion"] == "Check | the dates"
    assert pipe["field"] == "access_date" and pipe["line"] == "4"
    assert rows[2]["title"] == XSS and rows[2]["url"] == "https://example.org/a"


def test_csv_formula_injection_guard(result: CheckResult, tmp_path: Path) -> None:
    rows = read_csv(render(csv_report, result, tmp_path))
    cmd = rows[5]
    assert cmd["id"] == "'=cmd"
    assert cmd["title"] == "'+SUM(A1)"
    assert cmd["author"] == "'@me"
    assert cmd["work"] == "'-x"
    assert cmd["message"] == "'=HYPERLINK(evil)"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@"))
    # The guard belongs to the report only: the model is untouched.
    assert result.references[3].id == "=cmd"
    assert csv_report.guard("plain") == "plain"
    assert csv_report.guard("-1") == "'-1"


# --- Markdown -----------------------------------------------------------------------


def test_markdown_counts_and_escaping(result: CheckResult, tmp_path: Path) -> None:
    text = render(markdown_report, result, tmp_path)
    assert text.startswith("# citewatch report\n")
    assert "exit code 1 (fail-on: warning)" in text
    assert "| 🔴 error | 1 |" in text
    assert "| 🟠 warning | 1 |" in text
    assert "| 🔵 info | 3 |" in text
    assert "| input problems | 1 |" in text
    assert "| <code>title-caps</code> | info | 1 |" in text
    # The pipe and newline in the message stay inside their cell.
    assert "published \\| really<br>second line" in text
    assert "Check \\| the dates" in text
    assert "Date &lt;i&gt;in&lt;/i&gt; the future" in text
    assert "<i>" not in text
    row = next(line for line in text.splitlines() if line.startswith("| pipe |"))
    assert len(re.findall(r"(?<!\\)\|", row)) == 7  # six cells, none broken
    assert "more (see index.html)" not in text


def test_markdown_escape_and_truncation() -> None:
    assert markdown_report.escape(XSS) == "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    assert markdown_report.escape("a*b_c[d](e)`f`") == "a\\*b\\_c\\[d\\](e)\\`f\\`"
    assert markdown_report.escape("x" * 400).endswith("…")


def test_markdown_lists_first_50(tmp_path: Path) -> None:
    base = make_result(extra_refs=60)
    extra = tuple(
        Finding("bulk", Severity.WARNING, f"bulk finding {i}", f"bulk-{i}") for i in range(60)
    )
    big = CheckResult(base.references, base.findings + extra, base.problems, RUN)
    text = render(markdown_report, big, tmp_path)
    assert "… and 15 more (see index.html)" in text
    first = text.split("## First findings", 1)[1]
    assert sum(1 for line in first.splitlines() if line.startswith("| ")) == 51  # header + 50


# --- JUnit --------------------------------------------------------------------------


def test_junit(result: CheckResult, tmp_path: Path) -> None:
    root = ET.fromstring(render(junit_report, result, tmp_path).encode("utf-8"))
    suites = root.findall("testsuite")
    assert len(suites) == 1 and suites[0].get("name") == "citewatch"
    suite = suites[0]
    cases = suite.findall("testcase")
    assert len(cases) == len(result.references) + 1  # plus the (list) test case
    assert suite.get("tests") == str(len(cases))
    failures = suite.findall("testcase/failure")
    counts = result.counts()
    assert len(failures) == counts["error"] + counts["warning"] == 2
    assert suite.get("failures") == "2" and root.get("failures") == "2"
    by_name = {c.get("name", ""): c for c in cases}
    assert "(list)" in by_name
    list_out = by_name["(list)"].find("system-out")
    assert list_out is not None and "date-style" in (list_out.text or "")
    xss = next(c for name, c in by_name.items() if name.startswith("xss: "))
    assert xss.get("name") == f"xss: {XSS}"
    failure = xss.find("failure")
    assert failure is not None and failure.get("type") == "date-future"
    assert failure.get("message") == "Date <i>in</i> the future"
    out = xss.find("system-out")
    assert out is not None and "title-caps" in (out.text or "")
    # control characters are stripped; newlines in names are folded.
    assert "pipe: Pipes | and newlines" in by_name
    pipe = by_name["pipe: Pipes | and newlines"].find("failure")
    assert pipe is not None and pipe.get("message", "").endswith("really\nsecond line")
    assert by_name["clean-1: A clean reference"].find("failure") is None
    err = suite.find("system-err")
    assert err is not None and "not an ISBN" in (err.text or "")


def test_junit_title_truncated() -> None:
    name = junit_report._case_name("id", "word " * 50)
    assert name.startswith("id: word") and name.endswith("…")
    assert len(name) == len("id: ") + junit_report.MAX_TITLE


# --- HTML ---------------------------------------------------------------------------


def data_of(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="data">(.*?)</script>', html, re.S)
    assert match is not None
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def tbody_ids(html: str) -> list[str]:
    tbody = html.split('<tbody id="rows">', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<td class="id">(.*?)</td>', tbody)


def test_html_escapes_everything(result: CheckResult, tmp_path: Path) -> None:
    html = render(html_report, result, tmp_path)
    assert "</script><script>alert" not in html
    assert "<script>alert" not in html
    assert html.count("<script") == 2  # the JSON data and the pager, nothing injected
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "The &lt;b&gt;Times&lt;/b&gt;" in html
    assert "\\u003c/script\\u003e" in html  # in the embedded JSON
    assert "<i>in</i>" not in html


def test_html_is_self_contained(result: CheckResult, tmp_path: Path) -> None:
    html = render(html_report, result, tmp_path)
    assert not re.search(r"""(?:src|action)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    # hrefs only on links to cited URLs, which load nothing and send no referrer
    for anchor in re.findall(r"<[^>]*\bhref\s*=[^>]*>", html):
        assert anchor.startswith("<a ") and 'rel="noopener noreferrer nofollow"' in anchor
    assert "@import" not in html and "url(" not in html
    assert "<link" not in html
    assert "Content-Security-Policy" in html


def test_html_summary_and_sections(result: CheckResult, tmp_path: Path) -> None:
    html = render(html_report, result, tmp_path)
    for label in ("references", "with findings", "errors", "warnings", "info", "input problems"):
        assert f'<div class="l">{label}</div>' in html
    assert "refs.csv" in html and "2024-05-01T02:00:00" in html and "exit code 1" in html
    assert "Findings by code" in html and "<code>access-before-date</code>" in html
    assert "Findings about the whole list" in html and "Mixed date styles" in html
    assert "not an ISBN: &lt;x&gt;" in html
    assert '<label for="f-sev">' in html and '<label for="f-text">' in html
    assert '<th scope="col">' in html


def test_html_findings_first_and_pager_data(result: CheckResult, tmp_path: Path) -> None:
    html = render(html_report, result, tmp_path)
    # error, then warning, then info, then the clean ones in input order.
    order = ["pipe", "xss", "=cmd", "clean-1", "clean-2"]
    assert tbody_ids(html) == order
    data = data_of(html)
    assert data["total"] == 5 and data["page_size"] == html_report.PAGE_SIZE
    assert data["severities"] == ["", "info", "warning", "error"]
    rows = data["rows"]
    assert [r[0] for r in rows] == order
    assert rows[1] == [
        "xss",
        3,
        XSS,
        "The <b>Times</b>",
        "13 April 2017",
        2,
        [
            ["date-future", 2, "Date <i>in</i> the future", ""],
            ["title-caps", 1, "Title in capitals", ""],
        ],
        0,  # link status: not checked
        1,  # origin index
        "/a",  # the rest of the URL
        0,  # HTTP status: none
        0,  # link evidence: none
    ]
    assert rows[4] == ["clean-2", None, "Another clean one", "", "", 0, [], 0, 0, "", 0, 0]
    assert data["origins"] == [["", ""], ["https://example.org", "example.org"]]


def test_html_first_page_only_server_rendered(tmp_path: Path) -> None:
    big = make_result(extra_refs=450)
    html = render(html_report, big, tmp_path)
    ids = tbody_ids(html)
    assert len(ids) == html_report.PAGE_SIZE
    assert ids[:3] == ["pipe", "xss", "=cmd"]
    assert len(data_of(html)["rows"]) == 455
    assert "Showing 200 of 455 references" in html


# --- all formats --------------------------------------------------------------------


def test_write_reports_writes_all_five(result: CheckResult, tmp_path: Path) -> None:
    written = write_reports(result, tmp_path / "reports", exit_code=1)
    names = sorted(p.name for p in written)
    assert names == ["index.html", "junit.xml", "report.csv", "report.json", "summary.md"]
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == names
    for fmt in OutputFormat:
        assert (tmp_path / "reports" / fmt.filename).stat().st_size > 0


def test_input_digest_is_the_digest_patch_checks() -> None:
    """The report's fast digest hashes the very bytes ``cells_digest`` (what ``patch``
    recomputes) hashes: empty fields, extra columns, lone surrogates, many chunks."""
    from checker.patch.report import cells_digest
    from checker.reports.records import input_digest

    refs = [
        Reference(
            id=str(n),
            url=f"https://x.example/{n}",
            title="T\udcff" if n % 7 else "",
            extra={"note": "n=1:2", "b": ""} if n % 3 else {},
        )
        for n in range(9000)
    ]
    result = CheckResult(tuple(refs), (), (), RUN)
    expected = cells_digest((r.id, r.fields(), r.extra) for r in refs)
    assert input_digest(result) == expected
    changed = CheckResult((*refs[:-1], refs[-1].with_fields({"title": "U"})), (), (), RUN)
    assert input_digest(changed) != expected


def _written(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_forked_html_and_markdown_are_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long list writes index.html and summary.md in a forked child: every report is
    byte for byte what the one-process path writes (the report folder's name aside)."""
    import checker.reports as reports

    result = make_result(extra_refs=300)
    write_reports(result, tmp_path / "a", exit_code=1)
    forked: list[int] = []
    original = reports._write_forked

    def spy(*args: Any) -> None:
        forked.append(1)
        original(*args)

    monkeypatch.setattr(reports, "FORK_MIN", 1)
    # threads other tests left idle (loopback servers) take no part in writing reports
    monkeypatch.setattr(reports.threading, "active_count", lambda: 1)
    monkeypatch.setattr(reports, "cores", lambda: 2)
    monkeypatch.setattr(reports, "_write_forked", spy)
    write_reports(result, tmp_path / "b", exit_code=1)
    assert forked == [1]
    one, two = _written(tmp_path / "a"), _written(tmp_path / "b")
    assert sorted(one) == sorted(two) == sorted(f.filename for f in OutputFormat)
    for name in one:
        assert one[name] == two[name].replace(b"/b/", b"/a/").replace(b"b/report", b"a/report")


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_reports_fork_from_two_thousand_references_and_two_cores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fork pays from about 2,000 references on two processors; one processor or
    a second thread keeps the reports in this process."""
    import checker.reports as reports

    monkeypatch.setattr(reports.threading, "active_count", lambda: 1)
    monkeypatch.setattr(reports, "cores", lambda: 2)
    assert reports._can_fork(2_000) and not reports._can_fork(1_999)
    monkeypatch.setattr(reports, "cores", lambda: 1)
    assert not reports._can_fork(1_000_000)  # no second processor: nothing to gain
    monkeypatch.setattr(reports, "cores", lambda: 2)
    monkeypatch.setattr(reports.threading, "active_count", lambda: 2)
    assert not reports._can_fork(1_000_000)  # a thread's lock could be copied held


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_forked_writer_error_is_raised_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error in the forked child (a full disk) reaches the caller as OSError, and no
    report or temporary file is left behind."""
    import checker.reports as reports

    def full(*_: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(reports, "FORK_MIN", 1)
    monkeypatch.setattr(reports.threading, "active_count", lambda: 1)
    monkeypatch.setattr(reports, "cores", lambda: 2)
    assert reports._can_fork(1)  # the forked path runs
    monkeypatch.setattr(markdown_report, "write", full)
    with pytest.raises(OSError, match="No space left"):
        write_reports(make_result(), tmp_path / "out", exit_code=1)
    assert list((tmp_path / "out").iterdir()) == []


def test_cores_are_the_processors_this_process_may_use(monkeypatch: pytest.MonkeyPatch) -> None:
    """One count of processors for every forking stage: the CPU set (a container's),
    else the machine's."""
    import os

    from checker import bulk

    if hasattr(os, "sched_getaffinity"):
        assert bulk.cores() == len(os.sched_getaffinity(0))
        monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0})
        assert bulk.cores() == 1  # a one-processor set on a larger machine
        monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert bulk.cores() == 3
