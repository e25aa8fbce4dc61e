"""Shared fixtures, and the guard that keeps every test on loopback.

No test may touch the internet or any non-loopback address (private ranges included):
the guard makes name lookups of anything but loopback names fail as on a machine
without DNS, and refuses connections to any address outside 127.0.0.0/8 and ::1.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from checker.testing.simweb import SimWeb

_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _loopback(host: Any) -> bool:
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return str(host).lower() in _LOOPBACK_NAMES


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host is not None and not _loopback(host):
        raise socket.gaierror(socket.EAI_NONAME, f"test guard: no DNS for {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


def _check(address: Any) -> None:
    if isinstance(address, tuple) and address and not _loopback(address[0]):
        raise OSError(f"test guard: connection to {address[0]!r} refused (loopback only)")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address)
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address)
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True, scope="session")
def loopback_only() -> Iterator[None]:
    patches = pytest.MonkeyPatch()
    patches.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)
    patches.setattr(socket.socket, "connect", _guarded_connect)
    patches.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    yield
    patches.undo()


@pytest.fixture(scope="module")
def simweb() -> Iterator[SimWeb]:
    with SimWeb() as web:
        yield web
