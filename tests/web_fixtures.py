"""The dashboard under test: an archive of the seed reports plus a hostile one, four accounts, uvicorn on a
free loopback port (in a thread), on SQLite and on PostgreSQL (a fresh schema per module)."""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import uvicorn
from conftest import FIXTURES
from store_helpers import pg_schema

from config.settings import Settings
from sim.render import LAYOUTS, random_record
from store.db import Archive
from web import accounts
from web.app import create_app
from xxgk.cli import main

AS_OF = "2026-04-20"
PASSWORD = "correct-horse-1"
SEEDS = {"000": ("430900", None), "002": ("430381", None), "003": ("430381", None), "004": ("430623", None)}
USERS = {"admin": ("admin", []), "editor": ("editor", ["43"]), "viewer": ("viewer", []),
         "county": ("editor", ["430623"]), "locked": ("viewer", [])}


class Beacon(BaseHTTPRequestHandler):
    """Counts any request: an archived page that reaches out would land here."""

    hits: list[str] = []  # noqa: RUF012 - shared by design

    def do_GET(self) -> None:
        Beacon.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        return


@dataclass
class Dashboard:
    url: str
    db_url: str
    beacon: list[str]
    hostile_agency: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def hostile_report(directory: Path, beacon_port: int) -> tuple[Path, str]:
    """A portal page whose agency, title and body carry script and onerror payloads, and an image and a
    style sheet from another server."""
    agency = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">恶意县民政局'
    record = random_record(random.Random(5), fmt="2021", year=2024, agency="恶意县民政局")
    html = LAYOUTS["html_portal"](record).decode("utf-8")
    payload = (f'<script>window.__pwned=3;parent.__pwned=3</script><img src="http://127.0.0.1:{beacon_port}/img" '
               f'onerror="parent.__pwned=4"><link rel="stylesheet" href="http://127.0.0.1:{beacon_port}/css">')
    html = html.replace("恶意县民政局", agency).replace("</body>", payload + "</body>")
    path = directory / "hostile.html"
    path.write_text(html, encoding="utf-8")
    return path, agency


def build_archive(db_url: str, work: Path, beacon_port: int) -> str:
    def cli(*args: str) -> None:
        assert main([*args, "--db", db_url, "--as-of", AS_OF]) == 0

    for prefix, (region, _) in SEEDS.items():
        [seed] = (FIXTURES / "seeds").glob(f"{prefix}_*.txt")
        cli("import", str(seed), "--region", region, "--published", "2025-01-20")
    hostile, agency = hostile_report(work, beacon_port)
    cli("import", str(hostile), "--agency", agency, "--region", "430381", "--year", "2024",
        "--url", "http://127.0.0.1/hostile.html")
    with Archive.open(db_url) as archive, archive.write() as session:
        for username, (role, regions) in USERS.items():
            accounts.add(session, username, PASSWORD, role, regions, name={"admin": "张管理"}.get(username))
    return agency


@contextlib.contextmanager
def serving(db_url: str) -> Iterator[str]:
    archive = Archive.open(db_url)
    settings = Settings.load(argparse.Namespace(db=db_url, as_of=AS_OF))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(archive, settings, secret="test-secret"), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        archive.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def dashboard(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
              pg_server: str | None) -> Iterator[Dashboard]:
    work = tmp_path_factory.mktemp(f"web-{request.param}")
    beacon = ThreadingHTTPServer(("127.0.0.1", 0), Beacon)
    threading.Thread(target=beacon.serve_forever, daemon=True).start()
    Beacon.hits = []
    with pytest.MonkeyPatch.context() as patch, contextlib.ExitStack() as stack:
        patch.setenv("XXGK_SNAPSHOTS", str(work / "snapshots"))
        patch.delenv("XXGK_DATABASE_URL", raising=False)
        patch.chdir(work)
        if request.param == "sqlite":
            db_url = f"sqlite:///{work / 'archive.sqlite3'}"
        else:
            if pg_server is None:
                pytest.skip("no PostgreSQL: 127.0.0.1:5432 does not answer and no throwaway cluster could be started")
            db_url = stack.enter_context(pg_schema(pg_server))
        agency = build_archive(db_url, work, beacon.server_address[1])
        url = stack.enter_context(serving(db_url))
        yield Dashboard(url, db_url, Beacon.hits, agency)
    beacon.shutdown()


SCREENSHOTS = os.environ.get("XXGK_SCREENSHOTS")  # a folder (docs/): the browser tests save each page there
