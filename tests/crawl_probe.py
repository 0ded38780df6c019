"""A test-only download handler: what really went out to each host, and a guard that nothing goes elsewhere.

It is the project's own handler (scrapy-playwright's, which hands plain requests to Scrapy's HTTP
one) counting the requests on the wire: past robots.txt, the downloader's slots and its delays. At
the end of the crawl it leaves in the crawl's statistics (which `crawler.run.crawl` returns): every
URL requested, the answers (URL, status, whether the request was conditional), the most requests in
flight at once per host, and the download delay AutoThrottle had set on the request's slot after each
response.

Every test crawl goes through it (tests/crawl_settings.py, put in place by the conftest for the whole
session): a request to a host and port no crawled portal's registry entry names, or to a name that
does not resolve to loopback, is never sent. It is written to the file XXGK_PROBE_OUTSIDE names (the
session fails on it) and fails, so that no test ever touches an outside address, whatever the
crawler's own policy (crawler.offsite) lets through.

`MappedResolver` is every test crawl's resolver: no name is looked up outside but those the setting
XXGK_TEST_HOSTS maps to an address (the hostile-portal tests map a registered name to 169.254.169.254).
"""

from __future__ import annotations

import ipaddress
import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.resolver import CachingThreadedResolver
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from twisted.internet import defer

from config.hosts import embedded_ipv4, literal_address, origin
from crawler.offsite import resolve
from crawler.settings import DOWNLOAD_HANDLERS

# the crawl settings that put the probe in place (the simulator speaks http only: one probe, one report)
PROBE = {"DOWNLOAD_HANDLERS": {**DOWNLOAD_HANDLERS, "http": "crawl_probe.Probe"}}
OUTSIDE_LOG = "XXGK_PROBE_OUTSIDE"


class Outside(Exception):  # noqa: N818 - what the probe says, not an error of the crawler's
    """A request the probe did not send: it would have left the portals or the machine."""


def outside(what: str, reason: str) -> Outside:
    """The error for a request or lookup that must not go out, written down for the session's check."""
    if os.environ.get(OUTSIDE_LOG):
        with Path(os.environ[OUTSIDE_LOG]).open("a", encoding="utf-8") as log:
            log.write(f"{what} ({reason})\n")
    return Outside(f"{what}: {reason}")


class Probe(ScrapyPlaywrightDownloadHandler):  # type: ignore[misc]
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.probed = crawler
        self.in_flight: Counter[str] = Counter()
        self.most: Counter[str] = Counter()
        self.urls: list[str] = []
        self.outside: list[str] = []
        self.answers: list[tuple[str, int, bool]] = []
        self.delays: defaultdict[str, list[float]] = defaultdict(list)
        # connected after AutoThrottle's own handler: the delay seen is the one it has just set
        crawler.signals.connect(self.downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    async def _guard(self, url: str) -> None:
        """Outside, and a line in the session's file, for a request that must not go out."""
        portals = getattr(self.probed.spider, "portals", {})
        where = origin(url)
        if where is None or not any(where in p.origins for p in portals.values()):
            reason = "not a portal's"
        else:
            ip = embedded_ipv4(await resolve(where[0]))
            reason = "" if ip.is_loopback else f"resolves to {ip}"
        if reason:
            self.outside.append(url)
            raise outside(url, reason)

    async def download_request(self, request: Any) -> Any:
        await self._guard(request.url)
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
        stats.set_value("probe/outside", self.outside)
        stats.set_value("probe/answers", self.answers)
        stats.set_value("probe/most_in_flight", dict(self.most))
        stats.set_value("probe/delays", dict(self.delays))


class MappedResolver(CachingThreadedResolver):
    """The crawl's resolver, with the names of the setting XXGK_TEST_HOSTS answered from it."""

    def __init__(self, reactor: Any, cache_size: int, timeout: float, names: dict[str, str]) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.names = {name: str(ipaddress.ip_address(a)) for name, a in names.items()}

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> MappedResolver:
        settings = crawler.settings
        return cls(reactor, settings.getint("DNSCACHE_SIZE"), settings.getfloat("DNS_TIMEOUT"),
                   settings.getdict("XXGK_TEST_HOSTS"))

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:  # noqa: N802 - Twisted's name
        if name in self.names:
            return defer.succeed(self.names[name])
        if literal_address(name) is None and name != "localhost":
            return defer.fail(outside(name, "a test looks up no outside name"))
        return super().getHostByName(name, timeout)
