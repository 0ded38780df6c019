"""The one scheduler of a distributed deployment: it enqueues what is due; the deadline sweep and the digests
stay with it (alerts.schedule), as they did in one process.

Two schedulers started by mistake do not both enqueue: the scheduler holds a PostgreSQL advisory lock
(jobs.locks.Leadership) for as long as it runs, and one that cannot take it waits as a standby and takes
over when the first one ends (its connection closes, and the server releases the lock with it). Within
the leader, crawls due at the same moment are gathered for a few seconds and enqueued in batches
(jobs.enqueue.crawls), and a portal whose crawl is still queued or running is not enqueued again.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from alerts import health, schedule
from alerts.schedule import Context, OnceReport
from catalogue.cli import say
from config.settings import CHINA, SmtpSettings
from jobs import enqueue, ledger
from jobs.app import configure
from jobs.config import JobSettings
from jobs.locks import Leadership
from store.db import Archive
from store.models import Report
from store.reading import Backlog, unread_reports

log = logging.getLogger("xxgk.monitor")

GATHER_S: Final = 10.0  # due crawls are gathered this long into batches
KEEP_JOBS: Final = dt.timedelta(days=30)  # finished jobs are forgotten after this
_due: set[str] = set()
_due_lock = threading.Lock()
_settings: JobSettings | None = None  # this scheduler's, set by `serve` (the job store keeps no secrets)


def _jobs() -> JobSettings:
    assert _settings is not None, "the distributed scheduler was not started with its settings"
    return _settings


def job_crawl(context: Context, portal: str) -> None:  # noqa: ARG001 - the job store's signature
    """A portal's crawl is due: gathered, then enqueued with the others due now (`job_flush`)."""
    with _due_lock:
        _due.add(portal)


def job_flush(context: Context) -> None:
    with _due_lock:
        portals = sorted(_due)
        _due.clear()
    if not portals:
        return
    registry = context.load_registry()
    with Archive.open(context.database_url, migrate=False) as archive:
        ids = enqueue.crawls(configure(_jobs()), archive, registry, portals, None, settings=context.crawl_settings)
    log.info("enqueued %d crawl job(s) for %d portal(s)", len(ids), len(portals))


def job_read(context: Context) -> None:
    """The OCR backlog, one job per unread report, spread over every worker."""
    with Archive.open(context.database_url, migrate=False) as archive:
        ids = enqueue.ocr_backlog(configure(_jobs()), archive)
    if ids:
        log.info("enqueued %d OCR job(s)", len(ids))


def job_immediate(context: Context, cadences: list[str]) -> None:
    """The crawls' news reaches the archive through the workers: sweep it, then send the immediate digests."""
    schedule.job_sweep(context)
    schedule.job_send(context, cadences)


def job_prune(context: Context) -> None:
    with Archive.open(context.database_url, migrate=False) as archive:
        ledger.prune(archive, dt.datetime.now(dt.UTC) - KEEP_JOBS)


WORK: Final = schedule.Work(
    crawl=job_crawl, read=job_read, immediate=job_immediate,
    extra=(("jobs:flush", job_flush, IntervalTrigger(seconds=GATHER_S, timezone=CHINA)),
           ("jobs:prune", job_prune, IntervalTrigger(hours=24, timezone=CHINA))),
)


def lead(archive: Archive, *, poll: float, stopping: threading.Event, say_once: Callable[[str], None]) -> Leadership:
    """The scheduler's lock, waited for as a standby while another scheduler holds it."""
    leadership = Leadership(archive.engine)
    waiting = False
    while not leadership.try_acquire():
        if not waiting:
            say_once(say("jobs.standby", lock=leadership.name()))
            waiting = True
        if stopping.wait(poll):
            raise SystemExit(0)
    say_once(say("jobs.leader", lock=leadership.name()))
    return leadership


def serve(context: Context, settings: JobSettings, *, poll: float = 5.0,
          stopping: threading.Event | None = None, say_once: Callable[[str], None] = log.warning) -> None:
    """Wait for the lock, then run the scheduler with the distributed jobs until SIGTERM or SIGINT."""
    global _settings  # noqa: PLW0603 - the scheduler's jobs run in this process and read it
    _settings = settings
    configure(settings)
    with Archive.open(context.database_url) as archive:
        leadership = lead(archive, poll=poll, stopping=stopping or threading.Event(), say_once=say_once)
        try:
            schedule.serve(context, WORK)
        finally:
            leadership.release()


@dataclass(slots=True)
class Enqueued:
    crawls: list[str] = field(default_factory=list)
    ocr: list[str] = field(default_factory=list)


def run_once(context: Context, settings: JobSettings, as_of: dt.date, smtp: SmtpSettings | None, *,
             wait: float, say_once: Callable[[str], None] = log.warning) -> tuple[OnceReport, Enqueued]:
    """What is due at `as_of`: enqueue the due crawls and the OCR backlog, wait up to `wait` seconds for the
    workers to finish them (and the parse and OCR jobs they led to), then sweep and send as in one process."""
    app = configure(settings)
    registry = context.load_registry()
    now = schedule.monitor_now(as_of)
    with Archive.open(context.database_url) as archive:
        leadership = lead(archive, poll=1.0, stopping=threading.Event(), say_once=say_once)
        try:
            schedule.sync_agencies(archive, registry)
            with archive.read() as session:
                runs = health.history(session)
            due = schedule.due_portals(schedule.crawl_triggers(registry), runs, now)
            done = Enqueued(enqueue.crawls(app, archive, registry, due, as_of, settings=context.crawl_settings))
            done.ocr = enqueue.ocr_backlog(app, archive)
            say_once(say("jobs.once_enqueued", crawls=len(done.crawls), portals=len(due), ocr=len(done.ocr)))
            left = _wait(archive, done.crawls + done.ocr, wait)
            if left:
                say_once(say("jobs.once_timeout", seconds=f"{wait:.0f}", n=left))
            swept = schedule.sweep(archive, registry, as_of, now)
            sent = schedule.send(archive, registry, smtp, now, schedule.due_cadences(registry, now),
                                 dashboard_url=context.dashboard_url)
            backlog = _backlog(archive, done.crawls + done.ocr)
        finally:
            leadership.release()
    return OnceReport(as_of, due, None, swept, sent, backlog), done


def _wait(archive: Archive, ids: list[str], seconds: float) -> int:
    """How many of the jobs (and the jobs they led to) are unfinished after at most `seconds`."""
    end = time.monotonic() + seconds
    while (left := ledger.unfinished(archive, ids)) and time.monotonic() < end:
        time.sleep(0.5)
    return left


def _backlog(archive: Archive, roots: list[str]) -> Backlog:
    """What every OCR job of the run made of its report (those enqueued at the start, and those for the scans
    its crawls stored), and how many reports are still unread after the wait."""
    ids = [s.get("report") for s in ledger.subjects(archive, roots, "ocr")]
    with archive.read() as session:
        states = list(session.scalars(select(Report.reading).where(Report.id.in_(ids)))) if ids else []
    return Backlog(read=states.count("read"), unreadable=states.count("unreadable"),
                   left=len(unread_reports(archive)))
