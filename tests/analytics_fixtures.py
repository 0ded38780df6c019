"""Fixtures for the analytics tests (loaded with `pytest_plugins`, after store_fixtures): one simulated
region stored once per backend and session, and the CLI run against it."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from analytics_world import AS_OF, REGION, Expected, region_world, store_world
from store_helpers import pg_schema

from store.db import Archive
from xxgk.cli import main


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
          pg_server: str | None) -> Iterator[tuple[str, Expected]]:
    """One simulated region stored once per backend and test session (the tests only read it)."""
    tmp = tmp_path_factory.mktemp("world")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("XXGK_SNAPSHOTS", str(tmp / "snapshots"))
        env.delenv("XXGK_DATABASE_URL", raising=False)
        if request.param == "sqlite":
            url = f"sqlite:///{tmp / 'archive.sqlite3'}"
            with Archive.open(url) as archive:
                yield url, Expected(store_world(archive, region_world(seed=1, portals=28, region=REGION), AS_OF))
            return
        if pg_server is None:
            pytest.skip("no PostgreSQL: 127.0.0.1:5432 does not answer and no throwaway cluster could be started")
        with pg_schema(pg_server) as url, Archive.open(url) as archive:
            yield url, Expected(store_world(archive, region_world(seed=1, portals=28, region=REGION), AS_OF))


@pytest.fixture
def expected(world: tuple[str, Expected]) -> Expected:
    return world[1]


@pytest.fixture
def region(world: tuple[str, Expected]) -> Iterator[tuple[Archive, Expected]]:
    with Archive.open(world[0]) as archive:
        yield archive, world[1]


@pytest.fixture
def cli(world: tuple[str, Expected], capsys: pytest.CaptureFixture[str]):
    """The CLI in-process against the module's archive."""

    def run(*args: str) -> SimpleNamespace:
        capsys.readouterr()
        code = main([*args, "--db", world[0]])
        captured = capsys.readouterr()
        return SimpleNamespace(code=code, out=captured.out, err=captured.err)

    return run
