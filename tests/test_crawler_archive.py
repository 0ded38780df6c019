"""Which of a report page and its attachments is parsed as the report: the spider decides once, from the
page's text, and the archive follows that decision (nothing fetched is lost either way)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import GOLD, SEEDS

from crawler.archive import known, open_archive, store_document
from crawler.items import FetchedDocument
from store.agencies import upsert_agency
from store.db import Archive
from store.ingest import Source, keep_document
from store.models import Portal

_PAGE_URL = "http://127.0.0.1/art/1.html"


def _page(body: bytes, *, attachments: int, has_report: bool) -> FetchedDocument:
    gold = GOLD[SEEDS[0].stem]
    return FetchedDocument(portal="p", url=_PAGE_URL, body=body, status=200, content_type="text/html",
                           encoding=None, title="2023年政府信息公开工作年度报告", agency=gold["agency"] or "某县民政局",
                           level=None, region=None, year=gold["year"], attachments=attachments,
                           page_has_report=has_report)


def _report_page() -> bytes:
    text = SEEDS[0].read_text(encoding="utf-8")
    return f"<html><body><pre>{text}</pre></body></html>".encode()


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with open_archive(f"sqlite:///{tmp_path / 'a.sqlite3'}") as opened:
        with opened.write() as session:  # what syncing the registry does before a crawl
            upsert_agency(session, _page(b"", attachments=0, has_report=False).agency or "", level="department")
        yield opened


def _counts(tmp_path: Path) -> tuple[int, int]:
    """Documents and reports in the archive."""
    with sqlite3.connect(tmp_path / "a.sqlite3") as conn:
        return (conn.execute("SELECT count(*) FROM document").fetchone()[0],
                conn.execute("SELECT count(*) FROM report").fetchone()[0])


def test_a_page_that_carries_the_tables_is_the_report(archive: Archive, tmp_path: Path) -> None:
    assert store_document(archive, _page(_report_page(), attachments=1, has_report=True), None) == "new_report"
    assert _counts(tmp_path) == (1, 1)


def test_its_attachment_is_kept_as_a_copy(archive: Archive, tmp_path: Path) -> None:
    copy = _page(SEEDS[0].read_bytes(), attachments=0, has_report=True)
    copy.kind, copy.url, copy.page_url = "attachment", "http://127.0.0.1/art/1.pdf", _PAGE_URL
    assert store_document(archive, copy, None) == "copy_of_page_report"
    assert _counts(tmp_path) == (1, 0)


def test_a_page_that_only_links_its_report_is_kept_unparsed(archive: Archive, tmp_path: Path) -> None:
    # the same report text, but the spider found no report tables on the page: the linked file is the report
    outcome = store_document(archive, _page(_report_page(), attachments=1, has_report=False), None)
    assert outcome == "page_without_report"
    assert _counts(tmp_path) == (1, 0)


def test_a_page_without_attachments_is_always_parsed(archive: Archive, tmp_path: Path) -> None:
    assert store_document(archive, _page(_report_page(), attachments=0, has_report=False), None) == "new_report"
    assert _counts(tmp_path) == (1, 1)


def test_a_report_of_a_name_no_agency_goes_by_is_not_invented(archive: Archive, tmp_path: Path) -> None:
    other = SEEDS[2].read_text(encoding="utf-8")  # another agency's report
    assert GOLD[SEEDS[2].stem]["agency"] != GOLD[SEEDS[0].stem]["agency"]
    page = _page(f"<html><body><pre>{other}</pre></body></html>".encode(), attachments=0, has_report=True)
    page.agency = None  # the spider could not tell, and the report's own name is no agency of the archive
    assert store_document(archive, page, None) == "report_without_agency"
    with sqlite3.connect(tmp_path / "a.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM agency").fetchone()[0] == 1


def test_an_image_without_ocr_is_published_and_unread(archive: Archive, tmp_path: Path) -> None:
    image = _page(b"\x89PNG\r\n\x1a\n" + bytes(64), attachments=0, has_report=False)
    image.kind, image.url, image.page_url = "attachment", "http://127.0.0.1/art/1.png", _PAGE_URL
    image.title = "某县民政局2023年政府信息公开工作年度报告（图片版）"
    assert store_document(archive, image, None, ocr=False) == "new_report"
    with sqlite3.connect(tmp_path / "a.sqlite3") as conn:
        assert conn.execute("SELECT year, reading, reading_note, errors FROM report").fetchall() == [
            (image.year, "unread", "image", 0)]


def test_an_unreadable_file_is_published_and_says_why(archive: Archive, tmp_path: Path) -> None:
    broken = _page(b"%PDF-1.4 broken", attachments=0, has_report=False)
    broken.kind, broken.url, broken.page_url = "attachment", "http://127.0.0.1/art/1.pdf", _PAGE_URL
    assert store_document(archive, broken, None) == "new_report"
    with sqlite3.connect(tmp_path / "a.sqlite3") as conn:
        [(reading, note)] = conn.execute("SELECT reading, reading_note FROM report").fetchall()
    assert reading == "unreadable"
    assert note


def test_a_page_with_files_not_all_stored_is_fetched_in_full_again(archive: Archive) -> None:
    """A crawl that died after storing a page but before its files: the next crawl must not take the page's
    304 for "nothing new" (it would never ask for the missing file), so the page gets no validators."""
    with archive.write() as session:
        session.add(Portal(key="p", name="p", base_url="http://127.0.0.1/"))
    page = _page(b"<html><body><a href='1.pdf'>1</a><a href='2.pdf'>2</a></body></html>", attachments=2,
                 has_report=False)
    page.etag = '"page-1"'
    store_document(archive, page, None)
    seen = []
    for name in ("1.pdf", "2.pdf"):
        seen.append(_PAGE_URL in known(archive, ["p"]).validators)
        keep_document(archive, Source(data=name.encode(), name=name, url=f"http://127.0.0.1/art/{name}",
                                      page_url=_PAGE_URL, etag=f'"{name}"'))
    seen.append(_PAGE_URL in known(archive, ["p"]).validators)
    assert seen == [False, False, True]
