"""The crawler against the simulated portals: every archetype, recall, decoys, what is stored.

One crawl of a world with every CMS archetype (the browser archetype through real Chromium) is
stored in a fresh SQLite archive; the tests compare what was fetched and stored with the
simulator's ground truth. (Faults: test_crawler_faults.py; the two crawl in parallel workers.)
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.run import crawl
from sim.score import score_archive
from sim.testing import running_sim

AS_OF = dt.date(2026, 6, 1)
# fast and polite to loopback only; page images are kept, not OCR'd (tests/test_extract_ocr.py covers OCR)
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_TIMEOUT": 15, "RETRY_TIMES": 2, "XXGK_OCR": False,
        "XXGK_RETRY_BACKOFF": 0.05}


class Crawled:
    def __init__(self, truth: dict[str, Any], ledger: Path, db: Path, stats: dict[str, dict[str, int]],
                 registry: Path) -> None:
        self.truth = truth
        self.registry = registry
        self.items = [json.loads(line) for line in ledger.read_text(encoding="utf-8").splitlines()]
        self.documents = {i["url"]: i for i in self.items if i["type"] == "document"}
        self.failures = [i for i in self.items if i["type"] == "failure"]
        self.db = db
        self.stats = stats

    def reports(self) -> dict[str, tuple[str, int, str | None]]:
        """Stored reports: url → (agency, year, published)."""
        with sqlite3.connect(self.db) as conn:
            rows = conn.execute(
                "SELECT r.url, a.name, r.year, r.published FROM report r JOIN agency a ON a.id = r.agency_id"
            ).fetchall()
        return {url: (agency, year, published) for url, agency, year, published in rows}


def run(tmp: Path, **sim_args: Any) -> Iterator[Crawled]:
    with running_sim(seed=1, as_of=AS_OF, rate_limit=50, **sim_args) as sim:
        db, ledger = tmp / "xxgk.sqlite3", tmp / "ledger.jsonl"
        result = crawl(
            str(sim.registry_path), as_of=AS_OF.isoformat(), db=f"sqlite:///{db}", ledger=str(ledger),
            settings=FAST, timeout=900, log=(tmp / "crawl.log").open("w"),
        )
        yield Crawled(sim.truth, ledger, db, result.portal_stats, sim.registry_path)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    yield from run(tmp_path_factory.mktemp("crawl"), portals=8)


def portals_of(truth: dict[str, Any]) -> dict[str, str]:
    return {a["name"]: a["portal"] for a in truth["agencies"]}


ARCHETYPES = ["trs", "hanweb", "gkmlpt", "jpaas", "beijing", "jsonly", "county"]


def _reached(world: Crawled, report: dict[str, Any]) -> bool:
    return report["url"] in world.documents or (report.get("attachment") or "") in world.documents


@pytest.mark.parametrize("archetype", ARCHETYPES)
def test_recall_every_report_of_the_archetype(world: Crawled, archetype: str) -> None:
    owner = portals_of(world.truth)
    mine = [r for r in world.truth["reports"] if owner[r["agency"]].endswith(f"-{archetype}")]
    assert mine, f"the world has no {archetype} reports"
    missed = [r["url"] for r in mine if not _reached(world, r)]
    assert missed == []


def test_no_decoy_is_fetched_or_stored(world: Crawled) -> None:
    decoys = {d["url"] for d in world.truth["decoys"]}
    assert decoys
    assert decoys & set(world.documents) == set()
    assert decoys & set(world.reports()) == set()


def _stored_for(world: Crawled, report: dict[str, Any]) -> tuple[str, int, str | None] | None:
    stored = world.reports()
    return stored.get(report["url"]) or stored.get(report.get("attachment") or "")


def test_every_report_is_stored_under_its_registered_agency_and_stated_year(world: Crawled) -> None:
    # page images too (stored unread: OCR is off), misread and former names, bodies naming another year
    with sqlite3.connect(world.db) as conn:
        agencies = [name for (name,) in conn.execute("SELECT name FROM agency")]
    stored = {url: (agency, year) for url, (agency, year, _) in world.reports().items()}
    score = score_archive(world.truth, stored, agencies)
    assert (score.stored, score.misfiled, score.extra, score.new_agencies) == (score.expected, [], [], [])


def test_page_images_are_published_and_unread(world: Crawled) -> None:
    images = [r for r in world.truth["reports"] if r["medium"] == "image"]
    assert images
    with sqlite3.connect(world.db) as conn:
        readings = dict(conn.execute("SELECT url, reading FROM report").fetchall())
    # one tall image is the report; a page of one image per printed page is (its images are no reports)
    assert {readings.get(r["url"] if r["pages"] else r["attachment"]) for r in images} == {"unread"}
    paged = [r for r in images if r["pages"]]
    assert paged
    assert {u for r in paged for u in r["pages"]} <= set(world.documents) - set(readings)


def test_stored_publication_date(world: Crawled) -> None:
    wrong = [
        (r["url"], r["published"], s[2]) for r in world.truth["reports"]
        if (s := _stored_for(world, r)) and s[2] != r["published"]
    ]
    assert wrong == []


def test_browser_archetype_went_through_chromium(world: Crawled) -> None:
    jsonly = next(p for p in world.stats if p.endswith("-jsonly"))
    assert world.stats[jsonly].get("report_pages", 0) > 0


def test_a_world_of_portals_asks_for_nothing_the_offsite_policy_refuses(world: Crawled) -> None:
    refused = {p: k for p, s in world.stats.items() for k in s if k in ("failed:offsite", "failed:private_address")}
    assert refused == {}
