"""Start the simulator from tools and tests: in-process (a thread) or as an `xxgk sim serve` subprocess.

    with running_sim(portals=14, seed=3, as_of=date(2026, 6, 1)) as sim:
        sim.truth["reports"][0]["url"]          # the truth as written with --truth-out
        sim.registry_path                       # the registry written with --registry-out
        sim.set_as_of(date(2027, 2, 1))         # move "today" (the control endpoint)

Both modes give the same world for the same arguments. `sim.testing` wraps this as a pytest fixture.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sim.server import BackgroundServer, Simulator
from sim.truth import DEFAULT_RATE_LIMIT, write_registry, write_truth
from sim.world import FAULT_KINDS, Portal, World, generate

DEFAULT_AS_OF = date(2026, 6, 1)
_START_TIMEOUT = 60.0


@dataclass
class SimHandle:
    world: World
    host: str
    port: int
    registry_path: Path
    truth_path: Path
    process: subprocess.Popen[str] | None = None

    @property
    def control(self) -> str:
        return f"http://{self.host}:{self.port}/__sim__"

    @property
    def truth(self) -> dict[str, Any]:
        """The truth file as written at start (use `current_truth` after moving the date)."""
        data: dict[str, Any] = json.loads(self.truth_path.read_text(encoding="utf-8"))
        return data

    def origin(self, portal: Portal | str) -> str:
        p = portal if isinstance(portal, Portal) else next(x for x in self.world.portals if x.id == portal)
        return f"http://{p.address}:{self.port}"

    def _call(self, path: str, data: bytes | None = None) -> bytes:
        method = "PUT" if data is not None else "GET"
        request = urllib.request.Request(f"{self.control}{path}", data=data, method=method)  # noqa: S310 - loopback
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            body: bytes = response.read()
            return body

    def as_of(self) -> date:
        return date.fromisoformat(self._call("/as_of").decode())

    def set_as_of(self, day: date) -> None:
        self._call("/as_of", day.isoformat().encode())

    def current_truth(self) -> dict[str, Any]:
        """The truth as of the simulator's current date."""
        data: dict[str, Any] = json.loads(self._call("/truth"))
        return data


@contextmanager
def running_sim(
    *,
    portals: int = 14,
    seed: int = 0,
    as_of: date = DEFAULT_AS_OF,
    faults: float = 0.0,
    fault_kinds: tuple[str, ...] = FAULT_KINDS,
    fault_plan: Mapping[int, str] | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    workdir: Path | None = None,
    subprocess_mode: bool = False,
    rate_limit: float = DEFAULT_RATE_LIMIT,
    latency: float = 0.0,
) -> Iterator[SimHandle]:
    """A running simulator with its registry and truth written; stopped on exit."""
    world = generate(seed=seed, portals=portals, faults=faults, fault_kinds=fault_kinds, fault_plan=fault_plan)
    with tempfile.TemporaryDirectory(prefix="xxgk-sim-") as tmp:
        folder = workdir or Path(tmp)
        registry_path, truth_path = folder / "registry.yaml", folder / "truth.json"
        if subprocess_mode:
            if fault_plan:
                raise ValueError("fault_plan needs the in-process simulator")
            options = _Options(host, port, as_of, faults, fault_kinds, rate_limit, latency)
            with _subprocess(world, options, registry_path, truth_path) as h:
                yield h
            return
        sim = Simulator(world, as_of=as_of, host=host, port=port, latency=latency)
        with BackgroundServer(sim):
            write_registry(registry_path, world, sim.site, rate_limit)
            write_truth(truth_path, world, sim.site, as_of)
            yield SimHandle(world, host, sim.port, registry_path, truth_path)


@dataclass(frozen=True, slots=True)
class _Options:
    """What `xxgk sim serve` is told beside the world's size and seed."""

    host: str
    port: int
    as_of: date
    faults: float
    kinds: tuple[str, ...]
    rate_limit: float
    latency: float


@contextmanager
def _subprocess(world: World, o: _Options, registry_path: Path, truth_path: Path) -> Iterator[SimHandle]:
    host = o.host
    port = o.port or _free_port(host)
    cmd = [
        sys.executable,
        "-m",
        "xxgk.cli",
        "sim",
        "serve",
        "--portals",
        str(len(world.portals)),
        "--seed",
        str(world.seed),
        "--host",
        host,
        "--port",
        str(port),
        "--as-of",
        o.as_of.isoformat(),
        "--faults",
        str(o.faults),
        "--fault-kinds",
        ",".join(o.kinds),
        "--rate-limit",
        str(o.rate_limit),
        "--latency",
        str(o.latency),
        "--registry-out",
        str(registry_path),
        "--truth-out",
        str(truth_path),
    ]
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)  # noqa: S603 - our own CLI
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"xxgk sim serve did not start (exit {process.poll()}): {line!r}")
        yield SimHandle(world, host, port, registry_path, truth_path, process)
    finally:
        process.terminate()
        try:
            process.wait(_START_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()


def _free_port(host: str) -> int:
    import socket  # noqa: PLC0415

    with socket.socket() as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port
