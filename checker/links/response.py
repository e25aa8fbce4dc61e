"""The standard library's HTTP response, with its header block read without the email
package.

``http.client`` hands an answer's header block to ``email.parser`` (a feed parser built
for mail messages), which costs about a third of the CPU of a fetch on a kept-alive
connection.  :class:`Response` reads the block with the same limits and splits it the way
that parser does with the ``compat32`` policy ``http.client`` uses (the same lines, the same
names and values, folded lines kept, the same lines ignored), into the same
:class:`http.client.HTTPMessage`; ``tests/test_response.py`` holds the two to the same
result on every header block it generates.  Everything after the headers (chunked bodies,
lengths, closing) is ``http.client``'s own code.
"""

from __future__ import annotations

import http.client
import re
from typing import BinaryIO

#: http.client's limits: the longest header line and the most header lines.
MAX_LINE, MAX_HEADERS = 65536, 100

#: A line the email parser takes as part of the header block (``email.feedparser``'s
#: ``headerRE``): an envelope ``From`` line, a field name and its colon, or a folded line.
_HEADER_LINE = re.compile(r"From |[\x21-\x39\x3b-\x7e]*:|[\t ]")
#: Lines with their ends, split where the email parser splits them (``\r\n``, ``\r``, ``\n``).
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def read_header_block(fp: BinaryIO) -> list[bytes]:
    """The header lines up to and with the blank line, under http.client's limits (its
    ``LineTooLong`` and ``HTTPException`` when one is passed)."""
    lines = []
    while True:
        line = fp.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise http.client.LineTooLong("header line")
        lines.append(line)
        if len(lines) > MAX_HEADERS:
            raise http.client.HTTPException(f"got more than {MAX_HEADERS} headers")
        if line in (b"\r\n", b"\n", b""):
            return lines


def parse_header_block(block: str) -> http.client.HTTPMessage:
    """The headers of ``block`` (decoded as ISO-8859-1) as ``http.client.parse_headers``
    makes them: ``email.feedparser``'s rules under the ``compat32`` policy, without its
    machinery."""
    message = http.client.HTTPMessage()
    lines = []
    for line in _LINES.findall(block):
        if not _HEADER_LINE.match(line):
            break  # the blank line, or the first line of what the parser takes as a body
        lines.append(line)
    source: list[str] = []  # the lines of the field being read
    for number, line in enumerate(lines):
        if line[0] in " \t":  # a folded line continues the field (none yet: ignored)
            if source:
                source.append(line)
            continue
        if source:
            message.set_raw(*_field(source))
            source = []
        if line.startswith("From "):  # an envelope line: kept only as the first line
            if number == 0:
                message.set_unixfrom(line.rstrip("\r\n"))
            continue
        if line.find(":") > 0:  # a field with no name is dropped
            source = [line]
    if source:
        message.set_raw(*_field(source))
    return message


def _field(source: list[str]) -> tuple[str, str]:
    """A field's name and value as ``compat32.header_source_parse`` makes them."""
    name, value = source[0].split(":", 1)
    value = value.lstrip(" \t") + "".join(source[1:])
    return name, value.rstrip("\r\n")


class Response(http.client.HTTPResponse):
    """``http.client.HTTPResponse`` whose headers are parsed by :func:`parse_header_block`;
    the rest of :meth:`begin` is the standard library's."""

    def begin(self) -> None:
        if self.headers is not None:
            return  # already begun
        while True:  # skip every 1xx answer before the real one
            version, status, reason = self._read_status()
            if status != http.client.CONTINUE:
                break
            read_header_block(self.fp)
        self.code = self.status = status
        self.reason = reason.strip()
        if version in ("HTTP/1.0", "HTTP/0.9"):
            self.version = 10
        elif version.startswith("HTTP/1."):
            self.version = 11
        else:
            raise http.client.UnknownProtocol(version)
        block = b"".join(read_header_block(self.fp)).decode("iso-8859-1")
        self.headers = self.msg = parse_header_block(block)
        encoding = self.headers.get("transfer-encoding")
        self.chunked = bool(encoding) and encoding.lower() == "chunked"
        self.chunk_left = None
        self.will_close = self._check_close()
        self.length = None
        length = self.headers.get("content-length")
        if length and not self.chunked:
            try:
                self.length = int(length)
            except ValueError:
                self.length = None
            else:
                if self.length < 0:  # a negative length means nothing
                    self.length = None
        if status in (http.client.NO_CONTENT, http.client.NOT_MODIFIED) or (
            100 <= status < 200 or self._method == "HEAD"
        ):
            self.length = 0
        if not self.will_close and not self.chunked and self.length is None:
            self.will_close = True  # the body ends when the connection does
