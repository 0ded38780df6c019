"""A parse task that kills its worker process on documents whose URL says so (tests/test_crawler_workers.py)."""

from __future__ import annotations

import os

from crawler.items import FetchedDocument
from crawler.workers import store_in_worker


def store_or_die(item: FetchedDocument, run_id: int | None, ocr: bool) -> str:
    if "crash" in item.url:
        os._exit(70)  # as a segfault in a native parser would end the worker: no exception, no clean-up
    return store_in_worker(item, run_id, ocr)
