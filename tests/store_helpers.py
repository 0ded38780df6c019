"""Helpers for the archive tests: PostgreSQL schemas, table row counts and generated report files."""

from __future__ import annotations

import contextlib
import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, func, select, text

from sim.render import LAYOUTS, random_record
from store.agencies import same_agency
from store.db import Archive
from store.models import Base


def row_counts(archive: Archive) -> dict[str, int]:
    with archive.read() as session:
        return {
            name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in Base.metadata.tables.items()
        }


def table_contents(archive: Archive, ignore: frozenset[str] = frozenset({"last_seen_at"})) -> dict[str, list[str]]:
    """Every row of every table (as sortable text), leaving out the columns named in `ignore`."""
    with archive.read() as session:
        return {
            name: sorted(repr(tuple(row)) for row in session.execute(
                select(*(c for c in table.columns if c.name not in ignore))))
            for name, table in Base.metadata.tables.items()
        }


def generated_reports(directory: Path, count: int, seed: int = 7, layout: str = "txt_tabs") -> list[Path]:
    """`count` rendered 2021-format reports of distinct agency-years, as files in `directory`."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    seen: list[tuple[str, int]] = []
    paths = []
    while len(paths) < count:
        record = random_record(rng, fmt="2021")
        if any(year == record["year"] and same_agency(name, record["agency"]) for name, year in seen):
            continue  # the archive would take it for another version of a report we have
        seen.append((record["agency"], record["year"]))
        path = directory / f"{len(paths):04d}.txt"
        path.write_bytes(LAYOUTS[layout](record))
        paths.append(path)
    return paths


@contextlib.contextmanager
def pg_schema(server: str) -> Iterator[str]:
    """A fresh schema on `server`, as a URL whose connections see only it; dropped afterwards."""
    schema = f"xxgk_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{server}?options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
