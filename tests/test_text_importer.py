"""The ``text`` importer: the plain-text rendering of a Wikipedia page."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.importers import InputFormat, load, text_format
from checker.model import KNOWN_FIELDS, ImportResult, Location, Reference

SEED = Path(__file__).parent / "data" / "seed_article.txt"


@pytest.fixture(scope="module")
def seed() -> ImportResult:
    return text_format.read(str(SEED), SEED.read_bytes())


@pytest.fixture(scope="module")
def refs(seed: ImportResult) -> dict[str, Reference]:
    return {ref.id: ref for ref in seed.references}


def fields(ref: Reference) -> dict[str, str]:
    """Every non-empty field, known and extra, without the id."""
    found = {name: value for name, value in ref.fields().items() if value and name != "id"}
    found.update(ref.extra)
    return found


def test_seed_reads_all_141_references_in_order(seed: ImportResult) -> None:
    assert [ref.id for ref in seed.references] == [str(n) for n in range(1, 142)]
    assert seed.problems == ()
    assert seed.format == "text"
    assert seed.source == str(SEED)


def test_seed_locations_are_the_entry_lines(seed: ImportResult) -> None:
    assert seed.references[0].location == Location(str(SEED), 161)
    assert seed.references[-1].location == Location(str(SEED), 301)


def test_seed_columns_are_known_fields_then_extras_in_order_of_appearance(
    seed: ImportResult,
) -> None:
    assert seed.columns == (*KNOWN_FIELDS, "via", "page", "type")  # quote is known


def test_seed_never_invents_a_url(seed: ImportResult) -> None:
    assert all(ref.url == "" and ref.archive_url == "" for ref in seed.references)


def test_load_detects_the_text_format() -> None:
    result = load(SEED)
    assert result.format == InputFormat.TEXT.value
    assert len(result.references) == 141


EXPECTED: dict[str, dict[str, str]] = {
    "1": {
        "author": "Batchelor, Tom",
        "date": "1 May 2017",
        "title": "Russian police round up LGBT activists demonstrating against persecution "
        "of gay men in Chechnya",
        "work": "The Independent",
        "access_date": "31 May 2017",
    },
    "5": {
        "author": "Milashina, Elena",
        "date": "1 April 2017",
        "title": "Murder of honor: the ambitions of a well-known LGBT activist awake a terrible "
        "ancient custom in Chechnya",
        "access_date": "14 April 2017",
        "quote": '"Novaya Gazeta" became aware of mass detentions of residents of Chechnya in '
        "connection with their unconventional sexual orientation - or suspicion of such. At "
        "the moment, more than a hundred men have been informed of the detention. "
        '"Novaya Gazeta" knows the names of the three dead, but our sources say that there '
        "are many more victims",
    },
    "6": {
        "author": "Kramer, Andrew E.",
        "date": "1 April 2017",
        "title": "Chechen Authorities Arresting and Killing Gay Men, Russian Paper Says",
        "access_date": "15 April 2017",
    },
    "8": {
        "title": "Reports Of New, Terrifying 'Gay Concentration Camps' Where Men Are Getting "
        "Tortured And Murdered",
        "work": "ELLE UK",
        "date": "2017-04-13",
        "access_date": "2017-04-13",
    },
    "9": {
        "author": "Walker, Shaun",
        "date": "14 April 2017",
        "title": "Journalists fear reprisals for exposing purge of gay men in Chechnya",
        "access_date": "15 April 2017",
        "via": "The Guardian",
    },
    "14": {
        "author": "Benedek, Dr. Wolfgang",
        "date": "December 21, 2018",
        "title": "OSCE Rapporteur's Report under the Moscow Mechanism on alleged Human Rights "
        "Violations and Impunity in the Chechen Republic of the Russian Federation by "
        "Professor Dr. Wolfgang Benedek",
        "work": "Organization for Security and Cooperation in Europe",
        "access_date": "13 January 2018",
    },
    "18": {
        "title": "Chechnya launches new gay 'purge', reports say",
        "work": "The Independent",
        "date": "11 January 2019",
        "access_date": "14 January 2019",
    },
    "19": {
        "title": '"Новой газете" стало известно о новых преследованиях геев в Чечне',
        "work": "Новая газета",
        "access_date": "14 January 2019",
    },
    "24": {
        "title": "Breaking the Silence: Human Rights Violations Based on Sexual Orientation",
        "publisher": "Amnesty International",
        "date": "1997",
        "page": "34",
        "isbn": "1873328125",
    },
    "29": {
        "author": "Osborne, Samuel",
        "date": "April 7, 2017",
        "title": "Gay men being tortured and murdered in Chechen prisons, claim detainees",
        "work": "The Independent",
        "access_date": "April 10, 2017",
        "quote": "He has brought Islam to the fore of Chechnya's daily life, and gay people who "
        "reveal their sexuality are often discriminated against and shunned by their families",
    },
    "31": {
        "title": "Chechnya gay purge: Russian foreign minister says claims of abuse are "
        "'not based on fact'",
        "work": "The Independent'",
        "date": "May 30, 2017",
    },
    "35": {
        "title": "Tanya Lokshina, Anti-LGBT Violence in Chechnya Human Rights Watch",
        "date": "April 4, 2017",
    },
    "38": {
        "title": "Расправы над чеченскими геями (18+)",
        "work": "Новая газета",
        "language": "Russian",
        "access_date": "18 December 2017",
    },
    "42": {
        "author": "Stroude, Will",
        "date": "May 3, 2017",
        "title": "CHECHEN AUTHORITIES 'SUMMON PARENTS TO PRISON CAMPS TO KILL THEIR GAY SONS'",
        "work": "Attitude",
        "archive_date": "May 6, 2017",
        "access_date": "May 3, 2017",
    },
    "44": {
        "title": "Расправы над чеченскими геями (18+)",
        "work": "Новая газета",
        "date": "4 April 2017",
        "access_date": "14 January 2019",
    },
    "52": {
        "title": "The United States Concerned by Reports of Detentions and Deaths of LGBTI "
        "Individuals in Chechnya, Russia",
        "type": "Press release",
        "work": "The United States Department of State",
        "date": "April 7, 2017",
        "access_date": "16 April 2016",
    },
    "53": {
        "title": '"They Have Long Arms and They Can Find Me": Anti-Gay Purge by Local '
        "Authorities in Russia's Chechen Republic",
        "work": "Human Rights Watch",
        "date": "26 May 2017",
        "access_date": "27 May 2017",
    },
    "63": {
        "author": "Avenue, Human Rights Watch | 350 Fifth; York, 34th Floor | New; t, "
        "NY 10118-3299 USA |",
        "date": "2019-05-28",
        "title": "Russia: Chechnya Gay Purge Responders Threatened",
        "work": "Human Rights Watch",
        "access_date": "2019-06-28",
    },
    "65": {
        "title": "Russia Urged to End Torture, Killing of Gays in Chechnya",
        "work": "Voice of America",
        "date": "April 13, 2017",
    },
    "66": {
        "title": "Gay man takes Russia to Europe's rights court over Chechnya LGBT+...",
        "work": "Reuters",
        "date": "2019-05-24",
        "access_date": "2019-06-28",
    },
    "71": {
        "title": "Vladimir Putin backs investigation into reports of violent anti-gay "
        "crackdown in Chechnya",
        "work": "NBC News",
        "publisher": "Associated Press",
        "date": "5 May 2017",
        "access_date": "6 May 2017",
    },
    "74": {
        "author": "Koreneva, Marina",
        "date": "1 May 2017",
        "title": "Russia detains protesters against Chechnya anti-gay violence",
        "work": "Agence France-Presse",
        "publisher": "France 24",
        "archive_date": "8 May 2017",
        "access_date": "22 May 2017",
    },
    "80": {
        "author": "Feder, J. Lester; Lytvynenko, Jane",
        "date": "2017-07-06",
        "title": "Activists Say Chechnya Has Restarted Its Crackdown Against LGBT People",
        "work": "BuzzFeed News",
        "access_date": "2017-07-12",
    },
    "108": {
        "author": "Editor, Letters to the",
        "date": "11 May 2017",
        "title": "Haaretz Reported on Abuse of Gay Men in Chechnya. Russia Was Not Pleased and "
        "Wrote Us Back",
        "access_date": "18 November 2017",
        "via": "Haaretz",
    },
    "109": {
        "author": "Jackman, Josh",
        "title": "Reports of Chechnya gay purge are false and meant to smear Russia, says official",
        "work": "Pink News",
        "access_date": "2017-05-11",
    },
    "111": {
        "title": 'Des associations LGBT accusent la Tchétchénie de " génocide " devant la CPI',
        "work": "Le Monde",
        "language": "French",
        "date": "16 May 2017",
        "access_date": "16 May 2017",
    },
    "119": {
        "title": "Chechnya 'concentration camps' a sickening reminder of LGBTI persecution",
        "work": "Sydney Morning Herald",
        "date": "April 21, 2017",
    },
    "120": {
        "title": "RUSSIA 2017 HUMAN RIGHTS REPORT",
        "type": "PDF",
        "archive_date": "20 April 2018",
        "access_date": "28 January 2019",
    },
    "121": {
        "title": "Attacks on LGBTI Community in Chechnya",
        "work": "U.S. Department of State",
        "access_date": "28 January 2019",
    },
    "134": {
        "title": "Lithuania helps gay Chechens flee Russia",
        "work": "EUobserver",
        "date": "2017-05-19",
    },
    "138": {
        "author": "Fiona Keating",
        "date": "2017-09-03",
        "title": "Canada quietly gives asylum to gay people fleeing persecution in Russia; "
        "Chechen leader Ramzan Kadyrovhas previously suggested deporting gay men to Canada",
        "work": "The Independent (United Kingdom)",
    },
    "140": {
        "author": "Kramer, Andrew E.",
        "date": "2019-01-14",
        "title": "Chechnya Renews Crackdown on Gay People, Rights Group Says",
        "work": "The New York Times",
        "issn": "0362-4331",
        "access_date": "2019-06-28",
    },
    "141": {
        "title": "Gay Chechen man with HIV seeks asylum in US",
        "work": "Washington Blade: Gay News, Politics, LGBT Rights",
        "date": "2019-05-01",
        "access_date": "2019-06-28",
    },
}


@pytest.mark.parametrize("ref_id", list(EXPECTED))
def test_seed_reference_fields(refs: dict[str, Reference], ref_id: str) -> None:
    assert fields(refs[ref_id]) == EXPECTED[ref_id]


def test_via_without_a_provider_gives_no_value(refs: dict[str, Reference]) -> None:
    assert "via" not in refs["6"].extra
    assert "via" not in refs["20"].extra


def read_text(text: str | bytes, path: str = "page.txt") -> ImportResult:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return text_format.read(path, data)


PAGE = """\
Some article

In 2017, 100 men were detained.[1] On 3. April the story broke.[2]
1. This numbered line is prose, not a reference.

References

  7. ^ a b Doe, Jane (3 March 2020). "A title". The Times. Retrieved 4 March 2020.

  8. "Unmarked entry". Example Weekly. 2020-03-05.
  9. ^ Roe, Rick. "Third", Some Site, March 6, 2020.

External links
  * Official site
2. Not part of the list either.
"""


def test_synthetic_page_finds_the_list_among_prose() -> None:
    result = read_text(PAGE)
    assert result.problems == ()
    assert [ref.id for ref in result.references] == ["7", "8", "9"]
    first, second, third = result.references
    assert first.location == Location("page.txt", 8)
    assert fields(first) == {
        "author": "Doe, Jane",
        "date": "3 March 2020",
        "title": "A title",
        "work": "The Times",
        "access_date": "4 March 2020",
    }
    assert second.location == Location("page.txt", 10)
    assert fields(second) == {
        "title": "Unmarked entry",
        "work": "Example Weekly",
        "date": "2020-03-05",
    }
    assert fields(third) == {
        "author": "Roe, Rick",
        "title": "Third",
        "work": "Some Site",
        "date": "March 6, 2020",
    }
    assert result.columns == KNOWN_FIELDS


def test_a_page_that_is_only_the_list_without_markers() -> None:
    result = read_text('1. "One". A.\n2. "Two". B.\n')
    assert [(ref.id, ref.title, ref.work) for ref in result.references] == [
        ("1", "One", "A"),
        ("2", "Two", "B"),
    ]


def test_marked_list_wins_over_longer_unmarked_prose_list() -> None:
    text = '1. one\n2. two\n3. three\n4. four\n\n  1. ^ "Ref". Work.\n  2. ^ "Ref 2".\n'
    result = read_text(text)
    assert [ref.title for ref in result.references] == ["Ref", "Ref 2"]


def test_no_list_is_a_fatal_problem() -> None:
    result = read_text("Just prose.\nIn 2017. Nothing numbered here.\n")
    assert result.references == ()
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.fatal
    assert problem.message == "no numbered reference list found"
    assert (problem.path, problem.row, problem.field) == ("page.txt", None, None)


def test_undecodable_byte_is_reported_and_the_entry_still_parsed() -> None:
    data = (
        b'  1. ^ Smith, Jo (1 May 2017). "Caf\xe9 news". The Paper. Retrieved 2 May 2017.\n'
        b'  2. ^ "Clean". Work.\n'
    )
    result = read_text(data)
    assert len(result.references) == 2
    ref = result.references[0]
    assert ref.title == "Caf\ufffd news"
    assert (ref.author, ref.work, ref.date, ref.access_date) == (
        "Smith, Jo",
        "The Paper",
        "1 May 2017",
        "2 May 2017",
    )
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert (problem.row, problem.field, problem.ref_id, problem.fatal) == (1, None, "1", False)
    assert "0xE9" in problem.message


def test_unreadable_entry_is_kept_with_a_problem() -> None:
    result = read_text('  1. ^ "Unclosed title. Work\n  2. ^\n  3. ^ "Fine". Work.\n')
    assert [ref.id for ref in result.references] == ["1", "2", "3"]
    assert result.references[0].title == '"Unclosed title. Work'
    assert [(p.row, p.ref_id, p.fatal) for p in result.problems] == [
        (1, "1", False),
        (2, "2", False),
    ]


def test_cs1_elements_book_and_identifiers() -> None:
    text = (
        "  1. ^ Smith, A. B. (2001). Big Book (PDF). Oxford: OUP. pp. 3–4. "
        "doi:10.1000/xyz. ISBN 978-0-19-000000-0. Archived (PDF) from the original on "
        "2 May 2002. Retrieved 3 May 2003.\n"
        '  2. ^ "Titre" (in French). Le Site (in German). Retrieved 1 June 2020 – via JSTOR.\n'
    )
    book, article = read_text(text).references
    assert fields(book) == {
        "author": "Smith, A. B.",
        "date": "2001",
        "title": "Big Book",
        "type": "PDF",
        "publisher": "Oxford: OUP",
        "page": "3–4",
        "doi": "10.1000/xyz",
        "isbn": "978-0-19-000000-0",
        "archive_date": "2 May 2002",
        "access_date": "3 May 2003",
    }
    assert fields(article) == {
        "title": "Titre",
        "language": "French",
        "work": "Le Site",
        "access_date": "1 June 2020",
        "via": "JSTOR",
    }


def test_wrapped_entry_lines_join_the_previous_entry() -> None:
    text = '  1. ^ "One". Work.\nRetrieved 2 May 2020.\n  2. ^ "Two". Work.\nTrailing prose.\n'
    first, second = read_text(text).references
    assert first.access_date == "2 May 2020"
    assert second.title == "Two"
    assert second.access_date == ""


def test_journal_chapter_and_translated_title_extras() -> None:
    text = (
        '  1. ^ Smith, John; Doe, Jane (March 2019). "A study". Nature. 567 (7748): 123–125. '
        "doi:10.1038/x-1. PMID 30867612.\n"
        '  2. ^ Jones, A.; et al. (2010). "Chapter one". In Brown, B. (ed.). Big Book. '
        "London: Penguin. pp. 12–15.\n"
        '  3. ^ "Мир" [World]. Известия (in Russian). 5 May 2015 – via East View.\n'
    )
    journal, chapter, translated = read_text(text).references
    assert fields(journal) == {
        "author": "Smith, John; Doe, Jane",
        "date": "March 2019",
        "title": "A study",
        "work": "Nature",
        "volume": "567",
        "issue": "7748",
        "page": "123–125",
        "doi": "10.1038/x-1",
        "pmid": "30867612",
    }
    assert fields(chapter) == {
        "author": "Jones, A.; et al.",
        "date": "2010",
        "title": "Chapter one",
        "editor": "Brown, B.",
        "work": "Big Book",
        "publisher": "London: Penguin",
        "page": "12–15",
    }
    assert fields(translated) == {
        "title": "Мир",
        "trans_title": "World",
        "work": "Известия",
        "language": "Russian",
        "date": "5 May 2015",
        "via": "East View",
    }


def test_crlf_line_endings() -> None:
    result = read_text('  1. ^ "One". A. Retrieved 1 May 2020.\r\n  2. ^ "Two". B.\r\n')
    assert [(ref.title, ref.work, ref.access_date) for ref in result.references] == [
        ("One", "A", "1 May 2020"),
        ("Two", "B", ""),
    ]


def test_desktop_back_links_are_stripped(tmp_path: Path) -> None:
    page = tmp_path / "desktop.txt"
    page.write_text(
        "References\n"
        '1. ^ Jump up to: a b Smith, John (5 March 2019). "A title". The Times. '
        "Retrieved 7 March 2019.\n"
        '2. ^ Jump up ^ Doe, Jane (2001). "Another title". The Post.\n',
        encoding="utf-8",
    )
    first, second = text_format.read(str(page), page.read_bytes()).references
    assert (first.author, first.title, first.work) == ("Smith, John", "A title", "The Times")
    assert (second.author, second.title) == ("Doe, Jane", "Another title")


def test_webarchive_rendering(tmp_path: Path) -> None:
    page = tmp_path / "webarchive.txt"
    page.write_text(
        '1. ^ "Some report". Example Org. 3 March 2015. Archived 13 April 2017 at the '
        "Wayback Machine. Retrieved 1 April 2016.\n"
        '2. ^ "Other". Org. 2015. Archived 2 May 2016 at archive.today\n',
        encoding="utf-8",
    )
    first, second = text_format.read(str(page), page.read_bytes()).references
    assert (first.work, first.publisher, first.archive_date) == ("Example Org", "", "13 April 2017")
    assert first.extra["archive_service"] == "the Wayback Machine"
    assert (first.access_date, first.date) == ("1 April 2016", "3 March 2015")
    assert (second.archive_date, second.extra["archive_service"]) == ("2 May 2016", "archive.today")
