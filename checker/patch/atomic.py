"""Replacing a file atomically: temporary file in the same directory, fsync, rename;
a backup copy kept until the rename has succeeded.  A crash at any point leaves either
the old file or the new one, never half of each."""

from __future__ import annotations

import contextlib
import difflib
import os
import shutil
import tempfile
from pathlib import Path


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".citewatch-backup")


def write_atomic(path: Path, data: bytes) -> None:
    backup = backup_path(path)
    shutil.copy2(path, backup)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    replaced = False
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        shutil.copymode(path, tmp)
        os.replace(tmp, path)
        replaced = True
        _fsync_dir(path.parent)
    finally:
        if not replaced:  # the original was never touched: no backup needed
            for leftover in (tmp, backup):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(leftover)
    backup.unlink()


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def diff_and_write(
    path: Path, old: str, new: str, write: bool, prefix: bytes = b"", errors: str = "strict"
) -> str:
    """The unified diff from ``old`` to ``new``; ``new`` written atomically if ``write``
    (encoded as UTF-8 after ``prefix``, e.g. the file's BOM)."""
    diff = "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"a/{path.name}",
            tofile=f"b/{path.name}",
        )
    )
    if write and new != old:
        write_atomic(path, prefix + new.encode("utf-8", errors=errors))
    return diff
