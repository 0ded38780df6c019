"""Parse-and-store worker processes for the crawl.

Parsing is CPU work (PDF layout, Word tables, OCR). Done in a thread of the crawl process it holds
the GIL that Scrapy's reactor needs, so the whole crawl ran on one core; in worker processes it
runs beside the downloads, one document per worker at a time, each worker with its own database
connection (the store serialises writers itself). A worker that dies on a document (a crash in a
native parser, the kernel's OOM killer) breaks the pool: a new pool takes over, and each document
that was in flight is tried again alone in a process of its own; the one that dies again is kept
as bytes only, its outcome `parser_crashed`.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from crawler.items import FetchedDocument

if TYPE_CHECKING:
    from store.db import Archive

log = logging.getLogger(__name__)
_archive: Archive | None = None  # the worker's own connection, opened once by `_start`


def _start(database_url: str) -> None:
    """Worker start-up: its log lines look like the crawl's, its archive is opened once."""
    from crawler.archive import open_archive  # noqa: PLC0415 - SQLAlchemy and the parsers, in the worker only

    logging.basicConfig(format="%(asctime)s [%(name)s] %(levelname)s: %(message)s", level=logging.INFO)
    global _archive  # noqa: PLW0603 - one archive per worker process
    _archive = open_archive(database_url, migrate=False)


def store_in_worker(item: FetchedDocument, run_id: int | None, ocr: bool) -> str:
    """Runs in a worker: parse and store one document with the worker's archive."""
    from crawler.archive import store_document  # noqa: PLC0415

    assert _archive is not None, "the worker was started without an archive"
    return store_document(_archive, item, run_id, ocr=ocr)


Task = Callable[[FetchedDocument, "int | None", bool], str]


class StorePool:
    """`await pool.store(item)` parses and stores one document in a worker process; the outcome is its name."""

    def __init__(
        self, database_url: str, workers: int, *, run_id: int | None, ocr: bool, task: Task = store_in_worker
    ) -> None:
        self.database_url = database_url
        self.task = task  # a module-level function: the workers import it by name
        self.workers = max(1, workers)
        self.run_id = run_id
        self.ocr = ocr
        self.pool = self._new_pool()

    def _new_pool(self, workers: int | None = None) -> ProcessPoolExecutor:
        # spawn: a fork of the crawl process would inherit its reactor, threads and database connections
        return ProcessPoolExecutor(
            max_workers=workers or self.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_start, initargs=(self.database_url,),
        )

    async def store(self, item: FetchedDocument) -> str:
        loop = asyncio.get_running_loop()
        pool = self.pool
        try:
            return await loop.run_in_executor(pool, self.task, item, self.run_id, self.ocr)
        except BrokenProcessPool:
            if pool is self.pool:  # the first to notice replaces it
                log.warning("a parse worker died while %s was in flight; starting new workers", item.url)
                self.pool = self._new_pool()
        # every document in flight is tried again alone in a process of its own: only the culprit dies again
        solo = self._new_pool(1)
        try:
            return await loop.run_in_executor(solo, self.task, item, self.run_id, self.ocr)
        except BrokenProcessPool:
            log.error("parsing %s killed its worker: kept as bytes only", item.url)  # noqa: TRY400 - one line
        finally:
            solo.shutdown(wait=False)
        await loop.run_in_executor(None, _keep, self.database_url, item, self.run_id)
        return "parser_crashed"

    def close(self) -> None:
        self.pool.shutdown(wait=True)


def _keep(database_url: str, item: FetchedDocument, run_id: int | None) -> None:
    """Keep a document that no parser survives, so that nothing fetched is lost."""
    from crawler.archive import keep_fetched, open_archive  # noqa: PLC0415

    with open_archive(database_url, migrate=False) as archive:
        keep_fetched(archive, item, run_id)
