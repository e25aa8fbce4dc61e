"""Decoding input bytes without losing a row to one bad byte.

UTF-8 (a BOM tolerated) is the format; undecodable bytes survive as surrogate escapes
so the importer can name them and the row is still read.  UTF-16 (what Excel's
"Unicode text" and PowerShell write) is recognised by its BOM, or without one by the
zero bytes of ASCII text in every other position, and decoded.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\udc80-\udcff]")
_UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


def encoding_of(data: bytes) -> str:
    """``utf-8``, ``utf-16-le`` or ``utf-16-be`` (the BOM, if any, excluded)."""
    for bom, name in _UTF16_BOMS.items():
        if data.startswith(bom):
            return name
    sample = data[:4096]
    if len(sample) >= 4 and b"\x00" in sample:
        even, odd = sample[0::2], sample[1::2]
        zero_even, zero_odd = even.count(0) / len(even), odd.count(0) / len(odd)
        if zero_odd > 0.4 and zero_even < 0.05:
            return "utf-16-le"
        if zero_even > 0.4 and zero_odd < 0.05:
            return "utf-16-be"
    return "utf-8"


def decode(data: bytes) -> str:
    """UTF-8 (BOM tolerated) or UTF-16; undecodable UTF-8 bytes survive as surrogate
    escapes (see :func:`bad_bytes`), broken UTF-16 units become U+FFFD."""
    encoding = encoding_of(data)
    if encoding != "utf-8":
        body = data[2:] if data[:2] in _UTF16_BOMS else data
        return body.decode(encoding, errors="replace")
    return data.decode("utf-8-sig", errors="surrogateescape")


def bad_bytes(text: str) -> str:
    """The undecodable bytes in ``text`` as ``0xNN`` words ("" when clean)."""
    found = _SURROGATE.findall(text)
    return ", ".join(f"0x{ord(ch) - 0xDC00:02X}" for ch in dict.fromkeys(found))


def clean(text: str) -> str:
    """Replace undecodable bytes with U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)
