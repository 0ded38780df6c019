"""The scheduler's queue for a broad crawl: one priority queue per portal, the portals taken in turn.

Scrapy's DownloaderAwarePriorityQueue, which keeps one portal's article list from filling every free
place of the downloader, finds the portal with the fewest downloads in flight by looking at every
portal on each pop, and counts its requests by summing every portal's queue on each `len()`: at
3,000 portals that was a fifth of the crawl process. This subclass keeps the portals with waiting
requests in a ring and takes, among the next few, the first with nothing in flight (else the least
busy of them), then moves it to the back: a pop looks at a handful of portals, and the requests are
counted as they come and go. What it writes to a JOBDIR is its parent's, so a crawl resumes with it.
"""

from __future__ import annotations

from collections import deque
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.pqueues import DownloaderAwarePriorityQueue, _path_safe

if TYPE_CHECKING:
    from collections.abc import Iterable

    from scrapy import Request

LOOK_AHEAD = 32  # portals looked at per pop when the first ones are all busy


class PortalQueue(DownloaderAwarePriorityQueue):
    def __init__(
        self,
        crawler: Any,
        downstream_queue_cls: Any,
        key: str,
        slot_startprios: dict[str, Iterable[int]] | None = None,
        *,
        start_queue_cls: Any = None,
    ) -> None:
        super().__init__(crawler, downstream_queue_cls, key, slot_startprios, start_queue_cls=start_queue_cls)
        self._ring: deque[str] = deque(self.pqueues)
        self._count = sum(len(queue) for queue in self.pqueues.values())

    def push(self, request: Request) -> None:
        slot = self._downloader_interface.get_slot_key(request)
        if slot not in self.pqueues:
            self.pqueues[slot] = self.pqfactory(slot)
            self._ring.append(slot)
        self.pqueues[slot].push(request)
        self._count += 1

    def pop(self) -> Request | None:
        index = self._choose()
        if index is None:
            return None
        slot = self._ring[index]
        del self._ring[index]
        queue = self.pqueues[slot]
        request = queue.pop()
        if request is not None:
            self._count -= 1
        if len(queue):
            self._ring.append(slot)
        else:
            del self.pqueues[slot]
            queue.close()
            if self.key:  # the parent's clean-up of a JOBDIR slot folder
                with suppress(OSError):
                    Path(self.key, _path_safe(slot)).rmdir()
        return request

    def peek(self) -> Request | None:
        index = self._choose()
        return None if index is None else self.pqueues[self._ring[index]].peek()

    def _choose(self) -> int | None:
        """The ring position of the next portal to take a request from."""
        if not self._ring:
            return None
        in_flight = self._downloader_interface.downloader.slots
        best, fewest = 0, None
        for index in range(min(len(self._ring), LOOK_AHEAD)):
            slot = in_flight.get(self._ring[index])
            active = len(slot.active) if slot is not None else 0
            if active == 0:
                return index
            if fewest is None or active < fewest:
                best, fewest = index, active
        return best

    def close(self) -> dict[str, list[int]]:
        self._ring.clear()
        self._count = 0
        return super().close()

    def __len__(self) -> int:
        return self._count
