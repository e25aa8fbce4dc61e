"""The ``text`` format: the plain-text rendering of a Wikipedia page.

Copying a page's text gives its reference list as numbered lines such as::

      12. ^ a b Walker, Shaun (2 April 2017). "Title". The Guardian. Retrieved 16 April 2017.

:func:`read` finds the longest run of consecutively numbered entries (entries with the
``^`` back-link marker win over prose that happens to start with a number) and reads
each entry back into the canonical fields, following the order in which Wikipedia's
citation module (CS1) renders them::

    Authors (Date). "Title" (type) (in Language). Work. Publisher. Date. p. N. ISBN X.
    Archived from the original on Date. Retrieved Date – via Provider. Quotation

Values are kept verbatim as rendered (checks downstream judge them).  The rendering
has lost every URL, so ``url`` and ``archive_url`` stay empty.  What has no canonical
column goes to an extra one: ``type`` (``PDF``, ``Press release``), ``via``, ``page``,
``quote``, ``archive_service`` (the {{webarchive}} rendering "Archived DATE at the
Wayback Machine"), and, when present, ``trans_title``, ``editor``, ``volume``, ``issue``
and identifiers such as ``pmid`` or ``oclc``.  An entry that cannot be read still becomes a
reference, with its text as the title and a problem naming it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from checker.i18n import normalise_lang
from checker.i18n.dates import grammar
from checker.i18n.detect import from_text
from checker.i18n.rendered import parse_localized
from checker.importers.decoding import bad_bytes, clean, decode
from checker.model import KNOWN_FIELDS, ImportResult, InputProblem, Location, Reference

#: A numbered list line: number, optional back-link marker, entry text.
_ENTRY = re.compile(r"^\s*(\d{1,5})\.(?:\s+|$)([\^↑])?\s*(.*)$")  # text: rstrip it
#: Runs of whitespace, collapsed to one space as a browser renders them (a long run
#: would make the element patterns below quadratic).
_SPACES = re.compile(r"\s{2,}")
#: Back-link letters after the marker of a reference cited more than once ("a b c").
#: Back-links: "a b c" (mobile rendering), "Jump up to: a b" / "Jump up" (desktop).
_BACKLINKS = re.compile(
    r"^(?:Jump up to:\s*)?a(?: [a-z]{1,2})+(?:\s+|$)|^Jump up(?: to)?:?\s+(?:\^\s*)?"
)
#: Non-numbered lines tolerated inside a run (wrapped entries); more end the run.
_MAX_HELD = 3

_YEAR = r"\b\d{4}[a-z]?\b"
_AUTHOR_DATE = re.compile(
    rf'^(?P<author>[^"()]*?)\s*\((?P<date>[^()]*{_YEAR}[^()]*|n\.d\.)\)(?:\.\s*|\s*$)'
)
_AUTHOR_ONLY = re.compile(r'^(?P<author>[^"\d]{1,120}?)\.\s+(?=")')
_INITIAL_END = re.compile(r"(?:^|[\s.])[A-Z]$")
#: Where a quoted title ends: before ". ", " (", the end, or after closing punctuation.
_TITLE_END = re.compile(r'"(?=\.(?:\s|$)|\s+[(\[]|\s*$)|(?<=[.?!…])"(?=\s)')
_TITLE_END_COMMA = re.compile(r'"(?=\s*,)')
_LEADING_PAREN = re.compile(r"^\s*\(([^()]{1,40})\)")
_TRANS_TITLE = re.compile(r"^\s*\[(?P<trans>[^\[\]]+)\]")
_TRAILING_MARK = re.compile(r"\s*\((in\s+[^()]+|PDF|Press release)\)$")

_SEP = re.compile(r"\.\s+|\s+[-–]\s+(?=Retrieved\b)")
_SPECIAL = re.compile(
    r"(?:Retrieved|Archived|ISBN|ISSN|doi:|PMID|PMC|OCLC|JSTOR|Bibcode|arXiv|S2CID|hdl)\b"
)
_ABBREVIATIONS = frozenset({"St", "Dr", "Mr", "Mrs", "Ms", "Jr", "Sr", "No", "Vol", "pp", "ed"})

_VIA = re.compile(r"(?:^|\s+)[–—-]\s*via\b\s*(?P<via>.*)$")
_RETRIEVED = re.compile(r"^Retrieved\s+(?:on\s+)?(?P<date>.+)$")
#: The {{webarchive}} rendering: "Archived 13 April 2017 at the Wayback Machine".
_WEBARCHIVE = re.compile(r"^Archived\s+(?P<date>.+?)\s+at\s+(?P<service>.+)$")
_ARCHIVED = re.compile(
    r"^Archived(?:\s+\((?P<t1>[^()]+)\))?\s+from\s+the\s+original"
    r"(?:\s+\((?P<t2>[^()]+)\))?\s+on\s+(?P<date>.+)$"
)
_IDENTIFIER = re.compile(
    r"^(?P<name>ISBN|ISSN|doi|PMID|PMC|OCLC|JSTOR|Bibcode|arXiv|S2CID|hdl)[:\s]\s*(?P<value>\S.*)$"
)
_PAGE = re.compile(r"^(?:pp?\.|pages?)\s*(?P<page>\S.*)$")
#: A journal's "volume (issue): pages"; an issue or pages must be present.
_VOLUME = re.compile(
    r"^(?P<volume>\d[\w–-]*)(?:\s*\((?P<issue>[^()]+)\))?(?::\s*(?P<page>[\w\s,–-]*\d[\w\s,–-]*))?$"
)
_EDITORS = re.compile(r"^In\s+(?P<editor>.+?)\s*\(eds?\.\)$")
_DATE_CHARS = r"[A-Za-z0-9\s,./–-]*"
_DATEISH = re.compile(rf"^(?:c\.\s*)?{_DATE_CHARS}{_YEAR}{_DATE_CHARS}$|^n\.d\.$")
_DASH_DATE = re.compile(r"^(?P<head>.+?)\s+[-–]\s+(?P<date>[^-–]+)$")
_COMMA_DATE = re.compile(
    r"(?:^|,\s*)(?P<date>[A-Z][a-z]+\.?\s+\d{1,2}(?:[–-]\d{1,2})?,\s+\d{4}"
    r"|(?:\d{1,2}\s+)?(?:[A-Z][a-z]+\.?\s+)?\d{4}|\d{4}-\d{2}-\d{2})$"
)


@dataclass
class _Entry:
    number: int
    line: int
    marked: bool
    text: str


def read(path: str, data: bytes, lang: str | None = None) -> ImportResult:
    """Read a whole page (or just its reference list) in the ``text`` format.

    ``lang``: the wiki's language (entries then read with its phrases, see
    :mod:`checker.i18n.rendered`); None: from the phrases the page uses."""
    decoded = decode(data)
    code = _language(decoded, lang)
    entries = _find_list(decoded.split("\n"))
    if not entries:
        problem = InputProblem(path, None, None, "no numbered reference list found", fatal=True)
        return ImportResult((), (problem,), source=path, format="text")
    refs: list[Reference] = []
    problems: list[InputProblem] = []
    extras: dict[str, None] = {}
    for entry in entries:
        ref_id, text = str(entry.number), entry.text
        bad = bad_bytes(text)
        if bad:
            message = f"undecodable byte(s) {bad} (not UTF-8); replaced with U+FFFD"
            problems.append(InputProblem(path, entry.line, None, message, ref_id=ref_id))
            text = clean(text)
        if entry.marked:
            text = _BACKLINKS.sub("", text)
        fields = parse_localized(text, code) if code else parse_entry(text)
        if fields is None:
            message = f"reference {ref_id}: cannot read the entry; its text is kept as the title"
            problems.append(InputProblem(path, entry.line, None, message, ref_id=ref_id))
            fields = {"title": text}
        known = {name: value for name, value in fields.items() if name in KNOWN_FIELDS}
        extra = {name: value for name, value in fields.items() if name not in KNOWN_FIELDS}
        extras.update(dict.fromkeys(extra))
        location = Location(path, entry.line)
        refs.append(Reference(id=ref_id, **known, extra=extra, location=location))
    columns = KNOWN_FIELDS + tuple(extras)
    return ImportResult(
        tuple(refs), tuple(problems), columns, source=path, format="text", lang=code
    )


def _language(text: str, lang: str | None) -> str:
    """The wiki language: given, else detected from the rendered phrases ("" English)."""
    if lang is not None:
        return normalise_lang(lang) if grammar(normalise_lang(lang)) is not None else ""
    return from_text(text)


def _find_list(lines: list[str]) -> list[_Entry]:
    """The run of consecutively numbered entries most likely to be the reference list."""
    runs: list[list[_Entry]] = []
    current: list[_Entry] = []
    held: list[str] = []
    for index, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r")
        match = _ENTRY.match(line)
        if match:
            entry = _Entry(int(match[1]), index, bool(match[2]), match[3].rstrip())
            if current and entry.number == current[-1].number + 1:
                if held:  # a wrapped entry: the held lines continue the previous one
                    current[-1].text = " ".join([current[-1].text, *held])
                current.append(entry)
            else:
                if current:
                    runs.append(current)
                current = [entry]
            held = []
        elif line.strip() and current:
            held.append(line.strip())
            if len(held) > _MAX_HELD:
                runs.append(current)
                current, held = [], []
    if current:
        runs.append(current)
    candidates = [run for run in runs if len(run) > 1 or run[0].marked]
    if not candidates:
        return []
    # Most marked entries first, then the longest; on a tie the later run (lists end pages).
    return max(reversed(candidates), key=lambda run: (sum(e.marked for e in run), len(run)))


def parse_entry(text: str) -> dict[str, str] | None:
    """The fields of one entry (known and extra names), or None if it cannot be read."""
    rest = _SPACES.sub(" ", text).strip()
    if not rest:
        return None
    fields: dict[str, str] = {}
    if match := _AUTHOR_DATE.match(rest):
        fields["author"], fields["date"] = match["author"].strip(), match["date"].strip()
        rest = rest[match.end() :]
        if not rest:  # free text such as "Name, Title Publisher (date)."
            fields["title"] = fields.pop("author")
            return _drop_empty(fields)
    elif match := _AUTHOR_ONLY.match(rest):
        author = match["author"].strip()
        fields["author"] = author + "." if _INITIAL_END.search(author) else author
        rest = rest[match.end() :]
    if not rest.startswith('"'):
        _read_elements(rest, fields, ("title", "publisher"))
        return _drop_empty(fields)
    end = _TITLE_END.search(rest, 1) or _TITLE_END_COMMA.search(rest, 1)
    if end is None:
        return None
    fields["title"] = rest[1 : end.start()]
    rest = rest[end.end() :]
    if trans := _TRANS_TITLE.match(rest):
        fields["trans_title"] = trans["trans"]
        rest = rest[trans.end() :]
    while paren := _LEADING_PAREN.match(rest):
        _mark(paren[1], fields)
        rest = rest[paren.end() :]
    if rest.lstrip().startswith(","):
        _read_commas(rest.lstrip()[1:], fields)
    else:
        _read_elements(rest.lstrip(". "), fields, ("work", "publisher"))
    return _drop_empty(fields)


def _mark(marker: str, fields: dict[str, str]) -> None:
    """A parenthesised marker: ``in French`` is a language, anything else a type."""
    if marker.startswith("in "):
        fields.setdefault("language", marker[3:].strip())
    elif "type" in fields:
        fields["type"] += f"; {marker}"
    else:
        fields["type"] = marker


def _split(text: str) -> list[tuple[int, str]]:
    """CS1's ". "-separated elements with their offsets; initials and abbreviations hold."""
    pieces: list[tuple[int, str]] = []
    start = 0
    for sep in _SEP.finditer(text):
        if sep.group().startswith("."):
            last = _last_word(text, start, sep.start()).rsplit(".", 1)[-1]
            abbreviated = (len(last) == 1 and last.isalpha()) or last in _ABBREVIATIONS
            if abbreviated and not _SPECIAL.match(text, sep.end()):
                continue
        pieces.append((start, text[start : sep.start()]))
        start = sep.end()
    tail = text[start:].strip()
    if tail.endswith(".") and not tail.endswith(".."):
        tail = tail[:-1]
    if tail:
        pieces.append((start, tail))
    return pieces


def _last_word(text: str, start: int, end: int) -> str:
    """The last whitespace-separated word of ``text[start:end]``, found from the end (a
    slice of everything since ``start`` would make a run of initials quadratic)."""
    stop = end
    while stop > start and text[stop - 1].isspace():
        stop -= 1
    begin = stop
    while begin > start and not text[begin - 1].isspace():
        begin -= 1
    return text[begin:stop]


def _is_date(text: str) -> bool:
    words = re.findall(r"[^\W\d_]{2,}", text)
    return len(text) <= 40 and len(words) <= 3 and _DATEISH.match(text) is not None


def _read_elements(text: str, fields: dict[str, str], plain_fields: tuple[str, str]) -> None:
    """Classify the elements after the title; plain ones fill ``plain_fields`` in order."""
    plain: list[str] = []
    for start, raw in _split(text):
        element = raw.strip()
        if "access_date" in fields and not _SPECIAL.match(element):
            quote = text[start:].strip()
            fields["quote"] = quote[:-1] if quote.endswith(".") else quote
            break
        if via := _VIA.search(element):
            fields["via"] = via["via"].strip()
            element = element[: via.start()].strip()
        if match := _RETRIEVED.match(element):
            fields["access_date"] = match["date"].strip()
        elif match := _ARCHIVED.match(element):
            fields["archive_date"] = match["date"].strip()
            if match["t1"] or match["t2"]:
                fields.setdefault("type", match["t1"] or match["t2"])
        elif match := _WEBARCHIVE.match(element):
            fields.setdefault("archive_date", match["date"].strip())
            fields["archive_service"] = match["service"].strip()
        elif match := _IDENTIFIER.match(element):
            name = match["name"].lower()
            fields[name] = match["value"].strip()
        elif match := _PAGE.match(element):
            fields["page"] = match["page"]
        elif (match := _VOLUME.match(element)) and (match["issue"] or match["page"]):
            fields["volume"], fields["issue"] = match["volume"], match["issue"] or ""
            fields["page"] = match["page"] or ""
        elif match := _EDITORS.match(element):
            fields["editor"] = match["editor"]
        elif _is_date(element) and "date" not in fields:
            fields["date"] = element
        elif (match := _DASH_DATE.match(element)) and _is_date(match["date"]):
            plain.append(match["head"])
            fields.setdefault("date", match["date"])
        elif element:
            while mark := _TRAILING_MARK.search(element):
                _mark(mark[1], fields)
                element = element[: mark.start()]
            plain.append(element)
    _fill(plain, fields, plain_fields)


def _read_commas(text: str, fields: dict[str, str]) -> None:
    """The comma form of a citation: ``"Title", Work, Publisher, April 13, 2017.``"""
    text = text.strip().removesuffix(".")
    if retrieved := re.search(r",?\s*[Rr]etrieved\s+(?:on\s+)?(.+)$", text):
        fields["access_date"] = retrieved[1].strip()
        text = text[: retrieved.start()]
    if date := _COMMA_DATE.search(text):
        fields.setdefault("date", date["date"])
        text = text[: date.start()]
    _fill([part.strip() for part in text.split(",")], fields, ("work", "publisher"))


def _fill(plain: list[str], fields: dict[str, str], names: tuple[str, str]) -> None:
    """First plain element to ``names[0]``, the others (joined) to ``names[1]``."""
    plain = [part for part in plain if part]
    if plain and not fields.get(names[0]):
        fields[names[0]] = plain.pop(0)
    if plain:
        joined = ". ".join(plain)
        fields[names[1]] = f"{fields[names[1]]}. {joined}" if fields.get(names[1]) else joined


def _drop_empty(fields: dict[str, str]) -> dict[str, str]:
    return {name: value.strip() for name, value in fields.items() if value.strip()}
