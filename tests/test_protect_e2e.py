"""check --save → report → patch --accept-new-captures, and quote/drift findings, through
the CLI on loopback (simulated web, archive double, SPN2 double); secrets never written."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from checker.cli import main
from checker.testing.archive_double import ArchiveDouble
from checker.testing.simweb import SimWeb
from checker.testing.spn_double import SpnDouble

ACCESS = "AKcitewatchACCESS7319"
SECRET = "SKcitewatchSECRET-84c1f2e9"
KEYS = {"CITEWATCH_IA_ACCESS": ACCESS, "CITEWATCH_IA_SECRET": SECRET}
NO_KEYS: dict[str, str | None] = {"CITEWATCH_IA_ACCESS": None, "CITEWATCH_IA_SECRET": None}
STAMP = "20261127083000"
TEXT = (
    "The committee met on Tuesday to review the harbour plan. After three hours of debate "
    "the chair said the city would not relent on the question of public access to the "
    "waterfront, whatever the developers offered. Residents who attended welcomed the "
    "decision, while the developers said they would study the ruling before deciding on "
    "an appeal. The plan now goes to the full council, which votes next month."
)
OTHER = (
    "Council officials confirmed on Friday that the summer festival will move to the old "
    "railway yard. Organisers expect more visitors than last year and have asked for extra "
    "trains on the weekend. Local shops along the high street plan longer opening hours, "
    "and the police will close two roads near the station during the parade."
)


def html(text: str) -> str:
    return (
        "<html><head><title>Harbour plan</title></head><body><nav>Home · News</nav>"
        f"<main><article><h1>Harbour plan</h1><p>{text}</p></article></main></body></html>"
    )


@pytest.fixture
def doubles() -> Iterator[tuple[ArchiveDouble, SpnDouble]]:
    with (
        ArchiveDouble() as ia,
        SpnDouble(access=ACCESS, secret=SECRET, archive=ia, timestamp=STAMP) as spn,
    ):
        yield ia, spn


def check(
    simweb: SimWeb,
    ia: ArchiveDouble,
    spn: SpnDouble,
    src: Path,
    tmp_path: Path,
    env: dict[str, str | None],
    *extra: str,
) -> tuple[Result, dict[str, Any]]:
    args = [
        "check", str(src), "--out", str(tmp_path / "reports"), "--timeout", "5",
        "--host-interval", "0", "--state", str(tmp_path / "state.sqlite"),
        "--fail-on", "never", *ia.cli_args(), "--save-url", spn.base_url,
        "--save-poll", "0.01", *simweb.cli_args(), *extra,
    ]  # fmt: skip
    result = CliRunner(env=env).invoke(main, args)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "reports" / "report.json").read_text(encoding="utf-8"))
    return result, report


def by_id(report: dict[str, Any]) -> dict[str, list[str]]:
    return {r["id"]: [f["code"] for f in r["findings"]] for r in report["references"]}


def write_csv(simweb: SimWeb, ia: ArchiveDouble, tmp_path: Path) -> Path:
    saved = simweb.url("news.example", "/article/real-story")
    quoted, drifted = simweb.url("news.example", "/p-quote"), simweb.url("blog.example", "/p-d")
    simweb.set_page("news.example", "/p-quote", html(TEXT.replace("not relent", "compromise")))
    simweb.set_page("blog.example", "/p-d", html(OTHER))
    ia.add_capture(quoted, "20190502000000", body=html(TEXT))
    ia.add_capture(drifted, "20190502000000", body=html(TEXT))
    rows = [
        "id,url,title,access_date,archive_url,archive_date,url_status,quote",
        f"saved,{saved},Real Story — Example News,1 May 2019,,,,",
        f"quoted,{quoted},Harbour plan,1 May 2019,https://web.archive.org/web/20190502000000/"
        f'{quoted},2 May 2019,live,"""the city would not relent on the question"""',
        f"drifted,{drifted},Harbour plan,1 May 2019,https://web.archive.org/web/"
        f"20190502000000/{drifted},2 May 2019,live,",
    ]
    src = tmp_path / "refs.csv"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return src


def test_save_verify_report_and_patch_a_csv(
    simweb: SimWeb, doubles: tuple[ArchiveDouble, SpnDouble], tmp_path: Path
) -> None:
    ia, spn = doubles
    src = write_csv(simweb, ia, tmp_path)
    result, report = check(simweb, ia, spn, src, tmp_path, dict(KEYS), "--save")
    found = by_id(report)
    assert "new-capture" in found["saved"]
    assert "quote-found-in-snapshot-only" in found["quoted"]
    assert "content-drift" in found["drifted"]
    saved_url = simweb.url("news.example", "/article/real-story")
    assert [c["url"] for c in report["captures"]] == [saved_url]
    capture = report["captures"][0]
    assert capture["status"] == "captured" and capture["timestamp"] == STAMP
    assert [s["url"] for s in spn.submissions] == [saved_url]  # only the unarchived one
    assert "1 captures in the Wayback Machine (1 new this run)" in result.output
    page = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert "New captures (Save Page Now)" in page and f"/web/{STAMP}/" in page

    report_path = str(tmp_path / "reports" / "report.json")
    plain = CliRunner().invoke(main, ["patch", str(src), "--report", report_path, "--write"])
    assert plain.exit_code == 0 and "nothing to patch" in plain.output
    patched = CliRunner().invoke(
        main, ["patch", str(src), "--report", report_path, "--write", "--accept-new-captures"]
    )
    assert patched.exit_code == 0, patched.output
    line = src.read_text(encoding="utf-8").splitlines()[1]
    wayback = ia.base_url
    assert line == (
        f"saved,{saved_url},Real Story — Example News,1 May 2019,"
        f"{wayback}/web/{STAMP}/{saved_url},27 November 2026,live,"
    )


def test_a_wikitext_citation_gets_the_parameters_iabot_writes(
    simweb: SimWeb, doubles: tuple[ArchiveDouble, SpnDouble], tmp_path: Path
) -> None:
    ia, spn = doubles
    alive = simweb.url("news.example", "/article/real-story")
    article = (
        "{{Use dmy dates}}\n"
        f"Text.<ref>{{{{cite web |url={alive} |title=Real Story — Example News"
        " |access-date=1 May 2019 |url-status=live}}</ref>\n"
    )
    src = tmp_path / "topic.wiki"
    src.write_text(article, encoding="utf-8")
    check(simweb, ia, spn, src, tmp_path, dict(KEYS), "--save")
    report_path = str(tmp_path / "reports" / "report.json")
    patched = CliRunner().invoke(
        main, ["patch", str(src), "--report", report_path, "--write", "--accept-new-captures"]
    )
    assert patched.exit_code == 0, patched.output
    assert src.read_text(encoding="utf-8") == article.replace(
        " |url-status=live}}",
        f" |url-status=live |archive-url={ia.base_url}/web/{STAMP}/{alive}"
        " |archive-date=27 November 2026}}",
    )


def test_save_without_keys_says_so_once_and_saves_nothing(
    simweb: SimWeb, doubles: tuple[ArchiveDouble, SpnDouble], tmp_path: Path
) -> None:
    ia, spn = doubles
    src = write_csv(simweb, ia, tmp_path)
    result, report = check(simweb, ia, spn, src, tmp_path, dict(NO_KEYS), "--save")
    assert result.output.count("CITEWATCH_IA_ACCESS and CITEWATCH_IA_SECRET") == 1
    assert spn.requests == [] and report["captures"] == []
    assert [f["code"] for f in report["list_findings"]] == ["save-no-keys"]


def test_save_from_the_config_file(
    simweb: SimWeb, doubles: tuple[ArchiveDouble, SpnDouble], tmp_path: Path
) -> None:
    ia, spn = doubles
    src = write_csv(simweb, ia, tmp_path)
    config = tmp_path / "citewatch.toml"
    config.write_text("save = true\nsave_if_older = 30\n", encoding="utf-8")
    args = ["--config", str(config)]
    result = CliRunner(env=dict(KEYS)).invoke(
        main,
        [
            *args, "check", str(src), "--out", str(tmp_path / "reports"), "--timeout", "5",
            "--host-interval", "0", "--state", str(tmp_path / "state.sqlite"),
            "--fail-on", "never", *ia.cli_args(), "--save-url", spn.base_url,
            "--save-poll", "0.01", *simweb.cli_args(),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert spn.submissions and spn.submissions[0]["if_not_archived_within"] == "30d"


def test_no_secret_in_reports_logs_messages_or_state(
    simweb: SimWeb,
    doubles: tuple[ArchiveDouble, SpnDouble],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ia, spn = doubles
    caplog.set_level(logging.DEBUG)
    src = write_csv(simweb, ia, tmp_path)
    spn.fail(simweb.url("news.example", "/article/real-story"), "error:blocked-url")
    outputs = [check(simweb, ia, spn, src, tmp_path, dict(KEYS), "--save", "--recheck-all")[0]]
    # Wrong keys: SPN2 refuses them; the message names the variables, never the values.
    wrong = {"CITEWATCH_IA_ACCESS": ACCESS + "x", "CITEWATCH_IA_SECRET": SECRET + "y"}
    (tmp_path / "state.sqlite").unlink()
    outputs.append(check(simweb, ia, spn, src, tmp_path, wrong, "--save")[0])
    assert spn.auth_failures >= 1
    report = json.loads((tmp_path / "reports" / "report.json").read_text(encoding="utf-8"))
    stopped = [f["message"] for f in report["list_findings"] if f["code"] == "save-stopped"]
    assert stopped and "refused the credentials" in stopped[0]
    texts = [r.output for r in outputs] + [caplog.text]
    texts += [str(r.exception) for r in outputs if r.exception is not None]
    blobs = [p.read_bytes() for p in (tmp_path / "reports").iterdir()]
    blobs += [p.read_bytes() for p in tmp_path.glob("state.sqlite*")]
    assert blobs and len(texts) >= 3
    for secret in (ACCESS, SECRET):
        assert all(secret not in text for text in texts)
        assert all(secret.encode() not in blob for blob in blobs)


def test_make_demo_shows_a_capture_a_snapshot_only_quote_and_drift(tmp_path: Path) -> None:
    from checker.testing.demo import run

    assert run(tmp_path) == 0
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    codes = {code for ref in by_id(report).values() for code in ref}
    assert {"new-capture", "quote-found-in-snapshot-only", "content-drift"} <= codes
    drift = [
        f["message"]
        for r in report["references"]
        for f in r["findings"]
        if f["code"] == "content-drift"
    ]
    assert any("main text changed" in m and "similarity" in m for m in drift)
    assert any(c["status"] == "captured" for c in report["captures"])


def test_save_offline_says_it_has_no_effect(tmp_path: Path) -> None:
    src = tmp_path / "refs.csv"
    src.write_text("id,url\n1,http://news.example/a\n", encoding="utf-8")
    result = CliRunner(env=dict(KEYS)).invoke(
        main, ["check", str(src), "--offline", "--save", "--out", str(tmp_path / "r")]
    )
    assert result.exit_code in (0, 1), result.output
    assert "--save has no effect with --offline" in result.output
