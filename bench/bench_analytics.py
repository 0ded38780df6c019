"""Analytics benchmarks, on SQLite and on PostgreSQL.

1. `xxgk stats` over an archive of 50,000 reports of 3,000 agencies (2009–2025), rows generated straight
   into the tables as bench_store.py does, plus each version's cells from a pool of generated records
   (2021, 2019 and legacy formats by year): median latency of the question in a warm process, and the
   whole `xxgk stats … --json` process. Target ≤ 1 s.
2. `xxgk report region` of a simulated region of about 300 agencies (every report stored through the
   archive as the crawler stores it, with its findings): the whole command per format. Target ≤ 30 s.

Run: `.venv/bin/python bench/bench_analytics.py [--parts stats,report] [--backend sqlite,postgresql]
[--reports N] [--agencies N]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from analytics_world import region_world, store_world
from bench_store import database, fill

from analytics.metrics import BY_KEY
from analytics.stats import stats
from analytics.values import Monitoring, Scope
from sim.render import random_record
from store.cells import cell_rows
from store.db import Archive
from validate.rules.structure import expected_format

AS_OF = dt.date(2026, 4, 15)
STATS_TARGET_S = 1.0
REPORT_TARGET_S = 30.0
_COLUMNS = ("version_id", "table_key", "row_key", "col_key", "value", "kind", "unit", "text", "page", "box",
            "certainty")


def _pool(seed: int = 11, size: int = 60) -> dict[str, list[list[tuple[Any, ...]]]]:
    """Cell rows (without version) of generated records, per format."""
    rng = random.Random(seed)
    return {fmt: [[tuple(row[c] for c in _COLUMNS[1:]) for row in cell_rows(random_record(rng, fmt=fmt))]
                  for _ in range(size)] for fmt in ("2021", "2019", "legacy")}


def _cells(archive: Archive, seed: int = 12) -> int:
    """Every version's cells, from the pool by the year's format, by the driver's bulk path."""
    rng = random.Random(seed)
    pool = _pool()
    with archive.engine.connect() as conn:
        versions = conn.execute(text(
            "SELECT v.id, r.year FROM report_version v JOIN report r ON r.id = v.report_id ORDER BY v.id")).all()

    def rows() -> Iterator[tuple[Any, ...]]:
        for version_id, year in versions:
            for row in rng.choice(pool[expected_format(year)]):
                yield (version_id, *row)

    raw = archive.engine.raw_connection()
    count = 0
    try:
        cursor = raw.cursor()
        if archive.engine.dialect.name == "postgresql":
            with cursor.copy(f"COPY cell ({', '.join(_COLUMNS)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows():
                    copy.write_row(row)
                    count += 1
        else:
            cursor.execute("BEGIN")  # xxgk's SQLite connections leave transactions to the caller
            marks = ", ".join("?" * len(_COLUMNS))
            batch: list[tuple[Any, ...]] = []
            for row in rows():
                batch.append(row)
                if len(batch) == 50_000:
                    cursor.executemany(f"INSERT INTO cell VALUES ({marks})", batch)
                    count += len(batch)
                    batch.clear()
            cursor.executemany(f"INSERT INTO cell VALUES ({marks})", batch)
            count += len(batch)
        raw.commit()
    finally:
        raw.close()
    with archive.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return count


QUESTIONS: list[tuple[str, str, Scope, dict[str, Any]]] = [
    ("stats requests_new --year 2024", "requests_new", Scope(), {}),
    ("stats granted_rate --year 2024", "granted_rate", Scope(), {}),
    ("stats litigation_correction_rate --year 2024", "litigation_correction_rate", Scope(), {}),
    ("stats granted_rate --level township", "granted_rate", Scope(level="township"), {}),
    ("stats requests_new --region 4301", "requests_new", Scope(region="4301"), {}),
    ("stats on_time_rate --year 2024", "on_time_rate", Scope(), {}),
    ("stats data_errors --year 2024", "data_errors", Scope(), {}),
    ("stats blank_cells --year 2024", "blank_cells", Scope(), {}),
    ("stats granted_rate --agency 测试第12局 --years 10", "granted_rate", Scope(),
     {"agency": "测试第12局", "years": 10}),
]


def timed(run: Callable[[], Any], runs: int = 5) -> tuple[float, float]:
    """Median wall and CPU seconds of `run` (after one warm-up): the machine is shared, so both are shown."""
    walls, cpus = [], []
    for i in range(runs + 1):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        if i:
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def command(args: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of a whole `xxgk` process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "xxgk.cli", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "failed")
    return wall, usage.ru_utime + usage.ru_stime


def _verdict(cpu: float, target: float) -> str:
    return "ok" if cpu <= target else "SLOW"


def bench_stats(backend: str, workdir: Path, n_agencies: int, n_reports: int) -> None:
    with database(backend, workdir) as url:
        seconds = fill(url, n_agencies, n_reports)
        with Archive.open(url) as archive:
            start = time.perf_counter()
            count = _cells(archive)
            cells_s = time.perf_counter() - start
            print(f"stats  {backend:<10} {n_reports} reports of {n_agencies} agencies in {seconds:.1f} s, "
                  f"{count:,} cells in {cells_s:.1f} s")
            for name, key, scope, extra in QUESTIONS:
                def ask(key: str = key, scope: Scope = scope, extra: dict[str, Any] = extra) -> Any:
                    with archive.read() as session:
                        return stats(session, BY_KEY[key], scope, 2024, Monitoring(AS_OF), **extra)

                result = ask()
                wall, cpu = timed(ask)
                print(f"  {name:<52} {wall * 1000:7.1f} ms wall {cpu * 1000:7.1f} ms CPU  "
                      f"{len(result.agencies):5d} agencies  {_verdict(wall, STATS_TARGET_S)}")
        for args in (["granted_rate", "--year", "2024"], ["requests_new", "--region", "4301", "--level", "county"],
                     ["granted_rate", "--agency", "测试第12局", "--years", "10"]):
            wall, cpu = command(["stats", *args, "--json", "--db", url, "--as-of", AS_OF.isoformat()])
            print(f"  whole process `xxgk stats {' '.join(args)} --json`: {wall:5.2f} s wall {cpu:5.2f} s CPU "
                  f"(interpreter and imports included)")


def bench_report(backend: str, workdir: Path, agencies: int) -> None:
    portals = 7 * (agencies // 6 + 1)  # one portal in seven is a 湖南 county, with six agencies on average
    world = region_world(seed=3, portals=portals, region="43")
    n = sum(len(p.agencies) for p in world.portals)
    with database(backend, workdir) as url:
        start = time.perf_counter()
        with Archive.open(url) as archive:
            store_world(archive, world, dt.date(2026, 6, 1))
            with archive.engine.begin() as conn:
                reports = conn.execute(text("SELECT count(*) FROM report")).scalar_one()
                conn.execute(text("ANALYZE"))
        print(f"report {backend:<10} {n} agencies, {reports} reports stored in {time.perf_counter() - start:.0f} s")
        for fmt in ("docx", "xlsx", "pdf"):
            out = workdir / f"region-{backend}.{fmt}"
            wall, cpu = command(["report", "region", "43", "--year", "2025", "--as-of", "2026-06-01", "--db", url,
                                 "--out", str(out)])
            print(f"  xxgk report region 43 --year 2025 --format {fmt:<5} {wall:6.1f} s wall {cpu:6.1f} s CPU "
                  f"(LibreOffice included)  {out.stat().st_size:,} bytes  {_verdict(wall, REPORT_TARGET_S)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", default="stats,report")
    parser.add_argument("--backend", default="sqlite,postgresql")
    parser.add_argument("--reports", type=int, default=50_000)
    parser.add_argument("--agencies", type=int, default=300, help="agencies of the region report")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        workdir = Path(tmp)
        for backend in args.backend.split(","):
            if "stats" in args.parts:
                bench_stats(backend, workdir, 3_000, args.reports)
            if "report" in args.parts:
                bench_report(backend, workdir, args.agencies)


if __name__ == "__main__":
    main()
