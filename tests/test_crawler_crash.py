"""A crawl killed with kill -9 loses nothing: resumed, it stores every report once and ends with the
statuses an uninterrupted crawl gives; a crawl child dies with its parent; a job directory is crawled
by one process at a time.

One crawl of a small simulated world (tests/crash_world.py) runs uninterrupted; another is killed — the
whole process group of its crawl process — ten times in a row at moments counted in events and drawn
with a fixed seed, then resumed to its end.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from crash_world import AS_OF, SETTINGS, TWICE, VERSIONS_TWICE, WORLD, count, kill_after, moments, statuses, stored

from crawler.jobdir import JobLockedError, lock_job
from crawler.run import CrawlResult, crawl
from sim.testing import running_sim
from xxgk.cli import main

RUNS = 10
SEED = 18


@dataclass
class Archived:
    db: Path
    result: CrawlResult


@dataclass
class Crashes:
    registry: Path
    truth: dict[str, Any]
    full: Archived
    resumed: Archived
    codes: list[int]  # how each killed crawl process ended
    job: Path


@pytest.fixture(scope="module")
def crashes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crashes]:
    tmp = tmp_path_factory.mktemp("crash")
    with running_sim(**WORLD) as sim:
        registry = sim.registry_path
        full_db, db, job = tmp / "full.sqlite3", tmp / "crashed.sqlite3", tmp / "job"
        full = crawl(str(registry), as_of=AS_OF.isoformat(), settings=SETTINGS, db=f"sqlite:///{full_db}",
                     log=(tmp / "full.log").open("w"))
        total = stored(full_db)
        codes = [kill_after(registry, db, job, moment, tmp / f"killed{run}.log")
                 for run, moment in enumerate(moments(db, total, RUNS, SEED))]
        resumed = crawl(str(registry), as_of=AS_OF.isoformat(), settings=SETTINGS, db=f"sqlite:///{db}",
                        jobdir=str(job), log=(tmp / "resumed.log").open("w"))
        yield Crashes(registry, sim.truth, Archived(full_db, full), Archived(db, resumed), codes, job)


def test_every_run_was_killed_and_the_last_one_finished_the_crawl(crashes: Crashes) -> None:
    assert crashes.codes == [-signal.SIGKILL] * RUNS
    assert crashes.resumed.result.finished
    assert [p.name for p in crashes.job.iterdir()] == ["xxgk-crawl.lock"]


def test_every_report_is_stored_exactly_once(crashes: Crashes) -> None:
    assert (count(crashes.resumed.db, TWICE), count(crashes.resumed.db, VERSIONS_TWICE)) == (0, 0)
    with contextlib.closing(sqlite3.connect(crashes.resumed.db)) as conn:
        reports = {url for (url,) in conn.execute("SELECT url FROM report")}
    with contextlib.closing(sqlite3.connect(crashes.full.db)) as conn:
        assert reports == {url for (url,) in conn.execute("SELECT url FROM report")}
    faulty = {f["portal"] for f in crashes.truth["faults"]}  # its files cut short: not stored by either crawl
    portal = {a["name"]: a["portal"] for a in crashes.truth["agencies"]}
    readable = [r for r in crashes.truth["reports"] if r["medium"] != "image" and portal[r["agency"]] not in faulty]
    missed = [r["url"] for r in readable if r["url"] not in reports and (r.get("attachment") or "") not in reports]
    assert missed == []
    assert stored(crashes.resumed.db) == stored(crashes.full.db)


def test_the_statuses_are_an_uninterrupted_crawls(crashes: Crashes) -> None:
    assert statuses(crashes.resumed.db, crashes.registry) == statuses(crashes.full.db, crashes.registry)
    kinds = {status for _, _, status in statuses(crashes.full.db, crashes.registry)}
    assert {"missing", "unconfirmed"} <= kinds  # the world has both: the test could tell them apart
    assert "unreachable" not in kinds


def test_the_resumed_run_records_the_whole_crawl(crashes: Crashes) -> None:
    assert crashes.resumed.result.portal_stats == crashes.full.result.portal_stats
    faults = "SELECT COUNT(*) FROM crawl_fault WHERE run_id = (SELECT MAX(id) FROM crawl_run)"
    assert count(crashes.resumed.db, faults) == count(crashes.full.db, faults) > 0


# ---- the crawl child dies with its parent; one crawl per job directory --------------------------------

def alive(pid: int) -> bool:
    """Whether any thread of the process runs. A zombie, dead but not yet reaped by whoever inherited it,
    does not; its leader can be one while its other threads (and so its open files) are still going."""
    states = []
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        with contextlib.suppress(FileNotFoundError):
            states.append(stat.read_text().rsplit(")", 1)[1].split()[0])
    return any(state not in {"Z", "X"} for state in states)


def children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def gone(pid: int, within: float = 60.0) -> bool:
    deadline = time.monotonic() + within
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc")
def test_a_crawl_child_dies_with_its_parent_and_frees_the_job_directory(tmp_path: Path) -> None:
    job, ledger = tmp_path / "job", tmp_path / "ledger.jsonl"
    with running_sim(seed=1, portals=1, as_of=AS_OF, rate_limit=50) as sim:
        parent_code = textwrap.dedent(f"""
            from crawler.run import crawl
            crawl({str(sim.registry_path)!r}, as_of="2026-06-01", jobdir={str(job)!r}, ledger={str(ledger)!r},
                  settings={{"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS": 1, "XXGK_OCR": False}})
        """)
        parent = subprocess.Popen([sys.executable, "-c", parent_code], stderr=subprocess.DEVNULL)
        try:
            while not (ledger.exists() and '"type": "document"' in ledger.read_text(encoding="utf-8")):
                assert parent.poll() is None
                time.sleep(0.05)
            [child] = children(parent.pid)
            with pytest.raises(JobLockedError):
                lock_job(str(job))  # the crawl holds it
            parent.kill()
            parent.wait()
            assert gone(child)
        finally:
            parent.kill()
            parent.wait()
        os.close(lock_job(str(job)))  # free again: the next crawl may go on with it


def test_a_child_whose_kernel_cannot_watch_for_it_watches_a_pipe() -> None:
    lifeline, alive_end = os.pipe()
    code = ("import sys, threading, time\nfrom crawler.lifeline import watch\n"
            "threading.Thread(target=watch, args=(int(sys.argv[1]),), daemon=True).start()\n"
            "print('ready', flush=True)\ntime.sleep(60)")
    child = subprocess.Popen([sys.executable, "-c", code, str(lifeline)], stdout=subprocess.PIPE, text=True,
                             pass_fds=(lifeline,), start_new_session=True)
    os.close(lifeline)
    assert child.stdout is not None
    assert child.stdout.readline() == "ready\n"
    os.close(alive_end)  # as the parent's death closes it
    assert child.wait(timeout=60) == -signal.SIGKILL


def test_a_second_crawl_on_a_locked_job_directory_is_refused(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    job = tmp_path / "job"
    held = lock_job(str(job))
    try:
        with running_sim(seed=1, portals=1, as_of=AS_OF) as sim:
            with pytest.raises(JobLockedError, match="正被另一个抓取进程使用"):
                crawl(str(sim.registry_path), jobdir=str(job))
            code = main(["crawl", "--registry", str(sim.registry_path), "--all", "--resume", str(job),
                         "--db", f"sqlite:///{tmp_path / 'db.sqlite3'}"])
    finally:
        os.close(held)
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1
    assert "正被另一个抓取进程使用" in err
    assert not (job / "xxgk-crawl.json").exists()  # nothing of the refused crawl was written
