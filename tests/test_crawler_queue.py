"""The scheduler's portal queue: portals taken in turn, busy portals passed over, counted as it goes,
and what it leaves in a JOBDIR read back by a new queue (a resumed crawl)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.pqueues import DownloaderAwarePriorityQueue
from scrapy.squeues import FifoMemoryQueue, PickleFifoDiskQueue
from scrapy.utils.test import get_crawler

from crawler.queue import LOOK_AHEAD, PortalQueue


class Downloader:
    """What the queue reads of Scrapy's downloader: the slot of a request, and each slot's downloads."""

    def __init__(self) -> None:
        self.slots: dict[str, Any] = {}

    def get_slot_key(self, request: Request) -> str:
        return str(request.meta["download_slot"])

    def busy(self, slot: str, downloads: int) -> None:
        self.slots[slot] = SimpleNamespace(active=set(range(downloads)))


def _queue(downloader: Downloader, key: str = "", startprios: dict[str, Any] | None = None,
           disk: bool = False) -> PortalQueue:
    crawler = get_crawler()
    crawler.engine = SimpleNamespace(downloader=downloader)
    queue_cls = PickleFifoDiskQueue if disk else FifoMemoryQueue
    return PortalQueue.from_crawler(crawler, queue_cls, key, startprios)


def _request(slot: str, n: int) -> Request:
    return Request(f"http://{slot}/{n}", meta={"download_slot": slot})


def _urls(queue: PortalQueue, n: int) -> list[str]:
    return [r.url for r in (queue.pop() for _ in range(n)) if r is not None]


def test_portals_are_taken_in_turn() -> None:
    queue = _queue(Downloader())
    for n in range(3):
        for slot in ("a", "b", "c"):
            queue.push(_request(slot, n))
    assert len(queue) == 9
    assert _urls(queue, 4) == ["http://a/0", "http://b/0", "http://c/0", "http://a/1"]
    assert len(queue) == 5


def test_a_portal_with_downloads_in_flight_waits_for_an_idle_one() -> None:
    downloader = Downloader()
    queue = _queue(downloader)
    for slot in ("a", "b", "c"):
        queue.push(_request(slot, 0))
    downloader.busy("a", 2)
    downloader.busy("b", 1)
    assert queue.peek().url == "http://c/0"
    assert _urls(queue, 1) == ["http://c/0"]
    assert _urls(queue, 1) == ["http://b/0"]  # only busy ones left: the least busy
    assert _urls(queue, 2) == ["http://a/0"]
    assert queue.pop() is None
    assert len(queue) == 0
    assert queue.pqueues == {}


def test_the_look_ahead_is_bounded() -> None:
    downloader = Downloader()
    queue = _queue(downloader)
    slots = [f"s{n:03d}" for n in range(LOOK_AHEAD + 5)]
    for slot in slots:
        queue.push(_request(slot, 0))
        downloader.busy(slot, 1)
    downloader.busy(slots[-1], 0)  # idle, but beyond the look-ahead
    assert _urls(queue, 1) == ["http://s000/0"]


@pytest.mark.parametrize("queue_cls", [PortalQueue, DownloaderAwarePriorityQueue])
def test_a_jobdir_written_by_either_queue_is_resumed(tmp_path: Path, queue_cls: type[Any]) -> None:
    downloader = Downloader()
    crawler = get_crawler()
    crawler.engine = SimpleNamespace(downloader=downloader)
    first = queue_cls.from_crawler(crawler, PickleFifoDiskQueue, str(tmp_path / "q"), None)
    for n in range(2):
        for slot in ("a", "b"):
            first.push(_request(slot, n))
    startprios = first.close()
    resumed = _queue(downloader, str(tmp_path / "q"), startprios, disk=True)
    assert len(resumed) == 4
    assert sorted(_urls(resumed, 5)) == ["http://a/0", "http://a/1", "http://b/0", "http://b/1"]
    assert len(resumed) == 0
