"""Replacing a file atomically: temporary file in the same directory, fsync, rename;
a backup copy kept until the rename has succeeded.  A crash at any point leaves either
the old file or the new one, never half of each.  Given the bytes it was computed from,
the file is checked (size and hash) just before the rename: an edit made meanwhile is
never overwritten."""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from checker.patch.report import PatchRefused


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".citewatch-backup")


def _fingerprint(data: bytes) -> tuple[int, str]:
    return len(data), hashlib.sha256(data).hexdigest()


def _unchanged_since(path: Path, original: bytes) -> None:
    """Refuse when ``path`` no longer holds ``original`` (size, then hash): someone
    edited the file while the patch was being prepared; their edit must not be lost."""
    size, digest = _fingerprint(original)
    if path.stat().st_size != size or _fingerprint(path.read_bytes())[1] != digest:
        raise PatchRefused(
            f"{path} changed while the patch was being written (edited by someone "
            "else?); nothing was written: re-run citewatch check and patch"
        )


def write_atomic(path: Path, data: bytes, original: bytes | None = None) -> None:
    """Replace ``path`` with ``data``; with ``original``, only if the file still holds
    exactly those bytes just before the rename (nothing is written otherwise)."""
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
        if original is not None:
            _unchanged_since(path, original)
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
    path: Path,
    old: str,
    new: str,
    write: bool,
    prefix: bytes = b"",
    errors: str = "strict",
    original: bytes | None = None,
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
        write_atomic(path, prefix + new.encode("utf-8", errors=errors), original)
    return diff
