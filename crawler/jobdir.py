"""A crawl's job directory: which crawl it holds, who is using it, and its clearing when the crawl finished.

It holds one crawl (registry, portals, region: `claim_job`), its journal (crawler.journal) and a lock
file. One process at a time may crawl with it: `lock_job` takes an exclusive flock on the lock file,
which the crawl child inherits, so the directory stays locked while the `xxgk` process or its crawl
child lives and is free the moment both are gone (even killed: the kernel drops the lock).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from catalogue.cli import say

JOB_FILE: Final = "xxgk-crawl.json"  # which crawl a job directory holds
JOURNAL: Final = "journal.jsonl"  # what the crawl did so far (crawler.journal)
LOCK_FILE: Final = "xxgk-crawl.lock"
# what an earlier version kept here (Scrapy's JOBDIR): cleared with the rest
_SCRAPY_JOB_FILES: Final = ("requests.queue", "requests.seen", "spider.state")


class JobLockedError(RuntimeError):
    """Another process is crawling with this job directory; the message says so in one line."""


def lock_job(jobdir: str) -> int:
    """Lock the job directory for this process (and the children it passes the descriptor to): the
    descriptor, open until the crawl is over. JobLockedError when another process holds it."""
    path = Path(jobdir)
    path.mkdir(parents=True, exist_ok=True)
    fd = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise JobLockedError(say("crawl.job_locked", dir=jobdir)) from None
    return fd


def check_unlocked(jobdir: str) -> None:
    """JobLockedError when another process is crawling with the job directory now."""
    if (Path(jobdir) / LOCK_FILE).exists():
        os.close(lock_job(jobdir))


def claim_job(jobdir: str, registry: str, portals: Sequence[str] = (), region: str | None = None) -> bool:
    """Mark the job directory as this crawl's. True when it holds this crawl, stopped before it finished;
    a ValueError when it holds another one (its journal would mix portals)."""
    crawl = {"registry": str(Path(registry).resolve()), "portals": sorted(portals), "region": region}
    path = Path(jobdir) / JOB_FILE
    if path.exists():
        if json.loads(path.read_text(encoding="utf-8")) != crawl:
            raise ValueError(say("crawl.other_job", dir=jobdir))
        return True
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(crawl, ensure_ascii=False), encoding="utf-8")
    return False


def resumable(jobdir: str) -> bool:
    """Whether the job directory holds a stopped crawl to go on with."""
    return (Path(jobdir) / JOB_FILE).exists()


def clear_job(jobdir: Path) -> None:
    """A finished crawl leaves nothing to resume (only what the crawl put there is removed; the lock file
    stays: removed, a waiting process could lock a file no one else sees)."""
    for name in (*_SCRAPY_JOB_FILES, JOURNAL, JOB_FILE):
        path = jobdir / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
