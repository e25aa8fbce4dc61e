"""patch on another wiki's article writes that wiki's own parameter names and date style
(de: archiv-url/archiv-datum ISO + offline=ja; fr: archive-url/archive-date "16 avril
2017"; es: urlarchivo/fechaarchivo/urlmuerta), and nothing else changes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from checker.cli import main
from checker.importers.wikitext_format import read

DATA = Path(__file__).parent / "data" / "i18n"
WAYBACK = "https://web.archive.org/web/20170416093000/"


def _checked(tmp_path: Path, source: Path, rotten: dict[str, str]) -> tuple[Path, Path]:
    """The article checked offline; its report edited as a run that found the links of
    ``rotten`` (id -> status) dead with a capture (archive-found) or none (archive-none)."""
    src = tmp_path / source.name
    shutil.copyfile(source, src)
    out = tmp_path / "reports"
    args = ["check", str(src), "--offline", "--out", str(out), "--today", "2024-11-05"]
    result = CliRunner().invoke(main, [*args, "--fail-on", "never", "--format", "json"])
    assert result.exit_code == 0, result.output
    report_path = out / "report.json"
    report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
    for ref in report["references"]:
        if ref["id"] not in rotten:
            continue
        url = ref["fields"]["url"]
        ref["link"] = {"url": url, "status": "dead", "rule": "http-404"}
        if rotten[ref["id"]] == "found":
            cells = {"archive_url": WAYBACK + url, "archive_date": "2017-04-16",
                     "url_status": "dead"}  # fmt: skip
            code, values = "archive-found", list(cells.values())
        else:
            cells, code, values = {}, "archive-none", [url]
        ref["findings"].append(
            {"code": code, "severity": "info", "field": "url", "fields": list(cells) or ["url"],
             "values": values, "message": "m", "suggestion": "", "suggested": cells,
             "related": []}
        )  # fmt: skip
    report_path.write_text(json.dumps(report), encoding="utf-8")
    return src, report_path


def _patch(src: Path, report: Path) -> str:
    result = CliRunner().invoke(main, ["patch", str(src), "--report", str(report), "--write"])
    assert result.exit_code == 0, result.output
    return result.output


def test_german_internetquelle_gets_archiv_url_archiv_datum_and_offline(tmp_path: Path) -> None:
    source = DATA / "de_klima_excerpt.wiki"
    src, report = _checked(tmp_path, source, {"ref-2": "found"})
    original = source.read_text(encoding="utf-8")
    _patch(src, report)
    patched = src.read_text(encoding="utf-8")
    url = "http://www.spektrum.de/lexikon/geowissenschaften/klimafluktuation/8413"
    before = "|abruf=2016-08-12}}"
    after = f"|abruf=2016-08-12 |archiv-url={WAYBACK}{url} |archiv-datum=2017-04-16 |offline=ja}}}}"
    assert patched == original.replace(before, after)
    ref = read(str(src), src.read_bytes()).references[1]
    assert (ref.archive_url, ref.archive_date, ref.url_status) == (
        WAYBACK + url,
        "2017-04-16",
        "dead",
    )


def test_french_lien_web_gets_archive_url_and_a_french_date(tmp_path: Path) -> None:
    source = DATA / "fr_internet_relay_chat.wiki"
    src, report = _checked(tmp_path, source, {"ref-2": "found", "ref-13": "found"})
    original = source.read_text(encoding="utf-8")
    _patch(src, report)
    patched = src.read_text(encoding="utf-8")
    mut = "https://www.computerhope.com/jargon/m/mut.htm"
    expected = original.replace(
        "|consulté le=29-06-2020}}",
        f"|consulté le=29-06-2020 |archive-url={WAYBACK}{mut} |archive-date=16 avril 2017}}}}",
    ).replace(
        " | consulté le = 23 juillet 2016\n}}</ref>.\n\nLe réseau est créé",
        " | consulté le = 23 juillet 2016\n"
        f" | archive-url = {WAYBACK}https://freenode.net/policies\n"
        " | archive-date = 16 avril 2017\n}}</ref>.\n\nLe réseau est créé",
    )
    assert patched == expected
    refs = {r.id: r for r in read(str(src), src.read_bytes()).references}
    assert refs["ref-13"].archive_date == "16 avril 2017"
    assert refs["ref-2"].archive_url == WAYBACK + mut


def test_french_dead_link_without_a_capture_is_noted_not_marked(tmp_path: Path) -> None:
    source = DATA / "fr_internet_relay_chat.wiki"
    src, report = _checked(tmp_path, source, {"ref-13": "none"})
    original = source.read_text(encoding="utf-8")
    output = _patch(src, report)
    assert "ref-13: not marked dead" in output
    assert src.read_text(encoding="utf-8") == original


def test_german_dead_link_without_a_capture_is_marked_offline(tmp_path: Path) -> None:
    source = DATA / "de_klima_excerpt.wiki"
    src, report = _checked(tmp_path, source, {"ref-2": "none"})
    _patch(src, report)
    assert "|abruf=2016-08-12 |offline=ja}}" in src.read_text(encoding="utf-8")


def test_spanish_cita_web_gets_its_own_names_and_spanish_dates(tmp_path: Path) -> None:
    source = tmp_path / "src" / "articulo.wiki"
    source.parent.mkdir()
    source.write_text(
        "Texto.<ref>{{Cita web|url=https://www.ionos.mx/digitalguide/paginas-web/diseno-web/"
        "jpg-o-png/|título=JPG o PNG: diferencias e idoneidad de los formatos de imagen"
        "|fechaacceso=2022-05-16|sitioweb=IONOS Digitalguide|idioma=es}}</ref>\n",
        encoding="utf-8",
    )
    src, report = _checked(tmp_path, source, {"ref-1": "found"})
    _patch(src, report)
    text = src.read_text(encoding="utf-8")
    assert text.endswith(
        "|idioma=es|urlarchivo=https://web.archive.org/web/20170416093000/https://www.ionos.mx/"
        "digitalguide/paginas-web/diseno-web/jpg-o-png/|fechaarchivo=16 de abril de 2017"
        "|urlmuerta=sí}}</ref>\n"
    )


def test_an_english_template_on_a_german_page_keeps_english_names(tmp_path: Path) -> None:
    source = tmp_path / "src" / "seite.wiki"
    source.parent.mkdir()
    source.write_text(
        "A.<ref>{{Internetquelle |url=https://a.example/x |titel=X |abruf=2020-01-02}}</ref>\n"
        "B.<ref>{{cite web |url=https://b.example/y |title=Y |access-date=2020-01-02}}</ref>\n",
        encoding="utf-8",
    )
    src, report = _checked(tmp_path, source, {"ref-2": "found"})
    _patch(src, report)
    text = src.read_text(encoding="utf-8")
    assert "|access-date=2020-01-02 |archive-url=" in text
    assert "|archive-date=2017-04-16 |url-status=dead}}" in text


def test_japanese_local_template_name_takes_the_english_parameters(tmp_path: Path) -> None:
    source = tmp_path / "src" / "kiji.wiki"
    source.parent.mkdir()
    source.write_text(
        "本文。<ref>{{ウェブ引用|url=https://example.jp/a|title=題名|accessdate=2023-04-18}}"
        "</ref>\n",
        encoding="utf-8",
    )
    src, report = _checked(tmp_path, source, {"ref-1": "found"})
    _patch(src, report)
    assert src.read_text(encoding="utf-8").endswith(
        "|accessdate=2023-04-18|archive-url=https://web.archive.org/web/20170416093000/"
        "https://example.jp/a|archive-date=2017-04-16|url-status=dead}}</ref>\n"
    )


def test_a_bare_link_on_a_german_page_is_left_alone_and_named(tmp_path: Path) -> None:
    source = DATA / "de_klima_excerpt.wiki"  # ref 1 is a bare [https://www.bpb.de/… …] link
    src, report = _checked(tmp_path, source, {"Rahmstorf-APuZ-47-2007": "found"})
    output = _patch(src, report)
    assert "left alone: a bare link on the de wiki" in output
    assert src.read_text(encoding="utf-8") == source.read_text(encoding="utf-8")
