"""patch on an article's wikitext: only the intended templates change, every other byte
stays; the result reads back with the archive fields set."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.importers.wikitext_format import read, scan
from checker.patch.plan import CellChange, PatchRefused
from checker.patch.wikitext import (
    DEAD_LINK_FIELD,
    WikiChange,
    apply_wikitext,
    patch_wikitext,
    plan_wikitext,
)

ARTICLE = Path(__file__).parent / "data" / "article.wiki"
WAYBACK = "https://web.archive.org/web/"
GUARDIAN = "https://www.theguardian.com/world/2017/apr/02/rio-ejemplo-floods"
TODAY = dt.date(2024, 11, 5)


def _found(ref: dict[str, Any], url: str, date: str, status: str = "dead") -> None:
    """What a run that found the link rotten and a capture would have reported."""
    ref["link"] = {"url": ref["fields"]["url"], "status": status, "rule": "http-404"}
    cells = {"archive_url": url, "archive_date": date, "url_status": status}
    ref["findings"].append(
        {"code": "archive-found", "severity": "info", "field": "archive_url",
         "fields": list(cells), "values": list(cells.values()), "message": "capture found",
         "suggestion": "", "suggested": cells, "related": []}
    )  # fmt: skip


def _none(ref: dict[str, Any], status: str = "dead") -> None:
    ref["link"] = {"url": ref["fields"]["url"], "status": status, "rule": "http-404"}
    ref["findings"].append(
        {"code": "archive-none", "severity": "warning", "field": "url", "fields": ["url"],
         "values": [ref["fields"]["url"]], "message": "No usable archived copy",
         "suggestion": "", "suggested": {}, "related": []}
    )  # fmt: skip


def _broken(ref: dict[str, Any], url: str, date: str) -> None:
    ref["link"] = {"url": ref["fields"]["url"], "status": "dead", "rule": "http-404"}
    cells = {"archive_url": url, "archive_date": date, "url_status": "dead"}
    ref["findings"].append(
        {"code": "archive-url-broken", "severity": "error", "field": "archive_url",
         "fields": ["archive_url"], "values": [ref["fields"]["archive_url"]],
         "message": "The archived copy is unusable", "suggestion": "", "suggested": cells,
         "related": []}
    )  # fmt: skip


@pytest.fixture()
def checked(tmp_path: Path) -> tuple[Path, Path]:
    """The article checked offline, and its report edited as a run with links would
    have written it."""
    src = tmp_path / "article.wiki"
    shutil.copyfile(ARTICLE, src)
    out = tmp_path / "reports"
    args = ["check", str(src), "--offline", "--out", str(out), "--today", "2024-11-05"]
    result = CliRunner().invoke(main, [*args, "--fail-on", "never", "--format", "json"])
    assert result.exit_code == 0, result.output
    report_path = out / "report.json"
    report = json.loads(report_path.read_text(encoding="utf-8"))
    refs = {ref["id"]: ref for ref in report["references"]}
    _found(refs["guardian"], f"{WAYBACK}20170416093000/{GUARDIAN}", "2017-04-16")
    _found(refs["length"], f"{WAYBACK}20210304000000/https://www.ign.example/rios/ejemplo",
           "March 4, 2021", status="usurped")  # fmt: skip
    _found(refs["ref-4"], f"{WAYBACK}20100101000000/http://bridges.example.com/ejemplo-1901",
           "2010-01-01")  # fmt: skip
    nyt = "http://www.nytimes.com/2017/05/01/world/valley.html"
    _broken(refs["ref-3"], f"{WAYBACK}20170531000000/{nyt}", "2017-05-31")  # marked live
    _broken(refs["ref-9"], f"{WAYBACK}20190202000000/https://turismo.example/prensa/2019",
            "2019-02-02")  # fmt: skip
    _none(refs["ldr-report"])
    _none(refs["unused-ldr"], status="usurped")
    report_path.write_text(json.dumps(report), encoding="utf-8")
    return src, report_path


def _templates(text: str) -> dict[str, str]:
    """Each reference's citation text (node plus what follows it inside the ref)."""
    found = scan("a.wiki", text)
    spans = {}
    for cite in found.citations:
        nodes = cite.container.nodes
        start = nodes.index(cite.node)
        inside = cite.ref is not None and cite.node is not cite.ref
        end = len(nodes) if inside else start + 1
        spans[cite.id] = "".join(str(node) for node in nodes[start:end])
    return spans


def test_round_trip_changes_only_the_intended_templates(checked: tuple[Path, Path]) -> None:
    src, report_path = checked
    original = src.read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["patch", str(src), "--report", str(report_path), "--write"])
    assert result.exit_code == 0, result.output
    patched = src.read_text(encoding="utf-8")
    assert "ref-3 (line 17): left alone: a person marked it url-status=live" in result.output
    assert "ref-9 (line 25): left alone: it links an archive of another service" in result.output

    # Outside the spans of the five intended references, byte for byte the same.
    before, after = _templates(original), _templates(patched)
    changed = {"guardian", "length", "ref-4", "ldr-report", "unused-ldr"}
    assert {i for i in before if before[i] != after[i]} == changed
    expected = original
    for ref_id in changed:
        assert expected.count(before[ref_id]) == 1
        expected = expected.replace(before[ref_id], after[ref_id])
    assert patched == expected

    # The patched article reads back with the archive fields set.
    refs = {ref.id: ref for ref in read(str(src), src.read_bytes()).references}
    guardian = refs["guardian"]
    assert guardian.archive_url == f"{WAYBACK}20170416093000/{GUARDIAN}"
    assert guardian.archive_date == "16 April 2017"  # {{Use dmy dates}}, not the ISO offered
    assert guardian.url_status == "dead"
    assert refs["length"].url_status == "usurped"
    assert refs["length"].archive_date == "4 March 2021"
    assert refs["ref-4"].archive_url.endswith("/http://bridges.example.com/ejemplo-1901")
    assert refs["ref-4"].archive_date == "1 January 2010"
    assert refs["ref-3"].url_status == "live"  # human-marked: untouched
    assert refs["ref-9"].archive_url.startswith("https://archive.today/")

    month = f"{dt.date.today():%B} {dt.date.today().year}"
    mark = f"{{{{dead link|date={month}|bot=citewatch|fix-attempted=yes}}}}"
    assert after["ldr-report"].endswith(f"}}}}{mark}")
    assert after["unused-ldr"].endswith(f"}}}}{mark}")
    assert refs["ldr-report"].url_status == "dead"
    assert patched.count(mark) == 2


def test_multi_line_template_gets_one_parameter_a_line(checked: tuple[Path, Path]) -> None:
    src, report_path = checked
    CliRunner().invoke(main, ["patch", str(src), "--report", str(report_path), "--write"])
    text = src.read_text(encoding="utf-8")
    assert (
        " |accessdate=16 April 2017<!-- checked again in 2019 -->\n"
        f" |archive-url={WAYBACK}20170416093000/{GUARDIAN}\n"
        " |archive-date=16 April 2017\n"
        " |url-status=dead\n"
        "}}</ref>"
    ) in text
    assert (
        "|access-date=4 March 2021 |archive-url=https://web.archive.org/web/20210304000000/"
        "https://www.ign.example/rios/ejemplo |archive-date=4 March 2021 |url-status=usurped}}"
    ) in text
    assert (
        "[http://bridges.example.com/ejemplo-1901 The old bridge at Ejemplo] {{webarchive|url="
        "https://web.archive.org/web/20100101000000/http://bridges.example.com/ejemplo-1901"
        "|date=1 January 2010}}</ref>"
    ) in text


def test_diff_is_the_default_and_writes_nothing(checked: tuple[Path, Path]) -> None:
    src, report_path = checked
    before = src.read_bytes()
    result = CliRunner().invoke(main, ["patch", str(src), "--report", str(report_path)])
    assert result.exit_code == 0, result.output
    assert "+ |archive-date=16 April 2017" in result.output
    assert "use --write to apply" in result.output
    assert src.read_bytes() == before


def test_force_edits_what_a_person_marked(checked: tuple[Path, Path]) -> None:
    src, report_path = checked
    result = CliRunner().invoke(
        main, ["patch", str(src), "--report", str(report_path), "--write", "--force"]
    )
    assert result.exit_code == 0, result.output
    refs = {ref.id: ref for ref in read(str(src), src.read_bytes()).references}
    assert refs["ref-3"].url_status == "dead"
    assert refs["ref-3"].archive_url.startswith(f"{WAYBACK}20170531000000/")
    assert refs["ref-3"].archive_date == "31 May 2017"
    assert refs["ref-9"].archive_url.startswith(WAYBACK)
    # archiveurl/archivedate aliases were filled in place, not added twice.
    text = src.read_text(encoding="utf-8")
    assert "|archiveurl=https://web.archive.org/web/20190202000000/" in text
    assert "archive-url=https://web.archive.org/web/20190202000000/" not in text


def test_plan_carries_line_and_url() -> None:
    report = {
        "references": [
            {"id": "a", "location": {"line": 3}, "fields": {"url": "http://a.example"},
             "link": {"status": "dead"},
             "findings": [{"code": "archive-none", "suggested": {}}]},
            {"id": "b", "location": {"line": 4}, "fields": {"url": "http://b.example"},
             "link": {"status": "blocked"},
             "findings": [{"code": "archive-none", "suggested": {}}]},
        ]
    }  # fmt: skip
    assert plan_wikitext(report) == [
        WikiChange("a", DEAD_LINK_FIELD, "", "", "archive-none", line=3, url="http://a.example")
    ]


def _article(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "a.wiki"
    path.write_bytes(text.encode("utf-8"))
    return path


def _rescue(url: str, line: int, date: str = "2017-04-16") -> list[CellChange]:
    archive = f"{WAYBACK}20170416000000/{url}"
    return [
        WikiChange("ref-1", "archive_url", "", archive, "archive-found", line=line, url=url),
        WikiChange("ref-1", "archive_date", "", date, "archive-found", line=line, url=url),
        WikiChange("ref-1", "url_status", "", "dead", "archive-found", line=line, url=url),
    ]


@pytest.mark.parametrize(
    ("access", "written"),
    [("May 31, 2017", "April 16, 2017"), ("2017-05-31", "2017-04-16"), ("", "2017-04-16")],
)
def test_archive_date_follows_the_access_date_without_use_dates(
    tmp_path: Path, access: str, written: str
) -> None:
    path = _article(
        tmp_path,
        f"X.<ref>{{{{cite web|url=http://a.example/|title=A|access-date={access}}}}}</ref>",
    )
    diff = apply_wikitext(path, _rescue("http://a.example/", 1), True, TODAY)
    assert diff.startswith("--- a/a.wiki\n+++ b/a.wiki\n")
    assert f"|archive-date={written}|url-status=dead}}}}</ref>" in path.read_text(encoding="utf-8")


def test_deadurl_is_renamed_and_empty_parameters_filled(tmp_path: Path) -> None:
    path = _article(
        tmp_path,
        "X.<ref>{{cite web |url=http://a.example/ |title=A |archive-url= |deadurl=yes }}</ref>\n",
    )
    changes = _rescue("http://a.example/", 1)
    changes[2] = WikiChange("ref-1", "url_status", "dead", "usurped", "archive-found", line=1,
                            url="http://a.example/")  # fmt: skip
    patch = patch_wikitext(path, changes, True, TODAY)
    assert len(patch.applied) == 3 and patch.notes == ()
    assert path.read_text(encoding="utf-8") == (
        f"X.<ref>{{{{cite web |url=http://a.example/ |title=A |archive-url={WAYBACK}"
        "20170416000000/http://a.example/ |url-status=usurped |archive-date=2017-04-16 }}</ref>\n"
    )


def test_dead_link_after_a_bare_link_and_not_twice(tmp_path: Path) -> None:
    text = (
        "{{Use mdy dates}}\nA.<ref>[http://a.example/ A page]</ref>\n"
        "B.<ref>{{cite web|url=http://b.example/|title=B}} {{Dead link|date=May 2020}}</ref>\n"
    )
    path = _article(tmp_path, text)
    changes: list[CellChange] = [
        WikiChange("ref-1", DEAD_LINK_FIELD, "", "", "archive-none", line=2, url="http://a.example/"),
        WikiChange("ref-2", DEAD_LINK_FIELD, "", "", "archive-none", line=3, url="http://b.example/"),
    ]  # fmt: skip
    notes: list[str] = []
    apply_wikitext(path, changes, True, TODAY, notes=notes)
    assert path.read_text(encoding="utf-8") == text.replace(
        "A page]", "A page]{{dead link|date=November 2024|bot=citewatch|fix-attempted=yes}}"
    )
    assert notes == [
        "ref-2 (line 3): left alone: it is already marked dead or links an archived copy"
    ]


def test_refuses_what_it_cannot_find_or_what_changed(tmp_path: Path) -> None:
    path = _article(tmp_path, "X.<ref>{{cite web|url=http://a.example/|title=A}}</ref>\n")
    with pytest.raises(PatchRefused, match="not where the report saw it"):
        apply_wikitext(path, _rescue("http://other.example/", 1), False, TODAY)
    stale = [WikiChange("ref-1", "archive_url", "http://old", "http://new", "archive-url-broken",
                        line=1, url="http://a.example/")]  # fmt: skip
    with pytest.raises(PatchRefused, match="the report saw 'http://old'"):
        apply_wikitext(path, stale, False, TODAY)
    path.write_bytes(b"X.<ref>{{cite web|url=http://a.example/|title=Caf\xe9}}</ref>\n")
    with pytest.raises(PatchRefused, match="not UTF-8"):
        apply_wikitext(path, _rescue("http://a.example/", 1), False, TODAY)


def test_located_by_line_and_url_when_ids_shifted(tmp_path: Path) -> None:
    """The report's id may be another reference's now: line and URL decide."""
    text = (
        "A.<ref>{{cite web|url=http://a.example/|title=A}}</ref>\n"
        "B.<ref>{{cite web|url=http://b.example/|title=B}}</ref>\n"
    )
    path = _article(tmp_path, text)
    changes = [
        WikiChange(
            "ref-1", DEAD_LINK_FIELD, "", "", "archive-none", line=2, url="http://b.example/"
        )
    ]
    apply_wikitext(path, changes, True, TODAY)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "A.<ref>{{cite web|url=http://a.example/|title=A}}</ref>"
    assert lines[1].endswith(
        "title=B}}{{dead link|date=November 2024|bot=citewatch|fix-attempted=yes}}</ref>"
    )


def test_bom_and_crlf_survive(tmp_path: Path) -> None:
    text = "X.<ref>{{cite web|url=http://a.example/|title=A}}</ref>\r\nMore.\r\n"
    path = tmp_path / "a.wiki"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    apply_wikitext(path, _rescue("http://a.example/", 1), True, TODAY)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.endswith(b"</ref>\r\nMore.\r\n")


def test_patch_still_refuses_other_formats(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("@misc{a, title={A}}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["patch", str(path), "--report", str(tmp_path / "r.json")])
    assert result.exit_code == 2
    assert "wikitext" in result.output


def test_a_broken_archive_is_replaced_where_it_is(tmp_path: Path) -> None:
    """In the {{webarchive}} that holds it, or in the template's own archive-url."""
    old = "https://web.archive.org/web/2016/http://a.example/"
    text = (
        "{{Use dmy dates}}\n"
        f"A.<ref>{{{{cite web|url=http://a.example/|title=A}}}} {{{{webarchive|url={old}"
        "|date=1 January 2016}}</ref>\n"
        f"B.<ref>{{{{cite web|url=http://b.example/|title=B|archive-url={old}|archive-date=2016}}}}"
        "</ref>\n"
    )
    path = _article(tmp_path, text)
    new_a = f"{WAYBACK}20170416000000/http://a.example/"
    new_b = f"{WAYBACK}20170416000000/http://b.example/"
    changes: list[CellChange] = []
    for ref_id, line, url, new, date in (
        ("ref-1", 2, "http://a.example/", new_a, "1 January 2016"),
        ("ref-2", 3, "http://b.example/", new_b, "2016"),
    ):
        changes += [
            WikiChange(ref_id, "archive_url", old, new, "archive-url-broken", line=line, url=url),
            WikiChange(ref_id, "archive_date", date, "2017-04-16", "archive-url-broken",
                       line=line, url=url),
        ]  # fmt: skip
    apply_wikitext(path, changes, True, TODAY)
    assert path.read_text(encoding="utf-8") == (
        "{{Use dmy dates}}\n"
        f"A.<ref>{{{{cite web|url=http://a.example/|title=A}}}} {{{{webarchive|url={new_a}"
        "|date=16 April 2017}}</ref>\n"
        f"B.<ref>{{{{cite web|url=http://b.example/|title=B|archive-url={new_b}"
        "|archive-date=16 April 2017}}</ref>\n"
    )
