"""The dashboard's matrix and filtered lists over 3,000 agencies × 11 years: server time per page.

Fills an archive directly (sim/archive.py) on SQLite and on PostgreSQL (a fresh schema, dropped
after), logs in through the app and asks each page several times; prints the median and the worst
of the `Server-Timing` the app reports (the time from request to response, without the network).

    python bench/bench_web.py [--agencies 3000] [--years 11] [--runs 5] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from config.settings import Settings
from sim.archive import fill
from store.db import Archive
from web import accounts
from web.app import create_app

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
AS_OF = "2026-04-20"
PAGES = {
    "matrix, everything": "/",
    "matrix, page 20": "/?page=20",
    "matrix, late": "/?status=late",
    "matrix, inconsistent": "/?status=inconsistent",
    "matrix, one year": "/?year=2024",
    "matrix, one city": "/?region=4301",
    "matrix, departments missing": "/?level=department&status=missing",
    "matrix, a county's reader": "/",
    "agency page": "/agency/1",
    "agency page, its benchmark panel": "/agency/1/panel/0",
    "alerts list": "/alerts",
}


def measure(db_url: str, agencies: int, years: range, runs: int) -> dict[str, list[float]]:
    archive = Archive.open(db_url)
    started = time.perf_counter()
    reports = fill(archive, agencies, years)
    print(f"  filled {agencies} agencies, {reports} reports in {time.perf_counter() - started:.1f} s", flush=True)
    with archive.write() as session:
        accounts.add(session, "bench", "bench-password", "admin", [])
        accounts.add(session, "county", "bench-password", "viewer", ["430101"])
    import argparse as ap  # noqa: PLC0415

    settings = Settings.load(ap.Namespace(db=db_url, as_of=AS_OF))
    app = create_app(archive, settings, secret="bench")
    times: dict[str, list[float]] = {}
    for who in ("bench", "county"):
        client = TestClient(app)
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
        assert token is not None
        client.post("/login", data={"username": who, "password": "bench-password", "csrf": token.group(1)})
        for label, path in PAGES.items():
            if (who == "county") != label.endswith("reader"):
                continue
            for _ in range(runs):
                answer = client.get(path)
                assert answer.status_code == 200, (label, answer.status_code)
                times.setdefault(label, []).append(float(answer.headers["server-timing"].split("dur=")[1]))
    archive.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agencies", type=int, default=3000)
    parser.add_argument("--years", type=int, default=11)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    years = range(2025 - args.years + 1, 2026)
    for backend in args.backends.split(","):
        print(f"{backend}: {args.agencies} agencies × {args.years} years", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            if backend == "sqlite":
                times = measure(f"sqlite:///{tmp}/bench.sqlite3", args.agencies, years, args.runs)
            else:
                schema = f"xxgk_bench_{uuid.uuid4().hex[:10]}"
                admin = create_engine(PG)
                with admin.begin() as conn:
                    conn.execute(text(f'CREATE SCHEMA "{schema}"'))
                try:
                    times = measure(f"{PG}?options={quote(f'-csearch_path={schema}')}", args.agencies, years, args.runs)
                finally:
                    with admin.begin() as conn:
                        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                    admin.dispose()
        for label, values in times.items():
            print(f"  {label:32s} median {statistics.median(values):7.1f} ms   worst {max(values):7.1f} ms")


if __name__ == "__main__":
    main()
