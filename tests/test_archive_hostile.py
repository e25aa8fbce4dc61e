"""A hostile archive, through the CLI: a trickling answer is cut off by the per-call
deadline, oversized 429 and redirect bodies (and a gzip bomb) are capped, and a playback
redirect off the archive's host is never followed nor taken for the capture."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.testing.archive_double import ArchiveDouble
from checker.testing.simweb import SimWeb

TITLE = "Real Story — Example News"


@pytest.fixture()
def double() -> Iterator[ArchiveDouble]:
    with ArchiveDouble() as archive:
        yield archive


def _args(tmp_path: Path, web: SimWeb, archive: ArchiveDouble, url: str) -> list[str]:
    src = tmp_path / "refs.csv"
    src.write_text(
        f'id,url,title,date,access_date\n1,{url},"{TITLE}",10 April 2017,16 April 2017\n',
        encoding="utf-8",
    )
    return [
        "check", str(src), "--out", str(tmp_path / "out"), "--format", "json",
        "--confirm-now", "--timeout", "5", "--host-interval", "0", "--no-state",
        "--archive-timeout", "2", *web.cli_args(), *archive.cli_args(),
    ]  # fmt: skip


def _cli(tmp_path: Path, web: SimWeb, archive: ArchiveDouble, url: str) -> tuple[int, Any]:
    result = CliRunner().invoke(main, _args(tmp_path, web, archive, url))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    return result.exit_code, report["references"][0]


def test_a_trickling_cdx_answer_is_cut_off(
    simweb: SimWeb, double: ArchiveDouble, tmp_path: Path
) -> None:
    gone = simweb.url("news.example", "/status/404")
    double.add_capture(gone, "20170415000000", title=TITLE)
    double.trickle_next(count=1, interval=0.2)  # the CDX call trickles forever
    code, entry = _cli(tmp_path, simweb, double, gone)
    assert code == 1 and entry["link"]["status"] == "dead"
    assert entry["archive"]["status"] == "found"  # the availability API took over
    paths = [r.path for r in double.requests]
    assert paths[:2] == ["/cdx/search/cdx", "/wayback/available"]


def test_trickling_everywhere_leaves_the_lookup_pending(
    simweb: SimWeb, double: ArchiveDouble, tmp_path: Path
) -> None:
    gone = simweb.url("news.example", "/status/404")
    double.trickle_next(count=5, interval=0.2)
    _, entry = _cli(tmp_path, simweb, double, gone)
    assert entry["archive"]["status"] == "pending"
    assert "within 2 s" in entry["archive"]["detail"]


def _peak_rss_mb(args: list[str]) -> tuple[int, float]:
    child = subprocess.Popen(
        [sys.executable, "-m", "checker", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, usage.ru_maxrss / 1024


@pytest.mark.parametrize(
    ("status", "mb", "bomb"),
    [(429, 400, False), (302, 400, False), (302, 2, True)],
    ids=["429-400MB", "redirect-400MB", "redirect-gzip-bomb-2GB"],
)
def test_oversized_429_and_redirect_bodies_are_capped(
    simweb: SimWeb, double: ArchiveDouble, tmp_path: Path, status: int, mb: int, bomb: bool
) -> None:
    gone = simweb.url("news.example", "/status/404")
    double.add_capture(gone, "20170415000000", title=TITLE)
    double.oversize_next(status, mb, gzip_bomb=bomb)
    code, peak = _peak_rss_mb(_args(tmp_path, simweb, double, gone))
    assert code == 1
    assert peak < 250  # the body is never held whole, nor inflated
    entry = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert entry["references"][0]["archive"]["status"] == "found"  # after the bad answer


def test_playback_redirect_off_the_archive_is_never_followed(
    simweb: SimWeb, double: ArchiveDouble, tmp_path: Path
) -> None:
    gone = simweb.url("news.example", "/status/404")
    double.add_capture(gone, "20170415000000", title=TITLE)
    ip, port = simweb.hosts["blog.example"]
    elsewhere = f"http://{ip}:{port}/article/real-story"  # a page that would pass as the capture
    double.redirect_playback(gone, elsewhere)
    simweb.clear_log()
    _, entry = _cli(tmp_path, simweb, double, gone)
    assert entry["archive"]["status"] != "found"
    reasons = [c["reason"] for c in entry["archive"]["candidates"]]
    assert reasons and all("redirected off its host" in r for r in reasons)
    assert "refused" in reasons[0]  # vetted: a loopback target
    assert simweb.requests_to("blog.example") == []  # never followed
