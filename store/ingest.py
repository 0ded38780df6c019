"""Storing one document: snapshot, Document, Report, date candidates, a version if the record changed, findings.

Each document is one transaction, so a failure leaves the archive as it was before that document,
and the next run picks up where this one stopped. Rows are found or created through the unique
constraints (store.sql.insert_ignore); a concurrent writer that wins the race for a version number
makes this transaction fail with IntegrityError, and the retry then finds its version and stores
nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from extract.parse import parse_bytes
from extract.schema import Record
from store import dates as date_sources
from store.agencies import find_agency, upsert_agency
from store.db import Archive
from store.diff import content_hash, record_diff
from store.errors import StoreError
from store.findings import refresh_findings
from store.models import Document, PublicationDate, Report, ReportVersion, utcnow
from store.snapshots import SnapshotStore
from store.sql import insert_ignore
from store.terms import DATE_SOURCES

Change = Literal["new_report", "new_version", "unchanged"]
_ATTEMPTS: Final = 5
# deadlock_detected, serialization_failure: PostgreSQL asks us to run the transaction again
_RETRY_SQLSTATES: Final = frozenset({"40P01", "40001"})


class IncompleteReportError(ValueError):
    """The report does not say which agency or year it is, and the caller did not either."""


@dataclass(frozen=True, slots=True)
class Source:
    """A document to store, and what the caller knows about it that its bytes may not say."""

    data: bytes
    name: str = ""  # file name or last URL segment: tells the parser HTML from text
    url: str = ""  # "" for a file imported without one
    agency: str | None = None  # the registry's or operator's name; else the record's
    level: str | None = None
    region: str | None = None
    year: int | None = None
    dates: Mapping[str, dt.date] = field(default_factory=dict)  # candidates by source: cli, page, list, first_seen
    seen_at: dt.datetime | None = None  # None: not a new sighting (reparse), leaves last-seen times alone
    http_status: int | None = None
    content_type: str | None = None
    encoding: str | None = None  # charset to decode with when the site's declaration is wrong
    crawl_run_id: int | None = None
    etag: str | None = None  # HTTP validators, sent back on the next crawl
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    report_id: int
    agency: str
    year: int
    version: int
    change: Change
    errors: int
    warnings: int

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


def _should_retry(exc: StoreError) -> bool:
    cause = exc.__cause__
    if isinstance(cause, IntegrityError):
        return True
    sqlstate = getattr(getattr(cause, "orig", None), "sqlstate", None)
    return isinstance(cause, DBAPIError) and sqlstate in _RETRY_SQLSTATES


def ingest(archive: Archive, source: Source, record: Record | None = None) -> Outcome:
    """Parse (unless `record` is given), then store in one transaction, retried when a concurrent writer won a race.

    Raises extract.errors.UnreadableInputError for bytes that are not a report,
    IncompleteReportError when agency or year is unknown, StoreError for database and disk failures.
    """
    unknown = set(source.dates) - set(DATE_SOURCES)
    if unknown:
        raise ValueError(f"unknown publication-date source(s) {sorted(unknown)}; expected some of {DATE_SOURCES}")
    if record is None:
        record = parse_bytes(source.data, name=source.name, charset=source.encoding)
    agency = source.agency or record.get("agency")
    year = source.year or record.get("year")
    if not agency:
        raise IncompleteReportError("the report does not name its agency in full: give it with --agency")
    if not isinstance(year, int):
        raise IncompleteReportError("the report's year cannot be read: give it with --year")
    for attempt in range(_ATTEMPTS):
        try:
            with archive.write() as session:
                return _store(session, archive.snapshots, source, record, agency, year)
        except StoreError as exc:
            if attempt == _ATTEMPTS - 1 or not _should_retry(exc):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def keep_document(archive: Archive, source: Source) -> None:
    """Keep bytes that are not a report of their own (a page that only links its PDF, the PDF copy of
    a page's report, an attachment we cannot read yet): the archive outlives the portal, and the
    validators let the next crawl ask whether they changed."""
    with archive.write() as session:
        _document(session, archive.snapshots, source, source.seen_at or utcnow())


def _document(session: Session, snapshots: SnapshotStore, source: Source, seen: dt.datetime) -> Document:
    digest = snapshots.put(source.data)
    document = insert_ignore(session, Document, {
        "url": source.url, "sha256": digest, "name": source.name, "size": len(source.data),
        "http_status": source.http_status, "content_type": source.content_type, "encoding": source.encoding,
        "fetched_at": seen, "last_seen_at": seen, "crawl_run_id": source.crawl_run_id,
        "etag": source.etag, "last_modified": source.last_modified,
    }, ["url", "sha256"])
    if source.etag or source.last_modified:
        document.etag, document.last_modified = source.etag, source.last_modified
    return document


def _candidates(source: Source, record: Record) -> dict[str, dt.date]:
    found = dict(source.dates)
    page_meta = (record.get("source") or {}).get("page_meta") or {}
    from_meta = date_sources.from_meta(page_meta)
    if from_meta is not None:
        found.setdefault("meta", from_meta)
    from_url = date_sources.from_url(source.url)
    if from_url is not None:
        found.setdefault("url", from_url)
    return found


def _store(session: Session, snapshots: SnapshotStore, source: Source, record: Record, name: str, year: int) -> Outcome:
    now = utcnow()
    seen = source.seen_at or now
    agency = find_agency(session, name)
    if agency is None or source.level or source.region:
        agency = upsert_agency(session, agency.name if agency else name, level=source.level, region=source.region)

    document = _document(session, snapshots, source, seen)
    report = insert_ignore(session, Report, {
        "agency_id": agency.id, "year": year, "url": source.url, "title": record.get("title"),
        "first_seen_at": seen, "last_seen_at": seen, "current_version": 0,
        "errors": 0, "inconsistencies": 0, "warnings": 0,
    }, ["agency_id", "year", "url"])
    if source.seen_at is not None:
        document.last_seen_at = max(document.last_seen_at, seen)
        report.last_seen_at = max(report.last_seen_at, seen)

    _record_dates(session, report, _candidates(source, record), now)

    latest = _current(session, report)
    digest_of_record = content_hash(record)
    change: Change = "unchanged"
    version = latest
    if latest is None or latest.content_hash != digest_of_record:
        source_info = record.get("source") or {}
        version = ReportVersion(
            report_id=report.id,
            number=report.current_version + 1,
            document_id=document.id,
            content_hash=digest_of_record,
            record=record,
            parser_version=str(source_info.get("parser") or ""),
            extractor=source_info.get("extractor"),
            diff=record_diff(latest.record, record) if latest is not None else None,
            created_at=now,
            findings=[],
        )
        session.add(version)
        session.flush()  # a concurrent writer holding this number fails us here, and the retry sees its version
        if latest is not None and latest.document_id != document.id:
            report.revised_at = now  # new content from the agency (E2), not a re-parse of the same bytes
        report.current_version = version.number
        report.title = record.get("title")
        change = "new_report" if latest is None else "new_version"
    assert version is not None  # a report always has its first version by here

    refresh_findings(session, report, version)
    if change != "unchanged":
        for later in _current_versions(session, report.agency_id, year + 1):
            refresh_findings(session, later.report, later)  # their cross-year rules now have a previous year
    return Outcome(report.id, agency.name, year, version.number, change, report.errors, report.warnings)


def _record_dates(session: Session, report: Report, candidates: Mapping[str, dt.date], now: dt.datetime) -> None:
    """Keep the first date each source claimed (an operator's `cli` date replaces the last one), then choose."""
    for source, value in candidates.items():
        values = {"report_id": report.id, "source": source, "value": value, "seen_at": now}
        row = insert_ignore(session, PublicationDate, values, ["report_id", "source"])
        if source == "cli" and row.value != value:
            row.value, row.seen_at = value, now
    rows = session.scalars(select(PublicationDate).where(PublicationDate.report_id == report.id)).all()
    chosen = date_sources.effective({row.source: row.value for row in rows})
    published, published_source = chosen or (None, None)
    if (report.published, report.published_source) != (published, published_source):
        report.published, report.published_source = published, published_source


def _current(session: Session, report: Report) -> ReportVersion | None:
    if report.current_version == 0:
        return None
    current = (ReportVersion.report_id == report.id) & (ReportVersion.number == report.current_version)
    return session.scalars(select(ReportVersion).where(current)).one()


def _current_versions(session: Session, agency_id: int, year: int) -> list[ReportVersion]:
    return list(session.scalars(
        select(ReportVersion)
        .join(Report, ReportVersion.report_id == Report.id)
        .where(Report.agency_id == agency_id, Report.year == year, ReportVersion.number == Report.current_version)
    ))
