"""A test-only download handler: what really went out to each host, for politeness and resume tests.

It is the project's own handler (scrapy-playwright's, which hands plain requests to Scrapy's HTTP
one) counting the requests on the wire: past robots.txt, the downloader's slots and its delays. At
the end of the crawl it leaves in the crawl's statistics (which `crawler.run.crawl` returns): every
URL requested, the answers (URL, status, whether the request was conditional), the most requests in
flight at once per host, and the download delay AutoThrottle had set on the request's slot after each
response.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from crawler.settings import DOWNLOAD_HANDLERS

# the crawl settings that put the probe in place (the simulator speaks http only: one probe, one report)
PROBE = {"DOWNLOAD_HANDLERS": {**DOWNLOAD_HANDLERS, "http": "crawl_probe.Probe"}}


class Probe(ScrapyPlaywrightDownloadHandler):  # type: ignore[misc]
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.probed = crawler
        self.in_flight: Counter[str] = Counter()
        self.most: Counter[str] = Counter()
        self.urls: list[str] = []
        self.answers: list[tuple[str, int, bool]] = []
        self.delays: defaultdict[str, list[float]] = defaultdict(list)
        # connected after AutoThrottle's own handler: the delay seen is the one it has just set
        crawler.signals.connect(self.downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    async def download_request(self, request: Any) -> Any:
        host = urlsplit(request.url).hostname or ""
        self.urls.append(request.url)
        self.in_flight[host] += 1
        self.most[host] = max(self.most[host], self.in_flight[host])
        conditional = b"If-None-Match" in request.headers or b"If-Modified-Since" in request.headers
        try:
            response = await super().download_request(request)
            self.answers.append((request.url, response.status, conditional))
            return response
        finally:
            self.in_flight[host] -= 1

    def downloaded(self, request: Any) -> None:
        key = request.meta.get("download_slot")
        slot = self.probed.engine.downloader.slots.get(key)
        if slot is not None:
            self.delays[key].append(slot.delay)

    def closed(self) -> None:
        stats = self.probed.stats
        stats.set_value("probe/urls", self.urls)
        stats.set_value("probe/answers", self.answers)
        stats.set_value("probe/most_in_flight", dict(self.most))
        stats.set_value("probe/delays", dict(self.delays))
