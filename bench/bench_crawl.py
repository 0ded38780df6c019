"""Crawl benchmarks (issue 6): the crawler against simulated portals on loopback.

    .venv/bin/python bench/bench_crawl.py [--parts static,browser,cycle] [--static 500] [--browser 4]
                                          [--cycle 3000] [--latency 0.1]

* static — 500 simulated static portals (every archetype but the JS-only one), fetched as fast as the
  crawler goes (no delay, no AutoThrottle; robots.txt read; parsing off), printed beside `scrapy
  bench` run in the same session: pages/s, wall time, peak memory, and the ratio of the two rates,
  which is what carries across machines.
* browser — the JS-only portals (every list page rendered by Debian's Chromium, at most two browser
  contexts): browser pages/s and the peak memory of the crawl with its browser (PSS of the process
  tree, so pages shared between Chromium's processes count once).
* cycle — the cycles the monitor runs: 3,000 portals, every response 100 ms late, the crawler's
  polite defaults (robots.txt, AutoThrottle, two requests per portal, each portal's rate limit),
  every document parsed, validated and stored in SQLite. Three crawls of one archive: the first
  imports every portal's history (on 2 January: eleven years of reports, done once per archive);
  the second is a cycle in the reporting season (20 April: the year's reports are out, some
  revised, and everything known is asked for with conditional requests); the third finds nothing
  new. Target: a monitor's cycle within 15 minutes on a 2-core machine. Each prints its CPU
  seconds beside what the cores had. Page images are kept without OCR (`XXGK_OCR`): at 5–30 s a
  page, OCR of every scanned report is a backlog job, not part of a cycle.

The simulator runs in its own process on the same machine, so its CPU is part of every figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.run import crawl  # noqa: E402 - after sys.path is set
from sim.running import running_sim  # noqa: E402
from sim.world import ARCHETYPES  # noqa: E402

AS_OF = dt.date(2026, 4, 20)  # after both legal deadlines of the 2025 reports
CYCLE_TARGET = 15 * 60.0
SEASON_START = dt.date(2026, 1, 2)  # no report on 2025 is out yet
CYCLES = (  # (what, as of, whether the 15 min target applies)
    ("first cycle: the archive imports every portal's history (11 years of reports)", SEASON_START, False),
    ("cycle in the reporting season: the year's reports are out, some revised", AS_OF, True),
    ("cycle with nothing new: the re-crawl", AS_OF, True),
)
UNTHROTTLED = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 16, "LOG_LEVEL": "INFO"}


class Usage:
    """Samples this process's descendants (but the simulator) once a second until stopped: the peak
    of their summed PSS, and the CPU seconds each has used (a child that ends between two samples
    loses at most its last second); and how busy the machine's cores were, minute by minute."""

    def __init__(self, exclude: set[int]) -> None:
        self.exclude = exclude
        self.peak_mb = 0.0
        self._machine: list[tuple[int, int]] = [_machine_jiffies()]
        self._cpu: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def cpu_s(self) -> dict[str, float]:
        """CPU seconds by kind of process: the crawl, its parse workers, Chromium."""
        by_kind: dict[str, float] = {"crawl": 0.0, "parse workers": 0.0, "Chromium": 0.0}
        for kind, seconds in self._cpu.values():
            by_kind[kind] += seconds
        return by_kind

    @property
    def busy_by_minute(self) -> list[float]:
        """The share of the cores' time that went to work, per minute (the last one may be shorter)."""
        marks = self._machine[::60]
        if (len(self._machine) - 1) % 60:
            marks.append(self._machine[-1])
        return [(b1 - b0) / max(1, t1 - t0) for (b0, t0), (b1, t1) in itertools.pairwise(marks)]

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(1.0):  # reading smaps of Chromium costs CPU: once a second
            self._machine.append(_machine_jiffies())
            tree = self._tree()
            self.peak_mb = max(self.peak_mb, sum(_pss_kb(pid) for pid in tree) / 1024)
            for pid in tree:
                kind = self._cpu[pid][0] if pid in self._cpu else _kind(pid)
                self._cpu[pid] = (kind, max(self._cpu.get(pid, ("", 0.0))[1], cpu_seconds(pid)))

    def _tree(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        found, frontier = [], [os.getpid()]
        while frontier:
            pid = frontier.pop()
            children = [c for c, p in parents.items() if p == pid and c not in self.exclude]
            found += children
            frontier += children
        return found


def _machine_jiffies() -> tuple[int, int]:
    """Clock ticks all cores spent working and in all since boot (the first line of /proc/stat)."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return sum(ticks) - idle, sum(ticks)


def _kind(pid: int) -> str:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "crawl"
    if b"chrom" in command:
        return "Chromium"
    return "parse workers" if b"multiprocessing" in command else "crawl"  # the crawl and Playwright's driver


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pss_kb(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    match = re.search(r"^Pss:\s+(\d+)", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def scrapy_bench(seconds: float) -> dict[str, float]:
    """`scrapy bench` with Scrapy's defaults (run outside this project, so our settings stay out)."""
    with tempfile.TemporaryDirectory() as cwd:
        out = subprocess.run(
            [sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds:g}"],
            cwd=cwd, capture_output=True, text=True, check=True, timeout=seconds + 120,
        ).stderr

    def stat(name: str) -> float:
        match = re.search(rf"'{re.escape(name)}': ([\d.]+)", out)
        if not match:
            raise SystemExit(f"scrapy bench printed no {name}")
        return float(match.group(1))

    pages, elapsed = stat("response_received_count"), stat("elapsed_time_seconds")
    return {"pages": pages, "seconds": elapsed, "pages_per_s": pages / elapsed,
            "memory_mb": stat("memusage/max") / 2**20}


@contextmanager
def simulator(portals: int, latency: float = 0.0) -> Iterator[Any]:
    with running_sim(portals=portals, seed=11, as_of=AS_OF, subprocess_mode=True, latency=latency) as sim:
        yield sim


def ids(sim: Any, *, js_only: bool) -> list[str]:
    return [p.id for p in sim.world.portals if (p.archetype == "js_only") == js_only]


def timed_crawl(sim: Any, portals: list[str], settings: dict[str, Any], db: str | None = None,
                log: Path | None = None, as_of: dt.date = AS_OF) -> dict[str, Any]:
    exclude = {sim.process.pid} if sim.process else set()
    with Usage(exclude) as usage, (log or Path(os.devnull)).open("w", encoding="utf-8") as out:
        began, sim_began = time.perf_counter(), cpu_seconds(sim.process.pid) if sim.process else 0.0
        result = crawl(str(sim.registry_path), portals=portals, as_of=as_of.isoformat(), db=db,
                       settings={**settings, "XXGK_ALLOW_LOOPBACK": True}, timeout=4 * 3600, log=out)
        seconds = time.perf_counter() - began
        sim_cpu = (cpu_seconds(sim.process.pid) - sim_began) if sim.process else 0.0
    stats = result.stats
    responses = stats.get("downloader/response_count", 0)
    return {"seconds": seconds, "responses": responses, "pages_per_s": responses / seconds,
            "memory_mb": usage.peak_mb, "cpu_s": usage.cpu_s, "sim_cpu_s": sim_cpu, "stats": stats,
            "busy_by_minute": usage.busy_by_minute,
            "portal_stats": result.portal_stats}


def static(portals: int) -> None:
    print(f"== static: {portals} simulated portals (all archetypes but JS-only), fetch only, unthrottled")
    reference = scrapy_bench(20)
    with simulator(portals) as sim:
        wanted = ids(sim, js_only=False)
        ours = timed_crawl(sim, wanted, UNTHROTTLED)
    items = ours["stats"].get("item_scraped_count", 0)
    print(f"xxgk crawl : {len(wanted)} portals, {ours['responses']} responses ({items} documents) in "
          f"{ours['seconds']:.1f} s = {ours['pages_per_s']:.0f} pages/s, peak {ours['memory_mb']:.0f} MB "
          f"(Scrapy's own memusage/max {ours['stats'].get('memusage/max', 0) / 2**20:.0f} MB)")
    print(f"scrapy bench: {reference['pages']:.0f} pages in {reference['seconds']:.1f} s = "
          f"{reference['pages_per_s']:.0f} pages/s, peak {reference['memory_mb']:.0f} MB")
    print(f"ratio xxgk / scrapy bench: {ours['pages_per_s'] / reference['pages_per_s']:.2f}")


def browser(js_portals: int) -> None:
    print(f"== browser: {js_portals} JS-only portals through Chromium, two contexts at most")
    with simulator(js_portals * len(ARCHETYPES)) as sim:
        wanted = ids(sim, js_only=True)
        run = timed_crawl(sim, wanted, {**UNTHROTTLED, "PLAYWRIGHT_MAX_CONTEXTS": 2})
    stats = run["stats"]
    pages = stats.get("playwright/page_count", 0)
    print(f"{len(wanted)} portals: {pages} browser pages + {run['responses'] - pages} plain responses in "
          f"{run['seconds']:.1f} s = {pages / run['seconds']:.2f} browser pages/s; "
          f"contexts at most {stats.get('playwright/context_count/max_concurrent', 0)}, "
          f"pages open at most {stats.get('playwright/page_count/max_concurrent', 0)}, "
          f"pages closed {stats.get('playwright/page_count/closed', 0)}/{pages}; "
          f"peak {run['memory_mb']:.0f} MB (crawl + Chromium, PSS)")


def cycle(portals: int, latency: float, cycles: int = len(CYCLES)) -> None:
    print(f"== cycle: {portals} portals, {latency * 1000:.0f} ms latency, polite defaults, parse + validate + store")
    settings = {"XXGK_OCR": False, "LOG_LEVEL": "INFO"}
    with tempfile.TemporaryDirectory() as tmp, simulator(portals, latency) as sim:
        db = Path(tmp) / "cycle.sqlite3"
        for label, day, target in CYCLES[:cycles]:
            sim.set_as_of(day)
            run = timed_crawl(sim, [], settings, db=f"sqlite:///{db}", log=Path(tmp) / "crawl.log", as_of=day)
            with sqlite3.connect(db) as con:
                reports = con.execute("select count(*) from report").fetchone()[0]
                documents = con.execute("select count(*) from document").fetchone()[0]
            stats = run["stats"]
            verdict = "no target: once per archive"
            if target:
                verdict = ("within" if run["seconds"] <= CYCLE_TARGET else "OVER") + " the 15 min target"
            had = run["seconds"] * (os.cpu_count() or 1)
            print(f"{label}, as of {day}: {run['seconds'] / 60:.1f} min ({verdict}), "
                  f"{run['responses']} responses ({stats.get('downloader/response_status_count/304', 0)} "
                  f"not modified) = {run['pages_per_s']:.0f}/s, {stats.get('item_scraped_count', 0)} documents "
                  f"handed on, peak {run['memory_mb']:.0f} MB (crawl + parse workers + Chromium); "
                  f"archive: {reports} reports of the truth's {len(sim.current_truth()['reports'])}, {documents} "
                  f"documents")
            cpu = {**run["cpu_s"], "simulator": run["sim_cpu_s"]}
            print(f"  CPU {sum(cpu.values()):.0f} s of the {os.cpu_count()} cores' {had:.0f} s "
                  f"({sum(cpu.values()) / had:.0%}): " + ", ".join(f"{k} {v:.0f} s" for k, v in cpu.items()))
            print("  cores busy, minute by minute: " + " ".join(f"{b:.0%}" for b in run["busy_by_minute"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="static,browser,cycle")
    parser.add_argument("--static", type=int, default=500, metavar="N", help="portals in the static crawl")
    parser.add_argument("--browser", type=int, default=4, metavar="N", help="JS-only portals in the browser crawl")
    parser.add_argument("--cycle", type=int, default=3000, metavar="N", help="portals in the full cycle")
    parser.add_argument("--cycles", type=int, default=len(CYCLES), metavar="N", help="how many of the cycles to run")
    parser.add_argument("--latency", type=float, default=0.1, metavar="S", help="simulated latency in the cycle")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if "static" in parts:
        static(args.static)
    if "browser" in parts:
        browser(args.browser)
    if "cycle" in parts:
        cycle(args.cycle, args.latency, args.cycles)


if __name__ == "__main__":
    main()
