"""Other wikis read end to end: their templates (wikitext), their rendered notes (HTML,
text), the language detected from the page itself or given with --lang.  Fixtures are
real citations saved by others (tests/data/i18n/README.md)."""

from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.i18n import available, language
from checker.i18n.detect import from_html, from_text, from_wikitext
from checker.i18n.rendered import parse_localized
from checker.importers import load
from checker.importers.wikitext_format import read as read_wikitext

DATA = Path(__file__).parent / "data" / "i18n"
DE_PAGE = DATA / "de_achim_grossmann.html"
FR_PAGE = DATA / "fr_internet_relay_chat.wiki"
CITATIONS: dict[str, Any] = tomllib.loads((DATA / "citations.toml").read_text("utf-8"))


def _item(kind: str, ident: str) -> dict[str, str]:
    found: dict[str, str] = next(c for c in CITATIONS[kind] if c["id"] == ident)
    return found


def _fields(text: str, lang: str | None = None) -> dict[str, str]:
    result = read_wikitext("a.wiki", text.encode(), lang)
    assert len(result.references) == 1, result
    return {k: v for k, v in result.references[0].fields().items() if v and k != "id"}


# --- the page the issue names: "18. April 2023" was a title ending "vom 18" -------------


def test_german_page_end_to_end_through_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "refs.csv"
    result = CliRunner().invoke(main, ["import", str(DE_PAGE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "read as the de wiki" in result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["id"] for r in rows] == ["1", "2"]
    first, second = rows
    assert first["url"] == (
        "https://www.aachener-zeitung.de/lokales/nordkreis/"
        "ehemaliger-staatssekretaer-achim-grossmann-ist-gestorben_aid-88750337"
    )
    assert first["title"] == "Ehemaliger Staatssekretär Achim Großmann ist gestorben"
    assert first["work"] == "Aachener Zeitung"
    assert first["date"] == "18. April 2023"
    assert second["url"] == (
        "https://www.verkehrsrundschau.de/nachrichten/transport-logistik/"
        "verkehrs-staatssekretaer-grossmann-tritt-ab-3022916"
    )
    assert second["title"] == "Verkehrs-Staatssekretär Großmann tritt ab"
    assert second["date"] == "9. Juli 2008"


def test_german_page_checked_with_german_dates(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    args = ["check", str(DE_PAGE), "--offline", "--out", str(out), "--today", "2024-02-05"]
    result = CliRunner().invoke(main, [*args, "--format", "json", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    codes = {f["code"] for ref in report["references"] for f in ref["findings"]}
    assert "invalid-date" not in codes  # "18. April 2023" is a German date, not an error


def test_forcing_english_shows_what_the_german_dates_were_to_the_english_grammar(
    tmp_path: Path,
) -> None:
    refs = load(DE_PAGE, lang="en").references
    assert refs[0].date != "18. April 2023"  # the English reading cannot see the date


# --- the French page: {{Lien web}}, {{Article}}, {{lien brisé}} --------------------------


def test_french_page_end_to_end_through_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "refs.csv"
    result = CliRunner().invoke(main, ["import", str(FR_PAGE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    mut = rows["ref-2"]
    assert mut["url"] == "https://www.computerhope.com/jargon/m/mut.htm"
    assert (mut["title"], mut["work"], mut["access_date"]) == (
        "What is MUT?",
        "Computerhope.com",
        "29-06-2020",
    )
    modes = rows["ref-7"]
    assert modes["url"] == "http://www.alien.net.au/irc/usermodes.html"
    assert modes["author"] == "Butcher, Simon"  # nom= / prénom=
    assert (modes["date"], modes["access_date"], modes["publisher"]) == (
        "2005-01-12",
        "2011-04-10",
        "alien.net.au",
    )
    freenode = rows["ref-11"]  # {{lien brisé}}: the template says the link is dead
    assert (freenode["title"], freenode["access_date"], freenode["url_status"]) == (
        "freenode",
        "23 juillet 2016",
        "dead",
    )
    corpus = rows["ref-15"]  # {{Article}}: url texte=, périodique=, mois= + année=
    assert corpus["url"] == "https://hal.archives-ouvertes.fr/hal-00909667/document"
    assert (corpus["work"], corpus["date"]) == ("RECITAL", "décembre 2004")


def test_french_page_dates_are_checked_as_french(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    args = ["check", str(FR_PAGE), "--offline", "--out", str(out), "--today", "2024-11-05"]
    result = CliRunner().invoke(main, [*args, "--format", "json", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    invalid = [
        ref["id"]
        for ref in report["references"]
        for f in ref["findings"]
        if f["code"] == "invalid-date"
    ]
    assert invalid == ["ref-12"]  # only "entre 2002 et 2006", which is no date


# --- templates of each language -----------------------------------------------------------


def test_german_internetquelle() -> None:
    fields = _fields(_item("wikitext", "de-klimafluktuation")["text"])
    assert fields == {
        "url": "http://www.spektrum.de/lexikon/geowissenschaften/klimafluktuation/8413",
        "title": "Klimafluktuation",
        "work": "Lexikon der Geowissenschaften",
        "publisher": "Spektrum akademischer Verlag",
        "access_date": "2016-08-12",
    }


def test_german_literatur_and_webarchiv() -> None:
    text = (
        "<ref>{{Literatur |Autor=Ines Mustermann |Titel=Ein Buch |Verlag=Verlag X "
        "|Ort=Berlin |Jahr=2014 |ISBN=978-3-942513-24-1 |Online=https://example.org/buch "
        "|Abruf=2020-01-02}}</ref>\n"
        "<ref>{{Internetquelle |url=https://example.org/a |titel=A |abruf=2020-01-02}} "
        "{{Webarchiv |url=https://example.org/a |wayback=20200103040506 |text=A}}</ref>\n"
    )
    refs = read_wikitext("a.wiki", text.encode()).references
    book, web = refs
    assert (book.author, book.title, book.publisher, book.date) == (
        "Ines Mustermann",
        "Ein Buch",
        "Verlag X",
        "2014",
    )
    assert (book.url, book.access_date, book.isbn) == (
        "https://example.org/buch",
        "2020-01-02",
        "978-3-942513-24-1",
    )
    assert web.archive_url == "https://web.archive.org/web/20200103040506/https://example.org/a"
    assert web.archive_date == "2020-01-03"


def test_spanish_cita_web() -> None:
    fields = _fields(_item("wikitext", "es-lasuen")["text"])
    assert fields["title"] == "Ediciones 2010 - José Ramón Lasuen Sancho"
    assert fields["access_date"] == "15 de marzo de 2016"
    assert (fields["author"], fields["work"]) == ("MAGS", "www.ediciones2010.es")
    jpeg = _fields(_item("wikitext", "es-jpeg")["text"])
    assert (jpeg["work"], jpeg["language"], jpeg["access_date"]) == (
        "IONOS Digitalguide",
        "es",
        "2022-05-16",
    )


def test_spanish_cita_noticia_and_libro_with_archive_and_urlmuerta() -> None:
    text = (
        "<ref>{{Cita noticia |título=T |periódico=El País |fecha=3 de marzo de 2016 "
        "|url=https://elpais.example/t |urlarchivo=https://web.archive.org/web/2016/x "
        "|fechaarchivo=4 de marzo de 2016 |urlmuerta=sí}}</ref>"
        "<ref>{{Cita libro |apellido=García |nombre=Ana |título=Libro |editorial=E "
        "|año=2001 |isbn=978-3-942513-24-1}}</ref>"
    )
    news, book = read_wikitext("a.wiki", text.encode()).references
    assert (news.work, news.date, news.archive_date, news.url_status) == (
        "El País",
        "3 de marzo de 2016",
        "4 de marzo de 2016",
        "dead",
    )
    assert (book.author, book.publisher, book.date) == ("García, Ana", "E", "2001")


def test_portuguese_citar_web() -> None:
    fields = _fields(_item("wikitext", "pt-monroe")["text"])
    assert fields["title"] == "A Brief Marilyn Monroe History"
    assert (fields["publisher"], fields["access_date"], fields["language"]) == (
        "marilynmonroe.com",
        "22 de dezembro de 2013",
        "inglês",
    )
    charcoal = _fields(_item("wikitext", "pt-charcoal")["text"])
    assert charcoal["archive_url"].startswith("https://web.archive.org/web/20161221011707/")
    assert charcoal["archive_date"] == "21 December 2016"


def test_polish_cytuj_strone() -> None:
    fields = _fields(_item("wikitext", "pl-chopin")["text"])
    assert fields == {
        "url": "http://www.mytopdozen.com/Best_Polish_Composers.html",
        "title": "Lista polskich kompozytorów najczęściej wymienianych w internecie",
        "language": "en",
        "access_date": "3 grudnia 2008",
    }


def test_italian_cita_web() -> None:
    text = (
        "<ref>{{Cita web |url=https://example.it/a |titolo=Titolo |sito=Sito |data=3 marzo "
        "2016 |accesso=18 aprile 2023 |urlarchivio=https://web.archive.org/web/2016/x "
        "|dataarchivio=4 marzo 2016 |urlmorto=no}}</ref>"
    )
    fields = _fields(text, "it")
    assert (fields["title"], fields["work"], fields["access_date"]) == (
        "Titolo",
        "Sito",
        "18 aprile 2023",
    )
    assert (fields["archive_date"], fields["url_status"]) == ("4 marzo 2016", "live")


def test_russian_statya_and_cite_web() -> None:
    text = (
        "<ref>{{Статья |автор=Иванов И. |заглавие=Заглавие |издание=Журнал |год=2015 "
        "|ссылка=https://example.ru/a |дата обращения=18 апреля 2023}}</ref>"
        "<ref>{{cite web |url=https://example.ru/b |title=B |accessdate=2023-04-18 "
        "|lang=ru}}</ref>"
    )
    result = read_wikitext("a.wiki", text.encode())
    assert result.lang == "ru"
    article, web = result.references
    assert (article.author, article.title, article.work, article.date) == (
        "Иванов И.",
        "Заглавие",
        "Журнал",
        "2015",
    )
    assert (article.url, article.access_date) == ("https://example.ru/a", "18 апреля 2023")
    assert (web.url, web.access_date) == ("https://example.ru/b", "2023-04-18")


def test_japanese_cite_web_and_its_local_template_name() -> None:
    text = (
        "<ref>{{Cite web|和書|url=https://example.jp/a|title=題名|accessdate=2023-04-18}}</ref>"
        "<ref>{{ウェブ引用|url=https://example.jp/b|title=B}}</ref>"
    )
    result = read_wikitext("a.wiki", text.encode())
    assert result.lang == "ja"
    assert [r.url for r in result.references] == ["https://example.jp/a", "https://example.jp/b"]


# --- rendered phrases (text and HTML importers) --------------------------------------------

RENDERED = [
    ("de-curl", {"author": "Daniel Stenberg", "work": "@bagder",
                 "date": "19. Dezember 2019", "access_date": "25. Dezember 2019"}),
    ("de-duden", {"access_date": "12. September 2011"}),
    ("it-javascript", {"title": "A Brief History of JavaScript", "work": "Auth0 - Blog",
                       "access_date": "28 febbraio 2020"}),
    ("it-ruti", {"title": "Cratere Ruti", "work": "Gazetteer of Planetary Nomenclature",
                 "access_date": "16 luglio 2016"}),
    ("ru-http", {"title": "Hypertext Transfer Protocol (HTTP) Status Code Registry",
                 "date": "17 октября 2007", "access_date": "30 июля 2009",
                 "archive_date": "17 февраля 2012 года"}),
    ("ru-osipov", {"author": "М. П. Осипов", "access_date": "22 сентября 2020",
                   "archive_date": "29 сентября 2020 года"}),
    ("ja-posix", {"title": "POSIX 1003.1 FAQ Version 1.12", "date": "2006年2月2日",
                  "access_date": "2010年12月29日"}),
    ("ja-formal-language", {"title": "数学基礎論サマースクール モデル理論入門",
                            "access_date": "2012年2月18日"}),
]  # fmt: skip


@pytest.mark.parametrize(("ident", "expected"), RENDERED)
def test_rendered_citations_of_other_wikis(ident: str, expected: dict[str, str]) -> None:
    item = _item("rendered", ident)
    fields = parse_localized(item["text"], item["lang"])
    assert fields is not None
    assert {k: fields.get(k) for k in expected} == expected


@pytest.mark.parametrize(
    ("lang", "entry", "access"),
    [  # the phrase each wiki renders (constructed entries in each template's layout)
        ("de", "„Titel“. In: Werk. 2. März 2020, abgerufen am 18. April 2023.", "18. April 2023"),
        ("fr", "« Titre », sur Site, 1er mars 2019 (consulté le 18 avril 2023).", "18 avril 2023"),
        ("es", "«Título». Obra. 1 de marzo de 2019. Consultado el 18 de abril de 2023.",
         "18 de abril de 2023"),
        ("it", "Titolo, su Sito, 1º marzo 2019. URL consultato il 18 aprile 2023.",
         "18 aprile 2023"),
        ("pt", "«Título». Obra. 1 de março de 2019. Consultado em 18 de abril de 2023",
         "18 de abril de 2023"),
        ("ru", "Заглавие. Сайт (1 марта 2019). Дата обращения: 18 апреля 2023.",
         "18 апреля 2023"),
        ("pl", "Tytuł. Strona, 2019-03-01. [dostęp 2023-04-18].", "2023-04-18"),
        ("ja", "“題名”. サイト (2019年3月1日). 2023年4月18日閲覧。", "2023年4月18日"),
        ("nl", "Titel. Werk (1 maart 2019). Geraadpleegd op 18 april 2023.", "18 april 2023"),
        ("sv", "”Titel”. Verk. 1 mars 2019. Läst 18 april 2023.", "18 april 2023"),
    ],
)  # fmt: skip
def test_each_wikis_retrieval_phrase(lang: str, entry: str, access: str) -> None:
    fields = parse_localized(entry, lang)
    assert fields is not None and fields["access_date"] == access
    assert from_text(f"1. ^ {entry}\n2. ^ {entry}\n") == lang


def test_text_import_of_a_german_reference_list(tmp_path: Path) -> None:
    item = _item("rendered", "de-curl")
    page = tmp_path / "seite.txt"
    page.write_text(f"Einzelnachweise\n\n1. ↑ {item['text']}\n2. ↑ {item['text']}\n", "utf-8")
    result = load(page)
    assert result.lang == "de"
    first = result.references[0]
    assert (first.date, first.access_date) == ("19. Dezember 2019", "25. Dezember 2019")


# --- detection -------------------------------------------------------------------------------


def test_language_from_the_page_itself() -> None:
    assert from_html(DE_PAGE.read_text("utf-8")) == "de"  # <div … lang="de">
    assert from_html('<html lang="fr"><body></body></html>') == "fr"
    assert from_html('<html lang="en"><body></body></html>') == ""
    canonical = '<html><head><link rel="canonical" href="https://es.wikipedia.org/wiki/X">'
    assert from_html(canonical) == "es"
    assert from_wikitext(FR_PAGE.read_text("utf-8")) == "fr"
    assert from_wikitext("<ref>{{cite web |url=https://x.example/ |title=T}}</ref>") == ""
    assert from_text("1. ^ A. Retrieved 1 May 2020.\n") == ""


def test_lang_option_overrides_detection_and_rejects_unknown(tmp_path: Path) -> None:
    out = tmp_path / "refs.csv"
    result = CliRunner().invoke(main, ["import", str(FR_PAGE), "-o", str(out), "--lang", "de"])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    # {{lien web}} is no German template: the ref is read as text, no URL, no dates
    assert rows["ref-2"]["url"] == ""
    assert rows["ref-2"]["title"].startswith("{{lien web |titre=What is MUT?")
    bad = CliRunner().invoke(main, ["import", str(FR_PAGE), "-o", str(out), "--lang", "xx"])
    assert bad.exit_code == 2 and "not a language CLDR knows" in bad.output


def test_every_language_file_is_consistent() -> None:
    for code in available():
        data = language(code)
        assert data is not None and data.code == code
        for pattern in (*data.retrieved, *data.archived, *data.published):
            assert "{date}" in pattern, (code, pattern)
        for spec in data.write.values():
            assert set(spec.names) <= {"archive_url", "archive_date", "access_date", "url_status"}
    assert {"de", "fr", "es", "it", "pt", "ru", "pl", "ja"} <= set(available())


def test_lang_from_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    refs = tmp_path / "refs.csv"
    refs.write_text(
        "id,title,date,access_date\n1,Ein Titel lang genug,18. April 2023,17. April 2023\n",
        encoding="utf-8",
    )
    (tmp_path / "citewatch.toml").write_text('lang = "de"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    args = ["check", "refs.csv", "--offline", "--out", "out", "--today", "2024-01-01"]
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    codes = {f["code"] for f in report["references"][0]["findings"]}
    assert "access-before-publication" in codes and "invalid-date" not in codes, result.output
    english = CliRunner().invoke(main, [*args, "--format", "json", "--lang", "en"])
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert "invalid-date" in {f["code"] for f in report["references"][0]["findings"]}
    assert english.exit_code == 1


def test_german_webarchiv_alone_in_a_ref_and_french_lien_archive() -> None:
    text = (
        "Text.<ref>{{Webarchiv|url=http://www.example.de/seite|wayback=20171229200102"
        "|text=Titel der Seite}}</ref>\n"
    )
    ref = read_wikitext("a.wiki", text.encode(), "de").references[0]
    assert (ref.url, ref.title) == ("http://www.example.de/seite", "Titel der Seite")
    assert ref.archive_url == (
        "https://web.archive.org/web/20171229200102/http://www.example.de/seite"
    )
    assert ref.archive_date == "2017-12-29"
    text = (
        "Texte.<ref>{{Lien archive |url=http://exemple.fr/page |titre=Une page "
        "|horodatage archive=20100102030405 |consulté le=1er mars 2019}}</ref>\n"
    )
    ref = read_wikitext("a.wiki", text.encode()).references[0]
    assert (ref.url, ref.title, ref.access_date) == (
        "http://exemple.fr/page",
        "Une page",
        "1er mars 2019",
    )
    assert ref.archive_url == "https://web.archive.org/web/20100102030405/http://exemple.fr/page"


def test_german_abgerufen_am_in_saved_html() -> None:
    """de.wikipedia.org/wiki/CURL's notes ({{Internetquelle}}, {{Literatur}}, text refs):
    the saved copy lost every href, so URLs come from the COinS (rft.identifier)."""
    result = load(DATA / "de_curl_references.html")
    assert result.lang == "de"  # from the COinS info:sid/de.wikipedia.org
    refs = {r.id: r for r in result.references}
    assert (refs["1"].title, refs["1"].access_date) == ("Polhemspriset 2017", "18. Oktober 2017")
    assert (refs["3"].date, refs["3"].access_date) == ("14. Oktober 2020", "9. November 2020")
    assert (refs["4"].url, refs["4"].access_date) == (
        "https://curl.haxx.se/docs/faq.html",
        "3. Juni 2019",
    )
    assert (refs["6"].author, refs["6"].title, refs["6"].date) == (
        "Daniel Stenberg",
        "curl, 17 years old today",
        "20. März 2015",
    )
    assert (refs["8"].work, refs["8"].access_date) == (
        "Windows Command Line Tools For Developers",
        "10. Mai 2018",
    )
    tweet = refs["9"]
    assert tweet.title.endswith("half of all such attempts won't work! =-(")
    assert tweet.url == "https://twitter.com/bagder/status/1207921081371299840"
    assert (tweet.author, tweet.work, tweet.date, tweet.access_date) == (
        "Daniel Stenberg",
        "@bagder",
        "19. Dezember 2019",
        "25. Dezember 2019",
    )
