"""`missing` needs evidence of absence: an agency-year is `unconfirmed` while its portal's last crawl could not
read something that may hold its report, with that crawl and those faults in the row; `missing` after a
crawl that read everything. On both backends, through the crawl's own way of recording its runs."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from alerts.rules import Scope, compliance_facts
from crawler.archive import finish_run
from crawler.items import FetchFailure
from store.agencies import upsert_agency, upsert_portal
from store.db import Archive
from store.evidence import covered
from store.models import CrawlRun
from store.status import compliance

pytest_plugins = ["store_fixtures"]

AS_OF = dt.date(2026, 6, 1)
GOV, CIVIL, EDU = "甲县人民政府", "甲县民政局", "甲县教育局"
BASE = "http://127.0.1.1:8000/"


@pytest.fixture
def portal(archive: Archive) -> Archive:
    with archive.write() as session:
        upsert_portal(session, "p1", name="甲县人民政府网", base_url=BASE)
        upsert_agency(session, GOV, level="county", region="431000", portal="p1")
        for name in (CIVIL, EDU):
            upsert_agency(session, name, level="department", region="431000", portal="p1")
    return archive


def crawled(archive: Archive, *failures: FetchFailure, unfinished: tuple[str, ...] = ()) -> int:
    """One crawl of the portal, closed as the crawler closes it, with these failures."""
    with archive.write() as session:
        run = CrawlRun(portals=["p1"])
        session.add(run)
        session.flush()
        covered(session, run.id, ["p1"])
        run_id = run.id
    finish_run(archive, run_id, {}, {}, {"p1": {"list_pages": 3}}, failures=failures, unfinished=unfinished)
    return run_id


def statuses(archive: Archive) -> dict[tuple[str, int], str]:
    with archive.read() as session:
        return {(r.agency, r.year): r.status for r in compliance(session, AS_OF, first_year=2022)}


def cut_pdf(agency: str | None, year: int | None, *, copy: bool = False) -> FetchFailure:
    return FetchFailure("p1", f"{BASE}P0{year}.pdf", "truncated", "pdf_trailer", list_page=False, agency=agency,
                        year=year, copy=copy)


def test_a_crawl_that_read_everything_is_evidence_of_absence(portal: Archive) -> None:
    run = crawled(portal)
    assert set(statuses(portal).values()) == {"missing"}
    with portal.read() as session:
        row = compliance(session, AS_OF, first_year=2025)[0]
    assert row.to_dict()["evidence"] == {"crawl_run": run, "complete": True, "faults": []}


def test_without_any_crawl_a_status_rests_on_the_archive_alone(portal: Archive) -> None:
    with portal.read() as session:
        rows = compliance(session, AS_OF, first_year=2025)
    assert {(r.status, r.evidence) for r in rows} == {("missing", None)}


def test_a_file_cut_short_leaves_its_agency_and_the_years_beside_its_title_unconfirmed(portal: Archive) -> None:
    run = crawled(portal, cut_pdf(CIVIL, 2024))
    status = statuses(portal)
    assert {y for (a, y), s in status.items() if s == "unconfirmed"} == {2023, 2024, 2025}
    assert {a for (a, _), s in status.items() if s == "unconfirmed"} == {CIVIL}
    assert status[CIVIL, 2022] == "missing"
    with portal.read() as session:
        row = next(r for r in compliance(session, AS_OF, first_year=2022) if (r.agency, r.year) == (CIVIL, 2025))
    assert row.to_dict()["evidence"] == {"crawl_run": run, "complete": False, "faults": [
        {"url": f"{BASE}P02024.pdf", "kind": "truncated", "detail": "pdf_trailer", "year": 2024}]}
    assert row.days_late is not None  # past its deadline, like a missing one


def test_a_list_page_that_failed_may_hide_any_agencys_report(portal: Archive) -> None:
    crawled(portal, FetchFailure("p1", f"{BASE}nb/index_1.html", "timeout", "took too long"))
    assert set(statuses(portal).values()) == {"unconfirmed"}


@pytest.mark.parametrize(("failure", "hidden"), [
    (cut_pdf(None, 2024), {GOV, CIVIL, EDU}),  # a title naming no agency of the portal
    (cut_pdf("乙县民政局", 2024), {GOV, CIVIL, EDU}),
    (cut_pdf(CIVIL, None), {CIVIL}),
    (cut_pdf(CIVIL, 2024, copy=True), set()),  # its page carried the report: nothing is hidden
])
def test_whose_reports_a_fault_may_hide(portal: Archive, failure: FetchFailure, hidden: set[str]) -> None:
    crawled(portal, failure)
    assert {a for (a, y), s in statuses(portal).items() if s == "unconfirmed" and y == 2024} == hidden


def test_a_crawl_that_did_not_run_to_its_end_confirms_nothing(portal: Archive) -> None:
    run_id = crawled(portal, unfinished=("p1",))
    assert set(statuses(portal).values()) == {"unconfirmed"}
    with portal.read() as session:
        row = compliance(session, AS_OF, first_year=2025)[0]
        run = session.get(CrawlRun, run_id)
        assert run is not None
        assert run.counts["p1:unfinished"] == 1  # its statistics say so too (alerts.health reads them)
    assert [(f["kind"], f["url"]) for f in row.to_dict()["evidence"]["faults"]] == [("unfinished", BASE)]


def test_missing_only_after_a_later_complete_crawl(portal: Archive) -> None:
    crawled(portal, cut_pdf(CIVIL, 2025))
    assert statuses(portal)[CIVIL, 2025] == "unconfirmed"
    crawled(portal, cut_pdf(CIVIL, 2025), FetchFailure("p1", BASE, "http_5xx", "HTTP 503"))
    assert statuses(portal)[CIVIL, 2025] == "unconfirmed"
    crawled(portal)
    assert statuses(portal)[CIVIL, 2025] == "missing"


def test_no_missing_report_alert_for_an_unconfirmed_agency_year(portal: Archive) -> None:
    crawled(portal, cut_pdf(CIVIL, 2025))
    links = {GOV: BASE, CIVIL: BASE, EDU: BASE}
    with portal.read() as session:
        facts = compliance_facts(session, AS_OF, Scope(links, first_year=2025))
    assert sorted(f.key for f in facts) == sorted([f"missing_report:{EDU}:2025", f"missing_report:{GOV}:2025"])


def test_status_query_and_show_carry_the_evidence(portal: Archive, xxgk) -> None:
    run = crawled(portal, cut_pdf(CIVIL, 2025))
    rows = json.loads(xxgk("status", "--json", "--as-of", AS_OF.isoformat(), "--year", "2025").out)
    civil = next(r for r in rows if r["agency"] == CIVIL)
    assert (civil["status"], civil["evidence"]["crawl_run"]) == ("unconfirmed", run)
    assert [f["url"] for f in civil["evidence"]["faults"]] == [f"{BASE}P02025.pdf"]
    queried = json.loads(xxgk("query", "--status", "unconfirmed", "--format", "json", "--as-of", "2026-06-01").out)
    assert [(r["agency"], r["year"]) for r in queried] == [(CIVIL, 2025)]

    shown = xxgk("show", CIVIL, "2025", "--json", "--as-of", AS_OF.isoformat())
    assert shown.code == 0
    assert json.loads(shown.out)["evidence"]["faults"][0]["detail"] == "pdf_trailer"
    text = xxgk("show", CIVIL, "2025", "--as-of", AS_OF.isoformat()).out
    assert "抓取不完整" in text
    assert f"第{run}次抓取不完整" in text
    assert f"内容不完整：PDF 缺少结尾（%%EOF/xref） {BASE}P02025.pdf" in text
    assert f"第{run}次抓取完整" in xxgk("show", EDU, "2025", "--as-of", AS_OF.isoformat()).out
    assert xxgk("show", "丙县", "2025").code == 2
