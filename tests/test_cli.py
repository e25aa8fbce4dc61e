"""The command line, through click's runner: exit codes, reports, import, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main

CLEAN = "id,title,date,access_date\n1,A headline long enough,13 April 2017,14 April 2017\n"
WARN_ONLY = "id,title,url,date\n1,A headline long enough,https://a.example/,13 April 2017\n"
ERRORS = "id,title,date,access_date\n1,A headline long enough,13 April 2017,14 April 2016\n"


def run(tmp_path: Path, csv_text: str, *args: str) -> tuple[int, str, Path]:
    src = tmp_path / "refs.csv"
    src.write_text(csv_text, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["check", str(src), "--offline", "--out", str(out), "--today", "2026-11-24", *args]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output, out


def test_clean_list_exits_0_and_writes_every_report(tmp_path: Path) -> None:
    code, output, out = run(tmp_path, CLEAN)
    assert code == 0, output
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "index.html",
        "junit.xml",
        "report.csv",
        "report.json",
        "summary.md",
    ]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["run"]["exit_code"] == 0
    assert report["summary"]["references"] == 1


def test_errors_exit_1(tmp_path: Path) -> None:
    code, output, out = run(tmp_path, ERRORS)
    assert code == 1
    assert "access-before-publication" in output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["run"]["exit_code"] == 1
    codes = [f["code"] for f in report["references"][0]["findings"]]
    assert "access-before-publication" in codes


@pytest.mark.parametrize(
    ("fail_on", "expected"), [("error", 0), ("warning", 1), ("info", 1), ("never", 0)]
)
def test_fail_on_thresholds(tmp_path: Path, fail_on: str, expected: int) -> None:
    code, _, _ = run(tmp_path, WARN_ONLY, "--fail-on", fail_on)
    assert code == expected


def test_never_still_reports_errors(tmp_path: Path) -> None:
    code, _, out = run(tmp_path, ERRORS, "--fail-on", "never")
    assert code == 0
    assert (out / "index.html").exists()


def test_input_problem_exits_2_and_still_reports_every_row(tmp_path: Path) -> None:
    code, output, out = run(tmp_path, "id,title\n1,A\n2,B,oops\n3,C\n")
    assert code == 2
    assert "row 3" in output and "Traceback" not in output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in report["references"]] == ["1", "2", "3"]
    assert report["problems"][0]["row"] == 3
    assert any(f["code"] == "input-error" for f in report["references"][1]["findings"])


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["check", str(tmp_path / "nope.csv"), "--offline", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "cannot read file" in result.output
    assert "Traceback" not in result.output


def test_usage_error_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", "x.csv", "--fail-on", "sometimes"])
    assert result.exit_code == 2
    bad_date = CliRunner().invoke(main, ["check", "x.csv", "--today", "24/11/2026"])
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.output


def test_format_selection(tmp_path: Path) -> None:
    code, _, out = run(tmp_path, CLEAN, "--format", "json", "--format", "markdown")
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "summary.md"]


def test_ignore(tmp_path: Path) -> None:
    code, _, _ = run(tmp_path, ERRORS, "--ignore", "access-before-publication")
    assert code == 0


def test_import_csv_with_merge(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id,title,url,note\n1,A,,n1\n2,B,https://kept.example/,n2\n", encoding="utf-8")
    urls = tmp_path / "urls.csv"
    urls.write_text(
        "id,url,evidence\n1,https://a.example/,seen\n2,https://b.example/,x\n", encoding="utf-8"
    )
    out = tmp_path / "references.csv"
    result = CliRunner().invoke(main, ["import", str(src), "--merge", str(urls), "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("1,https://a.example/,A,")
    assert lines[2].startswith("2,https://kept.example/,B,")  # never overwritten
    assert lines[0].endswith(",note")


def test_import_refuses_to_overwrite_input(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id,title\n1,A\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(src), "-o", str(src)])
    assert result.exit_code == 2
    assert src.read_text(encoding="utf-8") == "id,title\n1,A\n"


def test_python_m_checker_version() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "checker", "--version"], capture_output=True, text=True, check=True
    )
    assert "citewatch" in done.stdout


def test_the_command_starts_without_the_libraries_of_later_stages() -> None:
    # Every run pays its imports before its first request: the HTTP client libraries of
    # the archive stages, the page parsers, pandas and the crawl engine come on use.
    import subprocess
    import sys

    heavy = ("requests", "urllib3", "wayback", "htmldate", "lxml", "bs4", "pandas", "jinja2",
             "dask", "trafilatura", "mwparserfromhell", "checker.links.classify",
             "checker.engine.driver")  # fmt: skip
    code = f"import sys, checker.cli; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr


def test_the_command_exits_with_its_status_and_all_its_output(tmp_path: Path) -> None:
    # The console entry skips the interpreter's teardown: the status, the output and the
    # reports must all still be there; a reader that stops early gets no traceback.
    import subprocess
    import sys

    source = tmp_path / "refs.csv"
    rows = [f"{i},Title number {i},not a date" for i in range(300)]
    source.write_text("id,title,date\n" + "\n".join(rows) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "checker", "check", str(source), "--offline"]
    command += ["--out", str(tmp_path / "out")]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert len(lines) > 50 and lines[-1].startswith("300 references, 300 with findings")
    assert json.loads((tmp_path / "out" / "report.json").read_text())["references"]
    reader = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.readline()
    reader.stdout.close()  # `citewatch check ... | head -1`
    assert reader.wait(60) != 0 and b"Traceback" not in reader.stderr.read()
    reader.stderr.close()


def test_findings_point_at_their_source_in_every_format(tmp_path: Path) -> None:
    data = Path(__file__).parent / "data"
    for source, marker in ((data / "wikipedia_page.html", "#"), (data / "article.wiki", "")):
        out = tmp_path / source.suffix.strip(".")
        CliRunner().invoke(
            main, ["check", str(source), "--offline", "--out", str(out), "--today", "2026-11-24"]
        )
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        places = [r["location"]["text"] for r in report["references"]]
        assert all(p.startswith(str(source)) for p in places)
        rows = (out / "report.csv").read_text(encoding="utf-8").splitlines()[1:]
        cells = [row.split(",")[1] for row in rows if not row.startswith("(list)")]
        assert cells and all(c.startswith(marker) and len(c) > len(marker) for c in cells)


def test_quiet_prints_only_the_summary(tmp_path: Path) -> None:
    code, output, _ = run(tmp_path, ERRORS, "--quiet")
    assert code == 1
    assert output.strip().splitlines() == [output.strip()]  # one line
    assert output.startswith("1 references, 1 with findings")


def test_the_link_stage_starts_without_the_page_signals(tmp_path: Path) -> None:
    # The page signals are compiled where pages are judged (the parent, once the fetch
    # processes are fetching), not before the first request.
    import subprocess
    import sys

    source = tmp_path / "refs.csv"
    source.write_text("id,url\n1,http://example.org/a\n", encoding="utf-8")
    code = (
        "import sys, checker.api as api, checker.cli as cli\n"
        "def spy(*a, **k):\n"
        "    print('signals' if 'checker.links.signals' in sys.modules else 'none')\n"
        "    raise SystemExit(0)\n"
        "api.check_links = spy\n"
        f"cli.main(['check', {str(source)!r}, '--no-state', '--out', {str(tmp_path / 'o')!r}])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "none", done.stdout + done.stderr
