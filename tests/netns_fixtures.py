"""Workers on other machines, as near as one machine gets: each in a network namespace of its own (`ip netns`),
joined to the host by a veth pair, so that everything a worker reaches crosses that link.

PostgreSQL and Redis listen on 127.0.0.1 only, and stay so: a TCP forwarder in the test process listens on
the host's end of the veth and hands each connection to the service, so a worker is given the host's veth
address in its URLs, as a worker machine is given the database server's. The simulator's portals keep their
loopback addresses (the reference archive's URLs are theirs): inside the namespace, 127.0.0.0/8 beyond
127.0.0.0/24 is routed over the veth to the host, where the simulator answers, instead of being the
namespace's own loopback. Both ends let loopback addresses cross the link (`route_localnet`, a setting of
these two interfaces only); the crawler's host policy still sees loopback, which the tests allow.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import random
import shutil
import subprocess
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

SUBNETS = ipaddress.ip_network("10.213.0.0/16")  # a /30 of it per namespace, drawn at random
PORTAL_TABLE = 1717  # the namespace's routing table for the portals' loopback addresses


class NotPermittedError(RuntimeError):
    """The system refused to make a namespace's network (no CAP_NET_ADMIN, a locked-down container)."""


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, check=False, timeout=30)
    if check and done.returncode != 0:
        if "not permitted" in done.stderr.lower():
            raise NotPermittedError(f"ip {' '.join(args)}: {done.stderr.strip()}")
        raise subprocess.CalledProcessError(done.returncode, done.args, done.stdout, done.stderr)
    return done


class Forwarder:
    """TCP forwarding from the host's end of a veth to services on 127.0.0.1, on an event loop of its own."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.connections: Counter[int] = Counter()  # service port → connections forwarded
        self.loop = asyncio.new_event_loop()
        self.servers: list[asyncio.Server] = []
        self.thread = threading.Thread(target=self.loop.run_forever, name=f"forward-{host}", daemon=True)
        self.thread.start()

    def forward(self, port: int) -> int:
        """Listen on the veth address for 127.0.0.1:`port`; the port listened on."""
        server = asyncio.run_coroutine_threadsafe(self._serve(port), self.loop).result(10)
        self.servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    async def _serve(self, port: int) -> asyncio.Server:
        async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections[port] += 1
            try:
                far_reader, far_writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                writer.close()
                return
            await asyncio.gather(_pipe(reader, far_writer), _pipe(far_reader, writer))

        return await asyncio.start_server(connected, self.host, 0)

    def close(self) -> None:
        async def shut() -> None:
            for server in self.servers:
                server.close()
            for task in asyncio.all_tasks() - {asyncio.current_task()}:
                task.cancel()

        asyncio.run_coroutine_threadsafe(shut(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """One direction of a connection; either side closing closes both (a killed worker's sessions end)."""
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (OSError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


@dataclass
class Namespace:
    """A network namespace with one veth to the host; `host_ip` is the host's end, where the forwarder listens."""

    name: str
    host_ip: str
    forwarder: Forwarder
    ports: dict[int, int] = field(default_factory=dict)  # service port on 127.0.0.1 → forwarder port

    def url(self, url: str) -> str:
        """A service URL on 127.0.0.1 as the namespace reaches it: the forwarder's address and port."""
        parts = urlsplit(url)
        port = parts.port or {"postgresql": 5432, "redis": 6379}[parts.scheme.split("+")[0]]
        if port not in self.ports:
            self.ports[port] = self.forwarder.forward(port)
        auth = parts.netloc.rpartition("@")[0]
        netloc = f"{auth}@" if auth else ""
        return urlunsplit(parts._replace(netloc=f"{netloc}{self.host_ip}:{self.ports[port]}"))

    def command(self, argv: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.name, *argv]

    def forwarded(self, url: str) -> int:
        """Connections the worker side opened to the service at `url` (through the veth)."""
        return self.forwarder.connections[urlsplit(url).port or 0]


def _free_subnet() -> ipaddress.IPv4Network:
    taken = [ipaddress.ip_interface(word).network for line in _ip("-o", "-4", "addr").stdout.splitlines()
             for word in line.split()[3:4]]
    while True:
        block = random.randrange(SUBNETS.num_addresses // 4)
        subnet = ipaddress.ip_network((int(SUBNETS.network_address) + 4 * block, 30))
        if not any(subnet.overlaps(other) for other in taken):
            return subnet


def _set(namespace: str | None, interface: str) -> None:
    """Let loopback addresses cross this interface (in the namespace, or on the host with None)."""
    path = f"/proc/sys/net/ipv4/conf/{interface}/route_localnet"
    try:
        if namespace is None:
            Path(path).write_text("1", encoding="ascii")
        else:
            _ip("netns", "exec", namespace, "sh", "-c", f"echo 1 > {path}")
    except PermissionError as exc:
        raise NotPermittedError(f"{path}: {exc}") from None


def _unavailable() -> str | None:
    """Why no namespace can be made here (None: it can)."""
    if shutil.which("ip") is None:
        return "no ip command (iproute2)"
    if os.geteuid() != 0:
        return "ip netns needs root (CAP_NET_ADMIN)"
    return None


@contextlib.contextmanager
def namespace() -> Iterator[Namespace]:
    """A namespace joined to the host by a veth pair, deleted afterwards (with its end of the pair, and so the
    host's), whatever happened; skipped where `ip netns` is not permitted."""
    why = _unavailable()
    if why:
        pytest.skip(why)
    tag = uuid.uuid4().hex[:8]
    name, outer, inner = f"xxgk-{tag}", f"xh{tag}", f"xn{tag}"
    made = _ip("netns", "add", name, check=False)
    if made.returncode != 0:
        pytest.skip(f"ip netns is not permitted here: {made.stderr.strip()}")
    try:
        forwarder = Forwarder(_connect(name, outer, inner))
    except BaseException as exc:
        _remove(name, outer)
        if isinstance(exc, NotPermittedError):
            pytest.skip(f"a namespace's network is not permitted here: {exc}")
        raise
    try:
        yield Namespace(name, forwarder.host, forwarder)
    finally:
        forwarder.close()
        _remove(name, outer)


def _connect(name: str, outer: str, inner: str) -> str:
    """The veth pair between the host and the namespace `name`, its routes; the host's address on it."""
    subnet = _free_subnet()
    host_ip, ns_ip = (str(a) for a in list(subnet.hosts())[:2])
    _ip("link", "add", outer, "type", "veth", "peer", "name", inner, "netns", name)
    _ip("addr", "add", f"{host_ip}/30", "dev", outer)
    _ip("link", "set", outer, "up")
    _set(None, outer)
    for args in (("addr", "add", f"{ns_ip}/30", "dev", inner), ("link", "set", inner, "up"),
                 ("link", "set", "lo", "up"),
                 # the portals' loopback addresses through the veth; the namespace keeps 127.0.0.0/24
                 ("route", "add", "127.0.0.0/8", "via", host_ip, "dev", inner, "table", str(PORTAL_TABLE)),
                 ("rule", "add", "to", "127.0.0.0/24", "lookup", "local", "pref", "10"),
                 ("rule", "add", "to", "127.0.0.0/8", "lookup", str(PORTAL_TABLE), "pref", "20"),
                 ("rule", "add", "lookup", "local", "pref", "100"),
                 ("rule", "del", "pref", "0")):
        _ip("-n", name, *args)
    _set(name, inner)
    return host_ip


def _remove(name: str, outer: str) -> None:
    _ip("netns", "delete", name, check=False)
    _ip("link", "delete", outer, check=False)  # gone with the namespace's end, unless that failed
