"""Importers: every supported input format, read into one typed table.

One interface: :func:`load` picks the importer by ``--from`` or by the file's
extension/content and returns an :class:`~checker.model.ImportResult` (references plus
every input problem met, never an exception for a user's mistake).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from pathlib import Path

from checker.model import ImportResult, InputProblem


class InputFormat(enum.StrEnum):
    """The formats ``citecheck import`` and ``citecheck check`` read."""

    CSV = "csv"
    TEXT = "text"


Reader = Callable[[str, bytes], ImportResult]

_SUFFIXES: dict[str, InputFormat] = {
    ".csv": InputFormat.CSV,
    ".tsv": InputFormat.CSV,
    ".txt": InputFormat.TEXT,
    ".text": InputFormat.TEXT,
}


def _reader(fmt: InputFormat) -> Reader:
    if fmt is InputFormat.CSV:
        from checker.importers import csv_format

        return csv_format.read
    from checker.importers import text_format

    return text_format.read


def detect_format(path: str, data: bytes) -> InputFormat:
    """Guess the format from the extension, then from the content."""
    suffix = Path(path).suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    head = data[:4096].decode("utf-8", errors="replace").lstrip("\ufeff")
    first = head.splitlines()[0] if head.strip() else ""
    if first.count(",") >= 1 and "id" in [c.strip().strip('"').lower() for c in first.split(",")]:
        return InputFormat.CSV
    return InputFormat.TEXT


def load(path: str | Path, fmt: InputFormat | str | None = None) -> ImportResult:
    """Read ``path`` in format ``fmt`` (detected when None)."""
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
    return _reader(chosen)(name, data)


__all__ = ["InputFormat", "detect_format", "load"]
