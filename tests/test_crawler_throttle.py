"""How a portal's delay moves: AutoThrottle's policy, with a 304 counted as a full answer and the
registry's rate limit as the floor."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.throttle import PortalThrottle


def _throttle() -> PortalThrottle:
    crawler = get_crawler(settings_dict={"AUTOTHROTTLE_ENABLED": True, "DOWNLOAD_DELAY": 0.5,
                                         "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.5})
    throttle = PortalThrottle(crawler)
    throttle.mindelay, throttle.maxdelay = 0.5, 10.0  # what the spider_opened signal sets
    return throttle


@pytest.mark.parametrize(("status", "lowered"), [(200, True), (304, True), (404, False), (302, False)])
def test_a_fast_full_answer_brings_a_raised_delay_down(status: int, lowered: bool) -> None:
    slot = SimpleNamespace(delay=4.0)
    _throttle()._adjust_delay(slot, 0.1, Response("http://portal.example.cn/", status=status))
    assert (slot.delay < 4.0) is lowered


@pytest.mark.parametrize("status", [200, 304, 404])
def test_a_slow_answer_raises_the_delay(status: int) -> None:
    slot = SimpleNamespace(delay=0.5)
    _throttle()._adjust_delay(slot, 3.0, Response("http://portal.example.cn/", status=status))
    assert slot.delay == pytest.approx(2.0)
