"""The short code of a failed exchange (``tls``, ``refused``, ``timeout``, ``dns``, ...),
read from the chain of exceptions ``http.client``, ``ssl`` and the socket layer raise."""

from __future__ import annotations

import errno
import socket
import ssl
from http.client import HTTPException, InvalidURL

_ERROR_KINDS: tuple[tuple[str, tuple[type[BaseException], ...]], ...] = (
    ("tls", (ssl.SSLError,)),
    ("refused", (ConnectionRefusedError,)),
    ("timeout", (TimeoutError,)),
    ("invalid-url", (UnicodeError, InvalidURL)),
    ("dns", (socket.gaierror,)),
    ("reset", (ConnectionError, HTTPException)),
)


def error_code(exc: BaseException, time_left: float) -> tuple[str, str]:
    """The short code of a failed exchange, and the message of its root cause (always
    ``timeout`` once the fetch has no ``time_left``: the deadline cut it)."""
    chain = [exc]
    while len(chain) < 12:
        current = chain[-1]
        linked = [current.__cause__, getattr(current, "reason", None), *current.args]
        following = next((e for e in linked if isinstance(e, BaseException)), None)
        following = following or current.__context__
        if following is None or following in chain:
            break
        chain.append(following)
    root = chain[-1]
    detail = (root.strerror if isinstance(root, OSError) else None) or str(root)
    if time_left <= 0:
        return "timeout", "no complete answer before the deadline"
    for code, kinds in _ERROR_KINDS:
        if any(isinstance(cause, kinds) for cause in chain):
            return code, detail or type(root).__name__
    unreachable = (errno.ENETUNREACH, errno.EHOSTUNREACH)
    if any(isinstance(c, OSError) and c.errno in unreachable for c in chain):
        return "unreachable", detail
    return "connection", detail or type(root).__name__
