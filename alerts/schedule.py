"""The monitor: crawls on each portal's cadence, sweeps for facts, digests out; once, or as a scheduler.

`run_once(context, as_of)` does what is due on one date and returns; `serve(context)` runs one
APScheduler 3 BlockingScheduler whose jobs live in the archive's own database (table
`xxgk_scheduler_jobs`). Run exactly one per database: a scheduler per web worker would crawl each
portal N times (toolchain §11).

Every crawl is `crawler.run.crawl`, a child process with a hard timeout (Twisted's reactor cannot be
restarted, and a child returns the browser's memory). Jobs default to `coalesce` (a backlog of missed
runs is one run), `max_instances=1` (a slow crawl is never overtaken by the next one of the same
portal) and a misfire grace of six hours; on start a catch-up job crawls the portals whose last
crawl is older than their schedule's last fire time, sweeps and sends what is due, because
`replace_existing` re-plans every job from now.

The monitor's clock: `now` is the real time, or, for `--once --as-of DATE`, that date at the
current time of day, so that time-travel tests see deadlines, reminders and backoff move with the
simulated calendar. Alerts record that clock in `created_at` and `sent_at`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import signal
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from alerts import delivery, health, outbox
from alerts.delivery import DeliveryReport
from alerts.routing import letterhead, route
from alerts.rules import Scope, compliance_facts
from catalogue.cli import say
from config.registry import Portal, Registry, load_registry
from config.settings import CHINA, Settings, SmtpSettings
from store.db import Archive
from store.reading import Backlog, read_backlog
from validate.deadlines import DEFAULT_DEADLINES, OLD_REGULATION_DEADLINE

log = logging.getLogger("xxgk.monitor")

JOB_TABLE: Final = "xxgk_scheduler_jobs"
MISFIRE_GRACE_S: Final = 6 * 3600
CRAWL_STOP_GRACE_S = 10.0  # seconds a stopped crawl gets to close before it is killed
STOPPING = threading.Event()  # set on SIGTERM/SIGINT: running crawls stop and save their queue
SWEEP_AT: Final = (7, 0)  # the morning after a deadline, before the daily digest
IMMEDIATE_EVERY: Final = dt.timedelta(minutes=5)
READ_EVERY: Final = dt.timedelta(minutes=30)  # the OCR backlog is looked at this often (runs for ocr_minutes)
WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SEASON: Final = (("1-3", "*"), ("4", "1-15"))  # months and days of daily crawls: reports are due by 3月31日
_WRITER = threading.Lock()  # sweeps and deliveries of one process take turns on the outbox


class ScheduleError(ValueError):
    """A schedule in the registry cannot be used; the message names the portal."""


@dataclass(frozen=True, slots=True)
class Context:
    """Everything a job needs, picklable (jobs are stored in the database): no secrets, which stay in the
    environment and are read when a job runs."""

    database_url: str
    registry: str
    crawl_settings: dict[str, Any] = field(default_factory=dict)
    log_dir: str | None = None
    dashboard_url: str | None = None  # digests link there (config.settings.Settings.dashboard_url)

    def load_registry(self) -> Registry:
        return load_registry(Path(self.registry))


def monitor_now(as_of: dt.date) -> dt.datetime:
    """`as_of` at the current time of day in China: the real now when `as_of` is today."""
    return dt.datetime.combine(as_of, dt.datetime.now(CHINA).time(), CHINA)


# ---- schedules ------------------------------------------------------------------------------------


def _hour_minute(clock: str) -> tuple[int, int]:
    hour, minute = clock.split(":")
    return int(hour), int(minute)


def crawl_trigger(registry: Registry, portal: Portal) -> BaseTrigger:
    """The portal's cron, else the monitor's, else daily in the season (1 Jan–15 Apr) and weekly otherwise."""
    expression = portal.crawl or registry.monitor.crawl
    if expression:
        try:
            return CronTrigger.from_crontab(expression, timezone=CHINA)
        except ValueError as exc:
            raise ScheduleError(say("monitor.bad_cron", portal=portal.id, cron=repr(expression), reason=exc)) from None
    hour, minute = _hour_minute(registry.monitor.crawl_at)
    daily = [CronTrigger(month=m, day=d, hour=hour, minute=minute, timezone=CHINA) for m, d in SEASON]
    weekly = CronTrigger(month="4-12", day_of_week=registry.monitor.weekly_on, hour=hour, minute=minute,
                         timezone=CHINA)
    return OrTrigger([*daily, weekly])


def crawl_triggers(registry: Registry) -> dict[str, BaseTrigger]:
    return {p.id: crawl_trigger(registry, p) for p in registry.portals if p.enabled}


def sweep_trigger(registry: Registry) -> BaseTrigger:
    """07:00 the day after every deadline in force: the legal ones, the old regulation's, the registry's."""
    month_days = {*DEFAULT_DEADLINES.values(), OLD_REGULATION_DEADLINE}
    overrides = [r.deadline for r in registry.deadlines] + [a.deadline for _, a in registry.agencies.values()
                                                             if a.deadline]
    month_days |= {(int(m), int(d)) for m, d in (o.split("-") for o in overrides)}
    mornings = sorted({dt.date(2000, m, d) + dt.timedelta(days=1) for m, d in month_days})  # 2000: has 29 Feb
    hour, minute = SWEEP_AT
    return OrTrigger([CronTrigger(month=day.month, day=day.day, hour=hour, minute=minute, timezone=CHINA)
                      for day in mornings])


def _fires_between(trigger: BaseTrigger, start: dt.datetime, end: dt.datetime) -> bool:
    fire = trigger.get_next_fire_time(None, start)
    return fire is not None and fire < end


def due_portals(triggers: dict[str, BaseTrigger], runs: dict[str, list[health.PortalRun]],
                now: dt.datetime) -> list[str]:
    """Portals to crawl at `now`: scheduled that day, never crawled, or a scheduled crawl was missed since the
    last one (by wall-clock time, so in time travel only the first two apply)."""
    day = dt.datetime.combine(now.date(), dt.time(), CHINA)
    due = []
    for portal, trigger in triggers.items():
        last = runs.get(portal)
        missed = last is not None and _fires_between(trigger, last[-1].started, now)
        if last is None or missed or _fires_between(trigger, day, day + dt.timedelta(days=1)):
            due.append(portal)
    return due


# ---- the work -------------------------------------------------------------------------------------


def sync_agencies(archive: Archive, registry: Registry) -> None:
    """Every registry agency in the archive with its deadline as configured, so that an agency that never
    published and whose portal was never crawled is still expected."""
    from crawler.archive import sync_registry  # noqa: PLC0415 - the crawler's own registry sync
    from store.agencies import upsert_agency  # noqa: PLC0415

    sync_registry(archive, registry, [p.id for p in registry.portals])
    with archive.write() as session:
        for _, agency in registry.agencies.values():
            override = registry.deadline_of(agency)
            if override and override != agency.deadline:
                upsert_agency(session, agency.name, deadline=override)


def _work_folder(context: Context) -> Path:
    folder = Path(context.log_dir) if context.log_dir else Path(tempfile.gettempdir()) / "xxgk-monitor"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _label(portals: Sequence[str]) -> str:
    return portals[0] + (f"+{len(portals) - 1}" if len(portals) > 1 else "")


def _job_folder(folder: Path, registry: str, portals: Sequence[str]) -> Path:
    """One job folder per registry and set of portals, so that a resumed queue is always the same crawl's."""
    key = hashlib.sha1(json.dumps([str(Path(registry).resolve()), sorted(portals)]).encode(), usedforsecurity=False)
    return folder / "jobs" / f"{_label(portals)}-{key.hexdigest()[:10]}"


def crawl(context: Context, archive: Archive, registry: Registry, portals: Sequence[str], as_of: dt.date, *,
          job: str | None = None) -> str | None:
    """Crawl `portals` in one child process and record what each portal's part of it showed; the error, if any.

    A crawl that is a worker's `job` (distributed mode) keeps no job folder: a job delivered again after its
    worker died may run on another machine, and a folder left by a killed crawl could skip what it never stored.
    """
    from crawler import run as crawl_runner  # noqa: PLC0415 - only the monitor's crawls need it
    from crawler.jobdir import JobLockedError  # noqa: PLC0415

    before = health.last_run_id(archive)
    folder = _work_folder(context)
    path = folder / f"crawl-{as_of.isoformat()}-{_label(portals)}{f'-{job}' if job else ''}.log"
    with path.open("w", encoding="utf-8") as log_file:
        try:
            # a crawl stopped with the monitor saves its queue in its job folder and resumes at the next run
            jobdir = None if job else str(_job_folder(folder, context.registry, portals))
            result = crawl_runner.crawl(
                context.registry, portals=list(portals), as_of=as_of.isoformat(), db=context.database_url,
                settings=context.crawl_settings, timeout=registry.monitor.crawl_timeout, log=log_file,
                jobdir=jobdir, stop=STOPPING, grace=CRAWL_STOP_GRACE_S,
            )
        except JobLockedError as exc:  # the same portals' last crawl still running: nothing to record
            log.warning("crawl of %s not started: %s", ", ".join(portals), exc)
            return str(exc)
        except crawl_runner.CrawlError as exc:
            health.record_crawl(archive, portals, before, as_of, None, error=str(exc))
            log.warning("crawl of %s failed: %s (log: %s)", ", ".join(portals), exc, path)
            return f"{exc} (log: {path})"
    if result.stats.get("finish_reason") == "shutdown":
        log.info("crawl of %s was interrupted; not evidence of the portals' health", ", ".join(portals))
        return None
    health.record_crawl(archive, portals, before, as_of, result.portal_stats)
    return None


@dataclass(slots=True)
class SweepReport:
    queued: Counter[str] = field(default_factory=Counter)
    reminders: Counter[str] = field(default_factory=Counter)


def _links(registry: Registry) -> dict[str, str]:
    """Agency → the page where its reports belong (its own column, the portal's, else the home page)."""
    return {name: (agency.columns or portal.columns or [portal.base_url])[0]
            for name, (portal, agency) in registry.agencies.items()}


def sweep(archive: Archive, registry: Registry, as_of: dt.date, now: dt.datetime) -> SweepReport:
    """Queue every fact the archive implies at `as_of` that is not queued yet, and the reminders now due."""
    config = registry.monitor
    report = SweepReport()
    with _WRITER, archive.write() as session:
        runs = health.history(session)
        first_year, unreachable = health.monitoring(session, registry)  # a disabled portal's too: not looked at
        scope = Scope(_links(registry), first_year, unreachable)
        portal_names = {p.id: (p.name, p.base_url) for p in registry.portals}
        facts = compliance_facts(session, as_of, scope) + health.health_facts(
            runs, health.HealthRules(config.unreachable_after, portal_names))
        routed = [(fact, route(registry, fact)) for fact in facts]
        report.queued.update(a.kind for a in outbox.queue(session, routed, now))
        reminders = outbox.remind(session, routed, now, every_days=config.reminder_days, at_most=config.reminders)
        report.reminders.update(a.kind for a in reminders)
    return report


def due_cadences(registry: Registry, now: dt.datetime) -> tuple[str, ...]:
    """A run on a date sends immediate and daily digests, and weekly ones on the weekly day (outbox.pending also
    sends weekly alerts that have waited a week, whatever the day)."""
    weekly = WEEKDAYS[now.weekday()] == registry.monitor.weekly_on
    return ("immediate", "daily", "weekly") if weekly else ("immediate", "daily")


def send(archive: Archive, registry: Registry, smtp: SmtpSettings | None, now: dt.datetime,
         cadences: Iterable[str], *, ignore_backoff: bool = False, dashboard_url: str | None = None) -> DeliveryReport:
    heading = letterhead(registry, dashboard_url=dashboard_url, reply_to=smtp.reply_to if smtp else None)
    with _WRITER:
        return delivery.deliver(archive, smtp, now, cadences, heading, ignore_backoff=ignore_backoff)


@dataclass(slots=True)
class OnceReport:
    as_of: dt.date
    crawled: list[str]
    crawl_error: str | None
    sweep: SweepReport
    delivery: DeliveryReport
    backlog: Backlog = field(default_factory=Backlog)


def read_images(archive: Archive, registry: Registry) -> Backlog:
    """Work through the page images stored unread (OCR), for at most the registry's `ocr_minutes`: before
    the sweep, so that what a scanned report says is checked and alerted in the cycle that found it."""
    minutes = registry.monitor.ocr_minutes
    return read_backlog(archive, seconds=minutes * 60) if minutes else Backlog()


def run_once(context: Context, as_of: dt.date, smtp: SmtpSettings | None) -> OnceReport:
    """Everything due at `as_of`: crawl the portals due, read page images (OCR), sweep, send the digests due.
    For cron and tests."""
    registry = context.load_registry()
    triggers = crawl_triggers(registry)
    now = monitor_now(as_of)
    with Archive.open(context.database_url) as archive:
        sync_agencies(archive, registry)
        with archive.read() as session:
            runs = health.history(session)
        due = due_portals(triggers, runs, now)
        error = crawl(context, archive, registry, due, as_of) if due else None
        backlog = read_images(archive, registry)
        swept = sweep(archive, registry, as_of, now)
        sent = send(archive, registry, smtp, now, due_cadences(registry, now), dashboard_url=context.dashboard_url)
    return OnceReport(as_of, due, error, swept, sent, backlog)


# ---- the scheduler --------------------------------------------------------------------------------


def _smtp_from_environment() -> SmtpSettings | None:
    return Settings.load().smtp


def job_crawl(context: Context, portal: str) -> None:
    """A portal's scheduled crawl, then a sweep and the immediate digests (its news may be urgent)."""
    registry = context.load_registry()
    with Archive.open(context.database_url) as archive:
        crawl(context, archive, registry, [portal], dt.datetime.now(CHINA).date())
        _alert_now(context, archive, registry)


def _alert_now(context: Context, archive: Archive, registry: Registry) -> None:
    """A sweep, then the immediate digests: after news of a portal (a crawl, a reading)."""
    now = dt.datetime.now(CHINA)
    sweep(archive, registry, now.date(), now)
    send(archive, registry, _smtp_from_environment(), now, ("immediate",), dashboard_url=context.dashboard_url)


def job_sweep(context: Context) -> None:
    registry = context.load_registry()
    now = dt.datetime.now(CHINA)
    with Archive.open(context.database_url) as archive:
        sync_agencies(archive, registry)
        report = sweep(archive, registry, now.date(), now)
    log.info("sweep: queued %s, reminders %s", dict(report.queued), dict(report.reminders))


def job_read(context: Context) -> None:
    """The OCR backlog, between crawls (one run at a time: `max_instances`); when it read anything, a sweep
    and the immediate digests, so that what a scanned report says does not wait for the next crawl."""
    registry = context.load_registry()
    with Archive.open(context.database_url) as archive:
        done = read_images(archive, registry)
        if done.read or done.unreadable:
            log.info("OCR backlog: %d read, %d unreadable, %d left", done.read, done.unreadable, done.left)
            _alert_now(context, archive, registry)


def job_send(context: Context, cadences: list[str]) -> None:
    registry = context.load_registry()
    now = dt.datetime.now(CHINA)
    with Archive.open(context.database_url) as archive:
        report = send(archive, registry, _smtp_from_environment(), now, cadences, dashboard_url=context.dashboard_url)
    if report.error:
        log.warning("mail server unavailable, %d alert(s) stay queued: %s", report.queued, report.error)


def _start_up(scheduler: BlockingScheduler, context: Context, crawl_jobs: set[str]) -> None:
    """Drop the jobs of portals no longer in the registry, then catch up: crawls missed while we were down,
    a sweep, and whatever digests are due."""
    for job in scheduler.get_jobs(jobstore="default"):
        if job.id.startswith("crawl:") and job.id not in crawl_jobs:
            job.remove()
    registry = context.load_registry()
    now = dt.datetime.now(CHINA)
    with Archive.open(context.database_url) as archive:
        with archive.read() as session:
            runs = health.history(session)
        for portal in due_portals(crawl_triggers(registry), runs, now):
            scheduler.modify_job(f"crawl:{portal}", jobstore="default", next_run_time=now)
    job_sweep(context)
    job_send(context, list(due_cadences(registry, now)))


@dataclass(frozen=True, slots=True)
class Work:
    """What the scheduler's jobs do: here, in this process, or (jobs.scheduler) hand it to the workers. Each is a
    module-level function: the job store keeps them by name."""

    crawl: Callable[[Context, str], None] = job_crawl  # a portal's scheduled crawl
    read: Callable[[Context], None] = job_read  # the OCR backlog
    immediate: Callable[[Context, list[str]], None] = job_send  # every few minutes: the immediate digests
    # more jobs, each (id, function, trigger), called with the context alone
    extra: tuple[tuple[str, Callable[[Context], None], BaseTrigger], ...] = ()


def serve(context: Context, work: Work = Work()) -> None:
    """Run the scheduler until SIGTERM or SIGINT; then stop starting jobs and end the running crawls."""
    registry = context.load_registry()
    triggers = crawl_triggers(registry)
    config = registry.monitor
    with Archive.open(context.database_url) as archive:  # the archive's schema first: it must own a new database
        sync_agencies(archive, registry)
    scheduler = BlockingScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=context.database_url, tablename=JOB_TABLE),
                   "volatile": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(2), "crawls": ThreadPoolExecutor(config.parallel_crawls)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_S},
        timezone=CHINA,
    )
    for portal, trigger in triggers.items():
        scheduler.add_job(work.crawl, trigger, args=[context, portal], id=f"crawl:{portal}", name=f"crawl {portal}",
                          executor="crawls", replace_existing=True)
    hour, minute = _hour_minute(config.digest_at)
    scheduler.add_job(job_sweep, sweep_trigger(registry), args=[context], id="sweep", replace_existing=True)
    scheduler.add_job(work.read, IntervalTrigger(seconds=READ_EVERY.total_seconds(), timezone=CHINA), args=[context],
                      id="ocr", replace_existing=True)
    scheduler.add_job(work.immediate, IntervalTrigger(seconds=IMMEDIATE_EVERY.total_seconds(), timezone=CHINA),
                      args=[context, ["immediate"]], id="digest:immediate", replace_existing=True)
    scheduler.add_job(job_send, CronTrigger(hour=hour, minute=minute, timezone=CHINA), args=[context, ["daily"]],
                      id="digest:daily", replace_existing=True)
    scheduler.add_job(job_send, CronTrigger(day_of_week=config.weekly_on, hour=hour, minute=minute, timezone=CHINA),
                      args=[context, ["weekly"]], id="digest:weekly", replace_existing=True)
    for job_id, function, trigger in work.extra:
        scheduler.add_job(function, trigger, args=[context], id=job_id, replace_existing=True)
    scheduler.add_job(_start_up, args=[scheduler, context, {f"crawl:{p}" for p in triggers}], jobstore="volatile",
                      id="start-up")

    def stop(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping the scheduler and the running crawls", signum)
        scheduler.shutdown(wait=False)
        STOPPING.set()  # each running crawl gets SIGTERM, and SIGKILL after CRAWL_STOP_GRACE_S

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("monitoring %d portal(s); jobs in %s", len(triggers), JOB_TABLE)
    scheduler.start()
