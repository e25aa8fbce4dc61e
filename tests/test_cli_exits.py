"""Exit codes a CI job can trust, and a terminal nothing can inject into (through the CLI)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main

CLEAN = "id,title,date,access_date\n1,A headline long enough,13 April 2017,14 April 2017\n"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _check(tmp_path: Path, *args: str) -> tuple[int, str]:
    return invoke("check", *args, "--offline", "--today", "2026-11-24")


# --- exit 4 ---------------------------------------------------------------------------


def test_a_crash_exits_4_with_a_bug_report_beside_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "refs.csv"
    src.write_text(CLEAN, encoding="utf-8")
    monkeypatch.setenv("CITEWATCH_TEST_TOKEN", "s3cr3t-t0ken-value")

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr("checker.api.run_checks", boom)
    out = tmp_path / "out"
    code, output = _check(
        tmp_path, str(src), "--out", str(out), "--domain-header", "a.example:Cookie=hush"
    )
    assert code == 4
    lines = output.strip().splitlines()
    assert len(lines) == 1 and "internal error" in lines[0] and "simulated bug" in lines[0]
    report = out / "citewatch-bug-report.txt"
    assert str(report) in lines[0]
    text = report.read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError: simulated bug" in text and "boom" in text
    assert "s3cr3t-t0ken-value" not in text and "hush" not in text
    assert "CITEWATCH_TEST_TOKEN" not in text


def test_a_crash_in_patch_exits_4(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "refs.csv"
    src.write_text(CLEAN, encoding="utf-8")
    out = tmp_path / "out"
    assert _check(tmp_path, str(src), "--out", str(out))[0] == 0

    def boom(*_: object, **__: object) -> None:
        raise KeyError("bug")

    monkeypatch.setattr("checker.patch.plan.plan", boom)  # imported by the command on use
    code, output = invoke("patch", str(src), "--report", str(out / "report.json"))
    assert code == 4 and str(out / "citewatch-bug-report.txt") in output


# --- input and usage errors: exit 2, one line ----------------------------------------


def test_mistyped_input_keeps_the_previous_report_and_state(tmp_path: Path) -> None:
    src = tmp_path / "refs.csv"
    src.write_text(CLEAN, encoding="utf-8")
    out = tmp_path / "out"
    assert _check(tmp_path, str(src), "--out", str(out))[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    state = tmp_path / "state.sqlite"
    result = CliRunner().invoke(
        main,
        ["check", str(tmp_path / "refs.cvs"), "--out", str(out), "--state", str(state)],
    )
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "cannot read file" in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not state.exists()


def test_import_into_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    src = tmp_path / "refs.csv"
    src.write_text(CLEAN, encoding="utf-8")
    code, output = invoke("import", str(src), "-o", str(tmp_path / "missing" / "dir" / "x.csv"))
    assert code == 2
    assert output.strip().count("\n") == 0 and output.startswith("error: cannot write")


def test_unknown_ignore_code_suggests_the_close_one(tmp_path: Path) -> None:
    src = tmp_path / "refs.csv"
    src.write_text(CLEAN, encoding="utf-8")
    code, output = _check(tmp_path, str(src), "--out", str(tmp_path / "o"), "--ignore", "link-ded")
    assert code == 2 and "did you mean 'link-dead'" in output
    assert not (tmp_path / "o").exists()
    code, _ = _check(tmp_path, str(src), "--out", str(tmp_path / "o"), "--ignore", "link-dead")
    assert code == 0


def test_unwritable_report_folder_is_exit_2(tmp_path: Path) -> None:
    src = tmp_path / "refs.csv"
    src.write_text(CLEAN, encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, output = _check(tmp_path, str(src), "--out", str(blocker / "reports"))
    assert code == 2 and "cannot write reports to" in output


def test_bad_exclude_and_resolve_are_usage_errors(tmp_path: Path) -> None:
    src = tmp_path / "refs.csv"
    src.write_text(CLEAN, encoding="utf-8")
    out = str(tmp_path / "o")
    result = CliRunner().invoke(main, ["check", str(src), "--out", out, "--exclude", "(["])
    assert result.exit_code == 2 and "not a regular expression" in result.output
    result = CliRunner().invoke(
        main, ["check", str(src), "--out", out, "--resolve", "a.example=notanip"]
    )
    assert result.exit_code == 2 and "'notanip' is not an IP address" in result.output
    assert "Traceback" not in result.output and not Path(out).exists()


@pytest.mark.parametrize("name", ["report.csv", "index.html", "summary.md", "junit.xml"])
def test_check_never_overwrites_its_own_input(tmp_path: Path, name: str) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    src = out / name
    src.write_text(CLEAN, encoding="utf-8")
    code, output = invoke("check", str(src), "--from", "csv", "--offline", "--out", str(out))
    assert code == 2 and "refusing to overwrite the input" in output
    assert src.read_text(encoding="utf-8") == CLEAN


def test_own_input_through_a_symlink(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    real = out / "report.csv"
    real.write_text(CLEAN, encoding="utf-8")
    link = tmp_path / "refs.csv"
    link.symlink_to(real)
    code, output = invoke("check", str(link), "--offline", "--out", str(out))
    assert code == 2 and "refusing to overwrite" in output
    assert real.read_text(encoding="utf-8") == CLEAN
    # the folder through a symlink too
    alias = tmp_path / "alias"
    alias.symlink_to(out)
    code, _ = invoke("check", str(real), "--offline", "--out", str(alias))
    assert code == 2 and real.read_text(encoding="utf-8") == CLEAN


# --- config prints TOML ----------------------------------------------------------------


def test_config_prints_valid_toml_with_real_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = invoke("config")
    assert code == 0 and "(unset)" not in output
    values = tomllib.loads(output)
    assert values["access_floor"] == "2001-01-15"
    assert values["user_agent"].startswith("citewatch/")
    assert values["timeout"] == 20.0 and values["ignore"] == [] and values["offline"] is False
    # the printed settings are a settings file that gives the same settings
    (tmp_path / "citewatch.toml").write_text(
        output + '[domains."ex\\"ample.org"]\ninterval = 2.5\nheaders = { "X-Key" = "a\\tb" }\n',
        encoding="utf-8",
    )
    code, again = invoke("config")
    assert code == 0
    reparsed = tomllib.loads(again)
    assert reparsed["domains"]['ex"ample.org'] == {"interval": 2.5, "headers": {"X-Key": "a\tb"}}
    reparsed.pop("domains")
    assert reparsed == values
    src = tmp_path / "refs.csv"
    src.write_text(CLEAN, encoding="utf-8")
    assert invoke("check", str(src), "--offline", "--today", "2026-11-24")[0] == 0


# --- nothing injected into the terminal ---------------------------------------------


def test_ids_and_messages_reach_the_terminal_escaped(tmp_path: Path) -> None:
    src = tmp_path / "refs.csv"
    src.write_text(
        "id,title,date,access_date\n"
        '"x\x1b]0;pwned\x07\x1b[2J",A headline long enough,13 April 2017,14 April 2016\n'
        '"y\u202e",,13 April 2017,14 April 2016\n',
        encoding="utf-8",
    )
    code, output = _check(tmp_path, str(src), "--out", str(tmp_path / "o"))
    assert code == 1
    assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output
    assert "x\\x1b]0;pwned\\x07\\x1b[2J" in output and "y\\u202e" in output
    report = json.loads((tmp_path / "o" / "report.json").read_text(encoding="utf-8"))
    assert report["references"][0]["id"].startswith("x\x1b")  # the data itself is kept


def test_problem_lines_are_escaped_too(tmp_path: Path) -> None:
    src = tmp_path / "refs.csv"
    src.write_bytes(b"id,title\n\x1b[31mred,t\n\x1b[31mred,u\n")
    code, output = _check(tmp_path, str(src), "--out", str(tmp_path / "o"))
    assert code == 2 and "\x1b" not in output and "\\x1b[31mred" in output


def test_exit_4_documented() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "| 4 |" in readme
    from checker.api import ExitCode

    assert ExitCode.INTERNAL_ERROR == 4


def test_an_interrupted_run_is_not_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "refs.csv"
    src.write_text(CLEAN, encoding="utf-8")

    def interrupt(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("checker.api.run_checks", interrupt)
    code, output = _check(tmp_path, str(src), "--out", str(tmp_path / "o"))
    assert code == 130 and "interrupted" in output


def test_a_crash_in_import_reports_beside_its_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "refs.csv"
    src.write_text(CLEAN, encoding="utf-8")

    def boom(*_: object, **__: object) -> None:
        raise ValueError("bug in the writer")

    monkeypatch.setattr("checker.cli.write_csv", boom)
    out = tmp_path / "converted"
    out.mkdir()
    code, output = invoke("import", str(src), "-o", str(out / "x.csv"))
    assert "bug in the writer" in output
    assert code == 4 and (out / "citewatch-bug-report.txt").is_file()
    assert not list(out.glob(".x.csv*"))  # the temporary file is gone


def test_resolve_accepts_a_bracketed_ipv6_address() -> None:
    from checker.cli_links import resolver

    resolve = resolver(("a.example=[::1]",))
    assert resolve is not None and resolve("a.example") == ["::1"]


@pytest.mark.parametrize("offline", [True, False])
def test_urls_urlsplit_rejects_are_findings_not_crashes(tmp_path: Path, offline: bool) -> None:
    # urlsplit raises ValueError on these; they are bad input (exit 1), never exit 4.
    src = tmp_path / "refs.csv"
    src.write_text(
        "id,url,title\n1,https://[a/,T\n2,http://[::1,T\n3,http://[zz]/x,T\n4,https://[a/,T\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["check", str(src), "--out", str(out), "--format", "json", "--no-state"]
    args += ["--offline"] if offline else ["--no-archive", "--confirm-now"]
    code, output = invoke(*args)
    assert code == 1, output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    codes = [f["code"] for r in report["references"] for f in r["findings"]]
    assert codes.count("invalid-url") == 4
    if not offline:
        assert {r["link"]["status"] for r in report["references"]} == {"invalid"}
