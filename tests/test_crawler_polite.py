"""Politeness against the simulator, with the project's settings (robots.txt, AutoThrottle, two per host).

Two Hanweb portals whose robots.txt disallows the attachment path: the first is obeyed; the second's
registry entry says `robots: false`, so it is crawled anyway, and it answers every request 0.2 s
late. A probe next to the downloader (tests/crawl_probe.py) records what really went out: counts
and maxima are asserted, never durations.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from crawl_probe import PROBE

from crawler import settings as polite
from crawler.run import CrawlResult, crawl
from sim import truth
from sim.server import BackgroundServer, Simulator
from sim.world import generate

AS_OF = dt.date(2026, 6, 1)
OBEYED, IGNORED = 1, 8  # portal indexes: two Hanweb portals; IGNORED has `robots: false` and the latency fault
DISALLOWED = "/module/download/"  # where Hanweb portals serve their attachments
START_DELAY = 0.05  # AutoThrottle's first delay; like the registry's rate limit, below what 0.2 s latency calls for
RATE_LIMIT = 50  # requests per second, in the registry


@dataclass
class Polite:
    truth: dict[str, Any]
    result: CrawlResult
    lines: list[dict[str, Any]]
    hosts: dict[int, str]  # portal index → host
    slots: dict[int, str]  # portal index → download slot
    latency: float

    def portal(self, index: int) -> str:
        return f"p{index:04d}-hanweb"

    def attachments(self, index: int) -> set[str]:
        """The portal's report files: PDF, Word and the page images of 图片版 reports (hanweb serves them
        through downfile.jsp?filename=….png), one or one per printed page."""
        owner = {a["name"]: a["portal"] for a in self.truth["agencies"]}
        return {url for r in self.truth["reports"]
                if r["medium"] in ("pdf", "docx", "image") and owner[r["agency"]] == self.portal(index)
                for url in r["pages"] or [r["attachment"]]}

    def requested(self, index: int) -> list[str]:
        return [u for u in self.result.stats["probe/urls"] if urlsplit(u).hostname == self.hosts[index]]

    def fetched(self, index: int, kind: str) -> set[str]:
        return {line["url"] for line in self.lines
                if line["type"] == "document" and line["kind"] == kind and line["portal"] == self.portal(index)}


@pytest.fixture(scope="module")
def polite_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Polite]:
    tmp = tmp_path_factory.mktemp("polite")
    world = generate(seed=1, portals=IGNORED + 1, fault_plan={IGNORED: "latency"})
    sim = Simulator(world, as_of=AS_OF)
    with BackgroundServer(sim), pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYTHONPATH", str(Path(__file__).parent))  # the probe, in the crawl's own process
        for index in (OBEYED, IGNORED):
            sim.site(world.portals[index]).disallow.append(DISALLOWED)
        registry = truth.registry(world, sim.site, rate_limit=RATE_LIMIT)
        registry["portals"][IGNORED]["robots"] = False
        (tmp / "registry.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
        truth.write_truth(tmp / "truth.json", world, sim.site, AS_OF)
        settings = {**PROBE, "AUTOTHROTTLE_START_DELAY": START_DELAY, "DOWNLOAD_DELAY": 0, "XXGK_OCR": False}
        portals = [world.portals[i].id for i in (OBEYED, IGNORED)]
        result = crawl(str(tmp / "registry.yaml"), portals=portals, as_of=AS_OF.isoformat(),
                       ledger=str(tmp / "ledger.jsonl"), settings=settings, timeout=600,
                       log=(tmp / "crawl.log").open("w"))
        fault = world.portals[IGNORED].fault
        assert fault is not None
        yield Polite(
            json.loads((tmp / "truth.json").read_text(encoding="utf-8")), result,
            [json.loads(line) for line in (tmp / "ledger.jsonl").read_text(encoding="utf-8").splitlines()],
            {i: world.portals[i].address for i in (OBEYED, IGNORED)},
            {i: urlsplit(sim.origin(world.portals[i])).netloc for i in (OBEYED, IGNORED)},
            fault.value,
        )


def test_a_disallowed_path_is_never_requested(polite_crawl: Polite) -> None:
    forbidden = polite_crawl.attachments(OBEYED)
    assert forbidden
    assert [u for u in polite_crawl.requested(OBEYED) if urlsplit(u).path.startswith(DISALLOWED)] == []
    assert polite_crawl.result.stats["robotstxt/forbidden"] == len(forbidden)
    refused = {line["url"] for line in polite_crawl.lines if line["type"] == "failure" and line["kind"] == "robots"}
    assert refused == forbidden


def test_the_rest_of_an_obeyed_portal_is_crawled(polite_crawl: Polite) -> None:
    owner = {a["name"]: a["portal"] for a in polite_crawl.truth["agencies"]}
    pages = {r["url"] for r in polite_crawl.truth["reports"] if owner[r["agency"]] == polite_crawl.portal(OBEYED)}
    assert polite_crawl.fetched(OBEYED, "page") == pages


def test_a_portal_registered_with_robots_false_is_crawled_anyway(polite_crawl: Polite) -> None:
    files = polite_crawl.attachments(IGNORED)
    assert files
    assert files <= set(polite_crawl.requested(IGNORED))
    assert polite_crawl.fetched(IGNORED, "attachment") == files
    assert [u for u in polite_crawl.requested(IGNORED) if urlsplit(u).path == "/robots.txt"] == []


def test_never_more_than_two_requests_in_flight_per_host(polite_crawl: Polite) -> None:
    most = polite_crawl.result.stats["probe/most_in_flight"]
    assert max(most.values()) <= polite.CONCURRENT_REQUESTS_PER_DOMAIN
    # the slow portal keeps requests waiting: it does reach the limit (so the probe does see overlaps)
    assert most[polite_crawl.hosts[IGNORED]] == polite.CONCURRENT_REQUESTS_PER_DOMAIN


def test_autothrottle_slows_down_for_a_slow_portal(polite_crawl: Polite) -> None:
    delays = polite_crawl.result.stats["probe/delays"]
    slow, fast = delays[polite_crawl.slots[IGNORED]], delays[polite_crawl.slots[OBEYED]]
    # every response at least `latency` late: the delay after it is at least latency / target concurrency
    floor = polite_crawl.latency / polite.AUTOTHROTTLE_TARGET_CONCURRENCY
    assert min(slow) >= floor > max(START_DELAY, 1 / RATE_LIMIT)
    assert min(fast) < floor  # the quick portal is not held back by the slow one
