"""Real services for the distributed-mode tests: a fresh PostgreSQL database per test, a private Redis
(append-only, so that a restart keeps its queues, as docs/deploy.md asks of production), a RabbitMQ vhost
of its own, and `xxgk worker` processes started and killed by the test."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, text

if TYPE_CHECKING:
    from netns_fixtures import Namespace

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("XXGK_TEST_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
AMQP = "amqp://guest:guest@127.0.0.1:5672"
# fast and polite to loopback only (as tests/test_crawler_sim.py)
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_TIMEOUT": 15, "RETRY_TIMES": 2,
        "XXGK_RETRY_BACKOFF": 0.05}
# the visibility timeout of every test but the one where a worker dies: far longer than any crawl here, however
# loaded the machine, so that no running job is handed to a second worker
GENEROUS_S = 600.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def pg_database() -> Iterator[str]:
    """A new, empty database on the PostgreSQL server, dropped afterwards; skipped without a server."""
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"xxgk_jobs_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - no server: the distributed tests cannot run
        admin.dispose()
        pytest.skip(f"no PostgreSQL server: {exc}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Redis:
    """A private redis-server: restartable with its data (append-only file), on a port of its own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("no redis-server")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder), "--appendonly", "yes",
             "--appendfsync", "always", "--save", "", "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def shutdown_nosave(self) -> None:
        subprocess.run(["redis-cli", "-p", str(self.port), "SHUTDOWN", "NOSAVE"], check=False,
                       capture_output=True)
        if self.process is not None:
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@contextlib.contextmanager
def redis_server(folder: Path) -> Iterator[Redis]:
    server = Redis(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[Redis]:
    with redis_server(tmp_path) as server:
        yield server


@pytest.fixture
def rabbitmq_vhost() -> Iterator[str]:
    """A vhost of its own on the RabbitMQ server (made with rabbitmqctl), deleted afterwards."""
    ctl = shutil.which("rabbitmqctl")
    if ctl is None:
        pytest.skip("no rabbitmqctl")
    vhost = f"xxgk-test-{uuid.uuid4().hex[:8]}"
    made = subprocess.run([ctl, "add_vhost", vhost], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip("RabbitMQ is not running")
    subprocess.run([ctl, "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], capture_output=True,
                   check=True)
    try:
        yield f"{AMQP}/{vhost}"
    finally:
        subprocess.run([ctl, "delete_vhost", vhost], capture_output=True, check=False)


@dataclass
class Deployment:
    """The settings every process of one test's deployment shares (environment variables)."""

    database_url: str
    broker_url: str
    folder: Path
    visibility: float = GENEROUS_S
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self, where: Namespace | None = None) -> dict[str, str]:
        """The environment of a process on this machine, or in the namespace `where` (the services through its veth)."""
        # this worktree's sources first, then the session's path (tests/: the crawls' settings, tests/conftest.py)
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
        database, broker = (where.url(self.database_url), where.url(self.broker_url)) if where else \
            (self.database_url, self.broker_url)
        return {**os.environ, "PYTHONPATH": path, "XXGK_DATABASE_URL": database,
                "XXGK_BROKER_URL": broker, "XXGK_SNAPSHOTS": "database",
                "XXGK_JOB_VISIBILITY": str(self.visibility), "XXGK_JOB_BACKOFF": "1",
                "XXGK_LOG_DIR": str(self.folder / "logs"), "XXGK_PROJECT": str(self.folder)}

    def apply(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for name in ("XXGK_SNAPSHOTS", "XXGK_JOB_VISIBILITY", "XXGK_JOB_BACKOFF", "XXGK_LOG_DIR"):
            monkeypatch.setenv(name, self.env()[name])

    def worker(self, name: str, *, queues: str = "crawl,parse", concurrency: int = 1,
               where: Namespace | None = None) -> subprocess.Popen[bytes]:
        """An `xxgk worker` in a process group of its own (in the namespace `where`, if given), ready to take jobs
        when this returns."""
        return self.workers_ready({name: queues}, concurrency=concurrency, where={name: where} if where else None)[0]

    def workers_ready(self, queues: dict[str, str], *, concurrency: int = 1,
                      where: Mapping[str, Namespace] | None = None) -> list[subprocess.Popen[bytes]]:
        """Several workers (name → queues) started at once, each ready to take jobs when this returns; `where`
        puts some in network namespaces (name → namespace)."""
        started = []
        for name, wanted in queues.items():
            log = self.folder / f"worker-{name}.log"
            space = (where or {}).get(name)
            argv = [sys.executable, "-m", "xxgk.cli", "worker", "--queues", wanted, "--concurrency", str(concurrency),
                    "--name", f"{name}@test"]
            process = subprocess.Popen(
                space.command(argv) if space else argv,
                cwd=self.folder, env=self.env(space), stdout=log.open("wb"), stderr=subprocess.STDOUT,
                start_new_session=True)
            self.workers.append(process)
            started.append((name, log, process))
        deadline = time.monotonic() + 120
        for name, log, process in started:
            while b" ready." not in log.read_bytes():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"worker {name} did not start:\n{log.read_text(errors='replace')[-3000:]}")
                time.sleep(0.1)
        return [process for *_, process in started]

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and its pool, as a machine that dies."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.workers:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill(process)


@contextlib.contextmanager
def deployment(broker_url: str, *, visibility: float = GENEROUS_S) -> Iterator[Deployment]:
    with pg_database() as url, tempfile.TemporaryDirectory(prefix="xxgk-jobs-") as tmp:
        setup = Deployment(url, broker_url, Path(tmp), visibility)
        (setup.folder / "logs").mkdir()
        try:
            yield setup
        finally:
            setup.stop()
