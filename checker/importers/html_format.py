"""The ``html`` format: a saved Wikipedia page (File → Save page), or any web page.

On a Wikipedia page each ``<li>`` of an ``<ol class="references">`` is a reference, in
page order; its id is its note number (``"1"``, ``"2"``, … in order of the page, over
every reference list of it) and its location the ``li``'s ``id`` as anchor
(``page.html#cite_note-Foo-3``).  Each note is read from three sources:

* the links: the first external link (``a.external``) that is not an archive is
  ``url``; the first link to an archive (web.archive.org, archive.today, …) is
  ``archive_url``.  Identifier links (``doi:``, ``ISSN``, ``PMID``…) are not the URL.
  With an archive, ``url_status`` is ``dead`` when the title links to the archive (that
  is how CS1 renders ``url-status=dead``), else ``live``; a rendered ``[dead link]``
  without an archive gives ``dead``;
* the COinS metadata (``span.Z3988``): ``rft.atitle``/``rft.btitle`` → title,
  ``rft.jtitle`` → work, ``rft.aulast``+``rft.aufirst`` and ``rft.au`` → author
  (``"Last, First; …"``), ``rft.pub`` → publisher, ``rft.date``, ``rft.isbn``,
  ``rft.issn``, ``rft_id`` (URL, ``info:doi/``) — these win over the rendered text;
* the rendered text, read as the ``text`` format reads a citation: the publication date
  as written (it wins over ``rft.date``, which CS1 writes as ISO), ``Retrieved …``,
  ``Archived from the original on …``, and whatever COinS lacks.

Any other page: every ``<a href>`` to an http(s) URL becomes a reference (url, the link
text as title), with its line in the file as location.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlsplit

from bs4 import BeautifulSoup, Tag

from checker.i18n import normalise_lang
from checker.i18n.dates import grammar
from checker.i18n.detect import from_html
from checker.i18n.rendered import parse_localized
from checker.importers.decoding import bad_bytes, clean, decode
from checker.importers.text_format import parse_entry as parse_rendered
from checker.model import KNOWN_FIELDS, ImportResult, InputProblem, Location, Reference

ARCHIVE_HOSTS = (
    "web.archive.org",
    "wayback.archive.org",
    "archive.org",
    "archive.today",
    "archive.ph",
    "archive.is",
    "archive.li",
    "archive.md",
    "archive.vn",
    "webcitation.org",
    "www.webcitation.org",
    "ghostarchive.org",
    "wayback.archive-it.org",
)
_SPACES = re.compile(r"\s+")
_DEAD_LINK = re.compile(r"\[\s*dead link\s*\]", re.IGNORECASE)
_EXTRA = ("via", "page", "type", "trans_title")  # quote is a known field
_DATE = r"(?P<date>(?:\d{1,2}\s+)?[A-Z][a-z]+\.?\s+(?:\d{1,2},\s+)?\d{4}|\d{4}-\d{2}-\d{2}|\d{4})"
_AUTHOR_DATE = re.compile(rf'^[^"(]*\({_DATE}\)(?=[.,]|\s|$)')
_RETRIEVED = re.compile(rf"\b[Rr]etrieved\s+(?:on\s+)?{_DATE}")
_ARCHIVED = re.compile(
    rf"\b[Aa]rchived(?:\s+\([^()]*\))?\s+from\s+the\s+original(?:\s+\([^()]*\))?\s+on\s+{_DATE}"
)


def is_archive(url: str) -> bool:
    """Whether ``url`` is a link to a web archive."""
    host = (urlsplit(url).hostname or "").lower()
    return host in ARCHIVE_HOSTS or host.endswith(".archive.org")


def _attr(tag: Tag, name: str) -> str:
    value = tag.get(name)
    if isinstance(value, list):
        return " ".join(value)
    return value or ""


def read(path: str, data: bytes, lang: str | None = None) -> ImportResult:
    """Read a saved Wikipedia page (its reference lists), or any page (its links).

    ``lang``: the wiki's language; None: from ``<html lang>``, the article's ``lang`` or
    the wiki's domain in the page.  Notes of another wiki are read with its phrases."""
    text = decode(data)
    problems: list[InputProblem] = []
    bad = bad_bytes(text)
    if bad:
        message = f"undecodable byte(s) {bad} (not UTF-8); replaced with U+FFFD"
        problems.append(InputProblem(path, None, None, message))
        text = clean(text)
    code = normalise_lang(lang) if lang is not None else from_html(text)
    soup = BeautifulSoup(text, "lxml")
    notes = [li for ol in soup.select("ol.references") for li in ol.find_all("li", recursive=False)]
    if notes:
        refs = [_note(path, str(n), li, problems, code) for n, li in enumerate(notes, start=1)]
    else:
        refs = _links(path, text)
    if not refs:
        message = "no reference list (ol.references) and no http(s) link found"
        problems.append(InputProblem(path, None, None, message, fatal=True))
    extras: dict[str, None] = {}
    for ref in refs:
        extras.update(dict.fromkeys(ref.extra))
    columns = KNOWN_FIELDS + tuple(extras)
    return ImportResult(
        tuple(refs), tuple(problems), columns, source=path, format="html", lang=code
    )


def _note(
    path: str, ref_id: str, li: Tag, problems: list[InputProblem], code: str = ""
) -> Reference:
    anchor = _attr(li, "id") or None
    body = li.select_one("span.reference-text") or li
    dead_marked = bool(_DEAD_LINK.search(li.get_text(" ")))
    for marker in body.select("sup.noprint, sup.Inline-Template, span.mw-cite-backlink"):
        marker.decompose()  # "[dead link]", "[better source needed]"… are not the citation
    cite = body.select_one("cite") or body
    local = bool(code) and grammar(code) is not None
    if local:
        cite = body  # another wiki's <cite> holds only the title; its dates follow it
    rendered = _SPACES.sub(" ", cite.get_text()).strip()
    if local:
        fields = (parse_localized(rendered, code, _shown_title(body)) or {}) if rendered else {}
    else:
        fields = (parse_rendered(rendered) or {"title": rendered}) if rendered else {}
        fields.update(_rendered_dates(rendered))
    coins = body.select_one("span.Z3988")
    if coins is not None:
        rendered_date = fields.get("date", "")
        fields.update(_coins(_attr(coins, "title")))
        if rendered_date:
            fields["date"] = rendered_date
        if local:  # de {{Internetquelle}} escapes "(" as "&#40;" inside its COinS
            fields = {k: html.unescape(v) for k, v in fields.items()}
    urls = [_attr(a, "href") for a in body.select("a.external") if not _identifier(a)]
    urls = [u for u in urls if u.startswith(("http://", "https://"))]
    originals = [u for u in urls if not is_archive(u)]
    archives = [u for u in urls if is_archive(u)]
    if originals:
        fields["url"] = originals[0]
    if archives:
        fields["archive_url"] = archives[0]
        fields["url_status"] = "dead" if urls[0] == archives[0] else "live"
    elif dead_marked:
        fields["url_status"] = "dead"
    if fields.get("title") and fields["title"].rstrip(".") in originals[:1]:
        del fields["title"]  # a bare link: its text is the URL, not a title
    if not fields:
        problems.append(InputProblem(path, None, None, f"note {anchor or ref_id} is empty", ref_id))
    known = {k: v for k, v in fields.items() if k in KNOWN_FIELDS and k != "id"}
    extra = {k: fields[k] for k in _EXTRA if fields.get(k)}
    return Reference(id=ref_id, **known, extra=extra, location=Location(path, anchor=anchor))


def _shown_title(body: Tag) -> str:
    """The title another wiki's note shows: its first italic text, else the text of its
    first external link (when that text is not the URL itself)."""
    italic = body.find(["i", "cite"])
    if isinstance(italic, Tag) and italic.get_text(strip=True):
        return _SPACES.sub(" ", italic.get_text()).strip()
    for link in body.select("a.external"):
        text = _SPACES.sub(" ", link.get_text()).strip()
        if (
            text
            and not text.startswith(("http://", "https://"))
            and not is_archive(_attr(link, "href"))
        ):
            return text
    return ""


def _rendered_dates(text: str) -> dict[str, str]:
    """The dates CS1 and CS2 (``{{citation}}``: commas, lower case) render in words."""
    found = {}
    for name, pattern in (
        ("date", _AUTHOR_DATE),
        ("access_date", _RETRIEVED),
        ("archive_date", _ARCHIVED),
    ):
        if match := pattern.search(text):
            found[name] = match["date"]
    return found


def _identifier(link: Tag) -> bool:
    """An identifier link rendered by CS1 (``doi:10.1/x``, ``ISSN 1234-5678``…)."""
    holder = link.parent if link.parent is not None and link.parent.name == "span" else link
    previous = holder.find_previous_sibling()
    return (
        isinstance(previous, Tag)
        and previous.name == "a"
        and "(identifier)" in (_attr(previous, "href") + _attr(previous, "title"))
    )


def _coins(title: str) -> dict[str, str]:
    """The fields of a COinS ``title`` (an URL-encoded OpenURL ContextObject)."""
    pairs = parse_qsl(title, keep_blank_values=False)
    values: dict[str, list[str]] = {}
    for key, value in pairs:
        values.setdefault(key, []).append(_SPACES.sub(" ", value).strip())

    def one(*keys: str) -> str:
        return next((values[k][0] for k in keys if values.get(k)), "")

    fields: dict[str, str] = {}
    atitle, btitle, jtitle = one("rft.atitle"), one("rft.btitle"), one("rft.jtitle")
    if one("rft.genre") == "bookitem" and btitle:
        fields["title"] = btitle
    elif atitle or btitle or one("rft.title"):
        fields["title"] = atitle or btitle or one("rft.title")
    if jtitle:
        fields["work"] = jtitle
    authors = []
    last, first = one("rft.aulast"), one("rft.aufirst")
    if last:
        authors.append(f"{last}, {first}" if first else last)
    authors.extend(values.get("rft.au", []))
    authors.extend(values.get("rft.creator", []))  # Dublin Core COinS (de {{Internetquelle}})
    if authors:
        fields["author"] = "; ".join(authors)
    for key, name in (("rft.pub", "publisher"), ("rft.date", "date"), ("rft.isbn", "isbn")):
        if one(key):
            fields[name] = one(key)
    if one("rft.issn", "rft.eissn"):
        fields["issn"] = one("rft.issn", "rft.eissn")
    for identifier in values.get("rft.identifier", []):  # de: {{Internetquelle}}'s COinS
        if identifier.startswith(("http://", "https://")) and not is_archive(identifier):
            fields.setdefault("url", identifier)
    for rft_id in values.get("rft_id", []):
        if rft_id.startswith("info:doi/"):
            fields["doi"] = rft_id.removeprefix("info:doi/")
        elif rft_id.startswith(("http://", "https://")) and not is_archive(rft_id):
            fields.setdefault("url", rft_id)
    return fields


def _links(path: str, text: str) -> list[Reference]:
    """Every http(s) link of a page that is not a Wikipedia reference list."""
    soup = BeautifulSoup(text, "html.parser")  # html.parser knows each tag's line
    refs: list[Reference] = []
    for link in soup.find_all("a", href=True):
        href = _attr(link, "href").strip()
        if not href.lower().startswith(("http://", "https://")):
            continue
        ref_id = str(len(refs) + 1)
        title = _SPACES.sub(" ", link.get_text()).strip()
        location = Location(path, link.sourceline, _attr(link, "id") or None)
        refs.append(Reference(id=ref_id, url=href, title=title, location=location))
    return refs
