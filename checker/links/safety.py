"""Refusing unsafe targets (SSRF) and connecting only to the address that was vetted.

A citation list is untrusted input: a URL (or a redirect it leads to) may name a host that
resolves to loopback, the cloud metadata service or the CI runner's private network.
:func:`vet_host` resolves the host once through an injectable :data:`Resolver`, refuses it
unless every address is public, and returns the address to use; :class:`PinnedAdapter`
then connects the request to exactly that address while keeping the host name for the
``Host`` header, TLS SNI and certificate checks.  Because the socket goes to the vetted
address, a DNS answer that changes between check and connect (rebinding) has no effect.
:class:`CappedInflater` keeps decompression bombs from exhausting memory.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import zlib
from collections.abc import Callable, Iterable
from typing import Any

from requests import PreparedRequest
from requests.adapters import HTTPAdapter
from requests.exceptions import InvalidURL
from urllib3 import BaseHTTPResponse, Timeout
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, LocationValueError, NewConnectionError
from urllib3.util.connection import create_connection

#: Maps a host name to its addresses; raises :class:`socket.gaierror` for no such host.
Resolver = Callable[[str], list[str]]
#: Called with the socket of every request the adapter sends, new or kept alive (the
#: fetcher's deadline timer shuts it down when the fetch runs out of time).
SocketHook = Callable[[socket.socket], None]

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
    literal = parse_ip(host)
    if literal is not None:
        addresses = [str(literal)]
    else:
        addresses = resolver(host.rstrip(".").lower())
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, f"{host}: no addresses")
    allow = tuple(allow)
    for text in addresses:
        reason = _reason_of(text)
        if reason == "not an IP address":
            raise UnsafeTarget(host, text, reason)
        addr = parse_ip(text)
        assert addr is not None
        if reason and not allow_private and not _allowed(addr, allow):
            raise UnsafeTarget(host, str(addr), reason)
    return str(parse_ip(addresses[0]))


def _pinned_pools(ip: str, on_socket: SocketHook | None) -> dict[str, type[HTTPConnectionPool]]:
    """Pool classes whose connections open their socket to ``ip`` instead of resolving."""

    def connect(conn: HTTPConnection) -> socket.socket:
        # Mirrors urllib3's HTTPConnection._new_conn, with the vetted address.
        try:
            sock = create_connection(
                (ip, conn.port or 80),
                conn.timeout,
                source_address=conn.source_address,
                socket_options=conn.socket_options,
            )
        except TimeoutError as exc:
            raise ConnectTimeoutError(conn, f"connect to {conn.host} ({ip}) timed out") from exc
        except OSError as exc:
            raise NewConnectionError(conn, f"cannot connect to {conn.host} ({ip}): {exc}") from exc
        if on_socket is not None:
            on_socket(sock)
        return sock

    class PinnedConnection(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return connect(self)

        def request(self, *args: Any, **kwargs: Any) -> None:
            if on_socket is not None and self.sock is not None:
                on_socket(self.sock)  # a kept-alive connection, reused for this request
            super().request(*args, **kwargs)

    class PinnedHTTPSConnection(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            return connect(self)

        def request(self, *args: Any, **kwargs: Any) -> None:
            if on_socket is not None and self.sock is not None:
                on_socket(self.sock)
            super().request(*args, **kwargs)

    class PinnedPool(HTTPConnectionPool):
        ConnectionCls = PinnedConnection

    class PinnedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = PinnedHTTPSConnection

    return {"http": PinnedPool, "https": PinnedHTTPSPool}


class PinnedAdapter(HTTPAdapter):
    """A requests adapter that connects every request to one vetted address.

    The request keeps its URL, so ``Host``, SNI and certificate verification use the
    host name.  Its pools are keyed by (scheme, host, port), so with one adapter per
    address a kept-alive connection is keyed by (scheme, host, port, vetted IP).  Never
    mount it on a shared session for other hosts, and pass ``proxies={}`` to
    :meth:`send` (a proxy would bypass it).
    """

    def __init__(
        self, ip: str, on_socket: SocketHook | None = None, pools: int = 1, per_pool: int = 1
    ) -> None:
        self.pinned_ip = ip
        self._pool_classes = _pinned_pools(ip, on_socket)
        super().__init__(pool_connections=pools, pool_maxsize=per_pool, max_retries=0)

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        super().init_poolmanager(connections, maxsize, block=block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pool_classes

    def open(self, request: PreparedRequest, timeout: tuple[float, float]) -> BaseHTTPResponse:
        """:meth:`send` with ``stream=True`` and no proxy, returning urllib3's response as
        it is: requests' :class:`~requests.Response` (a copy of the headers, cookies
        parsed from every answer) is not built.  urllib3's errors are raised unwrapped."""
        try:
            conn = self.get_connection_with_tls_context(request, True, proxies={})
        except LocationValueError as exc:
            raise InvalidURL(exc, request=request) from exc
        self.cert_verify(conn, request.url or "", True, None)  # type: ignore[no-untyped-call]
        pool: Any = conn
        response: BaseHTTPResponse = pool.urlopen(
            method=request.method or "GET",
            url=self.request_url(request, {}),
            body=None,
            headers=dict(request.headers),
            redirect=False,
            assert_same_host=False,
            preload_content=False,
            decode_content=False,
            retries=self.max_retries,
            timeout=Timeout(connect=timeout[0], read=timeout[1]),
            chunked=False,
        )
        return response


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
