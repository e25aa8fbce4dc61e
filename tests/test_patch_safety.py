"""patch as people use it, and what it refuses (through the CLI, exit code and file checked)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checker.cli import main
from checker.model import Finding, Severity
from checker.patch import atomic
from checker.patch.coherence import coherent
from checker.patch.csvcells import edit
from checker.testing.archive_double import ArchiveDouble
from checker.testing.simweb import SimWeb

TITLE = "Chechnya detains 100 gay men in camps"


def _check(tmp_path: Path, web: SimWeb, archive: ArchiveDouble, src: Path) -> int:
    args = [
        "check",
        str(src),
        "--out",
        str(tmp_path / "reports"),
        "--confirm-now",
        "--timeout",
        "5",
        "--host-interval",
        "0",
        "--state",
        str(tmp_path / "state.sqlite"),
        "--fail-on",
        "never",
        *web.cli_args(),
        *archive.cli_args(),
    ]
    result = CliRunner().invoke(main, args)
    assert "Traceback" not in result.output
    return result.exit_code


def _patch(tmp_path: Path, src: Path, *extra: str, report: Path | None = None) -> Any:
    report = report or tmp_path / "reports" / "report.json"
    result = CliRunner().invoke(main, ["patch", str(src), "--report", str(report), *extra])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


@pytest.fixture()
def no_archive_columns(simweb: SimWeb, tmp_path: Path) -> Any:
    """A list like the demo's: no archive columns, a dead link with a capture."""
    with ArchiveDouble() as archive:
        gone = simweb.url("news.example", "/status/404")
        alive = simweb.url("news.example", "/article/real-story")
        archive.add_capture(gone, "20170415120000", title=TITLE)
        src = tmp_path / "references.csv"
        content = (
            "id,url,title,date,access-date,notes\n"
            f'1,{gone},"{TITLE}",10 April 2017,16 April 2017,"keep, this"\n'
            f"2,{alive},Real Story — Example News,14 March 2019,20 March 2019,\n"
            "3,,A third reference,,,\n"
        )
        src.write_text(content, encoding="utf-8")
        assert _check(tmp_path, simweb, archive, src) == 0
        yield src, content


def test_patch_adds_the_archive_columns_and_pads_every_row(
    no_archive_columns: Any, tmp_path: Path
) -> None:
    src, content = no_archive_columns
    result = _patch(tmp_path, src, "--write")
    assert result.exit_code == 0, result.output
    lines = src.read_text(encoding="utf-8").split("\n")
    old = content.split("\n")
    assert lines[0] == old[0] + ",archive-url,archive-date,url-status"  # the file's spelling
    assert lines[2] == old[2] + ",,,"
    assert lines[3] == old[3] + ",,,"
    row = next(csv.reader(io.StringIO(lines[1])))
    assert row[:6] == next(csv.reader(io.StringIO(old[1])))
    assert row[6].endswith("/web/20170415120000/" + row[1])
    assert row[7:] == ["15 April 2017", "dead"]


def test_a_second_write_finds_nothing_to_patch(no_archive_columns: Any, tmp_path: Path) -> None:
    src, _ = no_archive_columns
    assert _patch(tmp_path, src, "--write").exit_code == 0
    patched = src.read_bytes()
    again = _patch(tmp_path, src, "--write")
    assert again.exit_code == 0 and "nothing to patch" in again.output, again.output
    assert src.read_bytes() == patched
    diff = _patch(tmp_path, src)
    assert diff.exit_code == 0 and "nothing to patch" in diff.output


def test_an_edit_after_the_patch_is_still_noticed(no_archive_columns: Any, tmp_path: Path) -> None:
    src, _ = no_archive_columns
    assert _patch(tmp_path, src, "--write").exit_code == 0
    src.write_text(src.read_text(encoding="utf-8").replace("A third", "The third"))
    result = _patch(tmp_path, src, "--write")
    assert result.exit_code == 2 and "changed after the report" in result.output
    assert "'3'" in result.output


def test_a_concurrent_edit_is_never_overwritten(
    no_archive_columns: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, content = no_archive_columns
    edited = content + "4,,Added by someone else meanwhile\n"
    real_fsync = atomic.os.fsync

    def fsync_then_edit(fd: int) -> None:  # someone saves while our temp file is written
        real_fsync(fd)
        if not src.read_text(encoding="utf-8").endswith("meanwhile\n"):
            src.write_text(edited, encoding="utf-8")

    monkeypatch.setattr(atomic.os, "fsync", fsync_then_edit)
    result = _patch(tmp_path, src, "--write")
    assert result.exit_code == 2 and "changed while the patch was being written" in result.output
    assert src.read_text(encoding="utf-8") == edited  # their edit kept, nothing of ours
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert not atomic.backup_path(src).exists()


def _report(tmp_path: Path, csv_text: str) -> tuple[Path, Path]:
    src = tmp_path / "references.csv"
    src.write_text(csv_text, encoding="utf-8")
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        main, ["check", str(src), "--offline", "--out", str(out), "--today", "2026-11-24"]
    )
    assert "Traceback" not in result.output
    return src, out / "report.json"


def test_duplicate_ids_are_refused_by_name(tmp_path: Path) -> None:
    src, report = _report(
        tmp_path,
        "id,url,title\nA1,https://a.example/x,First title here\nA1,https://b.example/,Second\n"
        "B2,,t\nB2,,u\n",
    )
    before = src.read_bytes()
    result = _patch(tmp_path, src, "--write", report=report)
    assert result.exit_code == 2
    assert "ids are not unique ('A1', 'B2')" in result.output
    assert src.read_bytes() == before


def test_a_report_with_input_problems_is_refused(tmp_path: Path) -> None:
    src, report = _report(tmp_path, 'id,title,date\n1,T,13 April 2017\n2,"unclosed,x\n3,T,y\n')
    result = _patch(tmp_path, src, report=report)
    assert result.exit_code == 2 and "input problem" in result.output and "'2'" in result.output


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("[1, 2]", "is not a citewatch report"),
        ('{"schema": "citewatch-report", "references": {"a": 1}}', "references is not a list"),
        (
            '{"schema": "citewatch-report", "run": {"input": "references.csv"}, '
            '"references": [{"id": "1", "fields": {"url": 5}}]}',
            "references[0].fields is not an object of strings",
        ),
        (
            '{"schema": "citewatch-report", "run": {"input": "references.csv"}, "references": '
            '[{"id": "1", "findings": [{"code": "archive-found", "suggested": ["x"]}]}]}',
            "suggested is not an object of strings",
        ),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"schema": "citewatch-report", ' + '"a": {' * 50_000 + "}" * 50_001, "nested too"),
        ("{not json", "not JSON"),
        ("\udcff", "not UTF-8"),
    ],
)
def test_malformed_reports_are_one_line_exit_2(tmp_path: Path, body: str, says: str) -> None:
    src = tmp_path / "references.csv"
    src.write_text("id,url\n1,https://a.example/\n", encoding="utf-8")
    report = tmp_path / "report.json"
    report.write_bytes(body.encode("utf-8", "surrogateescape"))
    result = _patch(tmp_path, src, report=report)
    assert result.exit_code == 2, result.output
    assert says in result.output and result.output.strip().count("\n") == 0


def test_a_utf16_file_is_not_rewritten_as_utf8(tmp_path: Path) -> None:
    src = tmp_path / "references.csv"
    src.write_bytes("id,title\n1,T\n".encode("utf-16"))
    report = tmp_path / "reports" / "report.json"
    CliRunner().invoke(main, ["check", str(src), "--offline", "--out", str(report.parent)])
    data = json.loads(report.read_text(encoding="utf-8"))
    data["references"][0]["findings"] = [
        {"code": "archive-url-broken", "suggested": {"title": "X"}}
    ]
    report.write_text(json.dumps(data), encoding="utf-8")
    result = _patch(tmp_path, src, "--write", report=report)
    assert result.exit_code == 2 and "UTF-16" in result.output


# --- suggestions that never contradict each other ---------------------------------------


def _finding(code: str, **suggested: str) -> Finding:
    return Finding(code, Severity.ERROR, code, "1", suggested=suggested)


def test_a_new_publication_date_never_undoes_the_access_year_fix() -> None:
    fields = {"date": "10 April 2017", "access_date": "16 April 2016"}
    kept = coherent(
        fields,
        [
            _finding("access-before-publication", access_date="16 April 2017"),
            _finding("publication-date-mismatch", date="20 April 2017"),
        ],
    )
    assert kept[0].suggested == {"access_date": "16 April 2017"}
    assert kept[1].suggested == {} and "access_date before date" in kept[1].suggestion


def test_a_drifted_page_does_not_vouch_for_the_date() -> None:
    fields = {"date": "10 April 2017", "access_date": "16 April 2019"}
    kept = coherent(
        fields,
        [_finding("content-drift"), _finding("publication-date-mismatch", date="1 May 2018")],
    )
    assert kept[1].suggested == {} and "page changed" in kept[1].suggestion
    alone = coherent(fields, [_finding("publication-date-mismatch", date="1 May 2018")])
    assert alone[0].suggested == {"date": "1 May 2018"}


def test_patch_applies_only_the_coherent_fixes(tmp_path: Path) -> None:
    src, report_path = _report(
        tmp_path, "id,title,date,access_date\n1,A long title,10 April 2017,16 April 2016\n"
    )
    report = json.loads(report_path.read_text(encoding="utf-8"))
    findings = report["references"][0]["findings"]
    assert any(f["suggested"] == {"access_date": "16 April 2017"} for f in findings)
    findings.append({"code": "archive-date-mismatch", "suggested": {"date": "1 May 2017"}})
    report["problems"] = []
    report_path.write_text(json.dumps(report), encoding="utf-8")
    result = _patch(tmp_path, src, "--accept-date-fixes", report=report_path)
    assert result.exit_code == 0, result.output
    assert "+1,A long title,10 April 2017,16 April 2017" in result.output
    assert "1 May 2017" not in result.output


def test_the_demo_output_patches_as_the_readme_shows(tmp_path: Path) -> None:
    from checker.testing import demo

    out = tmp_path / "demo"
    assert demo.run(out) == 0
    src = out / "demo-references.csv"
    header = src.read_text(encoding="utf-8").split("\n", 1)[0]
    assert "url_status" not in header  # the patch adds the column it needs
    before = {r["id"]: r for r in csv.DictReader(io.StringIO(src.read_text(encoding="utf-8")))}
    result = _patch(tmp_path, src, "--write", report=out / "report.json")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(src.read_text(encoding="utf-8"))))
    assert all(len(row) == len(rows[0]) for row in rows)
    rescued = [row for row in rows if row["archive_url"] != before[row["id"]]["archive_url"]]
    assert rescued and all(row["url_status"] in ("dead", "usurped") for row in rescued)
    again = _patch(tmp_path, src, "--write", report=out / "report.json")
    assert again.exit_code == 0 and "nothing to patch" in again.output


# --- adding a column keeps every other byte's meaning (property) --------------------------

cell_text = st.text(alphabet=st.sampled_from(list('ab ,"\n\r\t;é')), max_size=6)


@given(
    rows=st.lists(st.lists(cell_text, min_size=2, max_size=2), min_size=1, max_size=6),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
    final=st.booleans(),
)
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
def test_an_added_column_pads_every_row(
    rows: list[list[str]], quoting: int, ending: str, final: bool
) -> None:
    out = io.StringIO(newline="")
    csv.writer(out, quoting=quoting, lineterminator=ending).writerows([["id", "x"], *rows])
    text = out.getvalue() if final else out.getvalue()[: -len(ending)]
    before = list(csv.reader(io.StringIO(text, newline="")))
    assume(all(len(row) == 2 for row in before))  # a blank row reads as no row
    new = edit(text, {0: {2: "archive_url"}, 1: {2: "http://w/1"}}, ",", pad_to=3)
    read_back = list(csv.reader(io.StringIO(new, newline="")))
    expected = [["id", "x", "archive_url"], [*before[1], "http://w/1"]]
    expected += [[*row, ""] for row in before[2:]]
    assert read_back == expected
    assert new.endswith(ending) == final


def test_a_utf16_article_is_not_rewritten_as_utf8(tmp_path: Path) -> None:
    src = tmp_path / "topic.wiki"
    article = "x<ref>{{cite web |url=https://a.example/ |title=A title here}}</ref>\n"
    src.write_bytes(article.encode("utf-16"))
    out = tmp_path / "reports"
    CliRunner().invoke(main, ["check", str(src), "--offline", "--out", str(out)])
    result = _patch(tmp_path, src, "--write", report=out / "report.json")
    assert result.exit_code == 2 and "UTF-16" in result.output
    assert src.read_bytes() == article.encode("utf-16")
