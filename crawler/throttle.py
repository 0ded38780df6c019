"""Each portal's registry `rate_limit` as the floor of its download delay, also under AutoThrottle.

The spider puts every portal's delay (1 / rate_limit, never below DOWNLOAD_DELAY) into
DOWNLOAD_SLOTS, so a portal's slot starts at it. Scrapy's AutoThrottle then moves every slot
between DOWNLOAD_DELAY and AUTOTHROTTLE_MAX_DELAY with the server's latency and would speed a
slow-limited portal up again; this subclass keeps a slot's delay at or above its portal's limit.

AutoThrottle lets only a 200 bring a delay down (error pages and redirects are small and fast, so
their latency says little). A 304 is a full answer, that nothing changed, and in a re-crawl most
answers are 304: a delay raised while the crawl was busy stayed up, and the last portals of a
cycle crawled at one request every few seconds. Here a 304 counts as a 200.
"""

from __future__ import annotations

from typing import Any

from scrapy.extensions.throttle import AutoThrottle


class PortalThrottle(AutoThrottle):
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        slots = crawler.settings.getdict("DOWNLOAD_SLOTS")
        self.floors = {key: float(slot["delay"]) for key, slot in slots.items() if "delay" in slot}

    def _response_downloaded(self, response: Any, request: Any, spider: Any) -> None:
        super()._response_downloaded(response, request, spider)
        key, slot = self._get_slot(request, spider)
        floor = self.floors.get(key or "")
        if slot is not None and floor is not None and slot.delay < floor:
            slot.delay = floor

    def _adjust_delay(self, slot: Any, latency: float, response: Any) -> None:
        super()._adjust_delay(slot, latency, response.replace(status=200) if response.status == 304 else response)
