"""The HTTP server: every portal on its own loopback address, one asyncio loop, no framework.

Each portal listens on 127.0.x.y:PORT and requests are routed by the *local* address they
arrived on, never by `Host`, so a crawler sees 3,000 distinct hosts (per-host politeness and
off-site filtering are real) while one process serves them all. A hand-written HTTP/1.1
protocol (keep-alive, Content-Length bodies, HEAD) keeps a request to a few tens of
microseconds of Python, which is what lets one core serve well over 1,000 requests/s.

The control endpoint on HOST:PORT (127.0.0.1 by default) moves "today" while running, for
accelerated-time tests of the monitor:

* `GET /__sim__/as_of` → `2025-06-01`; `PUT`/`POST` with a date body sets it;
* `GET /__sim__/truth` → the truth file's JSON as of the current date;
* `GET /__sim__/registry` → the registry YAML;
* `GET /__sim__/stats` → requests served, in total and per portal.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import ipaddress
import json
import resource
import socket
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import date
from email.utils import formatdate
from typing import Final

from sim import faults, truth
from sim.archetypes import Site, build_site
from sim.http import REASONS, Request, Response, not_found, text_response
from sim.world import Portal, World

HANG_SECONDS: Final = 600.0  # how long a `timeout` portal keeps a connection before giving up itself
MAX_HEAD: Final = 64 * 1024
_PAD: Final = b" " * (1024 * 1024)
_BIND_TRIES: Final = 8


def conditional(request: Request, response: Response) -> Response:
    """Static article pages and files carry an ETag, as a CMS's web server gives them; a client that
    sends it back for an unchanged page gets 304 Not Modified."""
    if response.status != 200 or response.page not in ("article", "attachment") or response.cut or response.padding:
        return response
    etag = '"' + hashlib.sha1(response.body, usedforsecurity=False).hexdigest()[:16] + '"'
    if request.headers.get("if-none-match") == etag:
        return Response(304, b"", response.content_type, headers=[("ETag", etag)], page=response.page)
    return replace(response, headers=[*response.headers, ("ETag", etag)])


class Simulator:
    """The world as served: sites built on first use, the as-of clock, fault counters, statistics."""

    def __init__(
        self, world: World, *, as_of: date, host: str = "127.0.0.1", port: int = 0, latency: float = 0.0
    ) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"{host} is not a loopback address: the simulator binds loopback only")
        if host in world.by_address:
            raise ValueError(f"{host} is a portal's address; the control endpoint needs another (127.0.0.1)")
        self.world = world
        self.as_of = as_of
        self.host = host
        self.port = port
        self.latency = latency  # seconds every portal response waits, as over a real network (benchmarks)
        self.sites: dict[int, Site] = {}
        self.attempts: Counter[tuple[int, str]] = Counter()
        self.served: Counter[int] = Counter()
        # requests being answered at once, per portal address, and the most ever: politeness across processes
        self.in_flight: Counter[str] = Counter()
        self.most_in_flight: Counter[str] = Counter()
        self.servers: list[asyncio.base_events.Server] = []
        self._date = (0, "")

    # ---- the world ---------------------------------------------------------------------------

    def origin(self, portal: Portal) -> str:
        return f"http://{portal.address}:{self.port}"

    def site(self, portal: Portal) -> Site:
        site = self.sites.get(portal.index)
        if site is None:
            site = self.sites[portal.index] = build_site(self.world.seed, portal, self.origin(portal))
        return site

    def begin(self, address: str) -> None:
        self.in_flight[address] += 1
        self.most_in_flight[address] = max(self.most_in_flight[address], self.in_flight[address])

    def end(self, address: str) -> None:
        self.in_flight[address] -= 1

    def respond(self, address: str, request: Request) -> Response:
        portal = self.world.by_address.get(address)
        if portal is None:
            return self.control(request) if address == self.host else not_found()
        self.served[portal.index] += 1
        site = self.site(portal)

        def attempt() -> int:
            key = (portal.index, request.target)
            self.attempts[key] += 1
            return self.attempts[key] - 1

        response = faults.serve(portal.fault, portal.id, request, lambda: site.handle(request, self.as_of), attempt)
        response = conditional(request, response)
        return replace(response, delay=response.delay + self.latency) if self.latency else response

    def control(self, request: Request) -> Response:
        path = request.path
        if path == "/__sim__/as_of":
            if request.method in ("PUT", "POST"):
                try:
                    self.as_of = date.fromisoformat(request.body.decode().strip())
                except ValueError:
                    return text_response(400, "expected a date YYYY-MM-DD")
            return Response(200, self.as_of.isoformat().encode(), "text/plain")
        if path == "/__sim__/truth":
            body = "".join(truth.truth_chunks(self.world, self.site, self.as_of)).encode()
            return Response(200, body, "application/json")
        if path == "/__sim__/registry":
            return Response(200, truth.registry_yaml(self.world, self.site).encode(), "application/yaml")
        if path == "/__sim__/stats":
            stats = {"requests": sum(self.served.values()), "portals": {str(k): v for k, v in self.served.items()}}
            return Response(200, json.dumps(stats).encode(), "application/json")
        return not_found()

    def http_date(self) -> str:
        now = int(time.time())
        if self._date[0] != now:
            self._date = (now, formatdate(now, usegmt=True))
        return self._date[1]

    # ---- sockets ---------------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind the control address and every portal on one port (an ephemeral one when port is 0)."""
        _raise_file_limit(len(self.world.portals) + 1024)
        loop = asyncio.get_running_loop()
        requested = self.port
        for _ in range(_BIND_TRIES):
            sockets: list[socket.socket] = []
            try:
                sockets.append(_listen(self.host, requested))
                self.port = sockets[0].getsockname()[1]
                sockets.extend(_listen(p.address, self.port) for p in self.world.portals)
            except OSError:
                for sock in sockets:
                    sock.close()
                if requested:
                    raise
                continue  # the ephemeral port is taken on some portal address: draw another
            self.servers = [await loop.create_server(lambda: _Connection(self), sock=s) for s in sockets]
            return
        raise OSError("could not find a port free on every portal address")

    async def stop(self) -> None:
        for server in self.servers:
            server.close()
        for server in self.servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 1)
        self.servers = []


def _listen(address: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((address, port))
        sock.listen(512)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)  # noqa: FBT003 - the socket API
    return sock


def _raise_file_limit(needed: int) -> None:
    """One listening socket per portal: lift the soft open-files limit as far as the hard one allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed + 1024:
        target = hard if hard == resource.RLIM_INFINITY else min(hard, max(needed + 4096, soft))
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


class _Connection(asyncio.Protocol):
    """HTTP/1.1 on one connection: requests are answered in order; faults may delay, cut or hang them."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.buffer = b""
        self.busy = False
        self.closed = False
        self.timer: asyncio.TimerHandle | None = None
        self.transport: asyncio.Transport | None = None
        self.address = ""
        self.answering = False  # a request of this connection is being answered (Simulator.in_flight)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.address = transport.get_extra_info("sockname")[0]

    def connection_lost(self, exc: Exception | None) -> None:  # noqa: ARG002 - closed is closed
        self.closed = True
        self.answered()
        if self.timer is not None:
            self.timer.cancel()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self.process()

    def process(self) -> None:
        while not self.busy and not self.closed:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buffer) > MAX_HEAD:
                    self.fail(400)
                return
            try:
                request, keep_alive, used = _parse(self.buffer, end)
            except ValueError:
                self.fail(400)
                return
            if used is None:
                return  # the body has not fully arrived
            self.buffer = self.buffer[used:]
            self.answer(request, keep_alive)

    def answered(self) -> None:
        if self.answering:
            self.answering = False
            self.sim.end(self.address)

    def answer(self, request: Request, keep_alive: bool) -> None:
        self.answering = True
        self.sim.begin(self.address)
        response = self.sim.respond(self.address, request)
        if response.hang:
            self.busy = True
            self.timer = asyncio.get_running_loop().call_later(HANG_SECONDS, self.close)
            return

        def send() -> None:
            return self.send(response, keep_alive, head_only=request.method == "HEAD")

        if response.delay > 0:
            self.busy = True
            self.timer = asyncio.get_running_loop().call_later(response.delay, send)
        else:
            send()

    def send(self, response: Response, keep_alive: bool, *, head_only: bool) -> None:
        self.busy = False
        self.answered()
        if self.closed or self.transport is None:
            return
        keep_alive = keep_alive and response.cut is None
        head = [
            f"HTTP/1.1 {response.status} {REASONS.get(response.status, 'Unknown')}",
            "Server: nginx",
            f"Date: {self.sim.http_date()}",
            f"Content-Type: {response.content_type}",
            f"Content-Length: {len(response.body) + response.padding}",
            f"Connection: {'keep-alive' if keep_alive else 'close'}",
            *(f"{k}: {v}" for k, v in response.headers),
        ]
        self.transport.write(("\r\n".join(head) + "\r\n\r\n").encode("utf-8"))
        if not head_only:
            self.transport.write(response.body if response.cut is None else response.body[: response.cut])
            for start in range(0, response.padding, len(_PAD)):
                self.transport.write(_PAD[: min(len(_PAD), response.padding - start)])
        if keep_alive:
            self.process()
        else:
            self.close()

    def fail(self, status: int) -> None:
        self.send(text_response(status, REASONS[status]), keep_alive=False, head_only=False)

    def close(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.close()
        self.closed = True


def _parse(buffer: bytes, end: int) -> tuple[Request, bool, int | None]:
    """The request whose head ends at `end`; `used` is None while its body is incomplete."""
    lines = buffer[:end].decode("latin-1").split("\r\n")
    method, target, version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length") or 0)
    if length < 0:
        raise ValueError("negative Content-Length")
    used = end + 4 + length
    if len(buffer) < used:
        return Request(method, target, headers), False, None
    connection = headers.get("connection", "").lower()
    keep_alive = connection != "close" if version == "HTTP/1.1" else connection == "keep-alive"
    return Request(method, target, headers, buffer[end + 4 : used]), keep_alive, used


class BackgroundServer:
    """A simulator on its own event loop in a daemon thread: the in-process API for tests and tools."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="xxgk-sim", daemon=True)
        self.ready = threading.Event()
        self.error: BaseException | None = None

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self.sim.start())
        except BaseException as exc:  # noqa: BLE001 - handed to the starting thread
            self.error = exc
            self.ready.set()
            return
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.sim.stop())
        self.loop.close()

    def start(self) -> None:
        self.thread.start()
        self.ready.wait()
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        if self.thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)

    def __enter__(self) -> Simulator:
        self.start()
        return self.sim

    def __exit__(self, *exc: object) -> None:
        self.stop()
