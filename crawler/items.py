"""What the spider hands downstream: a fetched document (report page or attachment) or a failure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(slots=True)
class FetchedDocument:
    portal: str
    url: str
    body: bytes
    status: int
    content_type: str | None
    encoding: str | None
    title: str  # the link title on the list page
    agency: str | None  # the registry's agency this report belongs to, when we can tell
    level: str | None
    region: str | None
    year: int | None
    kind: str = "page"  # page | attachment
    page_url: str | None = None  # for an attachment: the report page that links it
    dates: dict[str, dt.date] = field(default_factory=dict)  # publication-date candidates by source
    etag: str | None = None
    last_modified: str | None = None
    attachments: int = 0  # for a page: how many report files it links
    # the page carries a report's tables (for an attachment: its page does, so the file is a copy)
    page_has_report: bool = False
    # the pictures that are the report of a page without report text or document (a 图片版, titled so or not):
    # for a page, how many it shows; for one of them, how many its page shows (several: the page is the one
    # report, each picture a page of it; one: that picture is the report)
    images: int = 0
    # for a page: the archive holds a report at it or at one of its pictures, which an older crawl may have made
    # of a page whose report is a file it links (store.reading.retire_picture_readings)
    stale: bool = False


@dataclass(slots=True)
class FetchFailure:
    """A page or file that could not be read: the evidence that keeps an agency-year from `missing`."""

    portal: str
    url: str
    kind: str  # see crawler.failures
    detail: str = ""
    list_page: bool = True  # a list page (the portal is unreachable) or one article
    agency: str | None = None  # whose column or report it was, when the way to it says (None: any of the portal's)
    year: int | None = None  # the year its title or column names (None: any year)
    copy: bool = False  # a file whose page carried the report itself: losing it hides no report
