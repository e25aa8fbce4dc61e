"""Every finding code, with positive and negative cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.checks import CheckConfig, run_checks
from checker.model import Finding, Reference, Severity

TODAY = dt.date(2026, 11, 24)
CONFIG = CheckConfig(today=TODAY)
URL = "https://news.example/story"
WB = "https://web.archive.org/web/20170501120000/https://news.example/story"


def ref(**fields: Any) -> Reference:
    fields.setdefault("id", "1")
    fields.setdefault("title", "A perfectly ordinary headline about things")
    return Reference(**fields)


def findings(*refs: Reference, config: CheckConfig = CONFIG) -> list[Finding]:
    return run_checks(list(refs), config)


def codes(*refs: Reference, config: CheckConfig = CONFIG) -> set[str]:
    return {f.code for f in findings(*refs, config=config)}


def one(code: str, *refs: Reference) -> Finding:
    matches = [f for f in findings(*refs) if f.code == code]
    assert len(matches) == 1, matches
    return matches[0]


# --- access-before-publication -------------------------------------------------------


def test_access_before_publication_with_year_fix() -> None:
    found = one(
        "access-before-publication", ref(date="December 21, 2018", access_date="13 January 2018")
    )
    assert found.severity is Severity.ERROR
    assert found.fields == ("access_date", "date")
    assert found.suggested == {"access_date": "13 January 2019"}
    assert "2018 for 2019" in found.suggestion


def test_access_before_publication_same_year_has_no_year_fix() -> None:
    found = one("access-before-publication", ref(date="13 April 2017", access_date="10 April 2017"))
    assert found.suggested == {}


@pytest.mark.parametrize(
    ("date", "access"),
    [
        ("13 April 2017", "13 April 2017"),  # same day
        ("2017", "5 March 2017"),  # coarser precision: same year is consistent
        ("April 2017", "1 April 2017"),
        ("1–3 May 2017", "2 May 2017"),  # inside a range
        ("Spring 2017", "1 February 2017"),
        ("", "1 January 2017"),
        ("13 April 2017", ""),
    ],
)
def test_access_not_before_publication(date: str, access: str) -> None:
    assert "access-before-publication" not in codes(ref(date=date, access_date=access))


def test_access_before_publication_at_coarse_precision() -> None:
    assert "access-before-publication" in codes(ref(date="2018", access_date="31 December 2017"))
    assert "access-before-publication" in codes(ref(date="May 2017", access_date="30 April 2017"))


def test_archive_before_publication() -> None:
    assert "archive-before-publication" in codes(
        ref(date="5 May 2017", archive_date="1 May 2017", archive_url=WB, url=URL)
    )
    assert "archive-before-publication" not in codes(
        ref(date="1 May 2017", archive_date="1 May 2017", archive_url=WB, url=URL)
    )


# --- future, floor, imprecise, missing -------------------------------------------------


def test_date_in_future() -> None:
    found = one("date-in-future", ref(access_date="1 January 2027"))
    assert found.severity is Severity.ERROR and found.fields == ("access_date",)
    forthcoming = one("date-in-future", ref(date="2027"))
    assert forthcoming.severity is Severity.WARNING
    assert one("date-in-future", ref(date="2029")).severity is Severity.ERROR
    assert "date-in-future" not in codes(ref(access_date="25 November 2026"))  # tomorrow: TZ
    assert "date-in-future" not in codes(ref(date="24 November 2026"))


def test_access_date_too_early() -> None:
    assert "access-date-too-early" in codes(ref(access_date="1 January 2001"))
    assert "access-date-too-early" not in codes(ref(access_date="15 January 2001"))
    late_floor = CheckConfig(today=TODAY, access_floor=dt.date(1995, 1, 1))
    assert "access-date-too-early" not in codes(
        ref(access_date="1 January 2000"), config=late_floor
    )


def test_access_date_must_be_full() -> None:
    assert "access-date-imprecise" in codes(ref(access_date="April 2017"))
    assert "access-date-imprecise" not in codes(ref(access_date="2017-04-13"))


def test_access_date_missing_and_without_url() -> None:
    assert one("access-date-missing", ref(url=URL)).severity is Severity.WARNING
    assert "access-date-missing" not in codes(ref(url=URL, access_date="1 May 2017"))
    assert "access-date-missing" not in codes(ref())
    (listed,) = [
        f
        for f in findings(
            ref(id="1", access_date="1 May 2017"),
            ref(id="2", url=URL, access_date="1 May 2017"),
            ref(id="3", access_date="2 May 2017"),
        )
        if f.code == "access-date-without-url"
    ]
    assert listed.ref_id is None and listed.related == ("1", "3")


def test_invalid_date_on_each_field_with_suggestion() -> None:
    found = findings(
        ref(date="13 april 2017", access_date="31 April 2017", archive_date="yesterday")
    )
    invalid = {f.main_field: f for f in found if f.code == "invalid-date"}
    assert set(invalid) == {"date", "access_date", "archive_date"}
    assert invalid["date"].suggested == {"date": "13 April 2017"}
    assert invalid["access_date"].suggested == {}
    assert "invalid-date" not in codes(ref(date="13 April 2017"))


# --- mixed formats --------------------------------------------------------------------


def test_mixed_date_formats_is_list_level() -> None:
    refs = [
        ref(id="1", date="13 April 2017", access_date="14 April 2017"),
        ref(id="2", date="14 April 2017", access_date="15 April 2017"),
        ref(id="3", date="April 15, 2017", access_date="2017-04-16"),
    ]
    mixed = [f for f in findings(*refs) if f.code == "mixed-date-formats"]
    assert len(mixed) == 2
    assert all(f.ref_id is None for f in mixed)
    publication = next(f for f in mixed if f.fields == ("date",))
    assert publication.related == ("3",)
    assert "dmy" in publication.suggestion


def test_one_format_or_compatible_shapes_are_not_mixed() -> None:
    refs = [
        ref(id="1", date="13 April 2017", access_date="2017-04-14"),
        ref(id="2", date="April 2017", access_date="2017-04-15"),
        ref(id="3", date="2016", access_date="2017-04-15"),
    ]
    assert "mixed-date-formats" not in codes(*refs)


# --- archive links --------------------------------------------------------------------


def test_archive_date_mismatch() -> None:
    found = one("archive-date-mismatch", ref(url=URL, archive_url=WB, archive_date="2 May 2017"))
    assert found.suggested == {"archive_date": "1 May 2017"}
    assert "archive-date-mismatch" not in codes(
        ref(url=URL, archive_url=WB, archive_date="1 May 2017")
    )
    assert "archive-date-mismatch" not in codes(
        ref(url=URL, archive_url=WB, archive_date="May 2017")
    )


@pytest.mark.parametrize(
    "archive_url",
    [
        "https://web.archive.org/web/2017050112/https://news.example/story",
        "https://web.archive.org/web/*/https://news.example/story",
        "https://web.archive.org/web/20170231120000/https://news.example/story",
        "https://web.archive.org/https://news.example/story",
        "web.archive.org/web/20170501120000/https://news.example/story",
    ],
)
def test_archive_url_malformed(archive_url: str) -> None:
    assert "archive-url-malformed" in codes(
        ref(url=URL, archive_url=archive_url, archive_date="1 May 2017")
    )


def test_archive_url_wellformed_variants() -> None:
    for good in (
        WB,
        WB.replace("20170501120000", "20170501120000id_"),
        "https://archive.ph/2017.05.01-120000/https://news.example/story",
        "https://archive.ph/AbCd1",
        "https://www.webcitation.org/6abc",
    ):
        assert "archive-url-malformed" not in codes(
            ref(url=URL, archive_url=good, archive_date="1 May 2017")
        ), good


def test_missing_partners() -> None:
    no_date = one(
        "archive-url-without-date", ref(url=URL, archive_url=WB, access_date="2 May 2017")
    )
    assert no_date.suggested == {"archive_date": "1 May 2017"}
    no_url = one("archive-url-without-url", ref(archive_url=WB, archive_date="1 May 2017"))
    assert no_url.suggested == {"url": "https://news.example/story"}
    assert "archive-date-without-url" in codes(ref(url=URL, archive_date="1 May 2017"))
    assert "url-status-without-archive" in codes(ref(url=URL, url_status="dead"))
    assert "url-status-without-archive" not in codes(ref(url=URL, url_status="live"))
    assert "invalid-url-status" in codes(ref(url=URL, url_status="gone"))
    complete = ref(
        url=URL,
        archive_url=WB,
        archive_date="1 May 2017",
        url_status="dead",
        access_date="2 May 2017",
    )
    assert not codes(complete)


def test_archive_of_another_page() -> None:
    assert "archive-url-other-page" in codes(
        ref(url="https://news.example/other", archive_url=WB, archive_date="1 May 2017")
    )
    assert "archive-url-other-page" not in codes(
        ref(url="http://www.news.example/story/", archive_url=WB, archive_date="1 May 2017")
    )


# --- URLs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example/2017/04/13/story",
        "https://news.example/news/20170413-story",
        "https://news.example/2017/4/13/story",
        "https://news.example/blog/2017/04/",
        "https://news.example/voices4-protest/04/2017/",
    ],
)
def test_url_date_mismatch(url: str) -> None:
    found = one("url-date-mismatch", ref(url=url, access_date="1 May 2019", date="1 March 2019"))
    assert found.fields == ("date", "url")
    assert "url-date-mismatch" not in codes(
        ref(url=url, access_date="1 May 2017", date="13 April 2017")
    )


def test_url_without_date_or_id_like_numbers() -> None:
    for url in (
        "https://news.example/article/a7669911.html",
        "https://news.example/a/29960776.html",
    ):
        assert "url-date-mismatch" not in codes(
            ref(url=url, date="1 March 2019", access_date="1 May 2019")
        )


@pytest.mark.parametrize(
    "url", ["news.example/story", "javascript:alert(1)", "https://", "https://exa mple.org/"]
)
def test_invalid_url(url: str) -> None:
    assert "invalid-url" in codes(ref(url=url, access_date="1 May 2019"))


# --- identifiers ----------------------------------------------------------------------


def test_isbn_issn_doi() -> None:
    assert "invalid-isbn" not in codes(ref(isbn="1873328125"))
    assert "invalid-isbn" not in codes(ref(isbn="978-0-306-40615-7"))
    assert "invalid-isbn" in codes(ref(isbn="1873328126"))
    assert "invalid-isbn" in codes(ref(isbn="977-0-306-40615-7"))
    assert "invalid-isbn" in codes(ref(isbn="12345"))
    assert "invalid-issn" not in codes(ref(issn="0362-4331"))
    assert "invalid-issn" in codes(ref(issn="0362-4332"))
    assert "invalid-doi" not in codes(ref(doi="10.1000/xyz123"))
    assert "invalid-doi" in codes(ref(doi="1000/xyz"))


# --- titles and authors ---------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Document",
        "404",
        "Page Not Found",
        "Are you a robot?",
        "Wayback Machine",
        "This website is for sale! - example.com",
        "Just a moment...",
        "Cite error: The named reference foo was invoked but never defined",
    ],
)
def test_generic_title(title: str) -> None:
    assert "generic-title" in codes(ref(title=title))


@pytest.mark.parametrize(
    "title", ["Documenting the purge", "The 404 Club reopens", "Home is where the heart is"]
)
def test_specific_title(title: str) -> None:
    assert "generic-title" not in codes(ref(title=title))


def test_missing_title() -> None:
    assert "missing-title" in codes(ref(title=""))
    assert "missing-title" not in codes(ref(title="Something"))


@pytest.mark.parametrize(
    "author",
    [
        "Editor, Letters to the",
        "Avenue, Human Rights Watch | 350 Fifth; York, 34th Floor | New; t, NY 10118-3299 USA |",
        "Campaign, Human Rights",
        "Reuters",
        "Staff",
        "Smith, John; Editor",
    ],
)
def test_generic_author(author: str) -> None:
    assert "generic-author" in codes(ref(author=author))


@pytest.mark.parametrize(
    "author",
    [
        "Walker, Shaun",
        "Kramer, Andrew E.",
        "Feder, J. Lester; Lytvynenko, Jane",
        "Post, Emily",
        "Rubin, Alissa J.; Breeden, Aurelien",
        "Fiona Keating",
    ],
)
def test_person_author(author: str) -> None:
    assert "generic-author" not in codes(ref(author=author))


def test_org_split_suggests_whole_name() -> None:
    found = one("generic-author", ref(author="Campaign, Human Rights"))
    assert found.suggested == {"author": "Human Rights Campaign"}


# --- duplicates -----------------------------------------------------------------------


def test_duplicate_reference() -> None:
    a = ref(
        id="14",
        title="OSCE Rapporteur's Report on the Chechen Republic",
        author="Benedek, Wolfgang",
        date="December 21, 2018",
        work="OSCE",
    )
    b = ref(
        id="57",
        title="OSCE Rapporteur's Report on the Chechen Republic",
        author="Benedek, Wolfgang",
        date="2018-12-21",
        work="OSCE",
    )
    found = [f for f in findings(a, b) if f.code == "duplicate-reference"]
    assert {f.ref_id for f in found} == {"14", "57"}
    assert found[0].severity is Severity.INFO


def test_conflicting_duplicate_by_title() -> None:
    a = ref(
        id="43",
        title="French president calls on Putin to protect gay Chechens",
        author="Burrows, Emma",
        work="CNN",
        date="29 May 2017",
    )
    b = ref(
        id="115",
        title="French president calls on Putin to protect gay Chechens",
        author="Rubin, Alissa J.; Breeden, Aurelien",
        work="The New York Times",
        date="29 May 2017",
    )
    found = next(
        f for f in findings(a, b) if f.code == "conflicting-duplicate" and f.ref_id == "43"
    )
    assert found.related == ("115",)
    assert "work" in found.fields and "author" in found.fields


def test_conflicting_duplicate_by_url_title_and_date() -> None:
    a = ref(id="1", url=URL, title="One headline here about events", date="1 May 2017")
    b = ref(id="2", url=URL + "/", title="Another headline entirely different", date="2018")
    found = [f for f in findings(a, b) if f.code == "conflicting-duplicate"]
    assert len(found) == 2
    assert {"title", "date"} <= set(found[0].fields)


def test_aliases_are_not_conflicts() -> None:
    a = ref(
        id="65",
        title="Russia Urged to End Torture, Killing of Gays in Chechnya",
        work="Voice of America",
    )
    b = ref(id="96", title="Russia Urged to End Torture, Killing of Gays in Chechnya", work="VOA")
    c = ref(id="38", title="Расправы над чеченскими геями (18+)", work="Новая газета (in Russian)")
    d = ref(id="44", title="Расправы над чеченскими геями (18+)", work="Новая газета -")
    assert "conflicting-duplicate" not in codes(a, b)
    assert "conflicting-duplicate" not in codes(c, d)
    assert "duplicate-reference" in codes(c, d)


def test_short_titles_do_not_group() -> None:
    assert "duplicate-reference" not in codes(
        ref(id="1", title="Report"), ref(id="2", title="Report")
    )


def test_ignore_drops_codes() -> None:
    config = CheckConfig(today=TODAY, ignore=frozenset({"missing-title"}))
    assert "missing-title" not in codes(ref(title=""), config=config)


@given(st.text(max_size=60) | st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_title_key_ascii_fast_path_is_the_regex_rule(title: str) -> None:
    """ASCII titles skip NFKC and the regex; the key is the same as the general rule's."""
    import re
    import unicodedata

    from checker.checks.duplicates import MIN_TITLE_KEY, title_key

    text = re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", title).casefold())
    assert title_key(title) == (text if len(text) >= MIN_TITLE_KEY else "")
