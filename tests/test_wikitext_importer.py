"""The wikitext importer: refs, citation templates, aliases, ids and locations."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.importers import InputFormat, detect_format, load
from checker.importers.wikitext_format import read, scan
from checker.model import ImportResult, Reference

DATA = Path(__file__).parent / "data"
ARTICLE = DATA / "article.wiki"


@pytest.fixture(scope="module")
def article() -> ImportResult:
    return load(ARTICLE)


def by_id(result: ImportResult) -> dict[str, Reference]:
    return {ref.id: ref for ref in result.references}


def read_text(text: str, path: str = "t.wiki") -> ImportResult:
    return read(path, text.encode("utf-8"))


def test_every_citation_in_order_with_ids(article: ImportResult) -> None:
    assert article.format == "wikitext"
    assert [ref.id for ref in article.references] == [
        "length",  # inside an infobox parameter
        "guardian",  # named, reused twice: one reference
        "ref-3",
        "ref-4",  # [http://… Title]
        "ref-5",  # bare URL
        "book",
        "ref-7",
        "ref-8",
        "ref-9",
        "ref-10",  # plain-text ref
        "ldr-pais",  # list-defined in {{Reflist|refs=}}
        "unused-ldr",
        "ldr-report",  # list-defined in <references>
        "ref-14",  # outside any ref (Further reading)
    ]
    # The commented-out template is not read; the reuses create nothing.
    assert all("commented" not in ref.url for ref in article.references)


def test_aliases_authors_comments_and_non_ascii(article: ImportResult) -> None:
    refs = by_id(article)
    guardian = refs["guardian"]
    assert guardian.title == "Río Ejemplo floods: a town under water"
    assert guardian.author == "Walker, Shaun"
    assert guardian.work == "The Guardian"  # [[wikilink]] reduced to its text
    assert guardian.access_date == "16 April 2017"  # accessdate, comment stripped
    assert guardian.extra["template"] == "cite web"  # "Cite web <!-- … -->"
    news = refs["ref-3"]
    assert news.author == "Kramer, Andrew E.; Núñez, Ana"
    assert news.work == "The New York Times"
    assert news.archive_date == "2 June 2017"
    assert news.url_status == "live"
    press = refs["ref-9"]
    assert press.archive_url.startswith("https://archive.today/")  # archiveurl
    assert press.archive_date == "2 February 2019"  # archivedate
    assert press.language == "es"
    assert press.extra["template"] == "cite press release"


def test_book_unnamed_params_ignored_and_year(article: ImportResult) -> None:
    book = by_id(article)["book"]
    assert book.extra["template"] == "cite book"  # cite_book
    assert book.author == "Smith, John"
    assert book.date == "2009"
    assert book.isbn == "978-0-306-40615-6"
    assert book.extra["page"] == "12–14"
    assert "unnamed" not in " ".join(book.fields().values())


def test_webarchive_and_dead_link_follow_their_citation(article: ImportResult) -> None:
    refs = by_id(article)
    journal = refs["ref-7"]
    assert journal.archive_url == (
        "https://web.archive.org/web/20160101000000/http://journal.example/sediment"
    )
    assert journal.archive_date == "1 January 2016"
    assert journal.author == "Müller, Anna; Ng, B."
    assert journal.work == "Journal of Andean Rivers"
    assert journal.doi == "10.1000/xyz123"
    assert journal.issn == "0378-5955"
    assert refs["ref-8"].url_status == "dead"  # deadurl=yes (and a {{dead link}})


def test_bare_url_refs(article: ImportResult) -> None:
    refs = by_id(article)
    assert refs["ref-4"].url == "http://bridges.example.com/ejemplo-1901"
    assert refs["ref-4"].title == "The old bridge at Ejemplo"
    assert refs["ref-4"].extra["template"] == ""
    assert refs["ref-5"].url == "http://www.example.org/collapse-1953"
    assert refs["ref-5"].title == ""
    assert refs["ref-10"].title == "Interview with the mayor, El Diario, 3 February 2019."


def test_list_defined_refs_month_year_and_outside_refs(article: ImportResult) -> None:
    refs = by_id(article)
    assert refs["ldr-pais"].extra["template"] == "citation"
    assert refs["ldr-pais"].work == "El País"
    assert refs["unused-ldr"].work == "Revista Andina"  # "Cite Magazine"
    assert refs["ldr-report"].date == "July 2020"  # month + year
    assert refs["ref-14"].extra["ref_name"] == ""
    assert refs["ref-14"].publisher == "Mountain Books"


def test_locations_and_date_format(article: ImportResult) -> None:
    refs = by_id(article)
    lines = ARTICLE.read_text(encoding="utf-8").splitlines()
    for ref in article.references:
        assert ref.location is not None and ref.location.line is not None
        assert ref.location.path == str(ARTICLE)
        text = lines[ref.location.line - 1]
        assert "<ref" in text or "{{cite" in text.lower(), ref.id
        assert ref.extra["date_format"] == "dmy"
    assert refs["guardian"].location is not None
    assert refs["guardian"].location.line == 7
    assert refs["guardian"].location.anchor == "guardian"
    assert str(refs["guardian"].location) == f"{ARTICLE}:7"
    assert refs["ref-14"].location is not None and refs["ref-14"].location.line == 38
    assert "template" in article.columns and "ref_name" in article.columns


def test_clean_article_has_no_problems(article: ImportResult) -> None:
    assert article.problems == ()


def test_mdy_preference_and_ids_that_must_not_clash() -> None:
    result = read_text(
        "{{Use mdy dates}}\n"
        '<ref name="a">{{cite web|url=http://a.example|title=A}}</ref>\n'
        '<ref name="b">{{cite web|url=http://b.example|title=B}} {{cite web|url=http://c.example|title=C}}</ref>\n'
        '<ref name="ref-1">{{cite web|url=http://d.example|title=D}}</ref>\n'
    )
    assert [ref.id for ref in result.references] == ["a", "ref-2", "ref-3", "ref-4"]
    assert all(ref.extra["date_format"] == "mdy" for ref in result.references)
    assert result.references[1].extra["ref_name"] == "b"


def test_without_use_dates_there_is_no_date_format_column() -> None:
    result = read_text("<ref>{{cite web|url=http://a.example|title=A}}</ref>")
    assert "date_format" not in result.columns
    assert "date_format" not in result.references[0].extra


def test_malformed_input_becomes_problems() -> None:
    text = (
        "Intro.<ref>{{cite web|url=http://a.example|title=A|title=Again}}</ref>\n"
        '<ref name="x" /> used, never defined.\n'
        '<ref name="twice">{{cite web|url=http://b.example|title=B}}</ref>\n'
        '<ref name="twice">{{cite web|url=http://c.example|title=C}}</ref>\n'
        "<ref></ref>\n"
        "Broken {{cite web|url=http://d.example|title=never closed\n"
        "Unclosed <ref>{{cite news|title=E}}\n"
    )
    result = read_text(text)
    messages = [(p.row, p.message) for p in result.problems]
    assert (1, "parameter 'title' is given twice; the last value counts") in messages
    assert result.problems[0].ref_id == "ref-1"
    assert result.references[0].title == "Again"
    assert any(row == 2 and "never defined" in m for row, m in messages)
    assert any(row == 4 and "defined twice (first on line 3)" in m for row, m in messages)
    assert any(row == 5 and "empty <ref>" in m for row, m in messages)
    assert any(row == 6 and "unclosed or malformed citation template" in m for row, m in messages)
    assert any(row == 7 and "unclosed or malformed <ref> tag" in m for row, m in messages)
    # A name defined twice is not an id: both get ref-N, and both are still read.
    assert [r.id for r in result.references][:3] == ["ref-1", "ref-2", "ref-3"]


def test_verbatim_markup_is_not_read() -> None:
    result = read_text(
        "Write <nowiki><ref>{{cite web|url=http://x.example}}</ref></nowiki> like this,\n"
        "<code>{{cite news|title=Example}}</code>, then a real one."
        "<ref>{{cite web|url=http://a.example|title=A}}</ref>\n"
    )
    assert [(r.id, r.url) for r in result.references] == [("ref-1", "http://a.example")]
    assert result.problems == ()


def test_no_citation_at_all_is_fatal() -> None:
    result = read_text("Just prose, no references.\n")
    assert result.references == ()
    assert result.problems[0].fatal


def test_undecodable_bytes_are_a_problem_not_a_crash() -> None:
    data = b"<ref>{{cite web|url=http://a.example|title=Caf\xe9}}</ref>"
    result = read("t.wiki", data)
    assert result.references[0].title == "Caf\ufffd"
    assert "0xE9" in result.problems[0].message


def test_scan_round_trips_exactly() -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    assert str(scan(str(ARTICLE), text).code) == text


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.wiki", b"anything", InputFormat.WIKITEXT),
        ("a.wikitext", b"anything", InputFormat.WIKITEXT),
        ("a.mediawiki", b"anything", InputFormat.WIKITEXT),
        ("a.html", b"anything", InputFormat.HTML),
        ("a.htm", b"anything", InputFormat.HTML),
        ("a.bib", b"anything", InputFormat.BIBTEX),
        ("article", b"Text.<ref>{{Cite web|url=http://x}}</ref>", InputFormat.WIKITEXT),
        ("article", b"Text {{citation|title=T}}", InputFormat.WIKITEXT),
        ("page", b"<!DOCTYPE html>\n<html><body></body></html>", InputFormat.HTML),
        ("page", b"\n  <html lang=en><body></body></html>", InputFormat.HTML),
        ("refs", b"% my refs\n@article{key,\n title={T}}\n", InputFormat.BIBTEX),
        ("refs", b"id,url,title\n1,http://x,T\n", InputFormat.CSV),
        ("refs", b' 1. ^ Smith (2001). "T". Work.\n 2. ^ X', InputFormat.TEXT),
    ],
)
def test_format_detection(name: str, content: bytes, expected: InputFormat) -> None:
    assert detect_format(name, content) is expected


_PIECES = st.sampled_from(
    ["<ref>", "</ref>", "<ref name=a />", '<ref name="a">', "{{cite web", "{{Cite_News", "}}",
     "|url=http://x.example", "|title=T", "|", "=", "[http://y.example Y]", "<!--", "-->",
     "{{webarchive|url=", "{{dead link}}", "<references>", "</references>", "{{reflist|refs=",
     "\n", " ", "é", "<nowiki>", "'''"]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=30))
def test_any_wikitext_is_read_without_raising_and_round_trips(pieces: list[str]) -> None:
    text = "".join(pieces)
    result = read_text(text)
    assert len({ref.id for ref in result.references}) == len(result.references)
    assert str(scan("t.wiki", text).code) == text
