"""The same six references written as CSV, wikitext, a saved Wikipedia page and BibTeX
give the same findings (offline checks, fixed date): the importers agree."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from checker import api
from checker.checks import CheckConfig
from checker.importers import load

AGREE = Path(__file__).parent / "data" / "agree"
FILES = ("references.csv", "article.wiki", "page.html", "references.bib")
CONFIG = CheckConfig(today=dt.date(2024, 5, 1))
EXPECTED = {
    ("Río Ejemplo floods: a town under water", "access-before-publication"),
    ("Rivers of the World", "invalid-isbn"),
    ("Valley residents detained after protest", "archive-date-mismatch"),
    ("Page not found", "generic-title"),
}


def findings(name: str) -> set[tuple[str, str]]:
    """(title, code) of every finding on a reference: ids differ between formats."""
    imported = load(AGREE / name)
    assert imported.problems == (), name
    result = api.check_import(imported, CONFIG)
    titles = {ref.id: ref.title for ref in result.references}
    return {(titles[f.ref_id], f.code) for f in result.findings if f.ref_id is not None}


@pytest.mark.parametrize("name", FILES)
def test_each_format_finds_the_planted_faults(name: str) -> None:
    assert findings(name) == EXPECTED


def test_all_formats_agree() -> None:
    results = {name: findings(name) for name in FILES}
    assert all(found == results["references.csv"] for found in results.values()), results


@pytest.mark.parametrize("name", FILES)
def test_same_references_same_fields(name: str) -> None:
    """Beyond the findings: the fields that drive the checks are read alike."""
    compared = ("url", "title", "author", "work", "isbn", "issn", "doi", "archive_url")
    reference = {r.title: r for r in load(AGREE / "references.csv").references}
    for ref in load(AGREE / name).references:
        expected = reference[ref.title]
        assert [ref.get(f) for f in compared] == [expected.get(f) for f in compared], ref.id


@pytest.mark.parametrize("name", FILES)
def test_findings_point_at_their_source(name: str) -> None:
    result = api.check_import(load(AGREE / name), CONFIG)
    for ref in result.references:
        assert ref.location is not None
        assert ref.location.line is not None or ref.location.anchor, (name, ref.id)
        assert str(ref.location).startswith(str(AGREE / name))
