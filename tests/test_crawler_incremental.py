"""Incremental crawls: a re-crawl downloads only list pages, and a report file replaced in place is fetched again.

Three crawls of four simulated portals (TRS, Hanweb, gkmlpt, jpaas) into one archive: the first the
day before the PDF or Word file of one of their reports is replaced by a revised one at the same URL,
the second the same day (nothing has changed), the third the day after. Every report page and file
the archive knows is asked for with its ETag, so an unchanged one answers 304 with no body, and a
changed one answers 200 and becomes the report's next version. The page that links the revised file
does not change, so the file must be asked after on its own: the quiet edit the monitor must see.
What went over the wire comes from a probe beside the downloader (tests/crawl_probe.py).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from crawl_probe import PROBE
from test_crawler_sim import FAST

from crawler.run import CrawlResult, crawl
from sim.running import SimHandle
from sim.testing import running_sim
from sim.world import Report, generate

SEED, PORTALS = 1, 4


@dataclass
class Run:
    result: CrawlResult
    documents: list[str]  # what the ledger shows handed downstream
    archive: tuple[int, int, int]  # documents, reports and report versions stored after the crawl

    @property
    def answers(self) -> list[tuple[str, int, bool]]:
        return [(url, status, conditional) for url, status, conditional in self.result.stats["probe/answers"]]


@dataclass
class Crawls:
    revised_url: str
    first: Run
    again: Run
    after: Run


def _revision() -> Report:
    """The first report published as a file and revised later, not on 1 January (the day before is
    then in the same year, so both crawls want the same report years)."""
    reports = (r for p in generate(seed=SEED, portals=PORTALS).portals for r in p.reports)
    revised = [r for r in reports if r.medium in ("pdf", "docx") and r.revised and r.revised.timetuple().tm_yday > 1]
    return min(revised, key=lambda r: r.revised or r.published)


def _crawl(sim: SimHandle, tmp: Path, name: str, day: dt.date) -> Run:
    sim.set_as_of(day)
    db, ledger = tmp / "xxgk.sqlite3", tmp / f"{name}.jsonl"
    result = crawl(str(sim.registry_path), as_of=day.isoformat(), db=f"sqlite:///{db}", ledger=str(ledger),
                   settings={**FAST, **PROBE}, timeout=600, log=ledger.with_suffix(".log").open("w"))
    lines = [json.loads(line) for line in ledger.read_text(encoding="utf-8").splitlines()]
    with sqlite3.connect(db) as conn:
        counts = tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                       for t in ("document", "report", "report_version"))
    return Run(result, [x["url"] for x in lines if x["type"] == "document"], counts)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawls]:
    tmp = tmp_path_factory.mktemp("incremental")
    revised = _revision()
    assert revised.revised is not None
    day = revised.revised.date()
    with running_sim(seed=SEED, portals=PORTALS, as_of=day, rate_limit=50) as sim, pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYTHONPATH", str(Path(__file__).parent))  # the probe, in the crawl's own process
        url = next(r["attachment"] for r in sim.truth["reports"]
                   if (r["agency"], r["year"]) == (revised.agency.name, revised.year))
        first = _crawl(sim, tmp, "first", day - dt.timedelta(days=1))
        again = _crawl(sim, tmp, "again", day - dt.timedelta(days=1))
        after = _crawl(sim, tmp, "after", day + dt.timedelta(days=1))
        yield Crawls(url, first, again, after)


def test_the_first_crawl_stores_reports(crawls: Crawls) -> None:
    documents, reports, versions = crawls.first.archive
    assert len(crawls.first.documents) == documents > 0
    assert 0 < reports == versions <= documents
    assert crawls.revised_url in crawls.first.documents


def test_a_recrawl_asks_for_every_known_document_conditionally(crawls: Crawls) -> None:
    conditional = {url for url, _status, asked in crawls.again.answers if asked}
    assert conditional == set(crawls.first.documents)


def test_a_recrawl_of_unchanged_portals_downloads_only_list_pages(crawls: Crawls) -> None:
    known = set(crawls.first.documents)
    bodies = [url for url, status, _asked in crawls.again.answers if status == 200]
    assert not known & set(bodies)  # every 200 is a list page, an API answer or robots.txt
    statuses = Counter(status for url, status, _asked in crawls.again.answers if url in known)
    assert statuses == {304: len(known)}
    assert crawls.again.documents == []  # nothing handed downstream
    assert crawls.again.result.stats["downloader/request_count"] == crawls.first.result.stats["downloader/request_count"]


def test_a_recrawl_of_unchanged_portals_stores_nothing_new(crawls: Crawls) -> None:
    assert crawls.again.archive == crawls.first.archive
    not_modified = sum(s.get("not_modified", 0) for s in crawls.again.result.portal_stats.values())
    assert not_modified == len(crawls.first.documents)


def test_a_report_revised_in_place_is_fetched_again(crawls: Crawls) -> None:
    answers = {url: (status, asked) for url, status, asked in crawls.after.answers}
    assert answers[crawls.revised_url] == (200, True)
    assert crawls.revised_url in crawls.after.documents


def test_its_revision_is_the_reports_next_version(crawls: Crawls) -> None:
    documents, reports, versions = crawls.after.archive
    first_documents, first_reports, first_versions = crawls.first.archive
    new = len(crawls.after.documents) - 1  # reports published meanwhile, beside the revision
    assert reports - first_reports <= new
    assert versions == first_versions + (reports - first_reports) + 1
    assert documents == first_documents + len(crawls.after.documents)


def test_every_other_known_document_answers_not_modified(crawls: Crawls) -> None:
    known = set(crawls.first.documents) - {crawls.revised_url}
    statuses = {status for url, status, _asked in crawls.after.answers if url in known}
    assert statuses == {304}
