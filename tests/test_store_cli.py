"""The store through the command line: ``load`` a dump (a malformed page is a finding,
the rest loads; an interrupted load resumes), ``crawl`` checks only what is due (a
second night the same day makes no request), ``report`` renders a slice; a check writes
the same report.json with either backend; a broken state file never stops a run."""

from __future__ import annotations

import difflib
import json
import multiprocessing
import os
import re
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.store import open_store
from checker.store.dump import load_dump
from checker.testing.simweb import SimWeb
from checker.testing.wikidump import pages, write_dump


def cli(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def simple_urls(n: int, i: int) -> str:
    return f"http://s{(n * 8 + i) % 11}.example/p{n}/{i}"


def test_load_a_dump_with_a_malformed_page(tmp_path: Path, state_location: str) -> None:
    dump = write_dump(tmp_path / "wiki.xml.bz2", pages(30, simple_urls, malformed=frozenset({7})))
    result = cli("load", str(dump), "--state", state_location)
    assert result.exit_code == 2
    assert "error: wiki.xml.bz2: page 7" in result.output and "malformed" in result.output
    assert "29 pages loaded" not in result.output  # every page counted, the bad one too
    assert "30 pages loaded" in result.output and "1 malformed pages" in result.output
    with open_store(state_location) as store:
        assert store.citations(title="Article 7") == []
        assert len(store.citations(title="Article 8")) == 8
        assert store.due_count(store.now()) == 29 * 8
        assert len({c.title for c in store.citations()}) == 29


def test_resume_after_interruption(tmp_path: Path, state_location: str) -> None:
    dump = write_dump(tmp_path / "wiki.xml", pages(60, simple_urls))
    seen: list[int] = []

    def interrupt(summary: Any) -> None:
        seen.append(summary.pages)
        if summary.pages >= 20:
            raise KeyboardInterrupt

    with open_store(state_location) as store, pytest.raises(KeyboardInterrupt):
        load_dump(dump, store, progress=interrupt, every=10)
    result = cli("load", str(dump), "--state", state_location)
    assert result.exit_code == 0, result.output
    assert "40 pages loaded (20 already loaded)" in result.output
    with open_store(state_location) as store:
        assert len({c.title for c in store.citations()}) == 60
        assert len(store.citations()) == 60 * 8


def test_a_dump_cut_off_midway_loads_what_is_there_then_resumes(tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite")
    cut = write_dump(tmp_path / "cut.xml", pages(25, simple_urls), truncate_at=10)
    result = cli("load", str(cut), "--state", state, "--source", "wiki")
    assert result.exit_code == 2 and "ends in the middle" in result.output
    assert "10 pages loaded" in result.output
    full = write_dump(tmp_path / "full.xml", pages(25, simple_urls))
    again = cli("load", str(full), "--state", state, "--source", "wiki")
    assert "15 pages loaded (10 already loaded)" in again.output


def simweb_urls(web: SimWeb) -> Any:
    def url_for(n: int, i: int) -> str:
        site = "news.example" if (n + i) % 2 else "blog.example"
        return web.url(site, f"/article/page-{n}-{i}")

    return url_for


def crawled(output: str) -> tuple[int, str, int]:
    """(links checked, their verdicts, links still due) from either crawl summary line."""
    found = re.search(r"(\d+) due links checked \(([^)]*)\);.*?(\d+) still due", output)
    assert found, output
    return int(found[1]), found[2], int(found[3])


def test_crawl_checks_only_what_is_due(tmp_path: Path, simweb: SimWeb, state_location: str) -> None:
    dump = write_dump(tmp_path / "wiki.xml", pages(5, simweb_urls(simweb), per_page=4))
    assert cli("load", str(dump), "--state", state_location).exit_code == 0
    simweb.clear_log()
    args = ["crawl", "--state", state_location, "--no-archive", "--no-probe"]
    args += ["--host-interval", "0", *simweb.cli_args()]
    first = cli(*args, "--site-budget", "6")
    assert first.exit_code == 0, first.output
    # The default engine: partition by partition on PostgreSQL, one batch on SQLite.
    partitioned = "partitions (2 checked)" in first.output
    assert partitioned == state_location.startswith("postgresql://"), first.output
    assert crawled(first.output) == (12, "12 alive", 8)
    assert len({r.path for r in simweb.requests}) == 12  # the budget: 6 per site
    second = cli(*args)
    assert crawled(second.output) == (8, "8 alive", 0)
    simweb.clear_log()
    third = cli(*args)  # the same day: nothing is due, nothing is requested
    assert crawled(third.output) == (0, "nothing due", 0)
    assert simweb.requests == []
    out = tmp_path / "rep"
    rep = cli("report", "--state", state_location, "--page", "Article 2", "--out", str(out))
    assert rep.exit_code in (0, 1), rep.output  # the generated dates have faults
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert len(report["references"]) == 4
    assert {r["link"]["status"] for r in report["references"]} == {"alive"}
    site = cli("report", "--state", state_location, "--site", "blog.example", "--out", str(out))
    assert "10 citations" in site.output
    worst = cli("report", "--state", state_location, "--worst", "2", "--out", str(out))
    assert worst.exit_code == 2 and "nothing in the store matches" in worst.output


def _strip_times(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _strip_times(v)
            for k, v in value.items()
            if k
            not in {
                "started",
                "finished",
                "checked_at",
                "elapsed_ms",
                "run_id",
                "trend",
                "failing_since",
            }
        }
    if isinstance(value, list):
        return [_strip_times(v) for v in value]
    return value


def test_same_report_with_either_backend(tmp_path: Path, simweb: SimWeb, postgres_dsn: str) -> None:
    src = tmp_path / "refs.csv"
    rows = ["id,url,title,access_date"]
    for i, path in enumerate(["/article/real-story", "/status/404", "/to-root", "/status/503"]):
        rows.append(f"{i},{simweb.url('news.example', path)},Real Story,1 May 2019")
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    reports = []
    for name, state in (("sqlite", str(tmp_path / "s.sqlite")), ("pg", postgres_dsn)):
        out = tmp_path / name
        result = cli(
            "check", str(src), "--out", str(out), "--format", "json", "--state", state,
            "--no-archive", "--host-interval", "0", "--today", "2026-11-27",
            *simweb.cli_args(),
        )  # fmt: skip
        assert result.exit_code in (0, 1), result.output
        reports.append(json.loads((out / "report.json").read_text(encoding="utf-8")))
    sqlite_report, pg_report = (_strip_times(r) for r in reports)
    sqlite_report["run"].pop("input_path", None)
    pg_report["run"].pop("input_path", None)
    a, b = (
        json.dumps(r, indent=1, sort_keys=True).splitlines() for r in (sqlite_report, pg_report)
    )
    assert a == b, "\n".join(difflib.unified_diff(a, b, lineterm="", n=1))


def test_unreachable_database_is_one_line_exit_2(tmp_path: Path) -> None:
    src = tmp_path / "refs.csv"
    src.write_text("id,url\n1,http://news.example/a\n", encoding="utf-8")
    result = cli(
        "check", str(src), "--out", str(tmp_path / "o"), "--state",
        "postgresql://nobody@127.0.0.1:1/none", "--no-archive",
    )  # fmt: skip
    assert result.exit_code == 2
    assert (
        result.output.count("\n") <= 2 and "cannot connect to the state database" in result.output
    )


# -- a broken state file never stops a run -----------------------------------------------


def _run_links(tmp_path: Path, state: Path, simweb: SimWeb) -> Any:
    src = tmp_path / "refs.csv"
    src.write_text(
        f"id,url,title\n1,{simweb.url('news.example', '/article/real-story')},Real Story\n",
        encoding="utf-8",
    )
    return cli(
        "check", str(src), "--out", str(tmp_path / "out"), "--state", str(state),
        "--format", "json", "--no-archive", "--host-interval", "0", *simweb.cli_args(),
    )  # fmt: skip


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_damaged_state_is_moved_aside(tmp_path: Path, simweb: SimWeb, damage: str) -> None:
    state = tmp_path / "state.sqlite"
    assert _run_links(tmp_path, state, simweb).exit_code == 0
    if damage == "garbage":
        state.write_bytes(b"this is not a database at all" * 100)
    else:
        db = sqlite3.connect(state)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.executemany("INSERT INTO checks VALUES (?, '', '', '', 0, '')", [("x" * 500,)] * 400)
        db.commit()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        data = state.read_bytes()
        state.write_bytes(data[: len(data) // 2])
    result = _run_links(tmp_path, state, simweb)
    assert result.exit_code == 0, result.output
    assert "warning: state file" in result.output and "moved aside" in result.output
    assert (tmp_path / "out" / "report.json").exists()
    assert list(tmp_path.glob("state.sqlite.corrupt-*"))
    assert sqlite3.connect(state).execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.parametrize("where", ["file", "folder"])
def test_read_only_state_runs_without_memory(
    tmp_path: Path, simweb: SimWeb, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "st"
    folder.mkdir()
    state = folder / "state.sqlite"
    assert _run_links(tmp_path, state, simweb).exit_code == 0
    os.chmod(state if where == "file" else folder, 0o444 if where == "file" else 0o555)
    if os.geteuid() == 0:
        # root writes through any permission: open the file as SQLite does when it
        # may not write it (read-only), so the same error reaches the store.
        from checker.store import sqlite as backend

        real = sqlite3.connect

        def read_only(target: str, *args: Any, **kwargs: Any) -> sqlite3.Connection:
            if target == str(state):
                return real(f"file:{target}?mode=ro", *args, uri=True, **kwargs)
            return real(target, *args, **kwargs)

        monkeypatch.setattr(backend.sqlite3, "connect", read_only)
    try:
        result = _run_links(tmp_path, state, simweb)
    finally:
        os.chmod(folder, 0o755)
        os.chmod(state, 0o644)
    assert result.exit_code == 0, result.output
    assert "cannot be used" in result.output and "remembers nothing" in result.output
    assert (tmp_path / "out" / "report.json").exists()


def _one_run(tmp: str, state: str, url: str, resolve: list[str]) -> None:
    src = Path(tmp) / f"refs-{os.getpid()}.csv"
    src.write_text(f"id,url,title\n1,{url},Real Story\n", encoding="utf-8")
    out = Path(tmp) / f"out-{os.getpid()}"
    args = ["check", str(src), "--out", str(out), "--state", state, "--format", "json"]
    args += ["--no-archive", "--host-interval", "0", *resolve]
    result = CliRunner().invoke(main, args)
    sys.exit(result.exit_code)


def test_two_runs_at_once_on_a_new_state_file(tmp_path: Path, simweb: SimWeb) -> None:
    state = str(tmp_path / "new" / "state.sqlite")
    url = simweb.url("news.example", "/article/real-story")
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_one_run, args=(str(tmp_path), state, url, simweb.cli_args()))
        for _ in range(2)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    db = sqlite3.connect(state)
    assert db.execute("SELECT count(*) FROM runs WHERE finished IS NOT NULL").fetchone() == (2,)


def test_crawl_records_links_it_may_not_fetch(tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite")
    with open_store(state) as store:
        store.add_links(["http://127.0.0.1:9/admin", "http://169.254.169.254/latest/"], store.now())
    first = cli("crawl", "--state", state, "--no-archive")
    assert "2 due links checked (2 unsafe); 0 still due" in first.output, first.output
    again = cli("crawl", "--state", state, "--no-archive")
    assert "0 due links checked" in again.output


def test_patch_waits_for_a_confirmed_soft_404(tmp_path: Path, simweb: SimWeb) -> None:
    from checker.testing.archive_double import ArchiveDouble

    soft = simweb.url("news.example", "/to-root")
    src = tmp_path / "references.csv"
    src.write_text(
        f"id,url,title,access_date,archive_url,archive_date,url_status\n"
        f"1,{soft},Real Story,16 April 2017,,,\n",
        encoding="utf-8",
    )
    with ArchiveDouble() as archive:
        archive.add_capture(soft, "20170415120000", title="Real Story")

        def night(*extra: str) -> Any:
            out = tmp_path / "reports"
            cli(
                "check", str(src), "--out", str(out), "--state", str(tmp_path / "s.sqlite"),
                "--host-interval", "0", "--fail-on", "never", *simweb.cli_args(),
                *archive.cli_args(), *extra,
            )  # fmt: skip
            report = json.loads((out / "report.json").read_text(encoding="utf-8"))
            patch = cli("patch", str(src), "--report", str(out / "report.json"))
            return report["references"][0]["link"], patch.output

        link, patched = night()
        assert link["status"] == "failing" and link["detail"].startswith("soft 404, 1/3")
        assert "url_status" not in patched and "/web/2017" not in patched
        link, patched = night("--confirm-now")
        assert link["status"] == "soft-404"
        assert "/web/20170415120000/" in patched


def test_an_inconclusive_crawl_records_nothing_and_leaves_the_links_due(tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite")
    urls = [f"http://site{i}.invalid/page" for i in range(4)]  # resolve nowhere
    with open_store(state) as store:
        store.add_links(urls, store.now())
    result = cli("crawl", "--state", state, "--no-archive")
    assert result.exit_code == 3 and "inconclusive" in result.output
    with open_store(state) as store:
        assert store.verdicts(urls) == {}  # nothing counted
        assert sorted(store.claim_due(store.now(), "next")) == sorted(urls)  # leases released


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"id,url\n1,http://a.example/\n", "not a MediaWiki XML dump"),
        (b"<html><body>hello</body></html>", "no <page> in it"),
    ],
)
def test_load_refuses_what_is_not_a_dump(tmp_path: Path, content: bytes, says: str) -> None:
    path = tmp_path / "refs.xml"
    path.write_bytes(content)
    result = cli("load", str(path), "--state", str(tmp_path / "s.sqlite"))
    assert result.exit_code == 2 and says in result.output
    assert "Traceback" not in result.output


def test_crawl_on_postgresql_picks_the_engine_unless_asked_otherwise(
    tmp_path: Path, simweb: SimWeb, postgres_dsn: str
) -> None:
    dump = write_dump(tmp_path / "wiki.xml", pages(4, simweb_urls(simweb), per_page=3))
    assert cli("load", str(dump), "--state", postgres_dsn).exit_code == 0
    args = ["crawl", "--state", postgres_dsn, "--no-archive", "--no-probe"]
    args += ["--host-interval", "0", *simweb.cli_args()]
    # --limit is a cap for the whole run: only the one-batch inline path has one.
    capped = cli(*args, "--limit", "5")
    assert capped.exit_code == 0, capped.output
    assert "partitions" not in capped.output and crawled(capped.output) == (5, "5 alive", 7)
    inline = cli(*args, "--engine", "inline", "--site-budget", "2")
    assert "partitions" not in inline.output
    checked, verdicts, left = crawled(inline.output)
    assert 0 < checked <= 4 and verdicts == f"{checked} alive" and left == 7 - checked
    default = cli(*args)  # no --engine: partition by partition, in this process
    assert default.exit_code == 0, default.output
    assert re.search(r"part \d+: checked", default.output), default.output
    assert crawled(default.output) == (left, f"{left} alive", 0)
    refused = cli(*args, "--engine", "inline", "--scheduler", "tcp://127.0.0.1:1")
    assert refused.exit_code == 2 and "--scheduler needs --engine dask" in refused.output
