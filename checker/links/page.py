"""Reading a fetched page: decoding its bytes the way a browser would, and its title;
and the surely-missing page of the same host that the soft-404 probe asks for.

Shared by the link stage (live pages) and the archive stage (raw captures).
"""

from __future__ import annotations

import codecs
import html
import re
import secrets
from posixpath import splitext
from urllib.parse import urlsplit, urlunsplit

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)
#: WHATWG: labels a browser decodes as windows-1252.
_AS_1252 = frozenset({"iso-8859-1", "iso8859-1", "latin-1", "latin1", "us-ascii", "ascii"})


def _codec(label: str) -> str | None:
    label = label.strip().lower()
    label = "cp1252" if label in _AS_1252 else label
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(data: bytes, content_type: str = "") -> str:
    """Text of a (possibly truncated) page: BOM, declared charset (header, then <meta>),
    UTF-8, then detection; undecodable bytes are replaced."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
        if data.startswith(bom):
            return data.decode(name, errors="replace")
    labels = [m.group(1) for m in [_HEADER_CHARSET.search(content_type)] if m]
    labels += [m.group(1).decode("ascii") for m in [_META_CHARSET.search(data[:4096])] if m]
    for label in labels:
        codec = _codec(label)
        if codec is not None:
            return _decode(data, codec, "replace")
    try:
        return _decode(data, "utf-8", "strict")
    except UnicodeDecodeError:
        pass
    import charset_normalizer  # the last resort: not imported by every run

    best = charset_normalizer.from_bytes(data[:65536]).best()
    return _decode(data, _codec(best.encoding) if best else None, "replace")


def _decode(data: bytes, codec: str | None, errors: str) -> str:
    decoder = codecs.getincrementaldecoder(codec or "cp1252")(errors)
    return decoder.decode(data, final=False)  # a sequence cut by the cap is not an error


def extract_title(text: str) -> str:
    """The page's <title>, unescaped, whitespace collapsed, at most 300 characters."""
    match = _TITLE.search(text)
    if match is None:
        return ""
    return " ".join(html.unescape(match.group(1)).split())[:300]


def probe_url(url: str) -> str:
    """A random, surely-missing URL on the same host, with the same kind of extension
    (``/<24 hex>.html`` for ``.../page.html``); cache its outcome per host and extension."""
    parts = urlsplit(url)
    ext = splitext(parts.path)[1].lower()
    ext = ext if re.fullmatch(r"\.[a-z0-9]{1,5}", ext) else ""
    return urlunsplit((parts.scheme, parts.netloc, f"/{secrets.token_hex(12)}{ext}", "", ""))
