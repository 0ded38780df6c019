"""The crawl process's side of the parse queue: each fetched document becomes a parse job.

In distributed mode the crawl only fetches: a document's bytes go to the snapshot store (content-addressed,
so storing them twice stores them once) and its message carries what the spider knew about it and the
bytes' sha256, so that any worker parses, validates and stores it. The pipeline awaits each hand-over, so
a broker that stops answering slows the crawl down instead of losing documents.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from typing import Any

from crawler.items import FetchedDocument
from jobs.app import configure
from jobs.config import JobSettings
from jobs.enqueue import enqueue
from store.db import Archive

DISPATCHED = "dispatched"  # the crawl run's count of documents handed to the parse queue


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
    """`await pool.store(item)` hands one document to the parse queue (the StorePool of distributed mode)."""

    def __init__(self, settings: JobSettings, *, run_id: int | None, root: str | None) -> None:
        self.app = configure(settings)
        self.archive = Archive.open(settings.database_url, migrate=False)
        self.run_id = run_id
        self.root = root
        self.sender = ThreadPoolExecutor(4, thread_name_prefix="xxgk-dispatch")  # the reactor never blocks

    async def store(self, item: FetchedDocument) -> str:
        await asyncio.get_running_loop().run_in_executor(self.sender, self._send, item)
        return DISPATCHED

    def _send(self, item: FetchedDocument) -> None:
        digest = self.archive.snapshots.put(item.body)
        subject = {"portal": item.portal, "url": item.url, "sha256": digest}
        enqueue(self.app, self.archive, "parse", {"document": to_message(item, digest), "run_id": self.run_id},
                subject, self.root)

    def close(self) -> None:
        self.sender.shutdown(wait=True)
        self.archive.close()
