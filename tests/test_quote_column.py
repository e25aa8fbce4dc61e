"""``quote`` is a known field: the CSV column, wikitext ``|quote=``, and the rendered quote
of the text and HTML importers all land in ``Reference.quote`` (not in ``extra``)."""

from __future__ import annotations

from pathlib import Path

from checker.importers import load
from checker.model import KNOWN_FIELDS
from checker.table import table_columns

DATA = Path(__file__).parent / "data"


def test_csv_quote_column(tmp_path: Path) -> None:
    src = tmp_path / "refs.csv"
    src.write_text('id,url,quote,via\n1,http://a.example/,"We will not relent",X\n', "utf-8")
    ref = load(src).references[0]
    assert ref.quote == "We will not relent" and dict(ref.extra) == {"via": "X"}
    assert "quote" in KNOWN_FIELDS and table_columns(["via"]).index("quote") < 16


def test_wikitext_quote_parameter(tmp_path: Path) -> None:
    src = tmp_path / "a.wiki"
    src.write_text(
        "Text.<ref>{{cite web |url=http://a.example/ |title=T |quote=We will ''not'' relent"
        " |page=4}}</ref>\n",
        "utf-8",
    )
    ref = load(src).references[0]
    assert ref.quote == "We will not relent"
    assert "quote" not in ref.extra and ref.extra["page"] == "4"


def test_rendered_quotes_in_html_and_text() -> None:
    ref = load(DATA / "quote_note.html").references[0]
    assert ref.quote == "The city would not relent on public access"
    assert ref.url == "http://news.example/a" and "quote" not in ref.extra
    seed = load(DATA / "seed_article.txt").references
    quoted = [r for r in seed if r.quote]
    assert quoted and all("quote" not in r.extra for r in seed)
