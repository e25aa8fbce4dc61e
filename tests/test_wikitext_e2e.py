"""check → patch on an article's wikitext, end to end on loopback: links checked against
the simulated web, captures looked up in the local archive double."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from checker.cli import main
from checker.importers.wikitext_format import read
from checker.testing.archive_double import ArchiveDouble
from checker.testing.simweb import SimWeb

TITLE = "Chechnya detains 100 gay men in camps"


def test_check_then_patch_an_article(simweb: SimWeb, tmp_path: Path) -> None:
    gone = simweb.url("news.example", "/status/404")
    lost = simweb.url("news.example", "/status/410")
    alive = simweb.url("news.example", "/article/real-story")
    article = (
        "{{Use mdy dates}}\n"
        "'''Topic''' is notable.<ref name=gone>{{cite news\n"
        f"| url = {gone}\n"
        f"| title = {TITLE}\n"
        "| date = April 10, 2017\n"
        "| access-date = April 16, 2017\n"
        "}}</ref> Still.<ref name=gone />\n"
        f"Lost.<ref>{{{{cite web |url={lost} |title=A lost page"
        " |access-date=May 2, 2018}}</ref>\n"
        f"Alive.<ref>[{alive} Real Story — Example News]</ref>\n"
    )
    src = tmp_path / "topic.wiki"
    src.write_text(article, encoding="utf-8")
    with ArchiveDouble() as archive:
        archive.add_capture(gone, "20170415120000", title=TITLE)
        wayback = archive.base_url
        args = [
            "check", str(src), "--out", str(tmp_path / "reports"), "--allow-private",
            "--confirm-now", "--timeout", "5", "--host-interval", "0",
            "--state", str(tmp_path / "state.sqlite"), "--wayback-url", archive.base_url,
            "--archive-rate", "600", "--fail-on", "never",
        ]  # fmt: skip
        for host, (ip, _) in simweb.hosts.items():
            args += ["--resolve", f"{host}={ip}"]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "reports" / "report.json").read_text(encoding="utf-8"))
    codes = {ref["id"]: {f["code"] for f in ref["findings"]} for ref in report["references"]}
    assert "archive-found" in codes["gone"] and "archive-none" in codes["ref-2"]
    assert report["references"][0]["location"]["text"] == f"{src}:2"

    patched = CliRunner().invoke(
        main, ["patch", str(src), "--report", str(tmp_path / "reports" / "report.json"), "--write"]
    )
    assert patched.exit_code == 0, patched.output
    text = src.read_text(encoding="utf-8")
    assert text.startswith(article.split("}}</ref> Still.")[0].rstrip("\n"))
    assert (
        "| access-date = April 16, 2017\n"
        f"| archive-url = {wayback}/web/20170415120000/{gone}\n"
        "| archive-date = April 15, 2017\n"
        "| url-status = dead\n"
        "}}</ref> Still.<ref name=gone />\n"
    ) in text
    assert "|access-date=May 2, 2018}}{{dead link|date=" in text
    assert text.endswith(f"Alive.<ref>[{alive} Real Story — Example News]</ref>\n")
    refs = {ref.id: ref for ref in read(str(src), src.read_bytes()).references}
    assert refs["gone"].url_status == "dead" and refs["gone"].archive_date == "April 15, 2017"
    assert refs["ref-2"].url_status == "dead"
    again = CliRunner().invoke(
        main, ["patch", str(src), "--report", str(tmp_path / "reports" / "report.json"), "--write"]
    )
    assert again.exit_code == 0 and "nothing to patch" in again.output, again.output
    assert src.read_text(encoding="utf-8") == text
