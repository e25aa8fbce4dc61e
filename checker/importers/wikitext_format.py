"""The ``wikitext`` format: an article's source, as in the edit box of a wiki.

Every citation becomes a reference:

* each citation template (``{{cite web}}``, ``{{cite news}}``, ``{{cite book}}``,
  ``{{citation}}``, any ``{{cite …}}``), inside a ``<ref>`` or not (e.g. in a "Further
  reading" list);
* a ``<ref>`` without a citation template: its first external link
  (``<ref>[http://x Title]</ref>``, ``<ref>http://x</ref>``), else its text as the title;
* ``<ref name=x />`` (a reuse) creates nothing; list-defined references inside
  ``{{reflist|refs=…}}`` or ``<references>…</references>`` are read where they stand.

``{{webarchive|url=…|date=…}}`` and ``{{dead link}}`` following a citation inside the
same ref (outside refs: on the same line) set its ``archive_url``/``archive_date`` and
``url_status`` (dead) unless the citation already has them.

Ids: the ref's name when it is named, defined once and holds one citation; otherwise
``ref-N``, N being the reference's position (1-based) in order of appearance.  Each
reference's location is the line of its ``<ref`` (or of the template outside refs), with
the ref name as anchor.  Extra columns: ``template`` (the template's name, "" for a bare
link or text), ``ref_name``, ``date_format`` (``dmy``/``mdy`` from the article's
``{{use dmy dates}}``/``{{use mdy dates}}``, on every reference; only when the article
has one), and ``via``, ``page``, ``quote``, ``trans_title`` when given.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import mwparserfromhell
from mwparserfromhell.nodes import Comment, ExternalLink, Node, Tag, Template, Text
from mwparserfromhell.nodes.extras import Parameter
from mwparserfromhell.wikicode import Wikicode

from checker.i18n import Language, language, normalise_lang
from checker.i18n.detect import from_wikitext
from checker.importers.decoding import bad_bytes, clean, decode
from checker.importers.wikitext_cite import (
    DEAD_LINK,
    USE_DMY,
    USE_MDY,
    WEBARCHIVE,
    is_citation,
    plain,
    read_template,
    read_webarchive,
    template_name,
)
from checker.model import KNOWN_FIELDS, ImportResult, InputProblem, Location, Reference

_UNCLOSED_REF = re.compile(r"<ref\b", re.IGNORECASE)
_UNCLOSED_CITE = re.compile(r"\{\{\s*(?:cite[ _]|citation\b)", re.IGNORECASE)
_GENERATED = re.compile(r"^ref-\d+$")
_VERBATIM = frozenset({"nowiki", "pre", "syntaxhighlight", "source", "code", "math", "chem"})


@dataclass
class Citation:
    """One reference found in the article, with the nodes it was read from."""

    number: int  #: 1-based position in order of appearance
    line: int
    node: Node  #: the citation template, the bare link, or the ref tag (text refs)
    container: Wikicode  #: the wikicode directly holding ``node``
    ref_name: str
    fields: dict[str, str]
    extra: dict[str, str] = field(default_factory=dict)
    params: dict[str, Parameter] = field(default_factory=dict)
    webarchive: Template | None = None
    dead_link: Template | None = None
    ref: Tag | None = None
    id: str = ""

    @property
    def template(self) -> Template | None:
        return self.node if isinstance(self.node, Template) else None


@dataclass
class Scan:
    """A parsed article: its tree, every citation in order, the date preference."""

    code: Wikicode
    citations: list[Citation]
    date_format: str  #: "dmy", "mdy" or "" (no {{use … dates}})
    problems: list[InputProblem]
    lang: str = ""  #: the wiki language read ("" = English)


@dataclass
class _Ref:
    tag: Tag
    name: str
    line: int
    count: int = 0


def scan(path: str, text: str, lang: str | None = None) -> Scan:
    """Parse ``text`` and find every citation (the tree round-trips to ``text``).

    ``lang`` is the wiki's language (``de``…; ``""`` English); None: from the templates
    the article uses."""
    code = normalise_lang(lang) if lang is not None else from_wikitext(text)
    return _Scanner(path, text, code).run()


def children(node: Node, start: int) -> Iterator[tuple[Wikicode, int]]:
    """The child wikicodes of ``node`` with their offsets (``node`` starts at ``start``)."""
    text, cursor = str(node), 0
    for child in node.__children__():
        at = text.find(str(child), cursor)
        if at < 0:
            continue
        yield child, start + at
        cursor = at + len(str(child))


class _Scanner:
    def __init__(self, path: str, text: str, lang: str = "") -> None:
        self.path, self.text = path, text
        self.lang_code = lang
        self.lang: Language | None = language(lang) if lang else None
        self.newlines = [i for i, ch in enumerate(text) if ch == "\n"]
        self.citations: list[Citation] = []
        self.problems: list[InputProblem] = []
        self.date_format = ""
        self.defined: dict[str, int] = {}
        self.used: dict[str, int] = {}
        self.refs: dict[str, list[_Ref]] = {}
        self.cite_problems: list[tuple[Citation, str]] = []

    def line(self, offset: int) -> int:
        return bisect.bisect_left(self.newlines, offset) + 1

    def problem(self, line: int, message: str, field_name: str | None = None) -> None:
        self.problems.append(InputProblem(self.path, line, field_name, message))

    def run(self) -> Scan:
        code = mwparserfromhell.parse(self.text, skip_style_tags=True)
        self.visit(code, 0, None)
        for name, line in self.used.items():
            if name not in self.defined:
                self.problem(line, f'<ref name="{name}" /> is used but never defined')
        self.assign_ids()
        for cite, message in self.cite_problems:
            self.problems.append(InputProblem(self.path, cite.line, None, message, cite.id))
        self.problems.sort(key=lambda problem: problem.row or 0)
        return Scan(code, self.citations, self.date_format, self.problems, self.lang_code)

    def visit(self, code: Wikicode, base: int, ref: _Ref | None) -> None:
        pos, last = base, None
        for node in code.nodes:
            start = pos
            pos += len(str(node))
            if isinstance(node, Comment):
                continue
            tag = str(node.tag).strip().lower() if isinstance(node, Tag) else ""
            if tag == "ref" and isinstance(node, Tag):
                self.read_ref(node, code, start)
                last = None
                continue
            if tag in _VERBATIM:
                continue  # <nowiki>{{cite web}}</nowiki> is text, not a citation
            if isinstance(node, Template):
                name = template_name(node)
                if (
                    self.is_archive(name)
                    and last is not None
                    and (ref is not None or last.line == self.line(start))
                ):
                    attach(last, node, name, self.lang)
                    continue
                if is_citation(name, self.lang):
                    last = self.add_template(node, code, start, ref)
                    continue
                if self.is_archive(name) or self.is_dead_link(name):
                    if last is not None and (ref is not None or last.line == self.line(start)):
                        attach(last, node, name, self.lang)
                    continue
                if name in USE_DMY or name in USE_MDY:
                    self.date_format = self.date_format or ("dmy" if name in USE_DMY else "mdy")
            if isinstance(node, Text):
                self.check_text(str(node.value), start)
            for child, at in children(node, start):
                self.visit(child, at, ref)

    def is_archive(self, name: str) -> bool:
        return name in WEBARCHIVE or (self.lang is not None and name in self.lang.archive_templates)

    def is_dead_link(self, name: str) -> bool:
        return name in DEAD_LINK or (
            self.lang is not None and name in self.lang.dead_link_templates
        )

    def check_text(self, text: str, start: int) -> None:
        for pattern, what in ((_UNCLOSED_REF, "<ref> tag"), (_UNCLOSED_CITE, "citation template")):
            if match := pattern.search(text):
                line = self.line(start + match.start())
                self.problem(line, f"unclosed or malformed {what}: {text[match.start() :][:40]!r}")

    def read_ref(self, tag: Tag, parent: Wikicode, start: int) -> None:
        name = plain(tag.get("name").value) if tag.has("name") else ""
        line = self.line(start)
        if tag.self_closing or tag.contents is None or not str(tag.contents).strip():
            if name:
                self.used.setdefault(name, line)
            else:
                self.problem(line, "empty <ref> without a name")
            return
        if name in self.defined:
            self.problem(
                line, f'<ref name="{name}"> is defined twice (first on line {self.defined[name]})'
            )
        elif name:
            self.defined[name] = line
        ref = _Ref(tag, name, line)
        self.refs.setdefault(name, []).append(ref)
        offset = next((at for child, at in children(tag, start) if child is tag.contents), start)
        self.visit(tag.contents, offset, ref)
        if ref.count == 0:
            self.add_plain(tag.contents, parent, ref)

    def new(self, node: Node, container: Wikicode, line: int, ref: _Ref | None) -> Citation:
        cite = Citation(len(self.citations) + 1, line, node, container, ref.name if ref else "", {})
        cite.ref = ref.tag if ref else None
        if ref is not None:
            ref.count += 1
        self.citations.append(cite)
        return cite

    def add_template(
        self, node: Template, container: Wikicode, start: int, ref: _Ref | None
    ) -> Citation:
        cite = self.new(node, container, ref.line if ref else self.line(start), ref)
        read = read_template(node, self.lang)
        cite.fields, cite.extra, cite.params = read.fields, read.extra, read.params
        self.cite_problems.extend((cite, message) for message in read.problems)
        return cite

    def add_plain(self, contents: Wikicode, parent: Wikicode, ref: _Ref) -> None:
        """A ref without a citation template: a bare link (then its {{webarchive}},
        {{dead link}}), or plain text."""
        nodes = contents.nodes
        for index, node in enumerate(nodes):
            if isinstance(node, ExternalLink):
                cite = self.new(node, contents, ref.line, ref)
                cite.fields = {"url": plain(node.url)}
                if node.brackets and node.title is not None:
                    cite.fields["title"] = plain(node.title)
                for after in nodes[index + 1 :]:
                    if isinstance(after, Template):
                        name = template_name(after)
                        if self.is_archive(name) or self.is_dead_link(name):
                            attach(cite, after, name, self.lang)
                return
        cite = self.new(ref.tag, parent, ref.line, ref)
        cite.fields = {"title": plain(contents) or str(contents).strip()}

    def assign_ids(self) -> None:
        names = {
            name
            for name, refs in self.refs.items()
            if name and len(refs) == 1 and refs[0].count == 1 and not _GENERATED.match(name)
        }
        taken: set[str] = set()
        for cite in self.citations:
            cite.id = cite.ref_name if cite.ref_name in names else f"ref-{cite.number}"
            while cite.id in taken:
                cite.id += "-2"
            taken.add(cite.id)


def attach(cite: Citation, template: Template, name: str, lang: Language | None = None) -> None:
    """A {{webarchive}} (or the wiki's own, e.g. {{Webarchiv}}) or {{dead link}}
    following ``cite``."""
    if lang is not None and name in lang.archive_templates:
        cite.webarchive = template
        local = read_template(template, lang).fields
        if not cite.fields.get("archive_url"):
            cite.fields["archive_url"] = local.get("archive_url", "")
            cite.fields["archive_date"] = local.get("archive_date", "")
    elif name in WEBARCHIVE:
        cite.webarchive = template
        url, date = read_webarchive(template)
        if not cite.fields.get("archive_url"):
            cite.fields["archive_url"], cite.fields["archive_date"] = url, date
    else:
        cite.dead_link = template
        if not cite.fields.get("url_status"):
            cite.fields["url_status"] = "dead"


def read(path: str, data: bytes, lang: str | None = None) -> ImportResult:
    """Read an article's wikitext (``lang``: its wiki's language; None: detected)."""
    text = decode(data)
    problems: list[InputProblem] = []
    bad = bad_bytes(text)
    if bad:
        problems.append(
            InputProblem(
                path, None, None, f"undecodable byte(s) {bad} (not UTF-8); replaced with U+FFFD"
            )
        )
        text = clean(text)
    found = scan(path, text, lang)
    problems.extend(found.problems)
    if not found.citations:
        problems.append(
            InputProblem(path, None, None, "no <ref> or citation template found", fatal=True)
        )
    refs: list[Reference] = []
    extras: dict[str, None] = dict.fromkeys(["template", "ref_name"])
    for cite in found.citations:
        template = cite.template
        extra = {"template": template_name(template) if template else "", "ref_name": cite.ref_name}
        if found.date_format:
            extra["date_format"] = found.date_format
        extra.update(cite.extra)
        extras.update(dict.fromkeys(extra))
        known = {k: v for k, v in cite.fields.items() if k in KNOWN_FIELDS and k != "id"}
        location = Location(path, cite.line, cite.ref_name or None)
        refs.append(Reference(id=cite.id, **known, extra=extra, location=location))
    columns = KNOWN_FIELDS + tuple(extras)
    return ImportResult(
        tuple(refs), tuple(problems), columns, source=path, format="wikitext", lang=found.lang
    )
