"""Handing work to the workers: crawls of due portals in batches, documents to parse, the OCR backlog.

A job's row is written once its message is sent (jobs.ledger). Portals whose crawl is queued or
running, and reports whose OCR is, are not enqueued again: a scheduler that takes over from one that
died, or a `monitor --once` run twice, adds only what is missing.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from celery import Celery

from config.registry import Registry
from jobs import ledger
from jobs.config import BATCH, TASKS
from store.db import Archive
from store.reading import unread_reports

SEND_ATTEMPTS: Final = 6  # over about a minute: a broker restart, not an outage
SEND_BACKOFF_S: Final = 1.0


def enqueue(app: Celery, archive: Archive, kind: str, kwargs: Mapping[str, Any], subject: Mapping[str, Any],
            root: str | None = None) -> str:
    """Send the job's message, then record it; the job's id.

    Kombu retries a publish on the connection errors it knows; a broker restarting can also surface as
    other errors of a half-closed client (seen: Redis's `'NoneType' object has no attribute 'client'`),
    so the whole send is tried again, with backoff, before the job is recorded as not sent."""
    job_id = uuid.uuid4().hex
    for attempt in range(SEND_ATTEMPTS):
        try:
            app.send_task(TASKS[kind], kwargs={**kwargs, "root": root or job_id}, task_id=job_id, queue=kind)
            break
        except Exception as exc:
            if attempt + 1 < SEND_ATTEMPTS:
                time.sleep(SEND_BACKOFF_S * 2**attempt)
                continue
            ledger.enqueued(archive, job_id, kind, subject, root, error=f"not sent: {exc}")
            raise
    ledger.enqueued(archive, job_id, kind, subject, root)
    return job_id


def sub_registry(registry: Registry, portals: Sequence[str]) -> dict[str, Any]:
    """The registry cut to some portals, as a message can carry it: a worker needs no file of its own. A
    parent agency on another portal is left out (the scheduler syncs every agency, parents included)."""
    data = registry.model_dump(mode="json", exclude_defaults=True)
    wanted = set(portals)
    kept = [p for p in data.get("portals", []) if p["id"] in wanted]
    names = {a["name"] for p in kept for a in p.get("agencies", [])}
    for portal in kept:
        for agency in portal.get("agencies", []):
            if agency.get("parent") not in names:
                agency.pop("parent", None)
    return {**data, "portals": kept}


def crawling(archive: Archive) -> set[str]:
    """Portals with a crawl queued, running or waiting for a retry."""
    return {p for subject in ledger.pending(archive, "crawl") for p in subject.get("portals", [])}


def crawls(app: Celery, archive: Archive, registry: Registry, portals: Iterable[str], as_of: dt.date | None,
           *, batch: int = BATCH, settings: Mapping[str, Any] | None = None) -> list[str]:
    """Crawl jobs of up to `batch` portals each for the portals not already being crawled; their ids.
    `settings` are Scrapy settings for the crawls (the monitor's --crawl-setting)."""
    busy = crawling(archive)
    todo = [p for p in dict.fromkeys(portals) if p not in busy]
    ids = []
    for start in range(0, len(todo), max(1, batch)):
        chunk = todo[start:start + batch]
        kwargs = {"portals": chunk, "registry": sub_registry(registry, chunk),
                  "as_of": as_of.isoformat() if as_of else None, "settings": dict(settings or {})}
        ids.append(enqueue(app, archive, "crawl", kwargs, {"portals": chunk}))
    return ids


def ocr_backlog(app: Celery, archive: Archive, *, url: str | None = None, root: str | None = None) -> list[str]:
    """An OCR job for every unread report (of one URL awaiting its first reading, if given:
    store.reading.unread_reports) without one pending; their ids."""
    busy = {subject.get("report") for subject in ledger.pending(archive, "ocr")}
    ids = []
    for report in unread_reports(archive, url=url):
        if report.report_id not in busy:
            subject = {"report": report.report_id, "agency": report.agency, "year": report.year, "url": report.url}
            ids.append(enqueue(app, archive, "ocr", {"report_id": report.report_id}, subject, root))
    return ids
