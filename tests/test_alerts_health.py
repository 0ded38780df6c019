"""Fetch and spider health from the crawl runs: N failures in a row before anyone is told, and two audiences."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from alerts import health
from alerts.health import HealthRules, PortalRun, health_facts
from store.db import Archive
from store.models import CrawlRun

T = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
OK = {"list_pages": 5, "report_links": 4}
DOWN = {"list_requests": 3, "failed:timeout": 3}
CHALLENGED = {"list_requests": 3, "failed:challenge_412": 3}
EMPTY = {"list_pages": 5, "report_links": 0}
RULES = HealthRules(threshold=3, names={"p1": ("某市人民政府门户网站", "http://p1.example.cn/")})


def runs(*stats: dict[str, int]) -> dict[str, list[PortalRun]]:
    return {"p1": [PortalRun(i + 1, T, dt.date(2026, 2, 1) + dt.timedelta(days=i), s) for i, s in enumerate(stats)]}


def keys(*stats: dict[str, int]) -> list[str]:
    return [f.key for f in health_facts(runs(*stats), RULES)]


def test_one_or_two_failed_crawls_are_a_blip() -> None:
    assert keys(OK, DOWN) == []
    assert keys(OK, DOWN, DOWN) == []
    assert keys(DOWN, DOWN, OK) == []


def test_the_third_failed_crawl_in_a_row_tells_the_operator_from_when_it_began() -> None:
    [fact] = health_facts(runs(OK, DOWN, DOWN, DOWN), RULES)
    assert fact.key == "portal_unreachable:p1:run2"
    assert fact.payload == {
        "portal": "p1", "portal_name": "某市人民政府门户网站", "url": "http://p1.example.cn/", "run": 2, "n": 3,
        "since": "2026-02-02", "kinds": ["timeout"],
    }
    # the same outage keeps its key while it lasts, a new one gets a new key
    assert keys(OK, DOWN, DOWN, DOWN, DOWN) == ["portal_unreachable:p1:run2"]
    assert keys(OK, DOWN, DOWN, DOWN, OK, DOWN, DOWN, DOWN) == ["portal_unreachable:p1:run6"]


def test_a_challenge_page_where_there_was_none_is_the_maintainers_business_too() -> None:
    assert sorted(keys(OK, CHALLENGED, CHALLENGED, CHALLENGED)) == [
        "portal_unreachable:p1:run2", "spider_challenge:p1:run2"]
    # a portal that always showed a challenge is unreachable, not a spider that broke
    assert keys(CHALLENGED, CHALLENGED, CHALLENGED) == ["portal_unreachable:p1:run1"]


def test_a_portal_that_answers_but_yields_no_more_reports_means_the_spider_broke() -> None:
    [fact] = health_facts(runs(OK, EMPTY, EMPTY, EMPTY), RULES)
    assert (fact.kind, fact.key, fact.payload["before"]) == ("spider_no_reports", "spider_no_reports:p1:run2", 4)
    assert keys(EMPTY, EMPTY, EMPTY) == []  # never found any: a new portal, nothing broke


def test_crawl_processes_that_die_are_ours_not_the_portals() -> None:
    crashed = {"crawl_failed": 1}
    assert keys(OK, crashed, crashed, crashed) == ["crawl_failed:p1:run2"]


def test_the_latest_crawl_decides_whether_we_could_look() -> None:
    history = {"a": runs(OK)["p1"], "b": runs(OK, DOWN)["p1"]}
    assert health.unreachable_portals(history, ["a", "b", "never-crawled"]) == {"b", "never-crawled"}


def test_a_crawl_whose_process_died_did_not_look() -> None:
    """Its agencies' statuses rest on the crawl evidence (unfinished: `unconfirmed`), not on `unreachable`."""
    crashed = {"list_pages": 0, "crawl_failed": 1}
    history = {"a": runs(OK, crashed)["p1"], "b": runs(DOWN, crashed)["p1"], "c": runs(crashed)["p1"]}
    assert health.unreachable_portals(history, ["a", "b", "c"]) == {"b", "c"}


def test_a_crawl_stopped_before_it_reached_a_portal_is_no_evidence_about_it(archive: Archive) -> None:
    finished = dt.datetime(2026, 2, 2, tzinfo=dt.UTC)
    with archive.write() as session:  # stopped: p1 read, p2 never reached (as crawler.archive.finish_run writes it)
        session.add(CrawlRun(portals=["p1", "p2"], finished_at=finished, errors={},
                             counts={"p1:list_pages": 2, "p1:unfinished": 1, "p2:list_pages": 0, "p2:unfinished": 1}))
    with archive.read() as session:
        history = health.history(session)
    assert list(history) == ["p1"]
    assert [r.outcome for r in history["p1"]] == ["ok"]


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(f"sqlite:///{tmp_path / 'health.sqlite3'}") as opened:
        yield opened


def test_crawl_statistics_are_recorded_on_the_run_and_read_back(archive: Archive) -> None:
    before = health.last_run_id(archive)
    with archive.write() as session:  # the run the crawl child writes
        session.add(CrawlRun(portals=["p2", "p1"], counts={"pages": 4}, errors={"p2:timeout": 3}))
    run_id = health.record_crawl(archive, ["p1", "p2"], before, dt.date(2026, 2, 2), {"p1": OK, "p2": DOWN})
    with archive.read() as session:
        run = session.scalars(select(CrawlRun)).one()
        history = health.history(session)
    assert run.id == run_id
    assert run.counts["pages"] == 4
    assert run.counts["p1:list_pages"] == 5
    assert [(r.outcome, r.as_of) for r in history["p1"]] == [("ok", dt.date(2026, 2, 2))]
    assert [r.outcome for r in history["p2"]] == ["unreachable"]


def test_a_crawl_that_died_before_writing_its_run_still_counts(archive: Archive) -> None:
    health.record_crawl(archive, ["p1"], health.last_run_id(archive), dt.date(2026, 2, 2), None,
                        error="the crawl did not finish within 60 s and was stopped")
    with archive.read() as session:
        [run] = session.scalars(select(CrawlRun)).all()
        history = health.history(session)
    assert run.errors == {"p1:crawl_failed": 1}
    assert [r.outcome for r in history["p1"]] == ["crashed"]


def test_a_crawl_by_hand_says_only_which_portals_answered_without_failure(archive: Archive) -> None:
    finished = dt.datetime(2026, 2, 2, tzinfo=dt.UTC)
    with archive.write() as session:
        session.add(CrawlRun(portals=["p1"], counts={"pages": 2}, errors={}))  # still running, or died
        session.add(CrawlRun(portals=["p1", "p2"], counts={"pages": 2}, errors={"p2:timeout": 1},
                             finished_at=finished))
    with archive.read() as session:
        history = health.history(session)
    assert list(history) == ["p1"]
    [run] = history["p1"]
    assert (run.detailed, run.outcome) == (False, "ok")
    # it breaks an outage's streak (the portal answered), but says nothing about the spider
    assert keys(OK, DOWN, DOWN, DOWN) == ["portal_unreachable:p1:run2"]
    assert health_facts({"p1": [*runs(OK, EMPTY, EMPTY)["p1"], run]}, RULES) == []
