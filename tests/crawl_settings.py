"""The Scrapy settings of every crawl a test starts (the conftest names this module in SCRAPY_SETTINGS_MODULE):
the project's, with the probe on the wire (tests/crawl_probe.py) and loopback allowed, where the simulator
and the test servers are."""

from crawl_probe import PROBE

from crawler.settings import *  # noqa: F403 - the project's settings, then what tests change

DOWNLOAD_HANDLERS = PROBE["DOWNLOAD_HANDLERS"]
TWISTED_DNS_RESOLVER = "crawl_probe.MappedResolver"
XXGK_TEST_HOSTS: dict[str, str] = {}
XXGK_ALLOW_LOOPBACK = True
