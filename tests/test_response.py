"""The fetch's HTTP response reads its headers as http.client does, without the email
package: the same message from every header block, and the same answers end to end."""

from __future__ import annotations

import http.client
import io
import socket
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.links.response import MAX_HEADERS, Response, parse_header_block, read_header_block


def stdlib(block: bytes) -> http.client.HTTPMessage:
    return http.client.parse_headers(io.BytesIO(block))


def ours(block: bytes) -> http.client.HTTPMessage:
    return parse_header_block(b"".join(read_header_block(io.BytesIO(block))).decode("iso-8859-1"))


def same(block: bytes) -> None:
    want, got = stdlib(block), ours(block)
    assert got.items() == want.items()
    assert got.get_unixfrom() == want.get_unixfrom()
    for name in {k.lower() for k in want} | {"content-length", "set-cookie"}:
        assert got.get_all(name) == want.get_all(name)
        assert got.get(name) == want.get(name)


CASES = [
    b"Content-Type: text/html\r\nContent-Length: 12\r\n\r\n",
    b"Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nset-cookie: c=3\r\n\r\n",
    b"X-Folded: one\r\n two\r\n\tthree\r\nNext: v\r\n\r\n",
    b" leading: fold first\r\nA: b\r\n\r\n",
    b"From someone\r\nA: b\r\nFrom elsewhere\r\nC: d\r\n\r\n",
    b"A: b\r\nnot a header line\r\nC: d\r\n\r\n",
    b": no name\r\nA: b\r\n\r\n",
    b"A:no space\r\nB:\t tabbed \r\nC:\r\n\r\n",
    b"A: b\rC: d\nE: f\r\n\r\n",
    b"A: caf\xe9 \x85 x\r\nB: c\r\n\r\n",
    b"Bad Name: x\r\nA: b\r\n\r\n",
    b"A: b\n\n",
    b"A: b\r\nC: d",
    b"\r\n",
    b"",
]


@pytest.mark.parametrize("block", CASES)
def test_same_message_as_http_client(block: bytes) -> None:
    same(block)


_PIECES = st.sampled_from(
    ["A", "b", "Set-Cookie", "From ", ":", ": ", " ", "\t", "\r\n", "\r", "\n", "x y",
     "\x85", "\xe9", "Content-Length", "=", "-", "\x0b", "\x1c", "\x7f"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=40))
def test_same_message_on_any_block(pieces: list[str]) -> None:
    same(("".join(pieces) + "\r\n\r\n").encode("iso-8859-1"))


def test_limits_as_http_client() -> None:
    too_many = b"".join(b"A%d: b\r\n" % i for i in range(MAX_HEADERS + 1)) + b"\r\n"
    with pytest.raises(http.client.HTTPException):
        http.client.parse_headers(io.BytesIO(too_many))
    with pytest.raises(http.client.HTTPException, match="more than 100 headers"):
        read_header_block(io.BytesIO(too_many))
    with pytest.raises(http.client.LineTooLong):
        read_header_block(io.BytesIO(b"A: " + b"x" * 70000 + b"\r\n\r\n"))


def _serve(raw: bytes) -> tuple[socket.socket, int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def answer() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(raw)

    threading.Thread(target=answer, daemon=True).start()
    return server, server.getsockname()[1]


def _exchange(raw: bytes, method: str = "GET") -> list[object]:
    """What each response class makes of one raw answer: status, version, headers,
    body, and whether the connection can carry another request."""
    seen = []
    for response_class in (http.client.HTTPResponse, Response):
        server, port = _serve(raw)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.response_class = response_class
        try:
            conn.request(method, "/")
            r = conn.getresponse()
            body = r.read()
            seen.append((r.status, r.reason, r.version, r.getheaders(), body, r.will_close,
                         r.chunked, type(r) is response_class))  # fmt: skip
        finally:
            conn.close()
            server.close()
    return seen


@pytest.mark.parametrize(
    ("raw", "method"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", "GET"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "GET"),
        (b"HTTP/1.1 100 Continue\r\nX: y\r\n\r\n"
         b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno", "GET"),
        (b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close", "GET"),
        (b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", "GET"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: -4\r\n\r\nrest", "GET"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\nrest", "GET"),
        (b"HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n", "GET"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", "HEAD"),
        (b"HTTP/1.1 301 Moved\r\nLocation: /x\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"
         b"Content-Length: 0\r\n\r\n", "GET"),
    ],
)  # fmt: skip
def test_same_answer_as_http_client(raw: bytes, method: str) -> None:
    stdlib_answer, our_answer = _exchange(raw, method)
    assert our_answer == stdlib_answer


def test_unknown_protocol_as_http_client() -> None:
    for response_class in (http.client.HTTPResponse, Response):
        server, port = _serve(b"HTTP/2.0 200 OK\r\n\r\n")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.response_class = response_class
        conn.request("GET", "/")
        with pytest.raises(http.client.UnknownProtocol):
            conn.getresponse()
        conn.close()
        server.close()


def test_the_fetch_uses_it() -> None:
    from checker.links.safety import pinned_connection

    assert pinned_connection("http", "example.org", 80, "127.0.0.1", 1.0).response_class is Response
