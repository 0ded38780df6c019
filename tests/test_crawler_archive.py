"""Which of a report page and its attachments is parsed as the report: the spider decides once, from the
page's text, and the archive follows that decision (nothing fetched is lost either way)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import GOLD, SEEDS

from crawler.archive import open_archive, store_document
from crawler.items import FetchedDocument
from store.db import Archive

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
