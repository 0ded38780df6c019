"""The three jobs: a batch of portals' crawl, one document's parse-validate-store, one report's OCR.

Each is safe to run twice (a worker that dies hands its job back, and the broker delivers it again):
storing is idempotent (documents by content hash, reports and versions by upsert), a crawl holds its
hosts' locks so that a second crawl of a host waits, and OCR reads a report only while it is unread.
An operational failure (the database, the broker) is retried with a growing delay; bad input (a
registry the job cannot use, bytes no parser reads) is never retried: it is stored as a finding or
recorded as the job's failure.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from celery import Task
from celery.exceptions import Retry
from celery.signals import worker_process_init
from celery.utils.log import get_task_logger
from pydantic import ValidationError

from catalogue.cli import say
from config.registry import Registry
from config.settings import today
from jobs import ledger
from jobs.app import app
from jobs.config import BACKOFF_MAX_S, RETRIES, JobSettings
from jobs.locks import hosts_locked
from store.db import Archive
from store.errors import SnapshotMissingError, StoreError

log = get_task_logger(__name__)


class BadInputError(ValueError):
    """The job's message cannot be worked on: no retry will change that."""


class HostBusyError(RuntimeError):
    """Another worker is crawling one of the job's hosts: try again later."""


def _settings() -> JobSettings:
    settings: JobSettings = app.conf.xxgk_settings
    return settings


@cache
def _archive(url: str) -> Archive:
    """The process's own archive connection, opened once (each pool process after its fork)."""
    return Archive.open(url, migrate=False)


def _fresh_process(**_: Any) -> None:
    """A pool process dies with its worker (its crawl child does too, crawler.run), and opens its own archive."""
    from crawler.lifeline import ask_kernel  # noqa: PLC0415

    ask_kernel()
    _archive.cache_clear()


worker_process_init.connect(_fresh_process)


def _backoff(retries: int) -> float:
    return float(min(BACKOFF_MAX_S, _settings().backoff * 2**retries))


def _note(archive: Archive, job_id: str, state: str, error: str | None) -> None:
    """Write to the job table when the database answers; a job's outcome does not depend on it."""
    try:
        ledger.ended(archive, job_id, state, error)
    except StoreError as exc:
        log.warning("job table not updated: %s", exc)


def _run(task: Task[Any, Any], kind: str, subject: dict[str, Any], work: Callable[[Archive], str | None]) -> None:
    """Run `work`, recording the job's state; retry operational failures with backoff, never bad input."""
    job_id = str(task.request.id)
    root = (task.request.kwargs or {}).get("root")  # a job's own id when nothing led to it
    archive = _archive(_settings().database_url)
    try:
        ledger.started(archive, job_id, kind, str(task.request.hostname or ""), subject,
                       root if root != job_id else None)
        error = work(archive)
    except Retry:
        raise
    except HostBusyError as exc:
        _note(archive, job_id, "retrying", str(exc))
        raise task.retry(countdown=_backoff(min(task.request.retries, 4))) from None
    except (StoreError, OSError) as exc:
        if isinstance(exc, SnapshotMissingError) or task.request.retries >= RETRIES:
            _note(archive, job_id, "failed", str(exc))
            log.error("%s %s failed for good: %s", kind, subject, exc)  # noqa: TRY400 - one line
            return
        _note(archive, job_id, "retrying", str(exc))
        log.warning("%s %s: %s; retrying in %.0f s", kind, subject, exc, _backoff(task.request.retries))
        raise task.retry(countdown=_backoff(task.request.retries)) from None
    except BadInputError as exc:
        _note(archive, job_id, "failed", str(exc))
        log.error("%s %s cannot be done: %s", kind, subject, exc)  # noqa: TRY400 - one line
        return
    _note(archive, job_id, "failed" if error else "done", error)


def _crawl(self: Task[Any, Any], portals: list[str], registry: dict[str, Any], as_of: str | None,
           settings: dict[str, Any] | None = None, root: str | None = None) -> None:
    """Crawl a batch of portals in a child process (crawler.run); its documents become parse jobs."""

    def work(archive: Archive) -> str | None:
        from alerts import schedule  # noqa: PLC0415 - the monitor's crawl: child process, health record

        try:
            checked = Registry.model_validate(registry)
            hosts = {urlsplit(str(checked.portal(p).base_url)).hostname or p for p in portals}
        except (ValidationError, KeyError) as exc:
            raise BadInputError(str(exc).splitlines()[0]) from None
        jobs = _settings()
        if checked.monitor.crawl_timeout > jobs.longest_crawl:
            raise BadInputError(say("jobs.crawl_too_long", timeout=f"{checked.monitor.crawl_timeout:.0f}",
                                    longest=f"{jobs.longest_crawl:.0f}"))
        with hosts_locked(archive.engine, hosts) as mine:
            if not mine:
                raise HostBusyError("host busy: " + ", ".join(sorted(hosts)))
            log.info("crawl portal=%s: started", ",".join(portals))
            with tempfile.TemporaryDirectory(prefix="xxgk-job-") as tmp:
                path = Path(tmp) / "registry.yaml"
                path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
                crawl_settings = {**(settings or {}), "XXGK_BROKER_URL": jobs.broker_url,
                                  "XXGK_JOB_ROOT": root or self.request.id, "XXGK_OCR": False}
                context = schedule.Context(jobs.database_url, str(path), crawl_settings, jobs.log_dir)
                day = dt.date.fromisoformat(as_of) if as_of else today()
                error = schedule.crawl(context, archive, checked, portals, day, job=str(self.request.id))
            log.info("crawl portal=%s: %s", ",".join(portals), error or "done")
            return error

    _run(self, "crawl", {"portals": portals}, work)


def _parse(self: Task[Any, Any], documents: list[dict[str, Any]], run_id: int | None, root: str | None = None) -> None:
    """Parse, validate and store fetched documents; a page image is stored unread and gets an OCR job. A
    document whose bytes are gone is the job's error, the others are stored."""

    def work(archive: Archive) -> str | None:
        from crawler.archive import document_name, is_image, store_document  # noqa: PLC0415
        from jobs.dispatch import from_message  # noqa: PLC0415
        from jobs.enqueue import ocr_backlog  # noqa: PLC0415

        missing = []
        for document in documents:
            try:
                item = from_message(document, archive.snapshots.get(document["sha256"]))
            except SnapshotMissingError as exc:
                missing.append(str(exc))
                continue
            outcome = store_document(archive, item, run_id, ocr=False)
            if outcome == "store_error":  # store_document logged why; the database is the operational kind
                raise StoreError(say("jobs.store_failed", url=item.url))
            log.info("parse portal=%s %s: %s", item.portal, item.url, outcome)
            if item.images > 1 and not item.page_has_report:  # a page of images: read once all are in
                ocr_backlog(app, archive, url=item.page_url if item.kind == "attachment" else item.url, root=root)
            elif is_image(document_name(item.url, item.content_type)):
                ocr_backlog(app, archive, url=item.url, root=root)
        return "; ".join(missing) or None

    _run(self, "parse", {"portal": documents[0].get("portal") if documents else None,
                         "urls": [d.get("url") for d in documents]}, work)


def _ocr(self: Task[Any, Any], report_id: int, root: str | None = None) -> None:  # noqa: ARG001 - in every message
    """Read one unread report by OCR; a report read meanwhile (this job delivered twice) is left alone."""

    def work(archive: Archive) -> str | None:
        from store.reading import read_one, unread_reports  # noqa: PLC0415

        for report in unread_reports(archive, report_id):
            reading = read_one(archive, report)
            log.info("ocr report=%d %s %s: %s", report_id, report.agency, report.year, reading)
        return None

    _run(self, "ocr", {"report": report_id}, work)


crawl = app.task(name="xxgk.crawl", bind=True, max_retries=None)(_crawl)
parse = app.task(name="xxgk.parse", bind=True, max_retries=None)(_parse)
ocr = app.task(name="xxgk.ocr", bind=True, max_retries=None)(_ocr)
