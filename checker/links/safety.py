"""Refusing unsafe targets (SSRF) and connecting only to the address that was vetted.

A citation list is untrusted input: a URL (or a redirect it leads to) may name a host that
resolves to loopback, the cloud metadata service or the CI runner's private network.
:func:`vet_host` resolves the host once through an injectable :data:`Resolver`, refuses it
unless every address is public, and returns the address to use; :func:`pinned_connection`
then connects the request to exactly that address while keeping the host name for the
``Host`` header, TLS SNI and certificate checks.  Because the socket goes to the vetted
address, a DNS answer that changes between check and connect (rebinding) has no effect.
:class:`CappedInflater` keeps decompression bombs from exhausting memory.
"""

from __future__ import annotations

import functools
import http.client
import ipaddress
import socket
import ssl
import zlib
from collections.abc import Callable, Iterable
from typing import Any

import certifi

from checker.links.response import Response

#: Maps a host name to its addresses; raises :class:`socket.gaierror` for no such host.
Resolver = Callable[[str], list[str]]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeTarget(Exception):
    """The host resolves to an address that must not be contacted."""

    def __init__(self, host: str, address: str, reason: str) -> None:
        super().__init__(f"{host} resolves to {address} ({reason})")
        self.host = host
        self.address = address
        self.reason = reason


def system_resolver(host: str) -> list[str]:
    """The addresses of ``host`` from the operating system (``getaddrinfo``), in order."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in seen:
            seen.append(address)
    return seen


@functools.lru_cache(maxsize=4096)
def parse_ip(text: str) -> IPAddress | None:
    """``text`` as an IP address (brackets and IPv6 zone ids allowed), else None."""
    text = text.strip().strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _embedded_v4(addr: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 transition address carries (mapped, 6to4, Teredo, NAT64)."""
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr.sixtofour is not None:
        return addr.sixtofour
    if addr.teredo is not None:
        return addr.teredo[1]
    if addr in _NAT64:
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return None


def refusal_reason(ip: str | IPAddress) -> str:
    """Why ``ip`` must not be contacted ("" when it is a public unicast address)."""
    addr = parse_ip(ip) if isinstance(ip, str) else ip
    if addr is None:
        return "not an IP address"
    if isinstance(addr, ipaddress.IPv6Address):
        inner = _embedded_v4(addr)
        if inner is not None:
            return refusal_reason(inner)
        if addr.is_site_local:
            return "site-local"
    checks = (
        (addr.is_unspecified, "unspecified"),
        (addr.is_loopback, "loopback"),
        (addr.is_link_local, "link-local"),
        (addr.is_multicast, "multicast"),
        (isinstance(addr, ipaddress.IPv4Address) and addr in _CGNAT, "carrier-grade NAT"),
        (addr.is_reserved, "reserved"),
        (addr.is_private, "private"),
        (not addr.is_global, "not globally routable"),
    )
    return next((reason for flagged, reason in checks if flagged), "")


def is_public(ip: str | IPAddress) -> bool:
    """True for a public unicast address; False for loopback, private, link-local,
    multicast, reserved, unspecified, CGNAT and their IPv4-in-IPv6 disguises."""
    return refusal_reason(ip) == ""


@functools.lru_cache(maxsize=256)
def _network(net: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(net, strict=False)


@functools.lru_cache(maxsize=4096)
def _reason_of(text: str) -> str:
    """:func:`refusal_reason` of an address given as text, remembered (a run asks about
    the same few addresses thousands of times)."""
    return refusal_reason(text)


def _allowed(addr: IPAddress, allow: Iterable[str]) -> bool:
    for net in allow:
        network = _network(net)
        if addr.version == network.version and addr in network:
            return True
    return False


def vet_host(
    host: str,
    resolver: Resolver,
    *,
    allow_private: bool = False,
    allow: Iterable[str] = (),
) -> str:
    """Resolve ``host`` and return the address to connect to.

    Raises :class:`UnsafeTarget` unless every address is public (or inside one of the
    ``allow`` networks, or ``allow_private``), and :class:`socket.gaierror` when the host
    does not resolve.  An IP literal is checked without resolving.
    """
    literal = _canonical(host)
    if literal is not None:
        addresses = [literal]
    else:
        addresses = resolver(host.rstrip(".").lower())
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, f"{host}: no addresses")
    allow = tuple(allow)
    for text in addresses:
        reason = _reason_of(text)
        if reason == "not an IP address":
            raise UnsafeTarget(host, text, reason)
        if reason and not allow_private:
            addr = parse_ip(text)
            assert addr is not None
            if not _allowed(addr, allow):
                raise UnsafeTarget(host, str(addr), reason)
    first = _canonical(addresses[0])
    assert first is not None
    return first


@functools.lru_cache(maxsize=4096)
def _canonical(text: str) -> str | None:
    """``text`` as an IP address in its canonical form, or None: remembered, as a run
    asks about the same few addresses for every fetch."""
    addr = parse_ip(text)
    return None if addr is None else str(addr)


@functools.lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """The TLS settings of every fetch: certificates checked against certifi's bundle (as
    requests does) and the host name checked; one context per process (loading the
    bundle costs tens of milliseconds)."""
    return ssl.create_default_context(cafile=certifi.where())


def pinned_connection(
    scheme: str, host: str, port: int, ip: str, timeout: float,
    context: ssl.SSLContext | None = None,
) -> http.client.HTTPConnection:  # fmt: skip
    """A new (not yet connected) HTTP/1.1 connection to ``host`` whose socket goes to the
    vetted address ``ip``.

    The name stays the connection's host, so the ``Host`` header, TLS SNI and the
    certificate check use it; only the address the socket is opened to is pinned (the
    standard library's connections open it through ``_create_connection``).  A DNS
    answer that changes after the vetting (rebinding) has no effect on where the
    request goes.
    """
    conn: http.client.HTTPConnection
    if scheme == "https":
        conn = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=context or tls_context()
        )
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)

    def connect(
        address: tuple[str, int], timeout: float | None = None, source: Any = None
    ) -> socket.socket:
        return socket.create_connection((ip, address[1]), timeout, source)

    conn._create_connection = connect  # type: ignore[attr-defined]
    conn.response_class = Response  # headers read without the email package
    return conn


class CappedInflater:
    """gzip/deflate decoding with a bound on the output of every call, so a decompression
    bomb costs no more memory than the cap.  Concatenated gzip members are followed; an
    unknown encoding passes through; corrupt data stops the output (``failed``)."""

    def __init__(self, encoding: str) -> None:
        encoding = encoding.strip().lower()
        self.mode = {"gzip": 31, "x-gzip": 31, "deflate": 15}.get(encoding, 0)
        self.obj: Any = None
        self.failed = False

    def feed(self, data: bytes, limit: int) -> bytes:
        if not self.mode:
            return data[: max(limit, 0)]
        out = bytearray()
        while data and len(out) < limit and not self.failed:
            if self.obj is None:
                raw_deflate = self.mode == 15 and (data[0] & 0x0F != 8 or data[0] >> 4 > 7)
                self.obj = zlib.decompressobj(-15 if raw_deflate else self.mode)
            try:
                out += self.obj.decompress(data, limit - len(out))
            except zlib.error:
                self.failed = True
                break
            if self.obj.unconsumed_tail or not self.obj.eof:
                break
            data, self.obj = self.obj.unused_data, None
        return bytes(out)
