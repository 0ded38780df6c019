"""The SQL matrix (store/matrix.py) says what store.status.compliance says, on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select

from crawler.archive import finish_run
from crawler.items import FetchFailure
from sim.archive import fill
from store.agencies import upsert_agency, upsert_portal
from store.db import Archive
from store.evidence import covered
from store.matrix import MatrixQuery, all_cells, page
from store.models import Agency, CrawlRun, Report
from store.status import Filters, compliance

pytest_plugins = ["store_fixtures"]

AS_OF = dt.date(2026, 2, 10)  # between the two legal deadlines: some rows not due yet
KEYS = ("agency", "level", "region", "year", "status", "deadline", "published", "days_late", "errors", "warnings",
        "inconsistent", "changed", "versions", "report_id", "url", "title", "reading", "reading_note")


@pytest.fixture
def filled(archive: Archive) -> Archive:
    fill(archive, 60, range(2019, 2026), seed=3)
    with archive.write_rows() as conn:
        # an agency known only from the registry, a second copy of one year's report published later,
        # one without any date, and an agency whose history starts late
        conn.execute(insert(Agency), [{"name": "只在登记表中的局", "level": "department", "region": "430101",
                                       "supervisors": [], "created_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}])
        first = conn.execute(select(Report).order_by(Report.id).limit(1)).one()
        conn.execute(insert(Report), [
            {**{c: getattr(first, c) for c in ("agency_id", "year", "first_seen_at", "last_seen_at")},
             "url": "http://sim.invalid/copy.html", "published": dt.date(2099, 1, 1), "current_version": 1,
             "errors": 9, "inconsistencies": 9, "warnings": 0},
            {**{c: getattr(first, c) for c in ("agency_id", "first_seen_at", "last_seen_at")}, "year": 2015,
             "url": "http://sim.invalid/undated.html", "published": None, "current_version": 1, "errors": 0,
             "inconsistencies": 0, "warnings": 0},
        ])
    return archive


CASES = {
    "everything": (Filters(), (), None),
    "one year": (Filters(year=2025), (), None),
    "a region and a level": (Filters(region="4301", level="department"), (), None),
    "a name": (Filters(agency="第1"), (), None),
    "registry years and unreachable portals": (Filters(), (1, 2, 3), 2021),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_sql_matrix_equals_compliance(filled: Archive, case: str) -> None:
    filters, unreachable, first_year = CASES[case]
    with filled.read() as session:
        expected = [{k: r.to_dict()[k] for k in KEYS}
                    for r in compliance(session, AS_OF, filters, unreachable=unreachable, first_year=first_year)]
        query = MatrixQuery(AS_OF, filters, unreachable=frozenset(unreachable), first_year=first_year)
        got = [c.to_dict(AS_OF) for c in all_cells(session, query)]
    assert got == expected
    assert got
    if case == "everything":
        assert {r["status"] for r in got} == {"on_time", "late", "missing", "not_due"}


def test_counts_pages_and_scope(filled: Archive) -> None:
    with filled.read() as session:
        everything = all_cells(session, MatrixQuery(AS_OF))
        full = page(session, MatrixQuery(AS_OF), 1, 1000)
        assert sum(v for k, v in full.counts.items() if k not in {"inconsistent", "changed"}) == len(everything)
        assert full.counts["inconsistent"] == sum(c.inconsistent for c in everything)
        assert full.total_agencies == 61
        first, second = (page(session, MatrixQuery(AS_OF), n, 25) for n in (1, 2))
        assert [r.id for r in first.rows + second.rows] == [r.id for r in full.rows][:50]
        late = page(session, MatrixQuery(AS_OF, status="late"), 1, 1000)
        assert late.total_agencies == len({c.agency_id for c in everything if c.status == "late"})
        assert late.counts == full.counts  # the counts describe the filters, not the status asked
        county = page(session, MatrixQuery(AS_OF, scope=("4301",)), 1, 1000)
        assert county.rows
        assert all(r.region and r.region.startswith("4301") for r in county.rows)
        assert page(session, MatrixQuery(AS_OF, scope=()), 1, 10).rows == []


def test_the_sql_matrix_reads_the_crawls_evidence_as_compliance_does(filled: Archive) -> None:
    """A crawl that could not read a file or a list page leaves the absent years it may hide `unconfirmed`."""
    with filled.read() as session:
        missing = [(r.agency, r.year) for r in compliance(session, AS_OF) if r.status == "missing"]
    (first, year), second = missing[0], next(a for a, _ in missing if a != missing[0][0])
    with filled.write() as session:
        upsert_portal(session, "p1", name="门户", base_url="http://p1.invalid/")
        for name in (first, second):
            upsert_agency(session, name, portal="p1")
        run = CrawlRun(portals=["p1"])
        session.add(run)
        session.flush()
        covered(session, run.id, ["p1"])
        run_id = run.id
    finish_run(filled, run_id, {}, {}, {}, failures=[
        FetchFailure("p1", "http://p1.invalid/P0.pdf", "truncated", "pdf_trailer", list_page=False, agency=first,
                     year=year),
        FetchFailure("p1", "http://p1.invalid/nb/", "timeout", "", agency=second),
    ])
    with filled.read() as session:
        expected = [{k: r.to_dict()[k] for k in KEYS} for r in compliance(session, AS_OF)]
        got = [c.to_dict(AS_OF) for c in all_cells(session, MatrixQuery(AS_OF))]
    assert got == expected
    assert {(r["agency"], r["year"]) for r in got if r["status"] == "unconfirmed"} == {
        (a, y) for a, y in missing if a == second or (a == first and abs(y - year) <= 1)}
