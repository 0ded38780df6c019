"""Fixtures for the archive tests (loaded with `pytest_plugins`): both backends and the CLI.

Every archive test runs on SQLite (a temp file) and on PostgreSQL (a fresh schema per test, dropped
afterwards). PostgreSQL is the server at 127.0.0.1:5432 when it answers, else a throwaway cluster
started for the session (spec/toolchain.md §8); only when neither works are those cases skipped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from store_helpers import pg_schema

from store.db import Archive
from xxgk.cli import main

PG_URL = os.environ.get("XXGK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _answers(url: str) -> bool:
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not usable", and we try the next way
        return False
    finally:
        engine.dispose()
    return True


@contextlib.contextmanager
def _throwaway_cluster() -> Iterator[str | None]:
    """A private PostgreSQL on a free port (needs root to run it as `postgres`), stopped at the end.

    Each pytest-xdist worker starts its own, hence a free port rather than toolchain.md's fixed 55432.
    """
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not binaries or os.geteuid() != 0 or shutil.which("su") is None:
        yield None
        return
    bindir = Path(binaries[-1]).parent
    tmp = Path(tempfile.mkdtemp(prefix="xxgk-pg-"))
    shutil.chown(tmp, "postgres")
    data = tmp / "data"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    start = (f"{bindir}/initdb -D {data} -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null && "
             f"{bindir}/pg_ctl -D {data} -o '-p {port} -k {tmp} -c listen_addresses=127.0.0.1' "
             f"-l {tmp}/log -w start >/dev/null")
    started = subprocess.run(["su", "postgres", "-c", start], cwd=tmp, check=False).returncode == 0
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres" if started else None
    finally:
        if started:
            subprocess.run(["su", "postgres", "-c", f"{bindir}/pg_ctl -D {data} -m fast -w stop >/dev/null"],
                           cwd=tmp, check=False)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str | None]:
    if _answers(PG_URL):
        yield PG_URL
        return
    with _throwaway_cluster() as url:
        yield url if url and _answers(url) else None


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
           pg_server: str | None) -> Iterator[str]:
    """An empty archive database on each backend, with its snapshots in the test's temp dir."""
    monkeypatch.setenv("XXGK_SNAPSHOTS", str(tmp_path / "snapshots"))
    monkeypatch.delenv("XXGK_DATABASE_URL", raising=False)
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'archive.sqlite3'}"
        return
    if pg_server is None:
        pytest.skip("no PostgreSQL: 127.0.0.1:5432 does not answer and no throwaway cluster could be started")
    with pg_schema(pg_server) as url:
        yield url


@pytest.fixture
def archive(db_url: str) -> Iterator[Archive]:
    with Archive.open(db_url) as opened:
        yield opened


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def xxgk(capsys: pytest.CaptureFixture[str], db_url: str):
    """Run the CLI in-process against the test database: `xxgk("status", "--json")`."""

    def run(*args: str, db: str | None = None) -> Result:
        capsys.readouterr()
        code = main([*args, "--db", db or db_url])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
