"""Where the crawl meets the archive: the registry's portals and agencies, the crawl run, each document.

Every fetched document is parsed here (extract), checked and stored (store.ingest runs validate).
The year is the one the publisher states, in the list entry and the title, never the body's (a body
naming another year is the validator's `year_mismatch`); the agency is the registry's one the spider
resolved, or one the archive already knows by the report's own name, never a new one. A report that
was found but cannot be read yet (a page image while OCR is off) or at all (a file no extractor reads)
is stored from what was found — published, with its reading state — not left out as if missing.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import PurePosixPath
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from config.registry import Registry
from crawler.items import FetchedDocument, FetchFailure
from crawler.known import Known
from extract.errors import UnreadableInputError
from extract.page_images import IMAGE_SUFFIXES, is_image_file
from extract.parse import page_image_urls, parse_bytes
from store.agencies import UnknownAgencyError, upsert_agency, upsert_portal
from store.db import Archive
from store.errors import StoreError
from store.evidence import UNFINISHED, covered
from store.ingest import IncompleteReportError, Source, ingest, keep_document
from store.models import CrawlFault, CrawlRun, Portal, utcnow
from store.reading import (
    AWAITING_OCR,
    NOTHING_READ,
    judged,
    not_from_own_text,
    read_anything,
    read_one,
    reread_page,
    retire_page_images,
    retire_picture_readings,
    unread_reports,
)

log = logging.getLogger(__name__)

_SUFFIX_BY_TYPE = {
    "application/pdf": ".pdf", "application/msword": ".doc", "text/html": ".html", "text/plain": ".txt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/tiff": ".tif",
}


def open_archive(url: str, *, migrate: bool = True) -> Archive:
    return Archive.open(url, migrate=migrate)


def document_name(url: str, content_type: str | None) -> str:
    """A file name that tells the parser the medium: `downfile.jsp?filename=a.pdf` → `a.pdf`."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    for key in ("filename", "file", "name"):
        if query.get(key):
            return PurePosixPath(query[key][0]).name
    name = PurePosixPath(parts.path).name or "index.html"
    if not PurePosixPath(name).suffix or name.endswith((".jsp", ".do", ".aspx", ".php")):
        kind = (content_type or "").split(";", 1)[0].strip().lower()
        name += _SUFFIX_BY_TYPE.get(kind, "")
    return name


def sync_registry(archive: Archive, registry: Registry, portal_ids: Iterable[str]) -> None:
    """The portals crawled and all their agencies, so that an agency that publishes nothing is still known."""
    wanted = set(portal_ids)
    with archive.write() as session:
        for portal in registry.portals:
            if portal.id not in wanted:
                continue
            upsert_portal(session, portal.id, name=portal.name, base_url=portal.base_url,
                          columns=portal.columns, cms=portal.cms, enabled=portal.enabled)
            for agency in portal.agencies:
                upsert_agency(session, agency.name, level=agency.level, region=agency.region,
                              deadline=registry.deadline_of(agency), supervisors=agency.supervisors,
                              portal=portal.id)
        for portal in registry.portals:  # parents last: they may sit on another portal
            for agency in portal.agencies if portal.id in wanted else ():
                if agency.parent:
                    upsert_agency(session, agency.name, parent=agency.parent)


def start_run(archive: Archive, registry: Registry, portal_ids: list[str]) -> int:
    sync_registry(archive, registry, portal_ids)
    with archive.write() as session:
        run = CrawlRun(portals=sorted(portal_ids))
        session.add(run)
        session.flush()
        covered(session, run.id, portal_ids)
        return run.id


def store_document(archive: Archive, item: FetchedDocument, run_id: int | None, *, ocr: bool = True) -> str:
    """Parse and store one document; the outcome names what happened (for the run's counts).

    Bytes that are no report of their own are still kept (with their HTTP validators)."""
    source = _source(item, run_id)
    paged = item.images > 1 and not item.page_has_report
    if paged:
        outcome = _page_of_images(archive, item, source)
    elif is_image(source.name) and not item.page_has_report and (not ocr or judged(archive, item.url, item.body)):
        # an image already read (or found unreadable) is seen again, not read again: OCR costs seconds a page
        outcome = _found(archive, item, source, "unread", AWAITING_OCR)
    else:
        outcome = _report_outcome(archive, item, source)
    if outcome == "page_without_report" and item.stale:
        _retire(archive, item)
    if outcome in _KEPT_ONLY:
        new = _keep(archive, source)
        if new and outcome == "page_image":  # a picture of a page of pictures came anew: its report is read again
            _image_came(archive, item.page_url or "")
    if ocr and paged:
        read_page(archive, item.url if item.kind == "page" else item.page_url or "")
    return outcome


def keep_fetched(archive: Archive, item: FetchedDocument, run_id: int | None) -> None:
    """Keep a document's bytes without parsing it (its parser crashed)."""
    _keep(archive, _source(item, run_id))


def _source(item: FetchedDocument, run_id: int | None) -> Source:
    return Source(
        data=item.body, name=document_name(item.url, item.content_type), url=item.url, agency=item.agency,
        level=item.level, region=item.region, year=item.year, dates=item.dates, seen_at=utcnow(),
        http_status=item.status, content_type=item.content_type, encoding=item.encoding, crawl_run_id=run_id,
        etag=item.etag, last_modified=item.last_modified,
        page_url=item.page_url, attachments=item.attachments if item.kind == "page" else None, title=item.title,
        new_agency=False,
    )


def _keep(archive: Archive, source: Source) -> bool:
    """Keep the bytes; True if they are new at their URL."""
    try:
        return keep_document(archive, source)
    except StoreError as exc:
        log.error("could not keep %s: %s", source.url, exc)  # noqa: TRY400 - one line, no traceback
        return False


_KEPT_ONLY = frozenset({"copy_of_page_report", "page_without_report", "page_image"})


def is_image(name: str) -> bool:
    return name.lower().endswith(IMAGE_SUFFIXES)


def _page_of_images(archive: Archive, item: FetchedDocument, source: Source) -> str:
    """A page that shows its report as several pictures (a 图片版, titled so or not) is the report, found
    unread until its images are read together (now, with OCR, once the last of them is stored; else by the
    OCR backlog); each image is a page of it, kept, never a report of its own (one stored so by an older
    archive is retired)."""
    if item.kind == "attachment":
        return "page_image"
    outcome = _found(archive, item, source, "unread", AWAITING_OCR)
    if outcome in ("new_report", "new_version", "unchanged"):
        try:
            retire_page_images(archive, page_image_urls(item.body, name=source.name, charset=item.encoding,
                                                        base=item.url))
        except StoreError as exc:  # the next crawl of the page retires them
            log.error("could not retire the image reports of %s: %s", item.url, exc)  # noqa: TRY400 - one line
    return outcome


def _retire(archive: Archive, page: FetchedDocument) -> None:
    """A page whose report is a file it links, where an archive from before holds reports of its pictures or of
    the page read from them: they go (store.reading.retire_picture_readings), the file's report stays the one."""
    try:
        retire_picture_readings(archive, page.url, document=not page.images)
    except StoreError as exc:  # the next crawl of the page retires them
        log.error("could not retire the picture reports of %s: %s", page.url, exc)  # noqa: TRY400 - one line


def _image_came(archive: Archive, page_url: str) -> None:
    """An image of the page of images at `page_url` came anew (replaced in place, or at last): the report
    is read again from its images, now (with OCR, `read_page`) or by the backlog."""
    try:
        reread_page(archive, page_url)
    except StoreError as exc:
        log.error("could not mark %s for reading: %s", page_url, exc)  # noqa: TRY400 - one line, no traceback


def read_page(archive: Archive, url: str) -> None:
    """Read the page of images at `url` if it is stored unread and all its images are stored."""
    try:
        for report in unread_reports(archive, url=url):
            read_one(archive, report)
    except StoreError as exc:  # the report stays unread: the backlog reads it
        log.error("could not read %s: %s", url, exc)  # noqa: TRY400 - one line, no traceback


def _not_parsed(item: FetchedDocument) -> str | None:
    """Which of a page and its files carries the report was decided once, by the spider from the page's text."""
    if item.kind == "attachment" and item.page_has_report:
        return "copy_of_page_report"  # the page carried the report; its PDF/Word copy adds no report
    if item.kind == "page" and item.attachments and not item.page_has_report:
        return "page_without_report"  # no report tables here: the report is the linked file
    return None


def _report_outcome(archive: Archive, item: FetchedDocument, source: Source) -> str:
    if skipped := _not_parsed(item):
        return skipped
    try:
        record = parse_bytes(item.body, name=source.name, charset=item.encoding)
    except UnreadableInputError as exc:
        if item.kind == "page" and item.attachments:
            return "page_without_report"  # the report is the linked file
        log.warning("unreadable report %s: %s", item.url, exc)
        return _found(archive, item, source, "unreadable", str(exc))
    if item.kind == "page" and item.attachments and not read_anything(record):
        return "page_without_report"  # no tables here: the report is the linked file
    if not read_anything(record):
        return _found(archive, item, source, "unreadable", NOTHING_READ)
    return _ingest(archive, replace(source, year=filing_year(item.year, record)), record)


def _found(archive: Archive, item: FetchedDocument, source: Source, state: str, why: str) -> str:
    """Store a report that was found but not read: published under its list entry's agency and year."""
    if item.agency is None or item.year is None:
        return "report_of_unknown_year" if item.year is None else "report_without_agency"
    return _ingest(archive, replace(source, year=item.year, reading=state, reading_note=why), None)


def _ingest(archive: Archive, source: Source, record: dict[str, object] | None) -> str:
    try:
        return ingest(archive, source, record).change
    except IncompleteReportError:
        return "report_without_agency_or_year"
    except UnknownAgencyError:
        return "report_without_agency"  # neither the spider nor the archive knows the name: not invented
    except StoreError as exc:
        log.error("could not store %s: %s", source.url, exc)  # noqa: TRY400 - one line, no traceback
        return "store_error"


def filing_year(listed: int | None, record: Mapping[str, object]) -> int | None:
    """The year a report covers, as its publisher states it: the list entry (its link title, or the year
    column it was listed in), else the document's own title, else what the parser made of the body.
    A body that names another year does not move the report (the validator's `year_mismatch` says it)."""
    parse = record.get("parse")
    titled = parse.get("title_year") if isinstance(parse, dict) else None
    for year in (listed, titled, record.get("year")):
        if isinstance(year, int):
            return year
    return None


def finish_run(
    archive: Archive, run_id: int | None, counts: Mapping[str, int], errors: Mapping[str, Counter[str]],
    portal_stats: Mapping[str, Mapping[str, int]], *, failures: Iterable[FetchFailure] = (),
    unfinished: Iterable[str] = (),
) -> None:
    """Close the run with its counts and its evidence: every failure, and a fault `unfinished` for each
    portal whose crawl did not run to its end (stopped, timed out); its statistics say so too (alerts.health
    takes a portal such a run never reached for no evidence that it cannot be reached)."""
    if run_id is None:
        return
    stopped = set(unfinished)
    with archive.write() as session:
        run = session.get(CrawlRun, run_id)
        if run is None:
            return
        run.finished_at = utcnow()
        # each portal's own statistics as `<portal>:<stat>`: the monitor's health checks read them
        per_portal = {
            f"{portal}:{stat}": n
            for portal in run.portals
            for stat, n in {"list_pages": 0, **portal_stats.get(portal, {}),
                            **({UNFINISHED: 1} if portal in stopped else {})}.items()
            if not stat.startswith("failed:")
        }
        run.counts = dict(counts) | {"portals": len(portal_stats)} | per_portal
        run.errors = {f"{portal}:{kind}": n for portal, kinds in errors.items() for kind, n in kinds.items()}
        session.add_all(
            CrawlFault(run_id=run_id, portal=f.portal, url=f.url, kind=f.kind, detail=f.detail, list_page=f.list_page,
                       agency=f.agency, year=f.year, copy=f.copy)
            for f in failures
        )
        bases = dict(session.execute(select(Portal.key, Portal.base_url).where(Portal.key.in_(run.portals))).all())
        session.add_all(
            CrawlFault(run_id=run_id, portal=p, url=bases.get(p, ""), kind=UNFINISHED, detail="", list_page=True)
            for p in sorted(stopped)
        )


def known(archive: Archive, portals: list[str]) -> Known:
    """What the archive holds from these portals: each URL's latest HTTP validators, each report page's
    files, and the pages that carried their report. A page with fewer files stored than it linked gets no
    validators: fetched in full, it names its files again (a crawl that died before storing them all)."""
    from store.models import Document, Report  # noqa: PLC0415

    found = Known()
    with archive.read() as session:
        ours = _Portals(session.scalars(select(Portal.base_url).where(Portal.key.in_(portals))))
        rows = session.execute(
            select(Document.url, Document.etag, Document.last_modified, Document.page_url, Document.attachments)
            .order_by(Document.fetched_at)
        )
        linked: dict[str, int] = {}
        for url, etag, modified, page, attachments in rows:
            if not ours.holds(url):
                continue
            if etag or modified:
                found.validators[url] = (etag, modified)
            if attachments is not None:
                linked[url] = attachments
            if page and url not in found.files.setdefault(page, []):
                found.files[page].append(url)
        for page, count in linked.items():
            if len(found.files.get(page, ())) < count:
                found.validators.pop(page, None)
        found.report_pages = {url for url in session.scalars(select(Report.url).distinct()) if ours.holds(url)}
        found.pictured = {url for url in session.scalars(select(Report.url).where(not_from_own_text()).distinct())
                          if ours.holds(url)}
    for url in _fetched_again(found, linked):
        found.validators.pop(url, None)
    return found


def _fetched_again(found: Known, linked: Mapping[str, int]) -> set[str]:
    """Pages, with their documents, of which an archive from before made other reports than a crawl now
    makes: fetched in full once, each gets its one report and retires the others (`_page_of_images`,
    `_retire`). Those are a page none is at whose several pictures are reports (each was one); a page that
    links nothing and was not read from its own text (its pictures, not told by its title, were not
    fetched: it said nothing); a page that links a document and was read from its pictures, or whose
    pictures are reports (a 图片版 that linked its PDF too)."""
    again: set[str] = set()
    for page in linked.keys() | found.files.keys():
        files = found.files.get(page, [])
        documents = [url for url in files if not is_image_file(url)]
        reports = sum(is_image_file(url) and url in found.report_pages for url in files)
        if ((reports > 1 and page not in found.report_pages) or (page in found.pictured and not files)
                or (documents and (reports or page in found.pictured))):
            again.update([page, *documents])
    return again


class _Portals:
    """Whether a URL lies under one of some portals' base URLs (by host first: thousands of portals)."""

    def __init__(self, bases: Iterable[str]) -> None:
        self.by_host: dict[str, list[str]] = {}
        for base in bases:
            self.by_host.setdefault(urlsplit(base).netloc, []).append(base.rstrip("/"))

    def holds(self, url: str) -> bool:
        return any(url.startswith(base) for base in self.by_host.get(urlsplit(url).netloc, ()))
