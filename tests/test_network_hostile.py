"""Hostile and broken networks, through the CLI: connection reuse, a captive portal,
TLS failing on one host or everywhere, a tarpit host cut short by the circuit breaker."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.links.fetch import FetchConfig
from checker.links.runner import LinkConfig, check_links
from checker.links.scheduler import Politeness
from checker.model import LinkStatus, Reference
from checker.testing.simweb import SimWeb

PORTAL_NAMES = [f"site{i}.example" for i in range(6)]
TLS_NAMES = ["secure.example", "shop.example", "bank.example"]


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimWeb]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    names = ",".join(f"DNS:{n}" for n in TLS_NAMES)
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            f"/CN={TLS_NAMES[0]}",
            "-addext",
            f"subjectAltName={names}",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip: a self-signed certificate, made at test time
    with SimWeb() as simweb:
        simweb.add_portal(PORTAL_NAMES)
        simweb.add_tls(TLS_NAMES, str(cert), str(key))
        yield simweb


def run_cli(tmp_path: Path, urls: list[str], *args: str) -> tuple[int, dict[str, Any], str]:
    src = tmp_path / "refs.csv"
    src.write_text(
        "id,url,title\n" + "".join(f"{i},{u},Story\n" for i, u in enumerate(urls, 1)),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["check", str(src), "--out", str(out), "--format", "json", "--no-archive",
         "--state", str(tmp_path / "state.sqlite"), "--host-interval", "0", *args],
    )  # fmt: skip
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return result.exit_code, report, result.output


def links(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["fields"]["url"]: r["link"] for r in report["references"] if r["link"]}


def recorded_failures(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "state.sqlite") as db:
        tables = {row[0] for row in db.execute("select name from sqlite_master")}
        if "links" not in tables:
            return 0
        return int(db.execute("select count(*) from links where failures > 0").fetchone()[0])


def test_connections_are_reused_per_host_and_worker(web: SimWeb, tmp_path: Path) -> None:
    urls = [web.url("blog.example", f"/article/story-{i}") for i in range(12)]
    before = web.connections_opened("blog.example")
    config = LinkConfig(
        fetch=FetchConfig(allow_private=True, deadline=5),
        politeness=Politeness(host_concurrency=2, host_interval=0),
        state_path=None,
    )
    run = check_links([Reference(str(i), url=u) for i, u in enumerate(urls)], config,
                      resolver=web.resolver)  # fmt: skip
    assert {r.status for r in run.results.values()} == {LinkStatus.ALIVE}
    requests = [r for r in web.requests_to("blog.example") if r.path.startswith("/article/")]
    assert len(requests) >= 12  # one GET per link
    opened = web.connections_opened("blog.example") - before
    assert 1 <= opened <= 2  # one per host and worker, not one per URL


def test_a_captive_portal_makes_the_run_inconclusive(web: SimWeb, tmp_path: Path) -> None:
    urls = [web.url(name, f"/news/{i}/story") for i, name in enumerate(PORTAL_NAMES)]
    urls.append(web.url("news.example", "/article/real-story"))
    code, report, _ = run_cli(tmp_path, urls, *web.cli_args(), "--confirm-now")
    assert code == 3
    seen = links(report)
    assert {seen[u]["status"] for u in urls} == {"inconclusive"}  # no soft-404 for anyone
    inconclusive = [f for f in report["list_findings"] if f["code"] == "links-inconclusive"]
    assert inconclusive and "captive portal" in inconclusive[0]["message"]
    assert recorded_failures(tmp_path) == 0
    with sqlite3.connect(tmp_path / "state.sqlite") as db:  # the portal's page is no answer
        assert db.execute("select count(*) from probes").fetchone()[0] == 0


def test_one_hosts_bad_certificate_is_tls_error_never_dead(web: SimWeb, tmp_path: Path) -> None:
    bad = web.url("secure.example", "/article/real-story")
    ok = [web.url("news.example", "/article/real-story"), web.url("blog.example", "/")]
    code, report, _ = run_cli(tmp_path, [bad, *ok], *web.cli_args(), "--confirm-now")
    assert code == 0  # a warning (default --fail-on error): the run itself is fine
    seen = links(report)
    assert seen[bad]["status"] == "tls-error"
    assert "certificate" in seen[bad]["detail"].lower()
    assert {seen[u]["status"] for u in ok} == {"alive"}
    codes = {f["code"] for r in report["references"] for f in r["findings"]}
    assert "link-tls-error" in codes and "link-dead" not in codes


def test_tls_failing_everywhere_is_inconclusive(web: SimWeb, tmp_path: Path) -> None:
    urls = [web.url(name, "/article/real-story") for name in TLS_NAMES]
    urls.append(web.url("news.example", "/article/real-story"))
    code, report, _ = run_cli(tmp_path, urls, *web.cli_args(), "--confirm-now")
    assert code == 3
    assert {s["status"] for s in links(report).values()} == {"inconclusive"}
    message = next(
        f["message"] for f in report["list_findings"] if f["code"] == "links-inconclusive"
    )
    assert "TLS" in message
    assert recorded_failures(tmp_path) == 0


def test_a_tarpit_host_is_cut_short_by_the_circuit_breaker(web: SimWeb, tmp_path: Path) -> None:
    web.clear_log()
    tarpit = [web.url("slow.example", f"/page-{i}?s=30") for i in range(8)]
    ok = web.url("news.example", "/article/real-story")
    args = ("--timeout", "1", "--host-concurrency", "2")
    code, report, _ = run_cli(tmp_path, [*tarpit, ok], *web.cli_args(), *args)
    assert code != 3  # the network works: news.example answered
    seen = links(report)
    assert seen[ok]["status"] == "alive"
    rules = [seen[u]["rule"] for u in tarpit]
    assert {seen[u]["status"] for u in tarpit} == {"transient"}  # unknown, never failing
    assert rules.count("host-timeouts") >= 4  # cut short: not fetched at all
    assert "circuit breaker" in seen[tarpit[-1]]["detail"]
    assert len(web.requests_to("slow.example")) <= 4  # 3 timeouts + at most 1 more in flight
