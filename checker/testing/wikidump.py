"""Generated MediaWiki XML dumps with real citation shapes (for tests and ``bench/``).

Each page is an article with ``{{cite web}}``, ``{{cite news}}``, ``{{cite book}}``,
``{{citation}}``, bare ``<ref>[url title]</ref>`` links, named refs and their reuse,
``{{webarchive}}`` and ``{{dead link}}`` as found on Wikipedia; pages are written one at
a time, so a dump of any size takes constant memory.  A page can be made malformed (a
non-numeric ``<ns>``, as a broken export has) to test that the rest still loads.
"""

from __future__ import annotations

import bz2
import random
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

HEADER = """<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" version="0.10" \
xml:lang="en">
  <siteinfo>
    <sitename>Citewatchpedia</sitename>
    <dbname>citewiki</dbname>
    <base>https://wiki.example/wiki/Main_Page</base>
    <generator>MediaWiki 1.41.0</generator>
    <case>first-letter</case>
    <namespaces>
      <namespace key="0" case="first-letter" />
      <namespace key="1" case="first-letter">Talk</namespace>
    </namespaces>
  </siteinfo>
"""
FOOTER = "</mediawiki>\n"

_MONTHS = ["January", "March", "May", "July", "September", "November"]


def _date(rng: random.Random) -> str:
    return f"{rng.randint(1, 28)} {rng.choice(_MONTHS)} {rng.randint(2004, 2023)}"


def article(title: str, urls: Sequence[str], rng: random.Random) -> str:
    """An article's wikitext citing ``urls``."""
    parts = [
        "{{Use dmy dates|date=May 2020}}",
        f"'''{title}''' is a subject covered by several sources.",
    ]
    for i, url in enumerate(urls):
        kind = i % 6
        access = _date(rng)
        if kind == 0:
            cite = (
                f"{{{{cite web |url={url} |title=Report {i} on {title} |website=Example "
                f"|date={_date(rng)} |access-date={access}}}}}"
            )
        elif kind == 1:
            cite = (
                f"{{{{cite news |last=Doe |first=J. |title=News {i} |url={url} "
                f"|work=The Example Times |date={_date(rng)} |access-date={access}}}}}"
            )
        elif kind == 2:
            cite = (
                f"{{{{cite book |title=Book {i} |publisher=Example Press |year=2011 "
                f"|isbn=978-0-306-40615-7 |url={url} |access-date={access}}}}}"
            )
        elif kind == 3:
            cite = f"[{url} Page {i} about {title}]"
        elif kind == 4:
            cite = (
                f"{{{{cite web |url={url} |title=Archived {i} |access-date={access}}}}} "
                f"{{{{webarchive |url=https://web.archive.org/web/20190101000000/{url} "
                "|date=1 January 2019}}"
            )
        else:
            cite = (
                f"{{{{citation |url={url} |title=Item {i} |date={_date(rng)}}}}} {{{{dead link}}}}"
            )
        name = f' name="r{i}"' if i % 4 == 0 else ""
        parts.append(f"Sentence {i} of the article.<ref{name}>{cite}</ref>")
        if name and i % 8 == 0:
            parts.append(f'It is said again.<ref name="r{i}" />')
    parts.append("== References ==\n{{Reflist}}")
    return "\n".join(parts)


def page_xml(page_id: int, title: str, text: str, *, ns: str = "0") -> str:
    return (
        f"  <page>\n    <title>{escape(title)}</title>\n    <ns>{ns}</ns>\n"
        f"    <id>{page_id}</id>\n    <revision>\n      <id>{page_id * 10}</id>\n"
        "      <timestamp>2024-01-01T00:00:00Z</timestamp>\n"
        "      <contributor><username>Editor</username><id>1</id></contributor>\n"
        "      <model>wikitext</model>\n      <format>text/x-wiki</format>\n"
        f'      <text bytes="{len(text)}" xml:space="preserve">{escape(text)}</text>\n'
        "    </revision>\n  </page>\n"
    )


def pages(
    count: int,
    url_for: Callable[[int, int], str],
    *,
    per_page: int = 8,
    malformed: frozenset[int] = frozenset(),
    seed: int = 1,
) -> Iterator[str]:
    """The XML of ``count`` pages; page n (1-based) cites ``url_for(n, i)`` for each i."""
    rng = random.Random(seed)
    for n in range(1, count + 1):
        title = f"Article {n}"
        text = article(title, [url_for(n, i) for i in range(per_page)], rng)
        yield page_xml(n, title, text, ns="zero" if n in malformed else "0")


def write_dump(path: Path, page_xml_iter: Iterator[str], *, truncate_at: int | None = None) -> Path:
    """Write a dump (bz2-compressed when ``path`` ends in ``.bz2``), page by page.
    ``truncate_at``: stop after that many pages, without the closing tag (a broken file)."""
    opener = bz2.open if path.suffix == ".bz2" else open
    with opener(path, "wt", encoding="utf-8") as out:
        out.write(HEADER)
        for n, xml in enumerate(page_xml_iter, 1):
            out.write(xml)
            if truncate_at is not None and n >= truncate_at:
                out.write("  <page>\n    <title>Cut off")
                return path
        out.write(FOOTER)
    return path
