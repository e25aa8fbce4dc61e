"""The loopback guard itself works (so a test that strays fails loudly)."""

from __future__ import annotations

import socket

import pytest


def test_no_dns_for_public_names() -> None:
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("web.archive.org", 443)


def test_no_connection_outside_loopback() -> None:
    with socket.socket() as sock, pytest.raises(OSError, match="test guard"):
        sock.connect(("10.0.0.1", 80))


def test_loopback_is_allowed() -> None:
    assert socket.getaddrinfo("127.0.0.1", 80)
    assert socket.getaddrinfo("localhost", 80)
