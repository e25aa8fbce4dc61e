"""Hostile and broken input files, through the CLI: exit code and report checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from checker.cli import main

ROW = "A headline long enough,13 April 2017,14 April 2017"
HEADER = "id,title,date,access_date"


def check(tmp_path: Path, data: bytes, name: str = "refs.csv") -> tuple[int, str, dict[str, Any]]:
    src = tmp_path / name
    src.write_bytes(data)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["check", str(src), "--offline", "--out", str(out), "--today", "2026-11-24"]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    for name in ("index.html", "report.csv", "summary.md", "junit.xml"):
        assert (out / name).stat().st_size > 0
    return result.exit_code, result.output, report


def ids(report: dict[str, Any]) -> list[str]:
    return [ref["id"] for ref in report["references"]]


def messages(report: dict[str, Any]) -> list[str]:
    return [f"{p['row']}: {p['message']}" for p in report["problems"]]


def test_unterminated_quote_names_its_line_and_keeps_the_rest(tmp_path: Path) -> None:
    text = f'{HEADER}\n1,{ROW}\n2,"Unclosed title,13 April 2017,14 April 2017\n3,{ROW}\n4,{ROW}\n'
    code, output, report = check(tmp_path, text.encode())
    assert code == 2
    assert ids(report) == ["1", "2", "3", "4"]
    assert any(m.startswith("3: unterminated quote") and "line 3" in m for m in messages(report))
    assert "line 3" in output


def test_text_after_a_closing_quote_is_a_problem_not_a_merge(tmp_path: Path) -> None:
    text = f'{HEADER}\n1,"ab"c,13 April 2017,14 April 2017\n2,{ROW}\n'
    code, _, report = check(tmp_path, text.encode())
    assert code == 2 and ids(report) == ["1", "2"]
    assert any("malformed CSV" in m for m in messages(report))


def test_a_quote_spanning_lines_until_a_later_quote(tmp_path: Path) -> None:
    text = f'{HEADER}\n1,"open,13 April 2017,14 April 2017\n2,"closed",13 April 2017,x\n3,{ROW}\n'
    code, _, report = check(tmp_path, text.encode())
    assert code == 2 and ids(report) == ["1", "2", "3"]
    assert any(m.startswith("2: unterminated quote") for m in messages(report))


def test_valid_multiline_cells_are_not_problems(tmp_path: Path) -> None:
    text = f'{HEADER}\n1,"two\nlines, with ""quotes""",13 April 2017,14 April 2017\n2,{ROW}\n'
    code, _, report = check(tmp_path, text.encode())
    assert code == 0 and ids(report) == ["1", "2"]
    assert report["references"][0]["fields"]["title"] == 'two\nlines, with "quotes"'


def test_cells_over_the_csv_field_limit_keep_their_row(tmp_path: Path) -> None:
    huge = "w" * 200_000
    text = f"{HEADER},notes\n1,{ROW},{huge}\n2,{ROW},short\n"
    code, _, report = check(tmp_path, text.encode())
    assert code == 0, messages(report)
    assert ids(report) == ["1", "2"]
    assert report["references"][0]["extra"]["notes"] == huge
    # patch reads it too, in a fresh process (the csv field limit is per process)
    done = subprocess.run(
        [sys.executable, "-m", "checker", "patch", "refs.csv", "--report", "out/report.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "nothing to patch" in done.stderr, done.stderr
    # and it edits such a file (the csv cross-check reads the huge cell too)
    report_path = tmp_path / "out" / "report.json"
    report = json.loads(report_path.read_text(encoding="utf-8"))
    capture = "https://web.archive.org/web/20170415000000/https://a.example/"
    report["references"][0]["findings"].append(
        {"code": "archive-url-broken", "suggested": {"archive_url": capture}}
    )
    report_path.write_text(json.dumps(report), encoding="utf-8")
    patch = [sys.executable, "-m", "checker", "patch", "refs.csv", "--report", "out/report.json"]
    done = subprocess.run(
        [*patch, "--write"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "refs.csv").read_text(encoding="utf-8") == (
        f"{HEADER},notes,archive_url\n1,{ROW},{huge},{capture}\n2,{ROW},short,\n"
    )


def test_non_utf8_header_gives_a_report_with_the_replacement_character(tmp_path: Path) -> None:
    data = b"id,title,caf\xe9,date\n1,A headline long enough,x\xff,13 April 2017\n"
    code, _, report = check(tmp_path, data)
    assert code == 2
    assert "caf\ufffd" in report["columns"]
    assert report["references"][0]["extra"]["caf\ufffd"] == "x\ufffd"
    assert any("0xE9" in m and "header" in m for m in messages(report))


def test_a_binary_file_given_as_csv(tmp_path: Path) -> None:
    data = bytes(range(256)) * 40 + b"\n\x00\x01,\xff\xfe\n" + os.urandom(0)
    code, _, report = check(tmp_path, data)
    assert code == 2 and report["problems"]


def test_nul_bytes_are_an_input_problem(tmp_path: Path) -> None:
    data = f"{HEADER}\n1,{ROW}\n2,A head\x00line long enough,13 April 2017,14 April 2017\n".encode()
    code, _, report = check(tmp_path, data)
    assert code == 2 and ids(report) == ["1", "2"]
    assert any(m.startswith("3: NUL byte") for m in messages(report))
    assert report["references"][1]["fields"]["title"] == "A head\ufffdline long enough"


def test_utf16_with_and_without_bom_is_decoded(tmp_path: Path) -> None:
    text = f"{HEADER}\r\n1,Café société long enough,13 April 2017,14 April 2017\r\n"
    for encoded in (
        text.encode("utf-16"),  # BOM, native order
        b"\xfe\xff" + text.encode("utf-16-be"),
        text.encode("utf-16-le"),  # no BOM
        text.encode("utf-16-be"),
    ):
        code, _, report = check(tmp_path, encoded)
        assert code == 0, messages(report)
        assert ids(report) == ["1"]
        assert report["references"][0]["fields"]["title"] == "Café société long enough"


def test_repeated_columns_keep_every_value(tmp_path: Path) -> None:
    text = "id,url,note,url,note\n1,https://a.example/,first,https://b.example/,second\n"
    code, _, report = check(tmp_path, text.encode())
    assert code == 2
    ref = report["references"][0]
    assert ref["fields"]["url"] == "https://a.example/"
    assert ref["extra"] == {"note": "first", "url_4": "https://b.example/", "note_5": "second"}
    assert any("column 4 repeats column 'url'" in m for m in messages(report))
    assert any("column 5 repeats column 'note'" in m for m in messages(report))


def test_text_import_of_huge_lines_reads_every_entry(tmp_path: Path) -> None:
    """Lines that were quadratic (bench/hostile_text.py measures them) still read right."""
    spaced = "2. ^ Walker, Shaun (2 April 2017)." + " " * 50_000 + '"Title".   The Guardian.'
    initials = "3. ^ " + "A. " * 50_000 + "Retrieved 16 April 2017."
    text = f"1. ^ First entry. Retrieved 1 May 2019.\n{spaced}\n{initials}\n"
    code, _, report = check(tmp_path, text.encode(), name="page.txt")
    assert ids(report) == ["1", "2", "3"]
    second = report["references"][1]["fields"]
    assert (second["author"], second["date"], second["title"], second["work"]) == (
        "Walker, Shaun",
        "2 April 2017",
        "Title",
        "The Guardian",
    )
    assert report["references"][2]["fields"]["access_date"] == "16 April 2017"
    assert code in (0, 1)
