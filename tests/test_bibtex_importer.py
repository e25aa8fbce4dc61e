"""The bibtex importer: fields, names, LaTeX, ids, lines, malformed entries."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.importers import load
from checker.importers.bibtex_format import authors, latex_text, read
from checker.model import ImportResult, Reference

BIB = Path(__file__).parent / "data" / "references.bib"


@pytest.fixture(scope="module")
def bib() -> ImportResult:
    return load(BIB)


def ref(result: ImportResult, ref_id: str) -> Reference:
    return next(r for r in result.references if r.id == ref_id)


def test_entries_keys_and_lines(bib: ImportResult) -> None:
    assert bib.format == "bibtex"
    ids = [r.id for r in bib.references]
    assert ids == [
        "walker2017",
        "kramer2017",
        "smith2009",
        "mueller2015",
        "ministry2020",
        "ortega2018",  # read although the entry before it is malformed
        "walker2017",  # a repeated key: read, and a problem
    ]
    lines = BIB.read_text(encoding="utf-8").splitlines()
    for reference in bib.references:
        assert reference.location is not None and reference.location.line is not None
        assert lines[reference.location.line - 1].startswith("@")
        assert reference.id in lines[reference.location.line - 1]
    first = bib.references[0].location
    assert first is not None and str(first) == f"{BIB}:5"


def test_biblatex_online_entry(bib: ImportResult) -> None:
    walker = ref(bib, "walker2017")
    assert walker.title == "Río Ejemplo floods: a town under water"  # {\'\i}, braces
    assert walker.work == "The Guardian"  # @string macro, journaltitle
    assert walker.date == "2017-04-02"  # as written
    assert walker.access_date == "2017-04-16"  # urldate, as written
    assert walker.url == "https://www.theguardian.com/world/2017/apr/02/rio-ejemplo-floods"
    assert walker.author == "Walker, Shaun"
    assert walker.extra["entry_type"] == "online"


def test_names_months_and_journal(bib: ImportResult) -> None:
    kramer = ref(bib, "kramer2017")
    assert kramer.author == "Kramer, Andrew E.; Núñez, Ana"  # "First Last" and "Last, First"
    assert kramer.date == "May 2017"  # year + month macro
    assert kramer.work == "The New York Times"  # journal
    smith = ref(bib, "smith2009")
    assert smith.author == "Smith, John; et al."
    assert smith.publisher == "Example Press & Sons"
    assert smith.isbn == "978-0-306-40615-6"
    assert smith.title == "Rivers of the World"


def test_corporate_author_howpublished_url_and_numeric_month(bib: ImportResult) -> None:
    ministry = ref(bib, "ministry2020")
    assert ministry.author == "Ministry of Water"
    assert ministry.url == "https://water.example/report-2020.pdf"
    assert ministry.date == "July 2020"


def test_identifiers_language_and_booktitle(bib: ImportResult) -> None:
    mueller = ref(bib, "mueller2015")
    assert (mueller.doi, mueller.issn, mueller.language) == (
        "10.1000/xyz123",
        "0378-5955",
        "english",
    )
    assert mueller.author == "Müller, Anna; Ng, B."
    assert mueller.title == "Sediment of the Río Ejemplo"
    ortega = ref(bib, "ortega2018")
    assert ortega.work == "Actas del Congreso de Hidrología"  # booktitle
    assert ortega.publisher == "El País"


def test_malformed_and_duplicate_entries_are_problems(bib: ImportResult) -> None:
    problems = [(p.row, p.message, p.ref_id) for p in bib.problems]
    assert len(problems) == 2
    row, message, ref_id = problems[0]
    assert row == 52 and message.startswith("malformed entry 'broken', skipped") and ref_id is None
    row, message, ref_id = problems[1]
    assert (row, ref_id) == (64, "walker2017")
    assert "already used on line 5" in message
    assert not any(p.fatal for p in bib.problems)


def test_a_file_without_entries_is_fatal() -> None:
    result = read("x.bib", b"% only a comment\n@comment{nothing}\n")
    assert result.references == ()
    assert result.problems[-1].fatal


def test_entry_without_key() -> None:
    result = read("x.bib", b"@misc{,\n  title = {Untitled key}\n}\n")
    assert [(r.id, r.title) for r in result.references] == [("line-1", "Untitled key")]
    assert "without a key" in result.problems[0].message
    assert result.problems[0].ref_id == "line-1"


def test_undecodable_bytes() -> None:
    result = read("x.bib", b"@misc{k,\n  title = {Caf\xe9}\n}\n")
    assert result.references[0].title == "Caf\ufffd"
    assert "0xE9" in result.problems[0].message


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"The {R}iver {Report}", "The River Report"),
        (r"caf{\'e} na\"{\i}ve", "café naïve"),
        (r"50% of {\&} -- 60", "50% of & – 60"),
        ("plain  text\n  here", "plain text here"),
    ],
)
def test_latex_text(latex: str, text: str) -> None:
    assert latex_text(latex) == text


def test_authors() -> None:
    assert authors("von Neumann, John and Jane Q. Public and {Acme and Co}") == (
        "von Neumann, John; Public, Jane Q.; Acme and Co"
    )


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["@article{", "@misc(", "k1,", "title = {", "}", '"', "author=", " and ",
                         "{\\'e}", "%", "\n", ",", "@string{s = \"x\"}", "month = apr", "é"]),
        max_size=30,
    )
)  # fmt: skip
def test_any_bibtex_is_read_without_raising(pieces: list[str]) -> None:
    result = read("x.bib", "".join(pieces).encode())
    assert all(r.location is not None and r.location.line for r in result.references)
