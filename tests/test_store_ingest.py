"""Storing one document through the API, on SQLite and PostgreSQL: what a re-import writes, sightings,
HTTP validators, publication dates and the agency a short name means."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select
from store_helpers import row_counts

from extract.parse import parse_bytes
from extract.schema import Record
from sim.render import FORMS, LAYOUTS, last_year_of, random_record
from store.agencies import upsert_agency
from store.db import Archive
from store.ingest import Source, ingest, keep_document
from store.models import Agency, Document, PublicationDate, Report

pytest_plugins = ["store_fixtures"]

T0 = dt.datetime(2026, 2, 1, 8, tzinfo=dt.UTC)
URL = "http://www.example.gov.cn/xxgk/t20260120_1.html"


def report(agency: str = "湘乡市民政局", year: int = 2025) -> tuple[bytes, Record]:
    record = random_record(random.Random(1), fmt="2021", year=year, agency=agency)
    return LAYOUTS["txt_tabs"](record), record


def seen(days: int) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


@contextmanager
def statements(archive: Archive) -> Iterator[list[str]]:
    """The SQL sent to the database inside the block."""
    sent: list[str] = []

    def record(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        sent.append(" ".join(sql.split()))

    event.listen(archive.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(archive.engine, "before_cursor_execute", record)


def test_an_unchanged_document_writes_only_its_sighting(archive: Archive) -> None:
    data, record = report()
    first = ingest(archive, Source(data, "r.txt", URL, level="department", seen_at=seen(0)), record)
    before = row_counts(archive)
    with statements(archive) as sent:
        again = ingest(archive, Source(data, "r.txt", URL, level="department", seen_at=seen(1)), record)
    assert (again.change, again.report_id, again.errors) == ("unchanged", first.report_id, first.errors)
    assert row_counts(archive) == before
    writes = [s for s in sent if s.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert all(" document " in s or " report " in s or " publication_date " in s for s in writes), writes
    assert not any(s.startswith(("UPDATE", "DELETE")) for s in writes), writes  # sightings ride on the upserts
    assert len(sent) <= 10, sent  # round trips: each one costs a crawl of 3,000 portals minutes


def test_last_seen_moves_forward_only_and_a_reparse_leaves_it(archive: Archive) -> None:
    data, record = report()

    def last_seen() -> tuple[dt.datetime, dt.datetime]:
        with archive.read() as session:
            return (session.scalars(select(Document.last_seen_at)).one(),
                    session.scalars(select(Report.last_seen_at)).one())

    ingest(archive, Source(data, "r.txt", URL, seen_at=seen(2)), record)
    ingest(archive, Source(data, "r.txt", URL, seen_at=seen(1)), record)  # a late writer with an older sighting
    assert last_seen() == (seen(2), seen(2))
    ingest(archive, Source(data, "r.txt", URL), record)  # a reparse is no sighting
    assert last_seen() == (seen(2), seen(2))
    ingest(archive, Source(data, "r.txt", URL, seen_at=seen(3)), record)
    assert last_seen() == (seen(3), seen(3))


def test_kept_bytes_keep_the_latest_http_validators(archive: Archive) -> None:
    page = Source(b"<html>see the PDF</html>", "a.html", URL, seen_at=seen(0), etag='"a"')
    keep_document(archive, page)
    keep_document(archive, Source(page.data, "a.html", URL, seen_at=seen(1), etag='"b"', last_modified="x"))
    keep_document(archive, Source(page.data, "a.html", URL, seen_at=seen(2)))  # a response without validators
    with archive.read() as session:
        [document] = session.scalars(select(Document)).all()
        assert (document.etag, document.last_modified, document.fetched_at) == ('"b"', "x", seen(0))


def test_publication_dates_first_claim_kept_and_the_operator_corrects(archive: Archive) -> None:
    data, record = report()
    day = dt.date(2026, 1, 20)

    def dates() -> tuple[tuple[dt.date | None, str | None], dict[str, dt.date]]:
        with archive.read() as session:
            row = session.execute(select(Report.published, Report.published_source)).one()
            return tuple(row), dict(session.execute(select(PublicationDate.source, PublicationDate.value)).all())

    ingest(archive, Source(data, "r.txt", URL, dates={"list": day}, seen_at=seen(0)), record)
    assert dates() == ((day, "list"), {"list": day, "url": day})
    ingest(archive, Source(data, "r.txt", URL, dates={"list": day.replace(day=9), "cli": day.replace(day=5)}), record)
    assert dates() == ((day.replace(day=5), "cli"), {"list": day, "url": day, "cli": day.replace(day=5)})
    ingest(archive, Source(data, "r.txt", URL, dates={"cli": day.replace(day=6), "page": day}), record)
    assert dates() == ((day.replace(day=6), "cli"), {"list": day, "url": day, "cli": day.replace(day=6), "page": day})


def test_a_short_name_is_resolved_once_and_rechecked(archive: Archive) -> None:
    with archive.write() as session:
        upsert_agency(session, "楠木坪镇人民政府", region="431228100")
    data, record = report("楠木坪镇")
    assert ingest(archive, Source(data, "r.txt", URL), record).agency == "楠木坪镇人民政府"
    assert archive.agency_names == {"楠木坪镇": "楠木坪镇人民政府"}

    archive.agency_names["楠木坪镇"] = "已撤销的机关"  # as if that agency were gone: the archive is asked again
    assert ingest(archive, Source(data, "r.txt", URL), record).agency == "楠木坪镇人民政府"
    assert archive.agency_names == {"楠木坪镇": "楠木坪镇人民政府"}

    with archive.write() as session:  # another process registers an agency under the very name: it wins
        upsert_agency(session, "楠木坪镇")
    assert ingest(archive, Source(data, "r.txt", URL), record).agency == "楠木坪镇"


def test_the_level_and_region_given_are_stored(archive: Archive) -> None:
    data, record = report("湘乡市人民政府")

    def stored() -> tuple[str, str | None]:
        with archive.read() as session:
            return tuple(session.execute(select(Agency.level, Agency.region)).one())

    ingest(archive, Source(data, "r.txt", URL), record)
    assert stored() == ("city", None)  # a 县级市 looks like a city by its name
    ingest(archive, Source(data, "r.txt", URL, region="430381"), record)
    assert stored() == ("city", "430381")  # an existing agency's level is not inferred again
    ingest(archive, Source(data, "r.txt", URL, level="county"), record)
    ingest(archive, Source(data, "r.txt", URL), record)
    assert stored() == ("county", "430381")
    with pytest.raises(ValueError, match="unknown level"):
        ingest(archive, Source(data, "r.txt", URL, level="village"), record)


def cuts(record: Record) -> set[str]:
    return {key for key, cell in record["parse"]["uncertain_cells"].items() if len(cell["candidates"]) > 1}


@pytest.mark.parametrize("seed", [0, 1, 41])
@pytest.mark.parametrize("order", ["last_year_first", "this_year_first"])
def test_digits_run_together_are_cut_with_last_years_report(archive: Archive, seed: int, order: str) -> None:
    """Whichever arrives first: a crawl meets the newest report first, and last year's then re-reads it."""
    record = random_record(random.Random(seed), fmt="2021", year=2025, agency="湘乡市民政局")
    data = FORMS["page_text"](record)  # one line of page text: the digits of neighbouring cells run together
    assert cuts(parse_bytes(data, name="r.txt")), "the form leaves no choice of cut: the test tells nothing"
    last = last_year_of(record)

    def this_year() -> int:
        return ingest(archive, Source(data, "r.txt", URL, level="department")).report_id

    def last_year() -> None:
        ingest(archive, Source(LAYOUTS["txt_tabs"](last), "r.txt", URL.replace("2026", "2025"),
                               level="department"), last)

    if order == "last_year_first":
        last_year()
        report_id = this_year()
    else:
        report_id = this_year()
        assert cuts(_stored(archive, report_id))
        last_year()
    stored = _stored(archive, report_id)
    assert cuts(stored) == set()
    assert stored["active"] == record["active"]
    assert stored["requests"]["carried_over"] == record["requests"]["carried_over"]


def test_a_doubtful_cut_of_last_year_is_no_evidence_for_this_year() -> None:
    record = random_record(random.Random(0), fmt="2021", year=2025, agency="湘乡市民政局")
    data = FORMS["page_text"](record)
    last = last_year_of(record)
    assert cuts(parse_bytes(data, name="r.txt", previous=last)) == set()
    doubted = {key: {"text": "", "candidates": [1, 2], "reason": "ambiguous"}
               for key in cuts(parse_bytes(data, name="r.txt"))}
    last["parse"] = {"uncertain_cells": doubted}
    assert cuts(parse_bytes(data, name="r.txt", previous=last)) == set(doubted)


def _stored(archive: Archive, report_id: int) -> Record:
    with archive.read() as session:
        report = session.get(Report, report_id)
        assert report is not None
        return report.versions[-1].record
