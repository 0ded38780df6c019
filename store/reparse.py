"""Re-reading stored snapshots after a parser improvement: a new version only where the record changed.

Without `everything`, only reports whose current version came from another parser version are
re-read; the findings of the ones re-read are refreshed either way (the validator may have changed).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select

from extract.errors import UnreadableInputError
from extract.parse import PARSER_VERSION
from store.db import Archive
from store.ingest import Outcome, Source, ingest
from store.models import Agency, Document, Report, ReportVersion
from store.reading import bytes_to_read, read_record


@dataclass(frozen=True, slots=True)
class StoredReport:
    """The bytes a report is read from (store.reading.bytes_to_read): enough to read and parse it again."""

    report_id: int
    agency: str
    year: int
    url: str
    sha256: str
    name: str
    encoding: str | None
    # read from page images, or still unread: a report page of several images is read from them again
    from_images: bool


def stored_reports(archive: Archive, *, everything: bool) -> list[StoredReport]:
    stmt = (
        select(Report.id, Agency.name, Report.year, Report.url, Document.sha256, Document.name, Document.encoding,
               ReportVersion.extractor.startswith("image:") | (Report.reading == "unread"))
        .join(Agency, Report.agency_id == Agency.id)
        .join(ReportVersion, (ReportVersion.report_id == Report.id) & (ReportVersion.number == Report.current_version))
        .join(Document, Document.id == bytes_to_read())
        .order_by(Report.id)
    )
    if not everything:
        stmt = stmt.where(ReportVersion.parser_version != PARSER_VERSION)
    with archive.read() as session:
        return [StoredReport(*row) for row in session.execute(stmt)]


def reparse_one(archive: Archive, stored: StoredReport) -> Outcome:
    """Parse the snapshot again (a page of images: its images) and store the result as if it had just been
    imported, minus a new sighting."""
    data = archive.snapshots.get(stored.sha256)
    source = Source(data=data, name=stored.name, url=stored.url, agency=stored.agency, year=stored.year,
                    encoding=stored.encoding)
    read = read_record(archive, source, pages=bool(stored.from_images))
    if read is None:
        raise UnreadableInputError("image.pages_missing")
    record, pages = read
    return ingest(archive, replace(source, pages=pages), record)
