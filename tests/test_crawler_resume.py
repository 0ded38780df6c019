"""A crawl stopped part way and resumed from its job directory (its journal, crawler.journal).

Three crawls of the same two simulated portals (a TRS and a Hanweb one): the first, storing into
an archive, is stopped with SIGTERM once its ledger holds a few documents; the second resumes it
from the job directory into the same archive; the third is a full crawl to compare with. What each
run really requested comes from a probe next to the downloader (tests/crawl_probe.py).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from crawl_probe import PROBE
from test_crawler_sim import FAST

from crawler.jobdir import resumable
from crawler.run import CrawlError, CrawlResult, crawl
from sim.testing import running_sim

AS_OF = dt.date(2026, 6, 1)
STOP_AFTER = 5  # documents in the first run's ledger before it is stopped
# the first run: SIGTERM lets the requests already in the downloader finish (up to CONCURRENT_REQUESTS);
# two at a time, a little apart, it stops well before its end
SLOW = {"DOWNLOAD_DELAY": 0.1, "CONCURRENT_REQUESTS": 2}
CRAWLING = {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS": 2}  # one request a second per portal: still going at 10 s


@dataclass
class Run:
    result: CrawlResult
    lines: list[dict[str, Any]]

    @property
    def documents(self) -> list[str]:
        return [line["url"] for line in self.lines if line["type"] == "document"]

    @property
    def requested(self) -> list[str]:
        urls: list[str] = self.result.stats["probe/urls"]
        return urls

    @property
    def requests(self) -> int:
        count: int = self.result.stats["downloader/request_count"]
        return count


@dataclass
class Crawls:
    truth: dict[str, Any]
    first: Run
    resumed: Run
    full: Run
    job: Path
    db: Path
    journal: list[dict[str, Any]]  # as the first run left it


def _crawl(registry: Path, ledger: Path, settings: dict[str, Any] | None = None, **options: Any) -> Run:
    result = crawl(str(registry), as_of=AS_OF.isoformat(), ledger=str(ledger),
                   settings={**FAST, **PROBE, **(settings or {})}, timeout=600,
                   log=ledger.with_suffix(".log").open("w"), **options)
    return Run(result, [json.loads(line) for line in ledger.read_text(encoding="utf-8").splitlines()])


def _stop_after(ledger: Path, documents: int, stop: threading.Event) -> None:
    while not stop.wait(0.05):
        if ledger.exists() and ledger.read_text(encoding="utf-8").count('"type": "document"') >= documents:
            stop.set()


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawls]:
    tmp = tmp_path_factory.mktemp("resume")
    job, db = tmp / "job", tmp / "xxgk.sqlite3"
    with running_sim(seed=1, portals=2, as_of=AS_OF, rate_limit=50) as sim, pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYTHONPATH", str(Path(__file__).parent))  # the probe, in the crawl's own process
        stop = threading.Event()
        watcher = threading.Thread(target=_stop_after, args=(tmp / "first.jsonl", STOP_AFTER, stop))
        watcher.start()
        try:
            first = _crawl(sim.registry_path, tmp / "first.jsonl", SLOW, jobdir=str(job), db=f"sqlite:///{db}",
                           stop=stop)
        finally:
            stop.set()
            watcher.join()
        left = sorted(p.name for p in job.iterdir())
        assert left == ["journal.jsonl", "xxgk-crawl.json", "xxgk-crawl.lock"]
        journal = [json.loads(line) for line in (job / "journal.jsonl").read_text(encoding="utf-8").splitlines()]
        resumed = _crawl(sim.registry_path, tmp / "resumed.jsonl", jobdir=str(job), db=f"sqlite:///{db}")
        full = _crawl(sim.registry_path, tmp / "full.jsonl")
        yield Crawls(sim.truth, first, resumed, full, job, db, journal)


def test_the_first_run_stopped_part_way_with_its_queue_in_the_journal(crawls: Crawls) -> None:
    stats = crawls.first.result.stats
    assert not crawls.first.result.finished
    assert stats["finish_reason"] == "shutdown"
    assert STOP_AFTER <= len(crawls.first.documents) < len(crawls.full.documents)
    done = {line["done"] for line in crawls.journal if "done" in line}
    pending = [line for line in crawls.journal if "req" in line and line["req"] not in done]
    assert pending
    assert all("r" in line for line in pending)  # every request (meta: Hint, dates) was pickled


def test_the_resumed_run_finished_and_cleared_the_job_directory(crawls: Crawls) -> None:
    assert crawls.resumed.result.finished
    assert [p.name for p in crawls.job.iterdir()] == ["xxgk-crawl.lock"]


def test_together_they_fetch_every_report_a_full_crawl_fetches(crawls: Crawls) -> None:
    fetched = {*crawls.first.documents, *crawls.resumed.documents}
    missed = [r["url"] for r in crawls.truth["reports"] if r["url"] not in fetched]
    assert missed == []
    assert fetched == set(crawls.full.documents)


def test_the_resumed_run_requests_nothing_the_first_run_did(crawls: Crawls) -> None:
    again = set(crawls.first.requested) & set(crawls.resumed.requested)
    assert {urlsplit(url).path for url in again} <= {"/robots.txt"}  # asked once per host and run
    assert set(crawls.first.documents) & set(crawls.resumed.documents) == set()


def test_request_counts_add_up_to_a_full_crawl(crawls: Crawls) -> None:
    robots_again = crawls.resumed.result.stats.get("robotstxt/request_count", 0)
    assert crawls.first.requests + crawls.resumed.requests - robots_again == crawls.full.requests


def test_the_counters_go_on_across_the_resume(crawls: Crawls) -> None:
    for portal, full in crawls.full.result.portal_stats.items():
        resumed = crawls.resumed.result.portal_stats[portal]
        for counter in ("list_pages", "report_links", "report_pages", "attachments", "decoys_rejected"):
            assert resumed.get(counter, 0) == full.get(counter, 0), (portal, counter)


def test_every_portal_is_done_once_across_the_two_runs(crawls: Crawls) -> None:
    done = Counter(line["portal"] for run in (crawls.first, crawls.resumed) for line in run.lines
                   if line["type"] == "portal_done")
    assert done == Counter(crawls.full.result.portal_stats.keys())
    assert not [line for line in crawls.resumed.lines if line.get("at_close")]
    resumed_crawl_line = crawls.resumed.lines[0]
    assert resumed_crawl_line["type"] == "crawl"
    assert set(resumed_crawl_line["done"]) == {line["portal"] for line in crawls.first.lines
                                               if line["type"] == "portal_done"}


def test_nothing_is_stored_twice(crawls: Crawls) -> None:
    with sqlite3.connect(crawls.db) as conn:
        twice = conn.execute("SELECT url FROM document GROUP BY url HAVING COUNT(*) > 1").fetchall()
        versions = conn.execute("SELECT report_id FROM report_version GROUP BY report_id HAVING COUNT(*) > 1").fetchall()
        runs = conn.execute("SELECT COUNT(*) FROM crawl_run").fetchone()[0]
        stored = {url for (url,) in conn.execute("SELECT url FROM report")}
    assert (twice, versions, runs) == ([], [], 2)
    readable = [r for r in crawls.truth["reports"] if r["medium"] != "image"]
    missing = [r["url"] for r in readable if r["url"] not in stored and (r.get("attachment") or "") not in stored]
    assert missing == []


def test_a_crawl_over_its_time_limit_stops_resumable_and_the_next_one_finishes_it(tmp_path: Path) -> None:
    """The scheduler's time limit: the crawl is stopped as Ctrl-C stops it (CrawlError), its job
    directory holds the rest, and the next crawl with it goes on to the end."""
    job, db = tmp_path / "job", tmp_path / "xxgk.sqlite3"
    with running_sim(seed=1, portals=2, as_of=AS_OF, rate_limit=50) as sim:
        with pytest.raises(CrawlError, match="抓取未在 10 秒内完成"):  # a full crawl takes 45 s here
            crawl(str(sim.registry_path), as_of=AS_OF.isoformat(), settings={**FAST, **CRAWLING}, timeout=10,
                  jobdir=str(job), db=f"sqlite:///{db}", log=(tmp_path / "first.log").open("w"))
        assert resumable(str(job))
        with sqlite3.connect(db) as con:
            stored_first = con.execute("select count(*) from document").fetchone()[0]
        rest = crawl(str(sim.registry_path), as_of=AS_OF.isoformat(), settings=FAST, jobdir=str(job),
                     db=f"sqlite:///{db}", log=(tmp_path / "rest.log").open("w"))
        full = crawl(str(sim.registry_path), as_of=AS_OF.isoformat(), settings=FAST,
                     log=(tmp_path / "full.log").open("w"))
    assert rest.finished
    assert not resumable(str(job))
    with sqlite3.connect(db) as con:
        stored = con.execute("select count(*) from document").fetchone()[0]
    assert stored_first < stored == full.stats["item_scraped_count"]
