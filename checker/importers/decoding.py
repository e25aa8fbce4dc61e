"""Decoding input bytes without losing a row to one bad byte."""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\udc80-\udcff]")


def decode(data: bytes) -> str:
    """UTF-8 (BOM tolerated); undecodable bytes survive as surrogate escapes."""
    return data.decode("utf-8-sig", errors="surrogateescape")


def bad_bytes(text: str) -> str:
    """The undecodable bytes in ``text`` as ``0xNN`` words ("" when clean)."""
    found = _SURROGATE.findall(text)
    return ", ".join(f"0x{ord(ch) - 0xDC00:02X}" for ch in dict.fromkeys(found))


def clean(text: str) -> str:
    """Replace undecodable bytes with U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)
