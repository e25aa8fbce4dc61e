"""Importers: every supported input format, read into one typed table.

One interface: :func:`load` picks the importer by ``--from`` or by the file's
extension/content and returns an :class:`~checker.model.ImportResult` (references plus
every input problem met, never an exception for a user's mistake).
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Callable
from pathlib import Path

from checker.bulk import paused_gc
from checker.importers.decoding import clean, decode
from checker.model import ImportResult, InputProblem


class InputFormat(enum.StrEnum):
    """The formats ``citewatch import`` and ``citewatch check`` read."""

    CSV = "csv"
    TEXT = "text"
    WIKITEXT = "wikitext"
    HTML = "html"
    BIBTEX = "bibtex"


Reader = Callable[[str, bytes], ImportResult]

_SUFFIXES: dict[str, InputFormat] = {
    ".csv": InputFormat.CSV,
    ".tsv": InputFormat.CSV,
    ".txt": InputFormat.TEXT,
    ".text": InputFormat.TEXT,
    ".wiki": InputFormat.WIKITEXT,
    ".wikitext": InputFormat.WIKITEXT,
    ".mediawiki": InputFormat.WIKITEXT,
    ".html": InputFormat.HTML,
    ".htm": InputFormat.HTML,
    ".bib": InputFormat.BIBTEX,
}
_HTML = re.compile(r"^\ufeff?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
_WIKITEXT = re.compile(r"\{\{\s*(?:cite[ _]|citation\b)|<ref\b", re.IGNORECASE)
_BIBTEX = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)


def _reader(fmt: InputFormat) -> Reader:
    if fmt is InputFormat.CSV:
        from checker.importers import csv_format

        return csv_format.read
    if fmt is InputFormat.WIKITEXT:
        from checker.importers import wikitext_format

        return wikitext_format.read
    if fmt is InputFormat.HTML:
        from checker.importers import html_format

        return html_format.read
    if fmt is InputFormat.BIBTEX:
        from checker.importers import bibtex_format

        return bibtex_format.read
    from checker.importers import text_format

    return text_format.read


def detect_format(path: str, data: bytes) -> InputFormat:
    """Guess the format from the extension, then from the content."""
    suffix = Path(path).suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    head = clean(decode(data[:4096])).lstrip("\ufeff")
    first = head.splitlines()[0] if head.strip() else ""
    if first.count(",") >= 1 and "id" in [c.strip().strip('"').lower() for c in first.split(",")]:
        return InputFormat.CSV
    return _detect_markup(clean(decode(data[:65536])))


def _detect_markup(head: str) -> InputFormat:
    """HTML, wikitext or BibTeX by their marks; plain text otherwise."""
    if _HTML.match(head):
        return InputFormat.HTML
    if _WIKITEXT.search(head):
        return InputFormat.WIKITEXT
    lowered = head.lower()
    if "<html" in lowered or "<!doctype html" in lowered:
        return InputFormat.HTML
    if _BIBTEX.search(head):
        return InputFormat.BIBTEX
    return InputFormat.TEXT


#: Formats whose reader takes the wiki language (``lang=``) and detects it when not given.
_LANG_AWARE = frozenset({InputFormat.TEXT, InputFormat.WIKITEXT, InputFormat.HTML})


def load(
    path: str | Path, fmt: InputFormat | str | None = None, lang: str | None = None
) -> ImportResult:
    """Read ``path`` in format ``fmt`` (detected when None).

    ``lang`` is the wiki language of the input (``de``, ``fr``…; ``"en"``/``""``
    English); None: read from the page itself (HTML, wikitext, text), else English."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        problem = InputProblem(name, None, None, f"cannot read file: {err.strerror}", fatal=True)
        return ImportResult((), (problem,), source=name)
    chosen = InputFormat(fmt) if fmt else detect_format(name, data)
    if not data.strip():
        problem = InputProblem(name, None, None, "the file is empty", fatal=True)
        return ImportResult((), (problem,), source=name, format=chosen.value)
    with paused_gc():  # a long list's objects are not scanned again and again
        if chosen in _LANG_AWARE:
            return _lang_reader(chosen)(name, data, lang)
        result = _reader(chosen)(name, data)
    if lang is not None:
        from checker.i18n import normalise_lang

        result = dataclasses.replace(result, lang=normalise_lang(lang))
    return result


def _lang_reader(fmt: InputFormat) -> Callable[[str, bytes, str | None], ImportResult]:
    if fmt is InputFormat.WIKITEXT:
        from checker.importers import wikitext_format

        return wikitext_format.read
    if fmt is InputFormat.HTML:
        from checker.importers import html_format

        return html_format.read
    from checker.importers import text_format

    return text_format.read


__all__ = ["InputFormat", "detect_format", "load"]
