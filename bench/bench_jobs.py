"""Distributed mode's throughput and overhead: a simulated world crawled by 1, 2, 4 … `xxgk worker` processes
through a private Redis into PostgreSQL, against today's single-process crawl of the same world.

Printed per run: wall time, jobs per second, and CPU seconds by process — the crawl processes, the
processes that parse and store (the crawl's own parse pool in one process; the workers' pool processes),
the Celery workers' main processes, Redis, and the PostgreSQL server's processes (the server's whole CPU
over the run, so anything else using it counts too) — and the overhead of the queue: the CPU of the
same work (crawl, parse, store; PostgreSQL left out) against the single-process crawl, target ≤ 10 %.
Both sides keep the documents' bytes in the database (XXGK_SNAPSHOTS=database, as distributed mode needs).

With `--ocr N`, N of the world's page images are then read by OCR twice: in one process, and as OCR jobs
taken by two `--queues ocr` workers; printed are the CPU seconds of each, images and A4-page equivalents
(the simulator draws a report as one tall image 1000 px wide; an A4 page is 1414 px tall at that width).

Measured with `--portals 600 --workers 1,2,4 --ocr 12` (515 portals without the browser archetype, ~33
documents each) on the project's 2-core machine while another benchmark (OCR) and other test runs shared it:
CPU seconds vary by about ±10 % between runs, wall times more.

    run          wall s   jobs  jobs/s    crawl parse/st worker m    redis postgres    work  vs one shutdown
    one process   612.0                   136.2    396.9      0.0      0.0    113.9   533.0
    1 worker(s)   644.9   2161     3.4    159.3    355.8      6.2      2.0    124.2   523.2     -2%      0.5
    2 worker(s)   313.3   2161     6.9    126.1    342.6      7.0      1.4    112.0   477.1    -10%      1.0
    4 worker(s)   349.0   2161     6.2    172.7    370.7     11.7      1.6    120.1   556.6     +4%      2.7

    OCR: 12 page images (26.9 A4 pages), 0 left unread
    run              images A4 pages   wall s    CPU s  CPU s/A4 page  A4 pages/core-h
    one process           6     13.4     64.5     64.6            4.8              748
    2 OCR workers         6     13.5     35.9     68.4            5.1              708

OCR again after detection at half scale and the trimmed recognition's cuts (`--portals 20 --workers 1
--ocr 12`, the machine otherwise quiet):

    one process           6     13.3     27.1     27.3            2.1             1746
    2 OCR workers         6     13.5     15.7     29.6            2.2             1637

The queue's overhead is within the noise (target ≤ 10 %). The jobs are 11 crawls of 50 portals and 2,150
parse jobs of 8 documents. Before those batches (10 portals, one document a job) and before a parse job
stopped compressing and storing its document's bytes a second time, 52 portals with one worker cost +52 to
+59 %: each crawl process's start (~2 CPU-s: imports, Scrapy's engine, loading migrations) and, per
document, ~6 ms of messages, job rows and the worker's main process against ~35 ms of parsing.

Run: `.venv/bin/python bench/bench_jobs.py [--portals 60] [--workers 1,2,4] [--ocr 12]` (needs PostgreSQL at
127.0.0.1:5432 and redis-server; the full size takes about 40 minutes on two cores).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import multiprocessing
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
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
from store.reading import Unread, read_one, unread_reports  # noqa: E402

AS_OF = dt.date(2026, 6, 1)
ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_TIMEOUT": 15, "RETRY_TIMES": 2,
        "XXGK_ALLOW_LOOPBACK": True}  # the simulator's portals are on loopback
TICK = os.sysconf("SC_CLK_TCK")
A4_PX = 1414  # an A4 page's height at the simulator's image width
ROLES = ("crawl", "parse/store", "worker main", "redis", "postgresql")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _stat(pid: int) -> tuple[str, int, float, float] | None:
    """A process's name, parent, own CPU seconds and its reaped children's (from /proc/<pid>/stat)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1:raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2:].split()
    own = (int(fields[11]) + int(fields[12])) / TICK
    reaped = (int(fields[13]) + int(fields[14])) / TICK
    return name, int(fields[1]), own, reaped


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _processes() -> dict[int, tuple[str, int, float, float]]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            found[int(entry.name)] = stat
    return found


def postgres_cpu() -> float:
    """The PostgreSQL server's CPU seconds so far: its processes' own, and the ended backends' (the postmaster's
    reaped children)."""
    procs = _processes()
    mine = {pid: s for pid, s in procs.items() if s[0] == "postgres" or s[0].startswith("postgres:")}
    total = sum(s[2] for s in mine.values())
    return total + sum(s[3] for pid, s in mine.items() if procs.get(s[1], ("",))[0] != "postgres")


@dataclass
class Cpu:
    """CPU seconds by role over one run."""

    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(ROLES, 0.0))

    @property
    def work(self) -> float:
        """The crawl, parse and store work and the queue's own processes, PostgreSQL left out."""
        return sum(v for k, v in self.seconds.items() if k != "postgresql")

    def row(self) -> str:
        return " ".join(f"{self.seconds[r]:8.1f}" for r in ROLES)


def worker_tree(workers: list[int]) -> dict[str, float]:
    """The workers' CPU by role, read while they are idle: their main processes, their pool processes (jobs
    run there) and the crawl processes the pool processes started and reaped."""
    procs = _processes()
    cpu = dict.fromkeys(ROLES, 0.0)
    for pid, (_, parent, own, reaped) in procs.items():
        if pid in workers:
            cpu["worker main"] += own
        elif parent in workers:
            cpu["parse/store"] += own
            cpu["crawl"] += reaped
    return cpu


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


@dataclass
class Broker:
    url: str
    process: subprocess.Popen[bytes]

    def cpu(self) -> float:
        stat = _stat(self.process.pid)
        return stat[2] if stat else 0.0


@contextlib.contextmanager
def redis(folder: Path) -> Iterator[Broker]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--dir", str(folder)], stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    try:
        yield Broker(f"redis://127.0.0.1:{port}/0", server)
    finally:
        server.terminate()
        server.wait()


def single(registry_path: Path, portals: list[str], tmp: Path, url: str) -> tuple[float, Cpu]:
    """The crawl in one process (its parse pool one process per core) into the database at `url`."""
    samples: dict[int, float] = {}
    stop = threading.Event()

    def sample() -> None:  # the crawl process's own CPU, last seen (it reaps its parse pool itself)
        me = os.getpid()
        while not stop.wait(0.2):
            for pid, (_, parent, own, _reaped) in _processes().items():
                if parent == me and "crawler.run" in _cmdline(pid):
                    samples[pid] = own

    sampler = threading.Thread(target=sample, daemon=True)
    before, pg, wall = children_cpu(), postgres_cpu(), time.monotonic()
    sampler.start()
    crawl(str(registry_path), portals=portals, as_of=AS_OF.isoformat(), db=url,
          settings={**FAST, "XXGK_OCR": False}, timeout=3600, log=(tmp / "single.log").open("w"))
    elapsed = time.monotonic() - wall
    stop.set()
    sampler.join()
    total = children_cpu() - before
    cpu = Cpu()
    cpu.seconds["crawl"] = sum(samples.values())
    cpu.seconds["parse/store"] = total - cpu.seconds["crawl"]  # the pool's, and what the last sample missed
    cpu.seconds["postgresql"] = postgres_cpu() - pg
    return elapsed, cpu


def _start_workers(env: dict[str, str], tmp: Path, names: list[str], queues: str) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen([sys.executable, "-m", "xxgk.cli", "worker", "--concurrency", "1", "--queues", queues,
                              "--name", f"{name}@bench"], env=env, cwd=tmp, stdout=(tmp / f"{name}.log").open("w"),
                             stderr=subprocess.STDOUT, start_new_session=True) for name in names]


def _wait_idle(archive: Archive, kinds: tuple[str, ...]) -> None:
    while True:
        states = ledger.states(archive)
        if states and not any(states.get(k, Counter())[s] for k in kinds for s in ledger.UNFINISHED):
            return
        time.sleep(0.5)


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """A warm shutdown of each worker and its pool."""
    for p in procs:
        os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        p.wait()


@dataclass
class Distributed:
    wall: float
    cpu: Cpu
    jobs: int
    shutdown: float  # the workers' warm shutdown, not counted in `cpu`


def distributed(registry_path: Path, portals: list[str], workers: int, tmp: Path) -> Distributed:
    registry = load_registry(registry_path)
    with database() as url, redis(tmp) as broker:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "XXGK_DATABASE_URL": url, "XXGK_BROKER_URL": broker.url,
               "XXGK_SNAPSHOTS": "database", "XXGK_LOG_DIR": str(tmp)}
        archive = Archive.open(url)
        sync_agencies(archive, registry)
        app = configure(JobSettings(broker.url, url))
        before, pg, wall = children_cpu(), postgres_cpu(), time.monotonic()
        procs = _start_workers(env, tmp, [f"w{i}" for i in range(workers)], "crawl,parse")
        enqueue.crawls(app, archive, registry, portals, AS_OF, settings=FAST)
        _wait_idle(archive, ("crawl", "parse"))
        elapsed = time.monotonic() - wall
        cpu = Cpu(worker_tree([p.pid for p in procs]))
        cpu.seconds["redis"] = broker.cpu()
        cpu.seconds["postgresql"] = postgres_cpu() - pg
        _stop(procs)
        shutdown = children_cpu() - before - sum(cpu.seconds[r] for r in ("crawl", "parse/store", "worker main"))
        jobs = sum(n for k in ("crawl", "parse") for n in ledger.states(archive).get(k, {}).values())
        archive.close()
        return Distributed(elapsed, cpu, jobs, shutdown)


def _ocr_in_process(url: str, reports: list[Unread]) -> None:
    with Archive.open(url, migrate=False) as archive:
        for report in reports:
            read_one(archive, report)


def _image_pages(archive: Archive, reports: list[Unread]) -> float:
    from PIL import Image  # noqa: PLC0415

    height = 0
    for report in reports:
        with Image.open(io.BytesIO(archive.snapshots.get(report.sha256))) as image:
            height += image.height
    return height / A4_PX


def ocr(url: str, tmp: Path, count: int) -> None:
    """`count` page images of the archive at `url` read by OCR: every other one in one process, the rest as
    OCR jobs of two workers (the images differ: compare per A4 page)."""
    with Archive.open(url, migrate=False) as archive:
        sample = [r for r in unread_reports(archive) if r.name.endswith(".png")][:count]
        halves = {"one process": sample[::2], "2 OCR workers": sample[1::2]}
        pages = {name: _image_pages(archive, part) for name, part in halves.items()}
    context = multiprocessing.get_context("spawn")
    before, wall = children_cpu(), time.monotonic()
    child = context.Process(target=_ocr_in_process, args=(url, halves["one process"]))
    child.start()
    child.join()
    runs = {"one process": (time.monotonic() - wall, children_cpu() - before)}
    with redis(tmp) as broker, Archive.open(url, migrate=False) as archive:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "XXGK_DATABASE_URL": url, "XXGK_BROKER_URL": broker.url,
               "XXGK_SNAPSHOTS": "database", "XXGK_LOG_DIR": str(tmp)}
        app = configure(JobSettings(broker.url, url))
        wall = time.monotonic()
        procs = _start_workers(env, tmp, ["o0", "o1"], "ocr")
        for report in halves["2 OCR workers"]:
            enqueue.enqueue(app, archive, "ocr", {"report_id": report.report_id}, {"report": report.report_id})
        _wait_idle(archive, ("ocr",))
        runs["2 OCR workers"] = (time.monotonic() - wall, sum(worker_tree([p.pid for p in procs]).values()))
        _stop(procs)
        left = sum(len(unread_reports(archive, r.report_id)) for r in sample)
    print(f"\nOCR: {len(sample)} page images ({sum(pages.values()):.1f} A4 pages), {left} left unread")
    print(f"{'run':<16} {'images':>6} {'A4 pages':>8} {'wall s':>8} {'CPU s':>8} {'CPU s/A4 page':>14}"
          f" {'A4 pages/core-h':>16}")
    for name, (w, c) in runs.items():
        print(f"{name:<16} {len(halves[name]):6d} {pages[name]:8.1f} {w:8.1f} {c:8.1f} {c / pages[name]:14.1f}"
              f" {pages[name] / c * 3600:16.0f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--portals", type=int, default=60)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--ocr", type=int, default=0, metavar="N", help="also read N page images by OCR both ways")
    args = parser.parse_args()
    os.environ["XXGK_SNAPSHOTS"] = "database"  # both ways alike: distributed mode needs the bytes in the database
    with running_sim(portals=args.portals, seed=7, as_of=AS_OF, rate_limit=50) as sim, \
            tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        registry = load_registry(sim.registry_path)
        portals = [p.id for p in registry.portals if p.fetcher != "browser"]
        with database() as url:
            wall, cpu = single(sim.registry_path, portals, tmp, url)
            report(sim.registry_path, portals, tmp, wall, cpu, args.workers)
            if args.ocr:
                ocr(url, tmp, args.ocr)


def report(registry_path: Path, portals: list[str], tmp: Path, wall: float, cpu: Cpu, workers: str) -> None:
    """The distributed runs, each printed beside the single-process crawl's figures."""
    print(f"{len(portals)} portals (browser archetype left out), {os.cpu_count()} cores; CPU seconds by process:")
    print(f"{'run':<12} {'wall s':>7} {'jobs':>6} {'jobs/s':>7} " + " ".join(f"{r[:8]:>8}" for r in ROLES)
          + f" {'work':>7} {'vs one':>7} {'shutdown':>8}")
    print(f"{'one process':<12} {wall:7.1f} {'':>6} {'':>7} {cpu.row()} {cpu.work:7.1f}", flush=True)
    for n in (int(x) for x in workers.split(",")):
        run = distributed(registry_path, portals, n, tmp)
        print(f"{f'{n} worker(s)':<12} {run.wall:7.1f} {run.jobs:6d} {run.jobs / run.wall:7.1f} {run.cpu.row()} "
              f"{run.cpu.work:7.1f} {(run.cpu.work / cpu.work - 1) * 100:+6.0f}% {run.shutdown:8.1f}", flush=True)


if __name__ == "__main__":
    main()
