"""Scrapy settings: polite by default (robots.txt, AutoThrottle, two requests per host at most)."""

from __future__ import annotations

import os

from config.settings import allows_loopback
from xxgk import __version__

BOT_NAME = "xxgk"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = (
    f"xxgk/{__version__} (政府信息公开年度报告监测; +https://github.com/xxgk/xxgk; contact: operator in registry.yaml)"
)
ROBOTSTXT_OBEY = True
# A broad crawl: thousands of portals, each asked politely (two at a time, its own delay), many at once.
# The downloader-aware queue hands out requests of the portals with the fewest in flight, so one
# portal's long list of articles does not fill every free place while other portals wait.
CONCURRENT_REQUESTS = 256
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# what one response's callback yields is handled this many at a time: a page yields one document and
# a few requests. Scrapy's 100 started 100 asyncio tasks for every response, a fifth of the crawl's CPU.
CONCURRENT_ITEMS = 4
SCHEDULER_PRIORITY_QUEUE = "crawler.queue.PortalQueue"
DOWNLOAD_DELAY = 0.5
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 10.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.5
EXTENSIONS = {"scrapy.extensions.throttle.AutoThrottle": None, "crawler.throttle.PortalThrottle": 0}
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 60 * 1024 * 1024  # a scanned report PDF can be large; anything bigger is `oversized`
DOWNLOAD_WARNSIZE = 20 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# a body cut short arrives flagged `dataloss` instead of failing, so that crawler.integrity handles every cut
# the same way: retried after XXGK_RETRY_BACKOFF seconds (doubled each time), then a `truncated` failure
DOWNLOAD_FAIL_ON_DATALOSS = False
XXGK_RETRY_BACKOFF = 1.0
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = True  # some WAFs set a cookie on a 302 to the same page
HTTPERROR_ALLOW_ALL = True  # the spider classifies every status itself
DNS_TIMEOUT = 10
REQUEST_FINGERPRINTER_CLASS = "crawler.browser.Fingerprinter"
# a crawl with a job directory (XXGK_JOBDIR) resumes from its journal (crawler.journal), not Scrapy's JOBDIR
DUPEFILTER_CLASS = "crawler.journal.SeenFilter"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
# Scrapy parses a generator callback's source on every response to warn about `return value`: a
# sixth of a broad crawl's CPU (its cache misses on bound methods); our callbacks are linted instead
WARN_ON_GENERATOR_RETURN_VALUE = False
LOG_LEVEL = "INFO"
# no control channel into a crawl: the telnet console and the remote-control server (which runs posted
# Python code) are off; a crawl is stopped by its parent's signal
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
# crawler.offsite first of all (in place of Scrapy's own offsite filter, which allows every host to a spider
# without allowed_domains): nothing leaves for a host the registry does not list, nor robots.txt of one.
# Ungzip and integrity after HttpCompressionMiddleware (590): both look at the bytes as they will be read
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.offsite.OffsiteMiddleware": 50,
    "crawler.middlewares.UngzipMiddleware": 580,
    "crawler.integrity.IntegrityMiddleware": 570,
}
# loopback portals (the simulator's, the tests'): refused unless allowed (config.settings, XXGK_ALLOW_LOOPBACK)
XXGK_ALLOW_LOOPBACK = allows_loopback(os.environ)

# Browser pages (fetcher: browser, or a static page that shows no list) go through scrapy-playwright
# with Debian's Chromium; every other request uses Scrapy's own downloader.
# with every other scheme switched off: a portal's page cannot have a local file (file://) or anything else read.
DOWNLOAD_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "file": None, "data": None, "s3": None, "ftp": None,
}
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": "/usr/bin/chromium",
    "headless": True,
    # no lookups of Google's update hosts at start (toolchain.md §2)
    "args": [
        (
            "--host-resolver-rules=MAP update.googleapis.com ~NOTFOUND, MAP accounts.google.com ~NOTFOUND, "
            "MAP clients2.google.com ~NOTFOUND"
        )
    ],
}
PLAYWRIGHT_MAX_CONTEXTS = 2
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 8  # 16 pages at most: a page waits 0.5 s of network quiet, so renders overlap
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
PLAYWRIGHT_ABORT_REQUEST = "crawler.browser.abort_request"
