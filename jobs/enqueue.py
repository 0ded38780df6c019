"""Handing work to the workers: crawls of due portals in batches, documents to parse, the OCR backlog.

A job's row is written once its message is sent (jobs.ledger). Portals whose crawl is queued or
running, and reports whose OCR is, are not enqueued again: a scheduler that takes over from one that
died, or a `monitor --once` run twice, adds only what is missing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from celery import Celery

from config.registry import Registry
from jobs import ledger
from jobs.config import BATCH, TASKS
from store.db import Archive
from store.reading import unread_reports


def enqueue(app: Celery, archive: Archive, kind: str, kwargs: Mapping[str, Any], subject: Mapping[str, Any],
            root: str | None = None) -> str:
    """Send the job's message, then record it; the job's id."""
    job_id = uuid.uuid4().hex
    try:
        app.send_task(TASKS[kind], kwargs={**kwargs, "root": root or job_id}, task_id=job_id, queue=kind)
    except Exception as exc:  # the broker refused it even after the publish retries: recorded as failed
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
    """An OCR job for every unread report (of one URL, if given) without one pending; their ids."""
    busy = {subject.get("report") for subject in ledger.pending(archive, "ocr")}
    ids = []
    for report in unread_reports(archive):
        if (url is None or report.url == url) and report.report_id not in busy:
            subject = {"report": report.report_id, "agency": report.agency, "year": report.year, "url": report.url}
            ids.append(enqueue(app, archive, "ocr", {"report_id": report.report_id}, subject, root))
    return ids
