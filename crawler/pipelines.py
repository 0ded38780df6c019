"""Downstream of the spider: the crawl ledger, then extract → parse → validate → store.

The ledger (JSON lines: one line per document or failure here, and the spider's `crawl`,
`portal_start` and `portal_done` lines from crawler.progress) is what progress displays and tests read.
The archive pipeline stores every fetched document through `store.ingest`, parsed in worker
processes (crawler.workers), or by the workers of every machine in distributed mode (jobs.dispatch);
a document that is not a report (a page that only links its PDF) is left for its attachment, and a
challenge page never gets here (the spider classifies it as a failure first).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, TextIO

from crawler.items import FetchedDocument, FetchFailure
from crawler.workers import StorePool


class LedgerPipeline:
    """Writes what the crawl saw to XXGK_CRAWL_LEDGER (a JSON-lines file), when that setting is set."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.out: TextIO | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> LedgerPipeline:
        return cls(crawler.settings.get("XXGK_CRAWL_LEDGER"))

    def open_spider(self) -> None:
        if self.path:
            self.out = Path(self.path).open("a", encoding="utf-8")  # noqa: SIM115 - closed in close_spider

    def process_item(self, item: Any) -> Any:
        if self.out is not None:
            self.out.write(json.dumps(ledger_line(item), ensure_ascii=False, default=str) + "\n")
            self.out.flush()
        return item

    def close_spider(self) -> None:
        if self.out is not None:
            self.out.close()


def ledger_line(item: Any) -> dict[str, Any]:
    if isinstance(item, FetchFailure):
        return {"type": "failure", "portal": item.portal, "url": item.url, "kind": item.kind,
                "list_page": item.list_page, "detail": item.detail, "agency": item.agency, "year": item.year,
                "copy": item.copy}
    assert isinstance(item, FetchedDocument)
    return {
        "type": "document", "portal": item.portal, "url": item.url, "kind": item.kind, "status": item.status,
        "title": item.title, "agency": item.agency, "year": item.year, "page_url": item.page_url,
        "dates": {k: v.isoformat() for k, v in item.dates.items()}, "size": len(item.body),
        "sha256": hashlib.sha256(item.body).hexdigest(), "content_type": item.content_type,
    }


class ArchivePipeline:
    """Stores documents in the archive (XXGK_DATABASE_URL) and the crawl run with its failures."""

    def __init__(self, crawler: Any, database_url: str | None, as_of: dt.date | None) -> None:
        self.crawler = crawler
        # OCR of a page image takes tens of seconds; XXGK_OCR=false keeps images as documents only
        self.ocr = crawler.settings.getbool("XXGK_OCR", default=True)
        self.database_url = database_url
        self.as_of = as_of
        self.archive: Any = None
        self.run_id: int | None = None
        self.counts: Counter[str] = Counter()  # what this run's process stored
        self.failures: list[FetchFailure] = []  # the crawl's evidence of what it could not read
        # parse-and-store processes (XXGK_PARSE_WORKERS, default one per core)
        self.workers = crawler.settings.getint("XXGK_PARSE_WORKERS", os.cpu_count() or 1)
        self.pool: Any = None  # a StorePool, or a jobs.dispatch.JobPool in distributed mode

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArchivePipeline:
        as_of = crawler.settings.get("XXGK_AS_OF")
        return cls(crawler, crawler.settings.get("XXGK_DATABASE_URL"), dt.date.fromisoformat(as_of) if as_of else None)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        if not self.database_url:
            return
        from crawler.archive import known, open_archive, start_run  # noqa: PLC0415 - SQLAlchemy only when storing

        # a worker checked the schema before it took the crawl (jobs.worker): its crawl child skips loading migrations
        distributed = bool(self.crawler.settings.get("XXGK_BROKER_URL"))
        self.archive = open_archive(self.database_url, migrate=not distributed)
        # a resumed crawl's run is the whole crawl's evidence: the failures its earlier runs journaled too
        self.failures = list(spider.past.failures)
        self.run_id = start_run(self.archive, spider.registry, list(spider.portals))
        spider.known = known(self.archive, list(spider.portals))
        self.pool = self._pool()

    def _pool(self) -> Any:
        """Parse here in worker processes, or, in distributed mode (a broker), hand each document to the
        parse queue of the workers of every machine (jobs.dispatch)."""
        broker = self.crawler.settings.get("XXGK_BROKER_URL")
        assert self.database_url is not None
        if not broker:
            return StorePool(self.database_url, self.workers, run_id=self.run_id, ocr=self.ocr)
        from jobs.config import JobSettings  # noqa: PLC0415 - Celery only in distributed mode
        from jobs.dispatch import JobPool  # noqa: PLC0415

        settings = JobSettings(broker_url=broker, database_url=self.database_url)
        return JobPool(settings, self.archive, run_id=self.run_id, root=self.crawler.settings.get("XXGK_JOB_ROOT"))

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchFailure):
            self.failures.append(item)
            return item
        self.counts[f"{item.kind}s"] += 1
        if self.pool is not None:
            self.counts[await self.pool.store(item)] += 1
        return item

    def close_spider(self) -> None:
        spider = self.crawler.spider
        if self.archive is None:
            return
        from crawler.archive import finish_run  # noqa: PLC0415

        if self.pool is not None:
            self.pool.close()
        stats = getattr(spider, "portal_stats", {})
        # a portal whose requests had not all settled when the crawl closed (stopped, timed out) was not read whole
        unfinished = [p for p in getattr(spider, "portals", {}) if p not in spider.tracker.done]
        errors: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for failure in self.failures:
            errors[failure.portal][failure.kind] += 1
        finish_run(self.archive, self.run_id, self.counts | {"failures": len(self.failures)}, errors, stats,
                   failures=self.failures, unfinished=unfinished)
