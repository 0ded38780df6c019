"""The crawler against simulated portals with every fault: each classified, the crawl always ends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_crawler_sim import Crawled, run

from sim.world import FAULT_KINDS


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    plan = dict(enumerate(FAULT_KINDS))
    yield from run(tmp_path_factory.mktemp("faults"), portals=len(plan), fault_plan=plan)



EXPECTED_FAILURE = {
    "timeout": "timeout",
    "challenge_412": "challenge_412",
    "oversized": "oversized",
    "truncated_files": "truncated",
    "short_length": "truncated",
}
RECOVERED = ("latency", "http_5xx", "cookie_loop", "truncated", "gbk_nocharset", "gzip_no_header", "soft_404",
             "cut_table")


@pytest.mark.parametrize("kind", sorted(EXPECTED_FAILURE))
def test_fault_is_classified(faulty: Crawled, kind: str) -> None:
    portal = next(f["portal"] for f in faulty.truth["faults"] if f["kind"] == kind)
    kinds = {f["kind"] for f in faulty.failures if f["portal"] == portal}
    assert kinds == {EXPECTED_FAILURE[kind]}


@pytest.mark.parametrize("kind", RECOVERED)
def test_fault_that_a_polite_client_gets_past(faulty: Crawled, kind: str) -> None:
    portal = next(f["portal"] for f in faulty.truth["faults"] if f["kind"] == kind)
    assert faulty.stats[portal].get("report_pages", 0) > 0
    assert not [f for f in faulty.failures if f["portal"] == portal and f["list_page"]]


def test_challenge_pages_are_never_stored(faulty: Crawled) -> None:
    portal = next(f["portal"] for f in faulty.truth["faults"] if f["kind"] == "challenge_412")
    assert not [d for d in faulty.documents.values() if d["portal"] == portal]
