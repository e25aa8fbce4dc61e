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


# -- PostgreSQL for the store's tests (skipped when absent, unless CI requires it) -----


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    import os

    from checker.testing.postgres import LocalPostgres, find_bindir

    required = os.environ.get("CITEWATCH_REQUIRE_POSTGRES") == "1"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        if required:
            pytest.fail("CITEWATCH_REQUIRE_POSTGRES=1 but psycopg is not installed")
        pytest.skip("psycopg is not installed (pip install 'citewatch[scale]')")
    if find_bindir() is None:
        if required:
            pytest.fail("CITEWATCH_REQUIRE_POSTGRES=1 but PostgreSQL is not installed")
        pytest.skip("PostgreSQL is not installed")
    with LocalPostgres() as server:
        yield server


@pytest.fixture
def postgres_dsn(postgres_server: Any) -> str:
    """A fresh, empty database for one test."""
    return str(postgres_server.new_database())


@pytest.fixture(params=["sqlite", "postgresql"])
def state_location(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """Where a test's state lives: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "state.sqlite")
    return str(request.getfixturevalue("postgres_dsn"))
