"""A crawl killed with kill -9 again and again, then resumed: what it costs, and that nothing is lost.

    .venv/bin/python bench/bench_crash.py [--seeds 1,2,3] [--kills 10]

The world of tests/crash_world.py (two simulated portals, one cutting every file short). One crawl runs
uninterrupted; then, for each seed, a crawl with a job directory is killed (SIGKILL to its whole process
group) `--kills` times in a row at moments counted in events, and resumed to its end. Printed per seed:
the time of each killed run and of the final resume, the documents stored (of the uninterrupted
crawl's), duplicate rows (documents, report versions: the target is none), how many fetches were of a
document fetched before (the work a kill costs: whatever was fetched and not yet stored is fetched
again), and whether the statuses and the per-portal statistics equal the uninterrupted crawl's.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from crash_world import AS_OF, SETTINGS, TWICE, VERSIONS_TWICE, WORLD, count, kill_after, moments, statuses, stored

from crawler.run import crawl
from sim.running import running_sim

ROOT = Path(__file__).resolve().parent.parent


def refetched(ledgers: list[Path]) -> tuple[int, int]:
    """(fetches of a document fetched before, all fetches of documents) over the runs' ledgers."""
    urls: Counter[str] = Counter()
    for ledger in ledgers:
        for line in ledger.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            if item["type"] == "document":
                urls[item["url"]] += 1
    return sum(urls.values()) - len(urls), sum(urls.values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--kills", type=int, default=10)
    args = parser.parse_args()
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    with running_sim(**WORLD) as sim, tempfile.TemporaryDirectory(prefix="xxgk-crash-") as folder:
        tmp, registry = Path(folder), sim.registry_path
        start = time.monotonic()
        full = crawl(str(registry), as_of=AS_OF.isoformat(), settings=SETTINGS, db=f"sqlite:///{tmp / 'full.sqlite3'}",
                     log=(tmp / "full.log").open("w"))
        total = stored(tmp / "full.sqlite3")
        expected = statuses(tmp / "full.sqlite3", registry)
        print(f"uninterrupted crawl: {time.monotonic() - start:.1f} s, {total} documents stored")
        for seed in (int(s) for s in args.seeds.split(",")):
            run = tmp / f"seed{seed}"
            run.mkdir()
            db, job = run / "crashed.sqlite3", run / "job"
            times, codes = [], []
            for n, moment in enumerate(moments(db, total, args.kills, seed)):
                start = time.monotonic()
                codes.append(kill_after(registry, db, job, moment, run / f"killed{n}.log"))
                times.append(time.monotonic() - start)
            start = time.monotonic()
            resumed = crawl(str(registry), as_of=AS_OF.isoformat(), settings=SETTINGS, db=f"sqlite:///{db}",
                            jobdir=str(job), ledger=str(run / "resumed.jsonl"), log=(run / "resumed.log").open("w"))
            final = time.monotonic() - start
            again, fetches = refetched([*sorted(run.glob("killed*.jsonl")), run / "resumed.jsonl"])
            killed = sum(code == -signal.SIGKILL for code in codes)
            print(f"seed {seed}: {killed}/{len(codes)} runs killed, each {min(times):.1f}–{max(times):.1f} s "
                  f"(mean {sum(times) / len(times):.1f} s); final resume {final:.1f} s, finished: {resumed.finished}")
            print(f"  documents stored {stored(db)}/{total}; duplicate documents {count(db, TWICE)}, "
                  f"duplicate report versions {count(db, VERSIONS_TWICE)}; fetched again {again} of {fetches}; "
                  f"statuses equal: {statuses(db, registry) == expected}; "
                  f"per-portal statistics equal: {resumed.portal_stats == full.portal_stats}")


if __name__ == "__main__":
    main()
