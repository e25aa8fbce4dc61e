"""The ``bibtex`` format: a BibTeX or biblatex ``.bib`` file (read with bibtexparser 2).

Each entry is a reference; its id is the entry key, its location the line of its ``@``.
Fields: ``url`` (or a ``\\url{…}`` in ``howpublished``), ``urldate`` → access date
(kept as written: ISO in biblatex), ``date`` as written, else ``year`` and ``month``
(``"April 2017"``; ``month`` may be ``apr``, ``April`` or ``4``), ``title``,
``journaltitle``/``journal``/``booktitle`` → work, ``publisher``, ``isbn``, ``issn``,
``doi``, ``language``/``langid``; ``author`` (``A and B``) → ``"Last, First; …"``
(``and others`` → ``et al.``).  Names and titles are LaTeX-decoded (``{\\"u}`` → ü,
protective braces dropped).  Fields named like the CSV columns (``archiveurl``,
``archive-date``, ``url-status``…) are read too.  The entry type is the extra column
``entry_type``.

A malformed entry is an input problem naming its line; every other entry is still read.
A repeated key is read as well, with a problem.
"""

from __future__ import annotations

import calendar
import contextlib
import logging
import re
from collections.abc import Iterator
from functools import lru_cache

from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock

from checker.importers.csv_format import canonical_name
from checker.importers.decoding import bad_bytes, clean, decode
from checker.model import KNOWN_FIELDS, ImportResult, InputProblem, Location, Reference

#: BibTeX/biblatex field → canonical field, in priority order for the same field.
_FIELDS: dict[str, str] = {
    "journaltitle": "work",
    "journal": "work",
    "booktitle": "work",
    "urldate": "access_date",
    "langid": "language",
}
_DECODED = frozenset({"title", "work", "publisher", "author"})
_SKIPPED = frozenset({"id", "author", "date"})
_MONTHS = {
    name.lower(): calendar.month_name[i]
    for i in range(1, 13)
    for name in (calendar.month_name[i], calendar.month_abbr[i], str(i), f"{i:02d}")
}
_MONTHS["sept"] = "September"
_URL_MACRO = re.compile(r"\\url\s*\{([^{}]+)\}")
_KEY = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s{}()=]+)")
_PERCENT = re.compile(r"(?<!\\)%")


@lru_cache(maxsize=1)
def _decoder() -> object:
    from pylatexenc.latex2text import LatexNodes2Text  # type: ignore[import-untyped]

    return LatexNodes2Text(math_mode="verbatim")


def latex_text(value: str) -> str:
    """LaTeX to plain text: accents decoded, braces dropped, whitespace collapsed."""
    if not any(ch in value for ch in "\\{}~$"):
        return " ".join(value.split())
    escaped = _PERCENT.sub(r"\\%", value)  # a bare % is text here, not a comment
    try:
        text = str(_decoder().latex_to_text(escaped))  # type: ignore[attr-defined]
    except Exception:  # pylatexenc may reject odd input: keep it with braces dropped
        text = value.replace("{", "").replace("}", "")
    return " ".join(text.split())


def authors(value: str) -> str:
    """``"Smith, John and Jane Doe and others"`` → ``"Smith, John; Doe, Jane; et al."``."""
    people = []
    for name in split_multiple_persons_names(value):
        if name.strip().lower() == "others":
            people.append("et al.")
            continue
        parts = parse_single_name_into_parts(name, strict=False)
        people.append(latex_text(parts.merge_last_name_first) or latex_text(name))
    return "; ".join(person for person in people if person)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """bibtexparser logs every malformed block; those become input problems instead."""
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def read(path: str, data: bytes) -> ImportResult:
    """Read every entry of a .bib file."""
    text = decode(data)
    problems: list[InputProblem] = []
    bad = bad_bytes(text)
    if bad:
        message = f"undecodable byte(s) {bad} (not UTF-8); replaced with U+FFFD"
        problems.append(InputProblem(path, None, None, message))
        text = clean(text)
    with _quiet():
        library = parse_string(text)
    refs: list[Reference] = []
    seen: dict[str, int] = {}
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            entry = block.ignore_error_block
            if isinstance(entry, Entry):
                message = f"entry key {entry.key!r} already used on line {seen.get(entry.key)}"
                problems.append(InputProblem(path, line, None, message, entry.key))
                refs.append(_reference(path, line, entry, enclosed=True))
        elif isinstance(block, ParsingFailedBlock):
            key = _KEY.match(block.raw or "")
            reason = getattr(block.error, "abort_reason", "") or str(block.error)
            name = f" {key[1]!r}" if key else ""
            message = f"malformed entry{name}, skipped: {' '.join(reason.split())}"
            problems.append(InputProblem(path, line, None, message))
        elif isinstance(block, Entry):
            seen.setdefault(block.key, line)
            refs.append(_reference(path, line, block))
            if not block.key.strip():
                message = f"entry without a key; using {refs[-1].id!r}"
                problems.append(InputProblem(path, line, None, message, refs[-1].id))
    if not refs:
        problems.append(InputProblem(path, None, None, "no BibTeX entry found", fatal=True))
    columns = (*KNOWN_FIELDS, "entry_type")
    return ImportResult(tuple(refs), tuple(problems), columns, source=path, format="bibtex")


def _unenclose(value: object) -> str:
    text = str(value).strip()
    if len(text) >= 2 and (text[0], text[-1]) in (("{", "}"), ('"', '"')):
        text = text[1:-1]
    return text


def _reference(path: str, line: int, entry: Entry, enclosed: bool = False) -> Reference:
    """``enclosed``: the values still have their braces or quotes (a duplicate's do)."""
    raw: dict[str, str] = {}
    for item in entry.fields:
        value = _unenclose(item.value) if enclosed else str(item.value)
        raw.setdefault(item.key.strip().lower(), value)
    known: dict[str, str] = {}
    keys = [k for k in _FIELDS if k in raw] + [k for k in raw if k not in _FIELDS]
    for key in keys:
        name, value = _FIELDS.get(key) or canonical_name(key), raw[key]
        if name is None or name in _SKIPPED or not value.strip() or name in known:
            continue
        known[name] = latex_text(value) if name in _DECODED else value.strip()
    if "author" in raw:
        known["author"] = authors(raw["author"])
    date = raw.get("date", "").strip()
    year, month = raw.get("year", "").strip(), raw.get("month", "").strip()
    if date:
        known["date"] = date
    elif year:
        month_name = _MONTHS.get(month.lower().rstrip("."), month)
        known["date"] = f"{month_name} {year}" if month_name else year
    if not known.get("url") and (macro := _URL_MACRO.search(raw.get("howpublished", ""))):
        known["url"] = macro[1].strip()
    ref_id = entry.key.strip() or f"line-{line}"
    extra = {"entry_type": entry.entry_type.lower()}
    return Reference(id=ref_id, **known, extra=extra, location=Location(path, line))
