"""The parse-and-store worker processes: documents stored from several processes, a dying worker survived."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from conftest import GOLD, SEEDS
from crash_worker import store_or_die

from crawler.archive import open_archive
from crawler.items import FetchedDocument
from crawler.workers import StorePool
from store.agencies import upsert_agency


def _item(seed: Path, url: str) -> FetchedDocument:
    gold = GOLD[seed.stem]
    return FetchedDocument(portal="p", url=url, body=seed.read_bytes(), status=200, content_type="text/plain",
                           encoding=None, title=seed.stem, agency=gold["agency"] or "某县民政局", level=None, region=None,
                           year=gold["year"])


def _registered(db: Path) -> None:
    """An archive whose agencies the registry sync created (the crawler files reports only under them)."""
    with open_archive(f"sqlite:///{db}") as archive, archive.write() as session:
        for seed in SEEDS:
            upsert_agency(session, GOLD[seed.stem]["agency"] or "某县民政局")


def _run(pool: StorePool, items: list[FetchedDocument]) -> list[str]:
    async def main() -> list[str]:
        return list(await asyncio.gather(*(pool.store(item) for item in items)))

    try:
        return asyncio.run(main())
    finally:
        pool.close()


def test_documents_are_parsed_and_stored_by_two_workers(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    _registered(db)
    items = [_item(seed, f"http://127.0.0.1/{n}.txt") for n, seed in enumerate(SEEDS)]
    outcomes = _run(StorePool(f"sqlite:///{db}", 2, run_id=None, ocr=False), items)
    assert outcomes == ["new_report"] * len(SEEDS)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM report").fetchone()[0] == len(SEEDS)


def test_a_document_that_kills_its_worker_is_kept_and_the_others_are_stored(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    _registered(db)
    items = [_item(seed, f"http://127.0.0.1/{n}.txt") for n, seed in enumerate(SEEDS[:3])]
    items.insert(1, _item(SEEDS[3], "http://127.0.0.1/crash.txt"))
    outcomes = _run(StorePool(f"sqlite:///{db}", 2, run_id=None, ocr=False, task=store_or_die), items)
    # a document in flight in the other worker when the pool broke is stored again alone; if the dying pool
    # had stored it before its answer came back, the second storing finds it unchanged (stored once either way)
    assert outcomes[1] == "parser_crashed"
    assert [o in {"new_report", "unchanged"} for o in outcomes[::2] + outcomes[3:]] == [True, True, True]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM report").fetchone()[0] == 3
        kept = conn.execute("SELECT count(*) FROM document WHERE url = 'http://127.0.0.1/crash.txt'").fetchone()[0]
    assert kept == 1  # nothing fetched is lost
