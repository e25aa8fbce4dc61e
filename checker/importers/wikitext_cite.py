"""One citation template's parameters, read into the canonical fields.

Shared by the wikitext importer and the wikitext patcher.  Template names are compared
case-, space- and underscore-insensitively (``{{Cite_Web}}`` is ``cite web``).  The
value of a parameter is its text with HTML comments removed, entities decoded, links
reduced to their text and whitespace collapsed; unnamed (positional) parameters are
ignored.  Aliases follow Module:Citation/CS1: ``accessdate``/``access-date``,
``archiveurl``/``archive-url``, ``website``/``work``/``newspaper``/… → ``work``,
``deadurl=yes`` → ``url_status=dead``; authors ``last``/``first``, ``lastN``/``firstN``,
``author``/``authorN`` become ``"Last, First; Last2, First2"``; without ``date``,
``month`` and ``year`` give ``"Month YYYY"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mwparserfromhell.nodes import (
    Comment,
    ExternalLink,
    HTMLEntity,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.nodes.extras import Parameter
from mwparserfromhell.wikicode import Wikicode

from checker.i18n import Language

WEBARCHIVE = frozenset({"webarchive", "web archive"})
DEAD_LINK = frozenset(
    {"dead link", "deadlink", "dead", "404", "broken link", "dl", "dead url", "link broken"}
)
USE_DMY = frozenset({"use dmy dates", "use dmy", "dmy", "use dmy date", "usedmy", "dmy dates"})
USE_MDY = frozenset({"use mdy dates", "use mdy", "mdy", "use mdy date", "usemdy", "mdy dates"})

#: Citation parameter (lower case) → canonical field.
PARAMS: dict[str, str] = {
    "url": "url",
    "title": "title",
    "publisher": "publisher",
    "date": "date",
    "access-date": "access_date",
    "accessdate": "access_date",
    "archive-url": "archive_url",
    "archiveurl": "archive_url",
    "archive-date": "archive_date",
    "archivedate": "archive_date",
    "url-status": "url_status",
    "website": "work",
    "work": "work",
    "newspaper": "work",
    "magazine": "work",
    "journal": "work",
    "periodical": "work",
    "encyclopedia": "work",
    "isbn": "isbn",
    "isbn13": "isbn",
    "issn": "issn",
    "doi": "doi",
    "language": "language",
    "lang": "language",
    "quote": "quote",
}
#: Parameters kept as extra columns (named like the text importer's).
EXTRA_PARAMS: dict[str, str] = {
    "via": "via",
    "page": "page",
    "pages": "page",
    "at": "page",
    "trans-title": "trans_title",
}
#: The parameter name written for a field when a template has none for it yet.
WRITE_NAMES: dict[str, str] = {
    "archive_url": "archive-url",
    "archive_date": "archive-date",
    "url_status": "url-status",
    "access_date": "access-date",
}
DEADURL = frozenset({"deadurl", "dead-url"})
_DEADURL_VALUES = {"yes": "dead", "y": "dead", "true": "dead", "no": "live", "n": "live"}
_AUTHOR = re.compile(r"^(last|surname|author|first|given)-?(\d*)$")
_FIRST = frozenset({"first", "given"})
_WORDS = re.compile(r"\s+")
_QUOTE_MARKUP = re.compile(r"'{2,5}")


def normalize_name(text: str) -> str:
    """``Cite_Web `` → ``cite web``; ``Template:`` prefix dropped."""
    name = _WORDS.sub(" ", text.replace("_", " ")).strip().lower()
    return name.removeprefix("template:").strip()


def template_name(template: Template) -> str:
    return normalize_name(plain(template.name))


def is_citation(name: str, lang: Language | None = None) -> bool:
    """A citation template: English CS1's, or one of ``lang``'s wiki (``internetquelle``)."""
    return (
        name == "citation"
        or name.startswith("cite ")
        or (lang is not None and name in lang.templates)
    )


def plain(code: Wikicode | None) -> str:
    """The text of a piece of wikitext: comments dropped, links reduced to their text."""
    if code is None:
        return ""
    return _WORDS.sub(" ", "".join(_node_text(node) for node in code.nodes)).strip()


def _node_text(node: object) -> str:
    if isinstance(node, Comment):
        return ""
    if isinstance(node, Text):
        return _QUOTE_MARKUP.sub("", str(node.value))
    if isinstance(node, HTMLEntity):
        return node.normalize()
    if isinstance(node, Wikilink):
        return plain(node.text if node.text is not None else node.title)
    if isinstance(node, ExternalLink):
        return plain(node.title) if node.title is not None and node.brackets else plain(node.url)
    if isinstance(node, Tag):
        if str(node.tag).strip().lower() == "br":
            return " "
        return plain(node.contents) if node.contents is not None else ""
    if isinstance(node, Template):
        name = template_name(node)
        if name == "!":
            return "|"
        if name in ("lang", "langx", "lang-x") and node.params:
            return plain(node.params[-1].value)
    return str(node)


def param_name(param: Parameter) -> str:
    return plain(param.name).lower()


@dataclass
class CiteFields:
    """What one citation template says, and which parameter each field came from."""

    fields: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)
    params: dict[str, Parameter] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def read_template(template: Template, lang: Language | None = None) -> CiteFields:
    """The canonical fields (and extras) of a citation template; with ``lang``, the
    parameter names of that wiki's templates too (its data file)."""
    out = CiteFields()
    authors: dict[int, dict[str, str]] = {}
    group_authors = ""
    year = month = dead_url = stamp = ""
    seen: dict[str, str] = {}
    for param in template.params:
        if not param.showkey:
            continue  # unnamed parameters mean nothing to a citation template
        name, value = param_name(param), plain(param.value)
        if name in seen and value and seen[name] and seen[name] != value:
            out.problems.append(f"parameter {name!r} is given twice; the last value counts")
        seen[name] = value
        local = _local(name, lang) if lang is not None else None
        if local is not None and lang is not None:
            kind, number = local
            if kind in _PERSON:
                authors.setdefault(number, {})[_PERSON[kind]] = value
            elif kind == "year":
                year = value
            elif kind == "month":
                month = value
            elif kind == "archive_timestamp":
                stamp = value
            elif kind == "url_status":
                marker = lang.dead_params.get(name)
                dead_url = (marker.status(value) if marker else value) or dead_url
                out.params.setdefault("deadurl", param)
            elif kind.startswith("extra:"):
                if value:
                    out.extra[kind.removeprefix("extra:")] = value
            elif value or kind not in out.params:
                out.fields[kind] = value
                out.params[kind] = param
        elif name in PARAMS:
            canonical = PARAMS[name]
            if value or canonical not in out.params:  # the last non-empty value counts
                out.fields[canonical] = value
                out.params[canonical] = param
        elif name in EXTRA_PARAMS:
            if value:
                out.extra[EXTRA_PARAMS[name]] = value
        elif name in DEADURL:
            dead_url = _DEADURL_VALUES.get(value.lower(), value)
            out.params.setdefault("deadurl", param)
        elif match := _AUTHOR.match(name):
            kind = "first" if match[1] in _FIRST else "last" if match[1] != "author" else "full"
            authors.setdefault(int(match[2] or 1), {})[kind] = value
        elif name in ("authors", "vauthors", "people"):
            group_authors = value
        elif name == "year":
            year = value
        elif name == "month":
            month = value
    if lang is not None and template_name(template) in lang.dead_citations:
        dead_url = "dead"  # {{Lien brisé}}: the template itself says the link is dead
    if dead_url and not out.fields.get("url_status"):
        out.fields["url_status"] = dead_url
    if stamp and out.fields.get("url") and not out.fields.get("archive_url"):
        out.fields["archive_url"] = f"https://web.archive.org/web/{stamp}/{out.fields['url']}"
        if re.fullmatch(r"\d{8,14}", stamp):
            out.fields.setdefault("archive_date", f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}")
    if not out.fields.get("date") and year:
        out.fields["date"] = f"{month} {year}" if month else year
    names = [_person(parts) for _, parts in sorted(authors.items())]
    out.fields["author"] = "; ".join(name for name in names if name) or group_authors
    return out


_PERSON = {"author": "full", "author_last": "last", "author_first": "first"}
_NUMBERED = re.compile(r"^(.*?)\s*(\d+)$")


def _local(name: str, lang: Language) -> tuple[str, int] | None:
    """A parameter of ``lang``'s wiki: (canonical kind, author number), or None."""
    if name in lang.dead_params:
        return "url_status", 1
    kind = lang.params.get(name)
    if kind is not None:
        return kind, 1
    numbered = _NUMBERED.match(name)
    if numbered and lang.params.get(numbered[1]) in _PERSON:
        return lang.params[numbered[1]], int(numbered[2])
    return None


def _person(parts: dict[str, str]) -> str:
    if parts.get("full"):
        return parts["full"]
    last, first = parts.get("last", ""), parts.get("first", "")
    return f"{last}, {first}" if last and first else last or first


def read_webarchive(template: Template) -> tuple[str, str]:
    """``{{webarchive|url=…|date=…}}``: the archive URL and date."""
    values = {param_name(p): plain(p.value) for p in template.params if p.showkey}
    return values.get("url", "") or values.get("url1", ""), values.get("date", "")
