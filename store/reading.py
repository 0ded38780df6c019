"""Reading what was found but not read yet: the backlog of page images awaiting OCR.

A crawl that cannot wait for OCR (tens of seconds a page) stores a page image as a published report
whose reading is `unread`; the monitor works through these after its crawls, before it sweeps, the current years
first, each in its own transaction: a report read gets its first real version (and findings), one that
cannot be read becomes `unreadable`, with why — one item for a person, never "missing".

A 图片版 page that shows its report as several images (one per printed page) is the report: its
images are read in page order as one document, once every one of them is stored. Until then it waits,
unread: a report read from some of its pages would be judged on tables cut short. A page image the crawl
could not fetch makes it unreadable instead (`_not_fetched`); an image that comes anew (replaced in place,
or at last) sends it back to be read (`reread_page`), and a version read from other images than the one
before is the agency's new content (store.ingest: `revised`).

New bytes of a report read before, found unread, make no version: the reading before stays current (the
status keeps its values) and the backlog reads the bytes last found at the report's URL (`bytes_to_read`);
their reading is the `revised` version, diffed against the one before. Bytes that could not be read are
not read again when found again, only new ones (store.ingest).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from sqlalchemy import ColumnElement, case, delete, select, update

from catalogue.terms import FAULTS
from extract.errors import UnreadableInputError
from extract.page_images import is_image_file
from extract.parse import page_image_urls, parse_bytes, parse_pages
from extract.schema import Record
from store.db import Archive
from store.ingest import Source, ingest
from store.models import Agency, CrawlFault, Document, Report, ReportVersion
from store.snapshots import sha256

Reading = Literal["read", "unreadable", "waiting"]  # what one attempt at an unread report came to

# reading notes (store.models.Report.reading_note) the code writes; catalogue.monitor words them
AWAITING_OCR = "image"  # a page image stored while the crawl did not wait for OCR
# a page of images read before, one of whose images came anew: the backlog reads it again after the crawl
PAGES_REPLACED = "pages replaced"
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
    """The backlog: unread reports (or the one report, if still unread), the latest report years first.

    Those at one `url` are those awaiting their first reading, which a crawl reads as their images come in;
    not a report whose images are being replaced (`reread_page`): a crawl may bring several, and a reading
    after each would make versions of old and new pages mixed. The backlog reads it after the crawl."""
    stmt = (
        select(Agency.name, Report.year, Report.url, Report.title, Document.sha256, Document.name, Document.encoding,
               Report.id)
        .join(Agency, Report.agency_id == Agency.id)
        .join(ReportVersion, (ReportVersion.report_id == Report.id) & (ReportVersion.number == Report.current_version))
        .join(Document, Document.id == bytes_to_read())
        .where(Report.reading == "unread")
        .order_by(Report.year.desc(), Report.id)
    )
    if report_id is not None:
        stmt = stmt.where(Report.id == report_id)
    if url is not None:
        stmt = stmt.where(Report.url == url, Report.reading_note == AWAITING_OCR)
    with archive.read() as session:
        return [Unread(*row) for row in session.execute(stmt)]


def bytes_to_read() -> ColumnElement[int]:
    """The document a report is read from: its current version's, or, while it is not read, the bytes last
    found at its URL (new bytes found unread wait there, the version read before staying current until they
    are read: store.ingest)."""
    newest = (select(Document.id).where(Document.url == Report.url)
              .order_by(Document.last_seen_at.desc(), Document.id.desc()).limit(1).correlate(Report).scalar_subquery())
    return case(((Report.reading != "read") & (Report.url != ""), newest), else_=ReportVersion.document_id)


def judged(archive: Archive, url: str, data: bytes) -> bool:
    """Whether these bytes at `url` are those its report was read from, or found unreadable in: found again
    by a crawl that reads images, they are not read again (OCR costs seconds a page) but seen."""
    digest = sha256(data)
    stmt = (
        select(Report.reading, Document.sha256)
        .join(ReportVersion, (ReportVersion.report_id == Report.id) & (ReportVersion.number == Report.current_version))
        .join(Document, Document.id == bytes_to_read())
        .where(Report.url == url)
    )
    with archive.read() as session:
        return any(reading != "unread" and stored == digest for reading, stored in session.execute(stmt))


def read_one(archive: Archive, report: Unread) -> Reading:
    """Read one report from its snapshot (OCR for an image, for a page of images all of them) and store
    what came of it; `waiting` when some of its page images are not stored yet (nothing is stored)."""
    data = archive.snapshots.get(report.sha256)
    source = Source(data=data, name=report.name, url=report.url, agency=report.agency, year=report.year,
                    encoding=report.encoding, title=report.title)
    try:
        # found unread are page images and pages of them only (crawler.archive): an HTML page here is the latter
        images = page_images_stored(archive, data, name=report.name, charset=report.encoding, url=report.url)
        if images is None:
            return "waiting"
        source = replace(source, pages=images)
        record = _parse(archive, source)
    except UnreadableInputError as exc:
        ingest(archive, _unreadable(source, str(exc)))
        return "unreadable"
    if not read_anything(record):
        ingest(archive, _unreadable(source, NOTHING_READ))
        return "unreadable"
    ingest(archive, source, record)
    return "read"


def read_record(archive: Archive, source: Source, *, pages: bool) -> tuple[Record, tuple[str, ...]] | None:
    """A stored report's record: its file's, or, for a page of images (`pages`: the report is one), theirs
    read as one, with the sha256 of each image read (None: not all of them are stored yet).
    Raises UnreadableInputError."""
    images = page_images_stored(archive, source.data, name=source.name, charset=source.encoding,
                                url=source.url) if pages else ()
    if images is None:
        return None
    return _parse(archive, replace(source, pages=images)), images


def page_images_stored(archive: Archive, data: bytes, *, name: str, charset: str | None,
                       url: str) -> tuple[str, ...] | None:
    """For a page of images, the latest bytes (sha256) stored of each of its images, in page order (None:
    some are not stored yet); () for any other document. Raises UnreadableInputError when an image not
    stored is one the crawl could not fetch (`_not_fetched`)."""
    urls = page_image_urls(data, name=name, charset=charset, base=url)
    if not urls:
        return ()
    stored = _stored_images(archive, urls)
    if len(stored) < len(urls):
        _not_fetched(archive, [u for u in urls if u not in stored], urls)
        return None
    return tuple(stored[u] for u in urls)


def _parse(archive: Archive, source: Source) -> Record:
    if source.pages:
        return parse_pages([archive.snapshots.get(sha256) for sha256 in source.pages])
    return parse_bytes(source.data, name=source.name, charset=source.encoding)


def _not_fetched(archive: Archive, missing: list[str], urls: list[str]) -> None:
    """A page image that is not stored and whose fetch a crawl recorded as failed (store.models.CrawlFault)
    makes the report unreadable now, naming the page: waiting would leave it unread with no item for
    anyone, while a person can read the page on the portal. Stored on a later crawl, the image makes the
    report unread again (`reread_page`) and it is read. Not stored and not failed, it is waited for."""
    with archive.read() as session:
        failed = dict(session.execute(select(CrawlFault.url, CrawlFault.kind).where(CrawlFault.url.in_(missing))
                                      .order_by(CrawlFault.id)).all())
    for page, url in enumerate(urls, 1):
        if url in failed:
            raise UnreadableInputError("image.page_not_fetched", page=page, fault=FAULTS.get(failed[url], failed[url]))


def reread_page(archive: Archive, url: str) -> None:
    """The page of images at `url`, read or found unreadable, waits to be read again: one of its images came
    anew (replaced in place, a quiet change of the report; or stored at last after its fetch failed). Its
    reading then gets a new version if what it says changed (store.ingest marks it `revised`)."""
    with archive.write() as session:
        session.execute(update(Report).where(Report.url == url, Report.reading != "unread")
                        .values(reading="unread", reading_note=PAGES_REPLACED))


def retire_page_images(archive: Archive, urls: list[str]) -> None:
    """Delete the reports stored at these page images of a page of images now stored as the one report
    (an archive from before read each image as a report of its own): left, they would stand next to it as
    more reports of the agency's year, the first published of which decides its status, each judged on
    one page's tables cut short. Their bytes stay, the report's documents; their versions, findings and
    cells go with them."""
    with archive.write() as session:
        session.execute(delete(Report).where(Report.url.in_(urls)))


def not_from_own_text() -> ColumnElement[bool]:
    """A report that was not read from its document's own text: found unread or unreadable, or read from
    page images (a page of them, a picture)."""
    extractor = (select(ReportVersion.extractor)
                 .where(ReportVersion.report_id == Report.id, ReportVersion.number == Report.current_version)
                 .correlate(Report).scalar_subquery())
    return (Report.reading != "read") | extractor.startswith("image:")


def retire_picture_readings(archive: Archive, page_url: str, *, document: bool) -> None:
    """Delete the reports an archive from before made of a page whose report is now a file it links: one at
    the page not read from its own text (a page of pictures, read from them or found to say nothing), and,
    when that file is a `document` (PDF, Word, spreadsheet) the page is stored linking, those at the page's
    pictures (a 图片版 that linked its PDF too was two reports). Left, they would stand next to the file's
    report as more reports of the agency's year. Their bytes stay."""
    with archive.write() as session:
        session.execute(delete(Report).where(Report.url == page_url, not_from_own_text())
                        .execution_options(synchronize_session=False))
        files = set(session.scalars(select(Document.url).where(Document.page_url == page_url))) if document else set()
        pictures = {url for url in files if is_image_file(url)}
        if pictures and files - pictures:
            session.execute(delete(Report).where(Report.url.in_(pictures)))


def _stored_images(archive: Archive, urls: list[str]) -> dict[str, str]:
    """The latest bytes (sha256) stored from each of these image URLs."""
    stmt = select(Document.url, Document.sha256).where(Document.url.in_(urls)).order_by(Document.last_seen_at,
                                                                                        Document.id)
    with archive.read() as session:
        return dict(session.execute(stmt).all())


def _unreadable(source: Source, why: str) -> Source:
    return replace(source, reading="unreadable", reading_note=why)


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
