"""Storing one document: snapshot, Document, Report, date candidates, a version if the record changed, findings.

Each document is one transaction, so a failure leaves the archive as it was before that document,
and the next run picks up where this one stopped. Rows are found or created through the unique
constraints (store.sql.upsert); a concurrent writer that wins the race for a version number
makes this transaction fail with IntegrityError, and the retry then finds its version and stores
nothing twice.

A new version's table cells go into the `cell` table in the same transaction (store.cells).

Every crawled document passes here, so a document costs few round trips: plain rows instead of ORM
objects, one statement per row found or created, and an unchanged document writes only its
sighting (last-seen times, HTTP validators, a date candidate not seen before).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import PurePosixPath
from typing import Any, Final, Literal, NamedTuple

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.sql.dml import ReturningInsert

from catalogue.cli import say
from extract.parse import PARSER_VERSION, parse_bytes
from extract.schema import SCHEMA, Record
from store import corrections
from store import dates as date_sources
from store.agencies import agency_of_report, find_agency
from store.cells import add_cells, cut_doubt
from store.db import Archive
from store.diff import content_hash, record_diff
from store.errors import StoreError
from store.findings import Checked, Counts, previous_record, refresh_findings
from store.models import Agency, Cell, Document, PublicationDate, Report, ReportVersion, utcnow
from store.snapshots import Snapshots
from store.sql import dialect_insert, upsert
from store.status import AgencyFacts, ReportFacts
from store.terms import DATE_SOURCES
from validate.context import unread

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
    page_url: str | None = None  # for a file: the report page that linked it
    attachments: int | None = None  # for a report page: how many files it linked
    # found but not read (`unread`: an image awaiting OCR; `unreadable`: why in `reading_note`): the report
    # is stored from what was found — its link, title, year and dates — without parsing the bytes
    reading: str = "read"
    reading_note: str | None = None
    title: str | None = None  # the title the report was found under (what an unread report is called)
    # a page of images (store.reading): the sha256 of each image it was read from, in page order; with the
    # page's document they are the bytes the reading is of (record.source.pages)
    pages: tuple[str, ...] = ()
    # an agency no archive agency matches is added (an operator's import names it); the crawler passes
    # False: it files reports under the registry's agencies only (store.agencies.UnknownAgencyError)
    new_agency: bool = True


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
    IncompleteReportError when agency or year is unknown, store.agencies.UnknownAgencyError when the
    agency is none of the archive's and `source.new_agency` is False, StoreError for database and disk failures.
    """
    unknown = set(source.dates) - set(DATE_SOURCES)
    if unknown:
        raise ValueError(f"unknown publication-date source(s) {sorted(unknown)}; expected some of {DATE_SOURCES}")
    if record is None:
        record = found_record(source) if source.reading != "read" else parse_bytes(
            source.data, name=source.name, charset=source.encoding)
    if source.pages:
        record = {**record, "source": {**(record.get("source") or {}), "pages": list(source.pages)}}
    agency = source.agency or record.get("agency")
    year = source.year or record.get("year")
    if not agency:
        raise IncompleteReportError(say("import.no_agency"))
    if not isinstance(year, int):
        raise IncompleteReportError(say("import.no_year"))
    record = _read_with_last_year(archive, source, record, agency, year)
    for attempt in range(_ATTEMPTS):
        try:
            with archive.write_rows(durable=False) as conn:
                outcome = _store(conn, archive, source, record, agency, year)
            break
        except StoreError as exc:
            if attempt == _ATTEMPTS - 1 or not _should_retry(exc):
                raise
    if outcome.change != "unchanged":
        _reread_next_year(archive, outcome.agency, year)
    return outcome


def _read_with_last_year(archive: Archive, source: Source, record: Record, agency: str, year: int) -> Record:
    """The record read again with the agency's report on the year before, when its digits could be cut more
    than one way: last year's 结转下年度, 现行有效 and 历年累计 bind this year's cells and often leave one cut.
    The first reading names the agency and year, so only then can the archive be asked."""
    if source.reading != "read" or not _has_cuts(record):
        return record
    with archive.read() as session:
        found = find_agency(session, archive.agency_names.get(agency, agency))
        previous = previous_record(session.connection(), found.id, year) if found is not None else None
    if previous is None:
        return record
    return parse_bytes(source.data, name=source.name, charset=source.encoding, previous=previous)


def _has_cuts(record: Record) -> bool:
    """Whether some cells were cut from digits that ran together, more than one way, by a reading that
    can be repeated cheaply (OCR is not: seconds a page, and its doubts are of glyphs, not of cuts)."""
    parse = record.get("parse") or {}
    cuts = any(cut_doubt(key, parse) for key in parse.get("uncertain_cells") or {})
    return (cuts or bool(parse.get("ambiguous_splits"))) and "ocr" not in str(
        (record.get("source") or {}).get("extractor") or "")


def _reread_next_year(archive: Archive, agency: str, year: int) -> None:
    """The agency's reports on the year after, read again where their digits were cut more than one way:
    a crawl meets the newest report first, so last year's figures usually arrive after the report that
    needs them. Each is stored as a re-parse of its own bytes (a new version only if the record changed)."""
    with archive.read() as session:
        rows = session.execute(_CUT_NEXT_YEAR, {"agency": agency, "year": year + 1}).all()
    for url, sha256, name, encoding, record in rows:
        if _has_cuts(record):
            ingest(archive, Source(data=archive.snapshots.get(sha256), name=name, url=url, agency=agency,
                                   year=year + 1, encoding=encoding))


def found_record(source: Source) -> Record:
    """What an unread report's record says: where it was found and what it was called, nothing of its
    content (the validator holds such a record only to its publication date)."""
    return {
        "schema": SCHEMA, "agency": None, "year": source.year, "format": None, "title": source.title,
        "reading": {"state": source.reading, "reason": source.reading_note},
        "source": {"medium": PurePosixPath(source.name).suffix.lstrip(".").lower() or None, "parser": PARSER_VERSION},
    }


def keep_document(archive: Archive, source: Source) -> bool:
    """Keep bytes that are not a report of their own (a page that only links its PDF, the PDF copy of
    a page's report, a page image of a 图片版): the archive outlives the portal, and the validators let
    the next crawl ask whether they changed. True if these bytes are new at this URL."""
    seen = source.seen_at or utcnow()
    with archive.write_rows(durable=False) as conn:
        return _document(conn, archive.snapshots, source, seen, sighting=False)[1]


def _document(conn: Connection, snapshots: Snapshots, source: Source, seen: dt.datetime, *,
              sighting: bool) -> tuple[int, bool]:
    """The document's id, and whether it is new (its bytes first stored at this URL now); a new `sighting`
    moves its last-seen time on, and new HTTP validators (and the page that links a file now) replace the old."""
    digest = snapshots.put(source.data)
    replace = (("etag", "last_modified") if source.etag or source.last_modified else ()) + (
        ("page_url",) if source.page_url else ()) + (("attachments",) if source.attachments is not None else ())
    row = upsert(conn, Document, {
        "url": source.url, "sha256": digest, "name": source.name, "size": len(source.data),
        "http_status": source.http_status, "content_type": source.content_type, "encoding": source.encoding,
        "fetched_at": seen, "last_seen_at": seen, "crawl_run_id": source.crawl_run_id,
        "etag": source.etag, "last_modified": source.last_modified, "page_url": source.page_url,
        "attachments": source.attachments,
    }, ("url", "sha256"), ("id", "fetched_at"), replace=replace, latest=("last_seen_at",) if sighting else ())
    return int(row.id), row.fetched_at == seen  # fetched_at is the first sighting's, never replaced


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


class _Version(NamedTuple):
    """What storing a document compares with the current version, or validates again."""

    id: int
    number: int
    content_hash: str
    document_id: int
    record: Record
    errors: int
    warnings: int
    corrections: list[dict[str, Any]] | None


# Statements built once (building one costs more than an indexed lookup in SQLite).
_VERSION = [getattr(ReportVersion, f) for f in _Version._fields]
_CURRENT_VERSION = select(*_VERSION).where(ReportVersion.report_id == bindparam("report_id"),
                                           ReportVersion.number == bindparam("number"))
_NEXT_YEAR = (
    select(*(getattr(Report, f) for f in ReportFacts._fields), *_VERSION)
    .join(ReportVersion, ReportVersion.report_id == Report.id)
    .where(Report.agency_id == bindparam("agency_id"), Report.year == bindparam("year"),
           ReportVersion.number == Report.current_version)
)
_CUT_NEXT_YEAR = (
    select(Report.url, Document.sha256, Document.name, Document.encoding, ReportVersion.record)
    .join(Agency, Report.agency_id == Agency.id)
    .join(ReportVersion, (ReportVersion.report_id == Report.id) & (ReportVersion.number == Report.current_version))
    .join(Document, ReportVersion.document_id == Document.id)
    .where(Agency.name == bindparam("agency"), Report.year == bindparam("year"), Report.reading == "read")
)
_NEW_VERSION = insert(ReportVersion).returning(ReportVersion.id)
_UPDATE_REPORT = update(Report).where(Report.id == bindparam("report_id"))
_VERSION_OF_REPORT = (
    select(*(getattr(Report, f) for f in ReportFacts._fields), *_VERSION,
           *(getattr(Agency, f) for f in AgencyFacts._fields))
    .join(ReportVersion, ReportVersion.report_id == Report.id)
    .join(Agency, Report.agency_id == Agency.id)
    .where(Report.id == bindparam("report_id"), ReportVersion.id == bindparam("version_id"))
)


def _store(conn: Connection, archive: Archive, source: Source, record: Record, name: str, year: int) -> Outcome:
    now = utcnow()
    seen = source.seen_at or now
    sighting = source.seen_at is not None
    agency = agency_of_report(conn, name, level=source.level, region=source.region, resolved=archive.agency_names,
                              create=source.new_agency)
    document_id, new_bytes = _document(conn, archive.snapshots, source, seen, sighting=sighting)
    report = ReportFacts._make(upsert(conn, Report, {
        "agency_id": agency.id, "year": year, "url": source.url, "title": record.get("title"),
        "first_seen_at": seen, "last_seen_at": seen, "current_version": 0,
        "errors": 0, "inconsistencies": 0, "warnings": 0,
    }, ("agency_id", "year", "url"), ReportFacts._fields, latest=("last_seen_at",) if sighting else ()))
    changes: dict[str, Any] = {}
    published, published_source = _record_dates(conn, report, _candidates(source, record), now)
    if (published, published_source) != (report.published, report.published_source):
        changes.update(published=published, published_source=published_source)

    latest = _current(conn, report.id, report.current_version)
    carried = None
    same_bytes = latest is not None and _same_bytes(latest, document_id, record)
    if latest is not None and latest.corrections:
        if same_bytes:  # the same bytes read again: the person's corrections stand
            record, carried = corrections.carry(record, latest.corrections)
        else:  # the agency's new content: read as it is, and a person looks whether the correction still applies
            changes["correction_stale"] = True
    digest_of_record = content_hash(record)
    change: Change = "unchanged"
    read_before = latest is not None and not unread(latest.record)
    # what was read stays current when bytes are found unread: the same bytes (read since) change nothing; new
    # bytes wait to be read (store.reading) with the last reading standing, neither a version nor a change
    keep = source.reading != "read" and read_before
    stays = _still_unreadable(report, latest, source, new_bytes=new_bytes)
    if (not keep or not same_bytes) and not stays and (report.reading, report.reading_note) != (
            source.reading, source.reading_note):
        changes.update(reading=source.reading, reading_note=source.reading_note)
    if latest is not None and (keep or stays or latest.content_hash == digest_of_record):
        current = latest
        changes.pop("correction_stale", None)
        if not keep and not stays and _restated(record, latest.record, other_bytes=not same_bytes):
            current = _settle(conn, latest, record, document_id)
    else:
        source_info = record.get("source") or {}
        number = report.current_version + 1
        revised = read_before and not same_bytes
        version_id = conn.execute(_NEW_VERSION, {
            "report_id": report.id, "number": number, "document_id": document_id, "content_hash": digest_of_record,
            "record": record, "parser_version": str(source_info.get("parser") or ""),
            "extractor": source_info.get("extractor"), "created_at": now,
            "diff": record_diff(latest.record, record) if latest is not None else None,
            "kind": "first" if latest is None else "revised" if revised else "reparsed", "corrections": carried,
        }).scalar_one()  # a concurrent writer holding this number fails us here, and the retry sees its version
        add_cells(conn, version_id, record)
        if revised:
            changes["revised_at"] = now  # new content from the agency (E2), not a re-parse of the same bytes
        changes.update(current_version=number, title=record.get("title"))
        change = "new_report" if latest is None else "new_version"
        current = _Version(version_id, number, digest_of_record, document_id, record, 0, 0, carried)

    fresh = change != "unchanged"
    facts = report._replace(**{k: v for k, v in changes.items() if k in ReportFacts._fields})
    counts = refresh_findings(conn, _checked(agency, facts, current, fresh=fresh))
    _update_report(conn, report, changes, counts)
    if fresh:
        _refresh_next_year(conn, agency, year + 1)  # their cross-year rules now have a previous year
    return Outcome(report.id, agency.name, year, current.number, change, counts.errors, counts.warnings)


def _checked(agency: AgencyFacts, report: ReportFacts, version: _Version, *, fresh: bool = False) -> Checked:
    return Checked(agency, report.year, report.url, report.published, report.id, version.id, version.number,
                   version.record, (version.errors, version.warnings), fresh=fresh)


def _update_report(conn: Connection, report: ReportFacts, changes: dict[str, Any], counts: Counts) -> None:
    """One UPDATE of the report's derived columns, none when they stay as they are."""
    changes |= {name: value for name, value in counts._asdict().items() if getattr(report, name) != value}
    if changes:
        conn.execute(_UPDATE_REPORT, {**changes, "report_id": report.id})


def _record_dates(conn: Connection, report: ReportFacts, candidates: Mapping[str, dt.date],
                  now: dt.datetime) -> tuple[dt.date | None, str | None]:
    """Keep the first date each source claimed (an operator's `cli` date replaces the last one), then choose.

    The report's effective date stands for the candidates stored before, so only the rows this
    statement inserts or changes (its RETURNING) need reading.
    """
    if not candidates:
        return report.published, report.published_source
    rows = [{"report_id": report.id, "source": source, "value": value, "seen_at": now}
            for source, value in candidates.items()]
    adding = _add_dates(conn.dialect.name, correcting="cli" in candidates)
    stored: dict[str, dt.date] = dict(conn.execute(adding, rows).all())
    if report.published_source is not None and report.published is not None:
        stored.setdefault(report.published_source, report.published)
    return date_sources.effective(stored) or (None, None)


@cache
def _add_dates(dialect: str, *, correcting: bool) -> ReturningInsert[str, dt.date]:
    """Insert date candidates, returning those inserted; `correcting` also replaces a different `cli` date."""
    stmt = dialect_insert(dialect, PublicationDate)
    keys = ["report_id", "source"]
    if correcting:
        corrected = (PublicationDate.source == "cli") & (PublicationDate.value != stmt.excluded.value)
        upserting = stmt.on_conflict_do_update(index_elements=keys, where=corrected,
                                               set_={"value": stmt.excluded.value, "seen_at": stmt.excluded.seen_at})
    else:
        upserting = stmt.on_conflict_do_nothing(index_elements=keys)
    return upserting.returning(PublicationDate.source, PublicationDate.value)


def _current(conn: Connection, report_id: int, number: int) -> _Version | None:
    if number == 0:
        return None
    return _Version._make(conn.execute(_CURRENT_VERSION, {"report_id": report_id, "number": number}).one())


def refresh_version(conn: Connection, report_id: int, version_id: int) -> None:
    """Validate a version just stored by other means than a document (a person's correction) as the
    report's current one, and the agency's next year whose cross-year rules read it."""
    row = conn.execute(_VERSION_OF_REPORT, {"report_id": report_id, "version_id": version_id}).one()
    width, more = len(ReportFacts._fields), len(_Version._fields)
    report, version = ReportFacts._make(row[:width]), _Version._make(row[width:width + more])
    agency = AgencyFacts._make(row[width + more:])
    _update_report(conn, report, {}, refresh_findings(conn, _checked(agency, report, version, fresh=True)))
    _refresh_next_year(conn, agency, report.year + 1)


def _same_bytes(latest: _Version, document_id: int, record: Record) -> bool:
    """Whether the version was read from the bytes being stored: the same document and, for a page of
    images, the same images (a reading that does not say which images, found unread, is of the same)."""
    if latest.document_id != document_id:
        return False
    before, now = _pages(latest.record), _pages(record)
    return before is None or now is None or before == now


def _pages(record: Record) -> Any:
    return (record.get("source") or {}).get("pages")


def _still_unreadable(report: ReportFacts, latest: _Version | None, source: Source, *, new_bytes: bool) -> bool:
    """Whether bytes found unread again are those that could not be read: seen at this URL before while the
    report is `unreadable` (and the verdict stored is this parser's). They stay unreadable, not read again
    (seconds a page) on every crawl; new bytes, a new parser or `xxgk reparse` read them."""
    if source.reading != "unread" or report.reading != "unreadable" or new_bytes or latest is None:
        return False
    return not unread(latest.record) or _parser(latest.record) == PARSER_VERSION


def _parser(record: Record) -> Any:
    return (record.get("source") or {}).get("parser")


def _restated(record: Record, before: Record, *, other_bytes: bool) -> bool:
    """The same values read anew: with other doubts (last year's report settled a cut), from other bytes
    (an image replaced by the same content), or found unreadable (bytes stored unread)."""
    return _doubts(record) != _doubts(before) or record.get("reading") != before.get("reading") or other_bytes


def _doubts(record: Record) -> Any:
    return (record.get("parse") or {}).get("uncertain_cells")


def _settle(conn: Connection, latest: _Version, record: Record, document_id: int) -> _Version:
    """The same values read anew (`_restated`): the version's record, cells and bytes take the new reading
    in place, since no value changed to make a version of."""
    conn.execute(update(ReportVersion).where(ReportVersion.id == latest.id).values(record=record,
                                                                                   document_id=document_id))
    conn.execute(delete(Cell).where(Cell.version_id == latest.id))
    add_cells(conn, latest.id, record)
    return latest._replace(record=record, document_id=document_id)


def _refresh_next_year(conn: Connection, agency: AgencyFacts, year: int) -> None:
    """Validate the agency's reports on `year` again (a report on the year before has changed)."""
    width = len(ReportFacts._fields)
    for row in conn.execute(_NEXT_YEAR, {"agency_id": agency.id, "year": year}).all():
        later, version = ReportFacts._make(row[:width]), _Version._make(row[width:])
        _update_report(conn, later, {}, refresh_findings(conn, _checked(agency, later, version)))
