"""The html importer: a saved Wikipedia page (ol.references + COinS), or any page."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.importers import load
from checker.importers.html_format import is_archive, read
from checker.model import ImportResult, Reference

PAGE = Path(__file__).parent / "data" / "wikipedia_page.html"


@pytest.fixture(scope="module")
def page() -> ImportResult:
    return load(PAGE)


def ref(result: ImportResult, ref_id: str) -> Reference:
    return next(r for r in result.references if r.id == ref_id)


def test_notes_in_page_order_with_anchors(page: ImportResult) -> None:
    assert page.format == "html"
    assert page.problems == ()
    assert [r.id for r in page.references] == [str(n) for n in range(1, 9)]
    anchors = [r.location.anchor if r.location else None for r in page.references]
    assert anchors == [
        "cite_note-1",  # the notes group's list comes first on the page
        "cite_note-guardian-2",
        "cite_note-3",
        "cite_note-4",
        "cite_note-book-5",
        "cite_note-6",
        "cite_note-7",
        "cite_note-8",
    ]
    first = page.references[1].location
    assert first is not None and first.line is None
    assert str(first) == f"{PAGE}#cite_note-guardian-2"
    # The external link of the "External links" section is not a reference.
    assert all(r.url != "https://turismo.example/" for r in page.references)


def test_coins_and_rendered_text(page: ImportResult) -> None:
    guardian = ref(page, "2")
    assert guardian.url == "https://www.theguardian.com/world/2017/apr/02/rio-ejemplo-floods"
    assert guardian.title == "Río Ejemplo floods: a town under water"  # COinS, URL-encoded
    assert guardian.author == "Walker, Shaun"  # rft.aulast + rft.aufirst
    assert guardian.work == "The Guardian"  # rft.jtitle
    assert guardian.date == "2 April 2017"  # as rendered, not COinS's 2017-04-02
    assert guardian.access_date == "16 April 2017"  # "Retrieved 16 April 2017"
    assert guardian.archive_url == ""
    news = ref(page, "3")
    assert news.author == "Kramer, Andrew E.; Núñez, Ana"  # aulast/aufirst, then rft.au
    assert news.date == "May 1, 2017"
    assert news.access_date == "May 31, 2017"


def test_archive_links_and_url_status(page: ImportResult) -> None:
    live = ref(page, "3")  # the title links the original, "Archived" the copy
    assert live.url == "http://www.nytimes.com/2017/05/01/world/valley.html"
    assert live.archive_url.startswith("https://web.archive.org/web/20170601000000/")
    assert live.archive_date == "June 2, 2017"
    assert live.url_status == "live"
    dead = ref(page, "4")  # the title links the copy, "the original" the original
    assert dead.url == "http://fish.example/ladder"
    assert dead.archive_url.startswith("https://web.archive.org/web/20150304000000/")
    assert dead.archive_date == "4 March 2015"
    assert dead.url_status == "dead"
    assert dead.title == "Fish ladder closed"  # rft.btitle


def test_book_journal_identifiers(page: ImportResult) -> None:
    book = ref(page, "5")
    assert (book.title, book.publisher, book.date) == (
        "Rivers of the World",
        "Example Press",
        "2009",
    )
    assert book.isbn == "978-0-306-40615-6"
    assert book.author == "Smith, John"
    journal = ref(page, "6")
    assert journal.url == ""  # the doi: and ISSN links are identifiers, not the URL
    assert journal.doi == "10.1000/xyz123"  # rft_id=info:doi/…
    assert journal.issn == "0378-5955"
    assert journal.author == "Müller, Anna; Ng, B."


def test_bare_link_dead_link_marker_and_text_note(page: ImportResult) -> None:
    bare = ref(page, "7")
    assert bare.url == "http://www.example.org/collapse-1953"
    assert bare.title == ""
    assert bare.url_status == "dead"  # rendered [dead link]
    assert ref(page, "8").title == "Interview with the mayor, El Diario, 3 February 2019"
    assert ref(page, "1").title.startswith("The name means example river")


def test_other_pages_every_http_link_with_its_line() -> None:
    html = (
        "<!DOCTYPE html>\n<html><head><title>Links</title></head><body>\n"
        "<p>See <a href='https://a.example/x'>the first source</a>.</p>\n"
        "<p><a href='#top'>top</a> <a href='/relative'>rel</a> <a href='mailto:x@y'>m</a></p>\n"
        "<ul>\n<li><a id='two' href='http://b.example/'>Second  source</a></li>\n</ul>\n"
        "</body></html>\n"
    )
    result = read("links.html", html.encode())
    assert [(r.id, r.url, r.title) for r in result.references] == [
        ("1", "https://a.example/x", "the first source"),
        ("2", "http://b.example/", "Second source"),
    ]
    locations = [r.location for r in result.references]
    assert locations[0] is not None and locations[0].line == 3
    assert locations[1] is not None and (locations[1].line, locations[1].anchor) == (6, "two")


def test_a_page_without_any_link_is_a_fatal_problem() -> None:
    result = read("empty.html", b"<html><body><p>Nothing here.</p></body></html>")
    assert result.references == ()
    assert result.problems[0].fatal


def test_an_empty_note_is_a_problem() -> None:
    html = '<html><body><ol class="references"><li id="cite_note-1"></li></ol></body></html>'
    result = read("p.html", html.encode())
    assert [r.id for r in result.references] == ["1"]
    assert "empty" in result.problems[0].message and result.problems[0].ref_id == "1"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://web.archive.org/web/2017/http://x", True),
        ("https://archive.today/2019/http://x", True),
        ("https://www.webcitation.org/abc", True),
        ("https://www.archive.org.example.com/", False),
        ("https://example.org/archive", False),
    ],
)
def test_is_archive(url: str, expected: bool) -> None:
    assert is_archive(url) is expected
