"""Where the crawler may go: which hosts a portal's registry entry names, and which addresses are never
fetched (private, loopback, link-local, cloud metadata), checked on the address a name resolves to.

The registry (config.registry) refuses URLs whose host is such an address written out, in any of the
forms a resolver accepts (`2852039166`, `0251.0376.0251.0376`, `[::ffff:169.254.169.254]`); the crawler
(crawler.offsite) refuses every request whose host is none of its portal's or whose name resolves to one.
Loopback is refused too unless a setting allows it (the simulator and the tests serve portals there).
"""

from __future__ import annotations

import functools
import ipaddress
import socket
from collections.abc import Iterable
from typing import Final
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host, port): the port None is the scheme's own (80 for http, 443 for https), which both schemes share
Origin = tuple[str, int | None]

SCHEMES: Final = frozenset({"http", "https"})
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
# cloud metadata services: Alibaba Cloud's is in the shared address space, AWS's IPv6 one in ULA space
_METADATA: Final = frozenset(ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200",
                                                               "fd00:ec2::254"))
_NAT64: Final = ipaddress.ip_network("64:ff9b::/96")


def origin(url: str) -> Origin | None:
    """The host and port a URL asks (None: not http(s), or no host)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or not parts.hostname:
        return None
    return parts.hostname.rstrip(".").lower(), None if port == _DEFAULT_PORTS[scheme] else port


def host_origin(entry: str) -> Origin | None:
    """A registry `hosts:` entry (`cdn.example.cn` or `cdn.example.cn:8080`) as an origin."""
    return origin(f"http://{entry}/")


def origins(urls: Iterable[str], hosts: Iterable[str] = ()) -> frozenset[Origin]:
    """The origins of a portal: those of its URLs and of the hosts it lists."""
    found = [origin(u) for u in urls] + [host_origin(h) for h in hosts]
    return frozenset(o for o in found if o is not None)


def embedded_ipv4(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one carries (mapped, compatible, 6to4, Teredo, NAT64), else the address."""
    if isinstance(ip, ipaddress.IPv4Address):
        return ip
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64 or (int(ip) >> 32 == 0 and int(ip) > 1):  # 64:ff9b::a.b.c.d, and ::a.b.c.d (not :: or ::1)
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


@functools.lru_cache(maxsize=4096)
def address_kind(ip: IPAddress) -> str | None:
    """Why an address is never fetched: metadata, loopback, link_local, private, multicast or reserved;
    None for a public address. An IPv6 address is judged by the IPv4 address it carries. Asked of every
    request, for a few addresses per portal: remembered (the `ipaddress` checks cost ~3 % of a crawl)."""
    ip = embedded_ipv4(ip)
    rows = (
        (ip in _METADATA, "metadata"), (ip.is_loopback, "loopback"), (ip.is_link_local, "link_local"),
        (ip.is_multicast, "multicast"), (ip.is_private, "private"), (not ip.is_global, "reserved"),
    )
    return next((kind for test, kind in rows if test), None)


def refused_address(ip: IPAddress, *, allow_loopback: bool) -> str | None:
    """The kind of an address the crawler does not fetch (None: it may)."""
    kind = address_kind(ip)
    return None if kind == "loopback" and allow_loopback else kind


def literal_address(host: str) -> IPAddress | None:
    """The address a host names when it is one, in any form a resolver reads (`127.1`, `0x7f000001`)."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def host_problem(host: str) -> str | None:
    """Why a registry URL's host can never be crawled: an address written in another form than its
    dotted or IPv6 one (`odd_form`), an IPv6 address that carries an IPv4 one (`mapped`), or an address
    of a kind the crawler refuses (loopback is left to the crawl's setting); None when it may be."""
    ip = literal_address(host)
    if ip is None:
        return None
    if embedded_ipv4(ip) != ip:
        return "mapped"
    if str(ip) != host.strip("[]").lower():
        return "odd_form"
    return refused_address(ip, allow_loopback=True)
