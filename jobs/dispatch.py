"""The crawl process's side of the parse queue: fetched documents become parse jobs, a few to a job.

In distributed mode the crawl only fetches: a document's bytes go to the snapshot store (content-addressed,
so storing them twice stores them once) and its message carries what the spider knew about it and the
bytes' sha256, so that any worker parses, validates and stores it. A job's message and its rows in the job
table cost about a fifth of what parsing a document does, so documents go PARSE_BATCH to a job: a batch is
sent when full, or PARSE_WAIT_S after its first document (a crawl killed meanwhile fetches those again: they
were never stored). The pipeline awaits the hand-over of each full batch, so a broker that stops answering
slows the crawl down instead of losing documents.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict
from typing import Any

from crawler.items import FetchedDocument
from jobs.app import configure
from jobs.config import PARSE_BATCH, PARSE_WAIT_S, JobSettings
from jobs.enqueue import enqueue
from store.db import Archive

DISPATCHED = "dispatched"  # the crawl run's count of documents handed to the parse queue

log = logging.getLogger(__name__)


def to_message(item: FetchedDocument, sha256: str) -> dict[str, Any]:
    fields = asdict(item)
    del fields["body"]
    fields["dates"] = {source: day.isoformat() for source, day in item.dates.items()}
    return {**fields, "sha256": sha256}


def from_message(message: dict[str, Any], body: bytes) -> FetchedDocument:
    fields = {k: v for k, v in message.items() if k != "sha256"}
    fields["dates"] = {source: dt.date.fromisoformat(day) for source, day in message.get("dates", {}).items()}
    return FetchedDocument(body=body, **fields)


class JobPool:
    """`await pool.store(item)` hands documents to the parse queue (the StorePool of distributed mode)."""

    def __init__(self, settings: JobSettings, archive: Archive, *, run_id: int | None, root: str | None) -> None:
        self.app = configure(settings)
        self.archive = archive  # the crawl's own: its connections serve the sending threads too
        self.run_id = run_id
        self.root = root
        self.sender = ThreadPoolExecutor(4, thread_name_prefix="xxgk-dispatch")  # the reactor never blocks
        self.batch: list[FetchedDocument] = []
        self.timer: asyncio.TimerHandle | None = None

    async def store(self, item: FetchedDocument) -> str:
        self.batch.append(item)
        if len(self.batch) >= PARSE_BATCH:
            await asyncio.wrap_future(self._hand_over())
        elif self.timer is None:
            self.timer = asyncio.get_running_loop().call_later(PARSE_WAIT_S, self._on_time)
        return DISPATCHED

    def _hand_over(self) -> Future[None]:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        batch, self.batch = self.batch, []
        return self.sender.submit(self._send, batch)

    def _on_time(self) -> None:
        self.timer = None
        self._hand_over().add_done_callback(_failed)

    def _send(self, items: list[FetchedDocument]) -> None:
        documents = [to_message(item, self.archive.snapshots.put(item.body)) for item in items]
        subject = {"portal": items[0].portal, "urls": [item.url for item in items]}
        enqueue(self.app, self.archive, "parse", {"documents": documents, "run_id": self.run_id}, subject, self.root)

    def close(self) -> None:
        if self.batch:
            self._hand_over().add_done_callback(_failed)
        self.sender.shutdown(wait=True)


def _failed(sent: Future[None]) -> None:
    """A batch nobody awaits (sent on time, or at the crawl's end) that could not be sent is logged, as an awaited
    one is by Scrapy."""
    if (exc := sent.exception()) is not None:
        log.error("documents not handed to the parse queue: %s", exc)
