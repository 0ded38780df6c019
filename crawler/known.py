"""What the archive knows of the portals' documents when a crawl starts: what a re-crawl asks after."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Known:
    # url → (ETag, Last-Modified) of the latest bytes stored from it: sent back as a conditional request
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    # a report page → the files it linked: an unchanged page (304) still has its files asked after,
    # because a file replaced in place (the quiet edit of a PDF report) changes no page
    files: dict[str, list[str]] = field(default_factory=dict)
    # the URLs reports are at (pages that carried a report themselves, files that are one)
    report_pages: set[str] = field(default_factory=set)
    # those not read from their own text (found unread or unreadable, read from pictures): a page of pictures,
    # whose files are its pages; the files of a page read from its text are copies
    pictured: set[str] = field(default_factory=set)
