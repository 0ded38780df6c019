"""Distributed mode's throughput and overhead: a simulated world crawled by 1, 2, 4 … `xxgk worker` processes
through a private Redis into PostgreSQL, against today's single-process crawl of the same world.

Printed per run: wall time, CPU seconds of the whole process tree (workers, their pools and crawl
children), jobs per second, and the CPU overhead of the queue against the single-process crawl (target
≤ 10 %). With `--ocr` the workers also take the OCR backlog (page images) — minutes on two cores.

Run: `.venv/bin/python bench/bench_jobs.py [--portals 60] [--workers 1,2,4] [--ocr]` (needs PostgreSQL at
127.0.0.1:5432 and redis-server; the issue's full figure is `--portals 600`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alerts.schedule import sync_agencies  # noqa: E402
from config.registry import load_registry  # noqa: E402
from crawler.run import crawl  # noqa: E402
from jobs import enqueue, ledger  # noqa: E402
from jobs.app import configure  # noqa: E402
from jobs.config import JobSettings  # noqa: E402
from sim.testing import running_sim  # noqa: E402
from store.db import Archive  # noqa: E402

AS_OF = dt.date(2026, 6, 1)
ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_TIMEOUT": 15, "RETRY_TIMES": 2,
        "XXGK_ALLOW_LOOPBACK": True}  # the simulator's portals are on loopback


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@contextlib.contextmanager
def database() -> Iterator[str]:
    admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    name = f"xxgk_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def redis(folder: Path) -> Iterator[str]:
    import socket  # noqa: PLC0415

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--dir", str(folder)], stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait()


def single(registry_path: Path, portals: list[str], tmp: Path) -> tuple[float, float]:
    with database() as url:
        cpu, wall = children_cpu(), time.monotonic()
        crawl(str(registry_path), portals=portals, as_of=AS_OF.isoformat(), db=url,
              settings={**FAST, "XXGK_OCR": False}, timeout=3600, log=(tmp / "single.log").open("w"))
        return time.monotonic() - wall, children_cpu() - cpu


def distributed(
    registry_path: Path, portals: list[str], workers: int, tmp: Path, *, ocr: bool
) -> tuple[float, float, int]:
    registry = load_registry(registry_path)
    with database() as url, redis(tmp) as broker:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "XXGK_DATABASE_URL": url, "XXGK_BROKER_URL": broker,
               "XXGK_SNAPSHOTS": "database", "XXGK_LOG_DIR": str(tmp)}
        os.environ["XXGK_SNAPSHOTS"] = "database"
        archive = Archive.open(url)
        sync_agencies(archive, registry)
        app = configure(JobSettings(broker, url))
        cpu, wall = children_cpu(), time.monotonic()
        procs = [subprocess.Popen([sys.executable, "-m", "xxgk.cli", "worker", "--concurrency", "1",
                                   "--queues", "crawl,parse,ocr" if ocr else "crawl,parse", "--name", f"w{i}@bench"],
                                  env=env, cwd=tmp, stdout=(tmp / f"w{i}.log").open("w"), stderr=subprocess.STDOUT,
                                  start_new_session=True) for i in range(workers)]
        enqueue.crawls(app, archive, registry, portals, AS_OF, settings=FAST)
        kinds = ("crawl", "parse", "ocr") if ocr else ("crawl", "parse")
        while True:
            states = ledger.states(archive)
            if states and not any(states.get(k, Counter())[s] for k in kinds for s in ledger.UNFINISHED):
                break
            time.sleep(0.5)
        elapsed = time.monotonic() - wall
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            p.wait()
        jobs = sum(n for k in kinds for n in ledger.states(archive).get(k, {}).values())
        archive.close()
        return elapsed, children_cpu() - cpu, jobs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--portals", type=int, default=60)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--ocr", action="store_true")
    args = parser.parse_args()
    with running_sim(portals=args.portals, seed=7, as_of=AS_OF, rate_limit=50) as sim, \
            tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        registry = load_registry(sim.registry_path)
        portals = [p.id for p in registry.portals if p.fetcher != "browser"]
        wall, cpu = single(sim.registry_path, portals, tmp)
        print(f"{len(portals)} portals (browser archetype left out), {os.cpu_count()} cores")
        print(f"{'run':<14} {'wall s':>8} {'CPU s':>8} {'jobs':>6} {'jobs/s':>7} {'CPU vs single':>14}")
        print(f"{'one process':<14} {wall:8.1f} {cpu:8.1f} {'':>6} {'':>7} {'':>14}")
        for n in (int(x) for x in args.workers.split(",")):
            d_wall, d_cpu, jobs = distributed(sim.registry_path, portals, n, tmp, ocr=args.ocr)
            print(f"{f'{n} worker(s)':<14} {d_wall:8.1f} {d_cpu:8.1f} {jobs:6d} {jobs / d_wall:7.1f} "
                  f"{(d_cpu / cpu - 1) * 100:+13.0f}%")


if __name__ == "__main__":
    main()
