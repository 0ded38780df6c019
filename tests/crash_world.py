"""Killing crawls on purpose: a small world, the moments to kill a crawl at, and what to compare after.

Shared by tests/test_crawler_crash.py and bench/bench_crash.py. A crawl process is started as
crawler.run.crawl starts it and its whole process group (the spider, its parse workers, its browser) is
killed with SIGKILL at a moment counted in events, not in seconds: after the archive holds a number of
documents, or after the run has fetched its n-th document or failure (written to its ledger before it
is stored). No moment comes later than when the archive holds all but a few documents, so that a
killed run never finishes the crawl.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

from test_crawler_sim import FAST

from alerts import health
from config.registry import load_registry
from crawler.run import _command
from store.db import Archive
from store.status import compliance

AS_OF: Final = dt.date(2026, 6, 1)
SETTINGS: Final = {**FAST, "XXGK_PARSE_WORKERS": 1, "XXGK_ALLOW_LOOPBACK": True}  # the simulator is on loopback
# two portals, the second cutting every file short: failures that keep its agencies' absent years
# `unconfirmed`, evidence a resumed crawl must not lose
WORLD: Final[dict[str, Any]] = {"seed": 1, "portals": 2, "as_of": AS_OF, "rate_limit": 50,
                                "fault_plan": {1: "truncated_files"}}
LEFT: Final = 5  # documents no killed run may let the archive reach the last of
TWICE: Final = "SELECT COUNT(*) FROM (SELECT url FROM document GROUP BY url HAVING COUNT(*) > 1)"
VERSIONS_TWICE: Final = ("SELECT COUNT(*) FROM (SELECT report_id FROM report_version GROUP BY report_id "
                         "HAVING COUNT(*) > 1)")

Moment = Callable[[Path], bool]  # given the run's ledger: is it time


def count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    with contextlib.closing(sqlite3.connect(db)) as conn:
        try:
            return int(conn.execute(sql).fetchone()[0])
        except sqlite3.OperationalError:  # the crawl has not made its tables yet
            return 0


def stored(db: Path) -> int:
    return count(db, "SELECT COUNT(*) FROM document")


def fetched(ledger: Path) -> int:
    """The documents and failures a run has fetched (its ledger's lines, written before they are stored)."""
    if not ledger.exists():
        return 0
    lines = ledger.read_bytes()
    return lines.count(b'"type": "document"') + lines.count(b'"type": "failure"')


def kill_after(registry: Path, db: Path, job: Path, moment: Moment, log: Path) -> int:
    """Start a crawl process with the job directory and kill its process group when `moment` comes; how it
    ended (-9: killed)."""
    ledger = log.with_suffix(".jsonl")
    cmd = _command(str(registry), (), None, AS_OF.isoformat(), f"sqlite:///{db}", str(ledger), str(job), SETTINGS)
    with log.open("w") as err:
        child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
        while child.poll() is None and not moment(ledger):
            time.sleep(0.01)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        return child.wait()


def moments(db: Path, total: int, runs: int, seed: int) -> Iterator[Moment]:
    """`runs` moments drawn with `seed`, in turn: after the archive holds the next number of documents (at
    least one more than before: the kills reach across the crawl), and after the run's n-th fetched item.
    `total`: the documents an uninterrupted crawl stores."""
    draw = random.Random(seed)
    last = total - LEFT
    for cut in sorted(draw.sample(range(last), (runs + 1) // 2)):
        documents = min(max(cut, stored(db) + 1), last)
        yield lambda _ledger, documents=documents: stored(db) >= documents  # type: ignore[misc]
        n = draw.randint(1, 20)
        yield lambda ledger, n=n: fetched(ledger) >= n or stored(db) >= last  # type: ignore[misc]


def statuses(db: Path, registry: Path) -> list[tuple[str, int, str]]:
    """Every agency-year's status, as `xxgk status` gives it."""
    with Archive.open(f"sqlite:///{db}", migrate=False) as archive, archive.read() as session:
        first_year, unreachable = health.monitoring(session, load_registry(registry))
        rows = compliance(session, AS_OF, unreachable=unreachable, first_year=first_year)
    return sorted((row.agency, row.year, row.status) for row in rows)
