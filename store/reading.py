"""Reading what was found but not read yet: the backlog of page images awaiting OCR.

A crawl that cannot wait for OCR (tens of seconds a page) stores a page image as a published report
whose reading is `unread`; the monitor works through these between its cycles, the current years
first, each in its own transaction: a report read gets its first real version (and findings), one that
cannot be read becomes `unreadable`, with why — one item for a person, never "missing".

A 图片版 page that shows its report as several images (one per printed page) is the report: its
images are read in page order as one document, once every one of them is stored. Until then it waits,
unread: a report read from some of its pages would be judged on tables cut short.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select

from extract.errors import UnreadableInputError
from extract.parse import page_image_urls, parse_bytes, parse_pages
from extract.schema import Record
from store.db import Archive
from store.ingest import Source, ingest
from store.models import Agency, Document, Report, ReportVersion

Reading = Literal["read", "unreadable", "waiting"]  # what one attempt at an unread report came to

# reading notes (store.models.Report.reading_note) the code writes; catalogue.monitor words them
AWAITING_OCR = "image"  # a page image stored while the crawl did not wait for OCR
NOTHING_READ = "no report text or tables found in the document"


def read_anything(record: Mapping[str, object]) -> bool:
    """Whether the parser read any of the report's content: a template, a section heading, the 统计表."""
    sections = record.get("sections")
    return bool(record.get("format") or record.get("legacy_stats")
                or (isinstance(sections, dict) and any(sections.values())))


@dataclass(frozen=True, slots=True)
class Unread:
    """A report waiting to be read, and the bytes it was found as."""

    agency: str
    year: int
    url: str
    title: str | None
    sha256: str
    name: str
    encoding: str | None
    report_id: int = 0


@dataclass(slots=True)
class Backlog:
    """What one pass through the backlog did, and what is left for the next."""

    read: int = 0
    unreadable: int = 0
    left: int = 0


def unread_reports(archive: Archive, report_id: int | None = None, url: str | None = None) -> list[Unread]:
    """The backlog: unread reports (or the one report, or those at one URL, if still unread), the latest
    report years first."""
    stmt = (
        select(Agency.name, Report.year, Report.url, Report.title, Document.sha256, Document.name, Document.encoding,
               Report.id)
        .join(Agency, Report.agency_id == Agency.id)
        .join(ReportVersion, (ReportVersion.report_id == Report.id) & (ReportVersion.number == Report.current_version))
        .join(Document, ReportVersion.document_id == Document.id)
        .where(Report.reading == "unread")
        .order_by(Report.year.desc(), Report.id)
    )
    if report_id is not None:
        stmt = stmt.where(Report.id == report_id)
    if url is not None:
        stmt = stmt.where(Report.url == url)
    with archive.read() as session:
        return [Unread(*row) for row in session.execute(stmt)]


def read_one(archive: Archive, report: Unread) -> Reading:
    """Read one report from its snapshot (OCR for an image, for a page of images all of them) and store
    what came of it; `waiting` when some of its page images are not stored yet (nothing is stored)."""
    data = archive.snapshots.get(report.sha256)
    source = Source(data=data, name=report.name, url=report.url, agency=report.agency, year=report.year,
                    encoding=report.encoding, title=report.title)
    try:
        # found unread are page images and pages of them only (crawler.archive): an HTML page here is the latter
        record = read_record(archive, data, name=report.name, charset=report.encoding, url=report.url, pages=True)
    except UnreadableInputError as exc:
        ingest(archive, _unreadable(source, str(exc)))
        return "unreadable"
    if record is None:
        return "waiting"
    if not read_anything(record):
        ingest(archive, _unreadable(source, NOTHING_READ))
        return "unreadable"
    ingest(archive, source, record)
    return "read"


def read_record(archive: Archive, data: bytes, *, name: str, charset: str | None, url: str,
                pages: bool) -> Record | None:
    """A stored report's record: its file's, or, for a page of images (`pages`: the report is one), theirs
    read as one (None: not all of them are stored). Raises UnreadableInputError."""
    urls = page_image_urls(data, name=name, charset=charset, base=url) if pages else []
    if not urls:
        return parse_bytes(data, name=name, charset=charset)
    stored = _stored_images(archive, urls)
    if len(stored) < len(urls):
        return None
    return parse_pages([archive.snapshots.get(stored[url]) for url in urls])


def _stored_images(archive: Archive, urls: list[str]) -> dict[str, str]:
    """The latest bytes (sha256) stored from each of these image URLs."""
    stmt = select(Document.url, Document.sha256).where(Document.url.in_(urls)).order_by(Document.last_seen_at,
                                                                                        Document.id)
    with archive.read() as session:
        return dict(session.execute(stmt).all())


def _unreadable(source: Source, why: str) -> Source:
    return Source(data=source.data, name=source.name, url=source.url, agency=source.agency, year=source.year,
                  encoding=source.encoding, title=source.title, reading="unreadable", reading_note=why)


def read_backlog(archive: Archive, *, seconds: float, clock: Callable[[], float] = time.monotonic) -> Backlog:
    """Read unread reports until `seconds` have passed (a report begun is finished); what is left waits."""
    todo = unread_reports(archive)
    done = Backlog()
    end = clock() + seconds
    for report in todo:
        if clock() >= end:
            break
        reading = read_one(archive, report)
        if reading == "read":
            done.read += 1
        elif reading == "unreadable":
            done.unreadable += 1
    done.left = len(todo) - done.read - done.unreadable
    return done
