"""A 图片版 page that shows its report as several images, one per printed page, is ONE report: the page is
stored as the report (unread, awaiting OCR), its images as its documents, and the backlog reads them in the
page's order as one document. A page that is not stored yet, or cannot be read, never gives a reading of some
pages (a 数据有误 from tables cut short); the page's furniture (logo, icons, QR code) is no page of it."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import random
from dataclasses import replace
from functools import cache
from typing import Any

import pytest
from lxml import etree
from PIL import Image
from scrapy.http import HtmlResponse
from sqlalchemy import func, select
from test_crawler_sim import AS_OF as CRAWL_DAY
from test_crawler_sim import FAST

from alerts.rules import Scope, compliance_facts
from catalogue.extract import say
from catalogue.terms import FAULTS
from crawler.archive import finish_run, known, store_document
from crawler.items import FetchedDocument, FetchFailure
from crawler.run import crawl
from crawler.spiders.portal import PortalSpider
from extract.errors import UnreadableInputError
from extract.page_images import is_page, page_images
from extract.schema import SECTIONS, SPEC_KEYS
from sim import content, media
from sim.archetypes import build_site
from sim.testing import running_sim
from sim.truth import write_registry
from sim.world import Report, generate
from store.agencies import upsert_agency
from store.db import Archive
from store.diff import record_diff
from store.models import CrawlRun, Document, Finding, Portal, ReportVersion
from store.models import Report as StoredReport
from store.reading import AWAITING_OCR, NOTHING_READ, PAGES_REPLACED, read_backlog, unread_reports
from store.reparse import reparse_one, stored_reports
from store.status import compliance

pytest_plugins = ["store_fixtures"]

PAGE_URL = "http://127.0.0.1/art/2024/t20250120_1.html"
AGENCY = "某县民政局"
TITLE = f"{AGENCY}2024年政府信息公开工作年度报告（图片版）"

# a portal's article page: header logo, the report as three page images, share icons, QR code, footer badges
PAGE = """<html><head><meta charset="utf-8"><title>{title}</title></head><body>
<div id="header"><a href="/"><img src="/images/top.png" alt=""></a></div>
<div class="nav"><img src="/images/menu_bg.png"></div>
<div class="detail"><h1>{title}</h1>
<div class="TRS_Editor">
{pages}
</div>
<div class="tools"><img src="/images/print.gif"> <img src="/images/x.gif" width="16" height="16" alt="关闭窗口"></div>
<img src="/images/site_ewm.jpg" alt="手机扫描二维码">
</div>
<div class="footer"><img src="/images/dzjg.png"><img src="/images/jiucuo.png"></div>
</body></html>"""


_PAGES = """<p><img src="./W020250120_1.png" style="width:100%;"></p>
<p><img src="./W020250120_2.png" alt=""></p>
<p><img src="./W020250120_3.png" width="800"></p>"""


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height), 1).save(out, format="PNG")
    return out.getvalue()


def _page_html(pages: str = _PAGES, title: str = TITLE) -> bytes:
    return PAGE.format(title=title, pages=pages).encode()


def _item(url: str, body: bytes, *, images: int, kind: str = "attachment") -> FetchedDocument:
    page = kind == "page"
    return FetchedDocument(
        portal="p", url=url, body=body, status=200, content_type="text/html" if page else "image/png",
        encoding=None, title=TITLE, agency=AGENCY, level=None, region=None, year=2024, kind=kind,
        page_url=None if page else PAGE_URL, dates={"list": dt.date(2025, 1, 20)}, attachments=images if page else 0,
        images=images)


def _urls() -> list[str]:
    return [f"http://127.0.0.1/art/2024/W020250120_{k}.png" for k in (1, 2, 3)]


def _counts(archive: Archive) -> tuple[int, int, int]:
    """Documents, reports and versions in the archive."""
    with archive.read() as session:
        return tuple(session.scalar(select(func.count()).select_from(t)) or 0  # type: ignore[return-value]
                     for t in (Document, StoredReport, ReportVersion))


def _reports(archive: Archive) -> list[tuple[str, str, str | None]]:
    with archive.read() as session:
        return [tuple(r) for r in session.execute(select(StoredReport.url, StoredReport.reading,
                                                         StoredReport.reading_note))]  # type: ignore[misc]


def _agency(archive: Archive, name: str = AGENCY) -> None:
    with archive.write() as session:
        upsert_agency(session, name, level="department", region="430381")


# ---------------------------------------------------------------------------- which images are pages

def test_the_pages_are_the_content_images_in_page_order() -> None:
    root = etree.fromstring(_page_html(), etree.HTMLParser())
    assert page_images(root, PAGE_URL) == _urls()


@pytest.mark.parametrize(("size", "page"), [
    ((1000, 1414), True),  # an A4 page
    ((1414, 1000), True),  # a landscape one
    ((1000, 8000), True),  # a long image (cut into pages when read)
    ((600, 850), True),  # a small scan
    ((300, 80), False),  # a logo
    ((1000, 150), False),  # a banner
    ((1200, 400), False),  # a flat one
    ((120, 120), False),  # a QR code
])
def test_an_image_too_small_or_flat_is_no_page(size: tuple[int, int], page: bool) -> None:
    assert is_page(*size) is page


def _spider(tmp_path: Any) -> PortalSpider:
    world = generate(seed=1, portals=1)
    registry = tmp_path / "registry.yaml"
    write_registry(registry, world, lambda portal: build_site(world.seed, portal, f"http://{portal.address}"))
    return PortalSpider(registry=str(registry))


def _parse_page(spider: PortalSpider, body: bytes, title: str = TITLE) -> tuple[FetchedDocument, list[Any]]:
    """What the spider makes of a report page: the page, and the requests for its files."""
    portal = next(iter(spider.portals.values()))
    doc = {"title": title, "list_date": "2025-01-20", "year": 2024, "agency": AGENCY, "level": None,
           "region": None}
    request = spider._document_request(portal, PAGE_URL, doc, spider.parse_page)
    spider.settling.expect(request)
    page, *files = spider.parse_page(HtmlResponse(PAGE_URL, body=body, request=request, encoding="utf-8"))
    return page, files


def test_the_spider_takes_the_pages_and_leaves_the_furniture(tmp_path: Any) -> None:
    page, files = _parse_page(_spider(tmp_path), _page_html())
    assert (page.kind, page.images, page.attachments) == ("page", 3, 3)
    assert [(r.url, r.meta["doc"]["images"]) for r in files] == [(u, 3) for u in _urls()]


# ---------------------------------------------------------------------------- told by the page, not its title

UNTITLED = f"{AGENCY}2024年政府信息公开工作年度报告"
INTRO = f"<p>现将{UNTITLED}予以公开。</p>"
# a report's own text: its six sections in prose (its tables elsewhere, or shown as pictures)
PROSE = "".join(f"<p>{heading}</p><p>{'本机关认真贯彻落实《中华人民共和国政府信息公开条例》，' * 8}</p>"
                for heading in SECTIONS.values())
PHOTOS = """<p><img src="./W020250120_1.png" alt="培训现场"></p><p><img src="./W020250120_2.png"></p>
<p><img src="./W020250120_3.png" alt="公章"></p>"""
PDF = '<p>附件：<a href="./P020250120_report.pdf">年度报告.pdf</a></p>'
PDF_URL = "http://127.0.0.1/art/2024/P020250120_report.pdf"


def test_a_page_of_pictures_not_titled_so_is_its_pictures(tmp_path: Any) -> None:
    """Most portals never write 图片版: a report page with little text of its own that shows pictures has them
    for its report, its pages in order (several) or the report itself (one)."""
    spider = _spider(tmp_path)
    page, files = _parse_page(spider, _page_html(INTRO + _PAGES, UNTITLED), UNTITLED)
    assert (page.images, page.attachments, page.page_has_report) == (3, 3, False)
    assert [(r.url, r.meta["doc"]["images"]) for r in files] == [(u, 3) for u in _urls()]

    # a portal's scripts and forms in the body (a share widget, a counter, a search box) are no text of it
    widgets = (f"<script>{'var _hmt = _hmt || [];' * 40}</script><form><select><option>{'部门网站' * 60}</option>"
               "</select></form><style>p { line-height: 2; }</style>")
    page, files = _parse_page(spider, _page_html(widgets + INTRO + _PAGES + widgets, UNTITLED), UNTITLED)
    assert (page.images, page.attachments) == (3, 3)

    one = '<p><img src="./W020250120_1.png" style="width:100%;"></p>'
    page, files = _parse_page(spider, _page_html(one, UNTITLED), UNTITLED)
    assert (page.images, page.attachments) == (1, 1)
    assert [(r.url, r.meta["doc"]["images"]) for r in files] == [(_urls()[0], 1)]


@pytest.mark.parametrize("title", [UNTITLED, TITLE])
def test_a_page_with_report_text_keeps_its_photos_and_seal_out_of_the_report(tmp_path: Any, title: str) -> None:
    """The report's text on the page (here without its tables, which alone would say it): an HTML report,
    its illustrations none of its pages — unless its title says the pictures are the report (图片版)."""
    page, files = _parse_page(_spider(tmp_path), _page_html(PROSE + PHOTOS, title), title)
    assert page.page_has_report is False
    assert (page.images, [r.url for r in files]) == ((3, _urls()) if title == TITLE else (0, []))


@pytest.mark.parametrize("title", [UNTITLED, TITLE])
def test_a_page_of_pictures_that_links_the_report_as_a_document_is_the_document(tmp_path: Any, title: str) -> None:
    """The PDF is the report (its text layer reads exactly); the pictures beside it are not fetched."""
    page, files = _parse_page(_spider(tmp_path), _page_html(INTRO + _PAGES + PDF, title), title)
    assert (page.images, page.attachments, page.page_has_report) == (0, 1, False)
    assert [(r.url, r.meta["doc"]["images"], r.meta["doc"]["page_has_report"]) for r in files] == [
        (PDF_URL, 0, False)]


def test_a_form_the_page_offers_is_no_document_of_its_report(tmp_path: Any) -> None:
    """An application form to download beside a page of pictures is not taken for its report (it would be
    found unreadable, the pictures never read): named so by its link, its title or its file name."""
    forms = ('<p><a href="./P020250120_form.doc">政府信息公开申请表</a></p>'
             '<p><a href="./P020250120_g.pdf" title="依申请公开办事指南">下载</a></p>'
             '<p><a href="./%E7%94%B3%E8%AF%B7%E8%A1%A8.docx">附件</a></p>')
    page, files = _parse_page(_spider(tmp_path), _page_html(INTRO + _PAGES + forms, UNTITLED), UNTITLED)
    assert (page.images, page.attachments) == (3, 3)
    assert [r.url for r in files] == _urls()


def test_a_page_is_stale_where_the_archive_holds_a_report_at_it_or_at_its_pictures(tmp_path: Any) -> None:
    spider = _spider(tmp_path)
    html = _page_html(INTRO + _PAGES + PDF)
    assert _parse_page(spider, html)[0].stale is False
    spider.known.files[PAGE_URL] = [PDF_URL, _urls()[0]]
    spider.known.report_pages = {PDF_URL}
    assert _parse_page(spider, html)[0].stale is False  # the PDF's report: as a crawl makes it
    spider.known.report_pages = {PDF_URL, _urls()[0]}  # a picture's report beside it, an older crawl's
    assert _parse_page(spider, html)[0].stale is True
    spider.known.report_pages = {PAGE_URL}
    assert _parse_page(spider, html)[0].stale is True


def test_an_unchanged_page_of_an_older_crawl_asks_its_document_not_its_pictures(tmp_path: Any) -> None:
    spider = _spider(tmp_path)
    portal = next(iter(spider.portals.values()))
    doc = {"title": TITLE, "list_date": "2025-01-20", "year": 2024, "agency": AGENCY, "level": None, "region": None}
    spider.known.files[PAGE_URL] = [PDF_URL, *_urls()]  # stored by an older crawl: the PDF and the pictures
    assert [(r.url, r.meta["doc"]["images"], r.meta["doc"]["page_has_report"])
            for r in spider._known_files(portal, PAGE_URL, doc)] == [(PDF_URL, 0, False)]
    spider.known.files[PAGE_URL] = _urls()  # a page of pictures, its report (titled 图片版 or not)
    spider.known.report_pages.add(PAGE_URL)
    spider.known.pictured.add(PAGE_URL)
    for title in (TITLE, UNTITLED):
        assert [(r.url, r.meta["doc"]["images"], r.meta["doc"]["page_has_report"])
                for r in spider._known_files(portal, PAGE_URL, {**doc, "title": title})] == [
            (u, 3, False) for u in _urls()]
    spider.known.pictured.clear()  # a page read from its own text, linking pictures of it: copies
    assert [(r.url, r.meta["doc"]["images"], r.meta["doc"]["page_has_report"])
            for r in spider._known_files(portal, PAGE_URL, doc)] == [(u, 0, True) for u in _urls()]


def test_a_picture_a_page_with_report_text_links_is_no_report(archive: Archive) -> None:
    """`附件：表格.png` beside the report's tables on the page: a copy, kept, no report of its own (OCR or not)."""
    _agency(archive)
    for ocr in (False, True):
        picture = replace(_item(_urls()[0], _png(1000, 1414 + ocr), images=0), page_has_report=True)
        assert store_document(archive, picture, None, ocr=ocr) == "copy_of_page_report"
    assert _reports(archive) == []


# ---------------------------------------------------------------------------- stored as one report

def test_a_page_of_images_is_one_unread_report_its_images_its_documents(archive: Archive) -> None:
    _agency(archive)
    urls = _urls()
    items = [_item(PAGE_URL, _page_html(), images=3, kind="page")]
    items += [_item(u, _png(1000, 1414 + k), images=3) for k, u in enumerate(urls)]
    random.Random(0).shuffle(items)  # the crawl's workers store them in any order
    outcomes = sorted(store_document(archive, item, None, ocr=False) for item in items)
    assert outcomes == ["new_report", "page_image", "page_image", "page_image"]
    assert _reports(archive) == [(PAGE_URL, "unread", AWAITING_OCR)]
    with archive.read() as session:
        kept = session.execute(select(Document.url, Document.page_url).where(Document.page_url == PAGE_URL)).all()
    assert sorted(kept) == [(u, PAGE_URL) for u in urls]
    before = _counts(archive)
    assert before == (4, 1, 1)

    again = [store_document(archive, item, None, ocr=False) for item in items]  # the next crawl finds the same
    assert sorted(again) == ["page_image", "page_image", "page_image", "unchanged"]
    assert _counts(archive) == before


def test_a_page_of_images_waits_for_all_its_images(archive: Archive) -> None:
    _agency(archive)
    store_document(archive, _item(PAGE_URL, _page_html(), images=3, kind="page"), None, ocr=False)
    for url in _urls()[:2]:  # the third image's fetch failed
        store_document(archive, _item(url, _png(1000, 1414), images=3), None, ocr=False)
    done = read_backlog(archive, seconds=float("inf"))
    assert (done.read, done.unreadable, done.left) == (0, 0, 1)
    assert _reports(archive) == [(PAGE_URL, "unread", AWAITING_OCR)]  # no reading of two pages of three
    assert _counts(archive)[2] == 1
    [stored] = stored_reports(archive, everything=True)
    with pytest.raises(UnreadableInputError) as raised:  # nor by `xxgk reparse`
        reparse_one(archive, stored)
    assert raised.value.key == "image.pages_missing"


def test_a_crawl_that_reads_images_reads_the_page_once_its_last_image_is_in(archive: Archive) -> None:
    _agency(archive)
    urls = _urls()
    store_document(archive, _item(urls[0], _png(1000, 1414), images=3), None)  # the workers' order
    store_document(archive, _item(PAGE_URL, _page_html(), images=3, kind="page"), None)
    store_document(archive, _item(urls[2], _png(1000, 1414), images=3), None)
    assert _reports(archive) == [(PAGE_URL, "unread", AWAITING_OCR)]
    store_document(archive, _item(urls[1], _png(1000, 1414), images=3), None)
    [(url, reading, note)] = _reports(archive)  # three blank pages: read, and nothing found in them
    assert (url, reading, note) == (PAGE_URL, "unreadable", say("input.not_report"))


def test_a_page_that_cannot_be_read_makes_the_report_unreadable_not_inconsistent(archive: Archive) -> None:
    _agency(archive)
    store_document(archive, _item(PAGE_URL, _page_html(), images=3, kind="page"), None, ocr=False)
    bodies = [_png(1000, 1414), _png(1000, 1414)[:200], _png(1000, 1414)]  # page 2 cut off in transfer
    for url, body in zip(_urls(), bodies, strict=True):
        store_document(archive, _item(url, body, images=3), None, ocr=False)
    done = read_backlog(archive, seconds=float("inf"))
    assert (done.read, done.unreadable, done.left) == (0, 1, 0)
    [(url, reading, note)] = _reports(archive)
    assert (url, reading) == (PAGE_URL, "unreadable")
    assert note
    assert note.startswith("图片版第 2 页：")
    with archive.read() as session:
        rules = set(session.scalars(select(Finding.rule)))
    assert not rules - {"late_publication"}  # nothing said of its numbers


# ---------------------------------------------------------------------------- read as one record

@cache
def _paged_report() -> tuple[Report, int]:
    world = generate(seed=0, portals=14)
    report = next(r for p in world.portals for r in p.reports
                  if r.paged and r.fmt == "2021" and not r.injected and r.revised is None)
    return report, world.seed


def test_a_page_of_images_is_read_as_one_record_equal_to_the_truth(tmp_path: Any) -> None:
    report, seed = _paged_report()
    record = content.build_record(seed, report, 0)
    pages = [media.png_page(record, k) for k in range(1, media.png_pages(record) + 1)]
    assert len(pages) > 1
    urls = [f"http://127.0.0.1/art/2024/W020250120_{k}.png" for k in range(1, len(pages) + 1)]
    html = _page_html("".join(f'<p><img src="{u}"></p>' for u in urls), report.title)
    with Archive.open(f"sqlite:///{tmp_path / 'a.sqlite3'}") as archive:
        _agency(archive, report.agency.name)
        items = [_item(PAGE_URL, html, images=len(pages), kind="page"),
                 *(_item(u, body, images=len(pages)) for u, body in zip(urls, pages, strict=True))]
        for item in items:
            item.agency, item.year, item.title = report.agency.name, report.year, report.title
            store_document(archive, item, None, ocr=False)
        assert len(unread_reports(archive)) == 1
        done = read_backlog(archive, seconds=float("inf"))
        assert (done.read, done.unreadable, done.left) == (1, 0, 0)
        with archive.read() as session:
            [(url, reading)] = session.execute(select(StoredReport.url, StoredReport.reading)).all()
            [got] = session.scalars(select(ReportVersion.record).where(ReportVersion.number == 2))
            rules = set(session.scalars(select(Finding.rule)))
        [stored] = stored_reports(archive, everything=True)
        assert reparse_one(archive, stored).change == "unchanged"  # `xxgk reparse` reads the same images again
    assert (url, reading) == (PAGE_URL, "read")
    _, truth = content.truth_entry(seed, report, 0)
    want = {k: v for k, v in json.loads(truth).items() if k in SPEC_KEYS}
    assert got["source"]["medium"] == "image"
    assert {k: got.get(k) for k in want} == want
    assert not rules & {"requests.row_total", "requests.results_total", "requests.balance", "review_litigation.total"}


# ---------------------------------------------------------------------------- crawled, and crawled again

def _crawl(sim: Any, tmp: Any, name: str, db: str | None = None) -> tuple[list[str], tuple[int, int, int]]:
    """The documents a crawl handed downstream, and the archive's documents, reports and versions after it
    (in `db`, else a SQLite file in `tmp`)."""
    ledger = tmp / f"{name}.jsonl"
    db = db or f"sqlite:///{tmp / 'a.sqlite3'}"
    crawl(str(sim.registry_path), as_of=CRAWL_DAY.isoformat(), db=db, ledger=str(ledger), settings=FAST, timeout=600,
          log=ledger.with_suffix(".log").open("w"))
    lines = [json.loads(line) for line in ledger.read_text(encoding="utf-8").splitlines()]
    with Archive.open(db) as archive:
        return [x["url"] for x in lines if x["type"] == "document"], _counts(archive)


def test_a_crawled_page_of_images_is_one_report_and_a_recrawl_stores_nothing_new(tmp_path: Any) -> None:
    with running_sim(seed=17, portals=2, as_of=CRAWL_DAY, rate_limit=50) as sim:
        fetched, first = _crawl(sim, tmp_path, "first")
        paged = [r for r in sim.truth["reports"] if r["pages"]]
        assert len(paged) == 3
        assert {u for r in paged for u in r["pages"]} <= set(fetched)
        with Archive.open(f"sqlite:///{tmp_path / 'a.sqlite3'}") as archive:
            readings = {url: (reading, note) for url, reading, note in _reports(archive)}
        assert {readings[r["url"]] for r in paged} == {("unread", AWAITING_OCR)}
        assert not {u for r in paged for u in r["pages"]} & set(readings)  # no image is a report of its own
        assert _crawl(sim, tmp_path, "again")[1] == first


# ---------------------------------------------------------------------------- an image replaced in place

def test_an_image_replaced_in_place_sends_the_page_report_back_to_be_read(archive: Archive) -> None:
    _agency(archive)
    page = _item(PAGE_URL, _page_html(), images=3, kind="page")
    images = [_item(u, _png(1000, 1414 + k), images=3) for k, u in enumerate(_urls())]
    for item in (page, *images):
        store_document(archive, item, None, ocr=False)
    assert read_backlog(archive, seconds=float("inf")).unreadable == 1  # blank pages: read, nothing in them
    read = _reports(archive)
    before = _counts(archive)

    for item in images:  # the page unchanged (`304`), its images asked again: the same bytes, nothing to read
        store_document(archive, item, None, ocr=False)
    assert (_reports(archive), _counts(archive), unread_reports(archive)) == (read, before, [])

    replaced = replace(images[1], body=_png(1000, 1500))  # page 2 replaced on the portal, the page unchanged
    assert store_document(archive, replaced, None) == "page_image"  # with OCR: not read now
    assert _reports(archive) == [(PAGE_URL, "unread", PAGES_REPLACED)]  # a crawl may replace more: the backlog
    assert _counts(archive) == (before[0] + 1, before[1], before[2])
    assert read_backlog(archive, seconds=float("inf")).unreadable == 1
    assert (_reports(archive), _counts(archive)) == (read, (before[0] + 1, before[1], before[2]))
    assert store_document(archive, replaced, None, ocr=False) == "page_image"
    assert unread_reports(archive) == []  # found again, the new image is no news


def test_a_page_image_replaced_in_place_is_a_changed_report(tmp_path: Any) -> None:
    """Read with OCR from the truth's page images; one page replaced by the agency's revision of it: the
    report gets a `revised` version with the diff of the cells changed, and the supervisors' alert."""
    report, seed = _paged_report()
    published, revised = content.build_record(seed, report, 0), content.build_record(seed, report, 1)
    before = [media.png_page(published, k) for k in range(1, media.png_pages(published) + 1)]
    after = [media.png_page(revised, k) for k in range(1, media.png_pages(revised) + 1)]
    assert len(before) == len(after)
    urls = [f"http://127.0.0.1/art/2024/W020250120_{k}.png" for k in range(1, len(before) + 1)]
    html = _page_html("".join(f'<p><img src="{u}"></p>' for u in urls), report.title)

    def item(url: str, body: bytes, kind: str = "attachment") -> FetchedDocument:
        return replace(_item(url, body, images=len(urls), kind=kind), agency=report.agency.name, year=report.year,
                       title=report.title)

    with Archive.open(f"sqlite:///{tmp_path / 'a.sqlite3'}") as archive:
        _agency(archive, report.agency.name)
        for stored in (item(PAGE_URL, html, "page"), *map(item, urls, before)):
            store_document(archive, stored, None)  # a crawl with OCR reads it once its last image is in
        changed = [item(u, new) for u, old, new in zip(urls, before, after, strict=True) if old != new]
        assert changed
        with archive.read() as session:
            [read] = [r for r in compliance(session, CRAWL_DAY) if r.year == report.year]
        for stored in changed:
            store_document(archive, stored, None)
        store_document(archive, item(PAGE_URL, html, "page"), None, ocr=False)  # the page fetched again, in full
        assert _reports(archive) == [(PAGE_URL, "unread", PAGES_REPLACED)]
        with archive.read() as session:  # until read: the last reading stands, no change to tell
            [waiting] = [r for r in compliance(session, CRAWL_DAY) if r.year == report.year]
            assert not [f for f in compliance_facts(session, CRAWL_DAY, Scope({report.agency.name: PAGE_URL}))
                        if f.kind == "changed_after_publication"]
        assert (waiting.errors, waiting.inconsistent, waiting.changed, waiting.versions) == (
            read.errors, read.inconsistent, False, 2)
        assert read_backlog(archive, seconds=float("inf")).read == 1  # after the crawl: once, all pages new
        with archive.read() as session:
            [(reading, revised_at)] = session.execute(select(StoredReport.reading, StoredReport.revised_at)).all()
            versions = session.execute(select(ReportVersion.number, ReportVersion.kind, ReportVersion.diff,
                                              ReportVersion.record["source"]["pages"].label("pages"))
                                       .order_by(ReportVersion.number)).all()
            facts = compliance_facts(session, CRAWL_DAY, Scope({report.agency.name: PAGE_URL}))
        for stored in changed:  # found again: nothing new
            assert store_document(archive, stored, None) == "page_image"
        assert len(_counts_versions(archive)) == len(versions)
    assert reading == "read"
    assert revised_at is not None
    assert [(n, kind) for n, kind, *_ in versions] == [(1, "first"), (2, "reparsed"), (3, "revised")]
    assert versions[-1].pages == [hashlib.sha256(body).hexdigest() for body in after]  # what it was read from
    want = record_diff(content.truth_record(published), content.truth_record(revised))["cells"]
    assert want
    # every cell the agency changed, old → new (OCR of the new pages may misread one more: no assertion on it)
    assert [c for c in versions[-1].diff["cells"] if c in want] == want
    [fact] = [f for f in facts if f.kind == "changed_after_publication"]
    assert fact.key == f"changed:{fact.report_id}:v3"
    shown = [(c["table"], c["row"], c["col"], c["old"], c["new"]) for c in fact.payload["diff"]["cells"]]
    assert [(c["table"], c["row"], c["col"], c["old"], c["new"]) for c in want if c] == [
        s for s in shown if s in {(c["table"], c["row"], c["col"], c["old"], c["new"]) for c in want}]


def _counts_versions(archive: Archive) -> list[int]:
    with archive.read() as session:
        return list(session.scalars(select(ReportVersion.id)))


# ---------------------------------------------------------------------------- a page image never fetched

def _failed(archive: Archive, url: str) -> None:
    """A crawl run that could not fetch `url` (HTTP 404), as the crawl records it."""
    with archive.write() as session:
        run = CrawlRun(portals=["p"])
        session.add(run)
        session.flush()
        run_id = run.id
    finish_run(archive, run_id, {}, {}, {}, failures=[
        FetchFailure("p", url, "http_4xx", "HTTP 404", list_page=False, agency=AGENCY, year=2024)])


def test_a_page_image_the_crawl_could_not_fetch_makes_the_report_unreadable_naming_the_page(
        archive: Archive) -> None:
    _agency(archive)
    urls = _urls()
    store_document(archive, _item(PAGE_URL, _page_html(), images=3, kind="page"), None, ocr=False)
    for url in (urls[0], urls[2]):
        store_document(archive, _item(url, _png(1000, 1414), images=3), None, ocr=False)
    _failed(archive, urls[1])
    done = read_backlog(archive, seconds=float("inf"))
    assert (done.read, done.unreadable, done.left) == (0, 1, 0)
    why = say("image.page_not_fetched", page=2, fault=FAULTS["http_4xx"])
    assert "第 2 页" in why
    assert _reports(archive) == [(PAGE_URL, "unreadable", why)]
    with archive.read() as session:
        [row] = [r for r in compliance(session, CRAWL_DAY) if r.year == 2024]
        facts = compliance_facts(session, CRAWL_DAY, Scope({AGENCY: PAGE_URL}))
    assert (row.status, row.reading, row.url) == ("on_time", "unreadable", PAGE_URL)
    # one item for a person, not a missing report
    assert [(f.kind, f.payload.get("reason")) for f in facts if f.payload["year"] == 2024] == [
        ("unreadable_report", why)]

    store_document(archive, _item(urls[1], _png(1000, 1414), images=3), None, ocr=False)  # the next crawl gets it
    assert _reports(archive) == [(PAGE_URL, "unread", PAGES_REPLACED)]
    assert read_backlog(archive, seconds=float("inf")).unreadable == 1
    assert _reports(archive) == [(PAGE_URL, "unreadable", say("input.not_report"))]  # read: blank pages


# ---------------------------------------------------------------------------- an archive from before

def test_the_image_reports_of_an_older_archive_retire_once_the_page_is_the_report(archive: Archive) -> None:
    """Before, each image of a page of images was stored as a report of its own at its URL, the page kept
    only: the next crawl fetches the page in full (no validators for it), it becomes the one report, and
    the image reports go; the agency's year is one report, not four."""
    _agency(archive)
    with archive.write() as session:
        session.add(Portal(key="p", name="p", base_url="http://127.0.0.1/"))
    urls = _urls()
    old_page = replace(_item(PAGE_URL, _page_html(), images=0, kind="page"), attachments=3, etag='"p1"')
    assert store_document(archive, old_page, None, ocr=False) == "page_without_report"
    for url in urls:  # as the code before stored each: an image report, unread
        assert store_document(archive, _item(url, _png(1000, 1414), images=0), None, ocr=False) == "new_report"
    assert len(_reports(archive)) == 3
    with archive.read() as session:
        assert len({r.report_id for r in compliance(session, CRAWL_DAY) if r.year == 2024}) == 1
    before = known(archive, ["p"])
    assert before.files[PAGE_URL] == urls  # all its files stored (which alone would keep its validators) …
    assert PAGE_URL not in before.validators  # … yet it is asked in full, not `304`

    assert store_document(archive, _item(PAGE_URL, _page_html(), images=3, kind="page"), None,
                          ocr=False) == "new_report"
    assert _reports(archive) == [(PAGE_URL, "unread", AWAITING_OCR)]
    with archive.read() as session:
        kept = set(session.scalars(select(Document.url).where(Document.url.in_(urls))))
        facts = compliance_facts(session, CRAWL_DAY, Scope({AGENCY: PAGE_URL}))
    assert kept == set(urls)  # their bytes stay: the report's pages
    assert [f for f in facts if f.payload["year"] == 2024] == []
    assert read_backlog(archive, seconds=float("inf")).unreadable == 1  # read from the images kept


# ---------------------------------------------------------------------------- a crawl that reads images

def test_a_crawl_that_reads_images_does_not_read_the_same_image_again(archive: Archive,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """An image already judged (here: found unreadable, a blank page) is seen again, not read again: OCR
    costs seconds a page and the same bytes say the same; new bytes at its URL are read."""
    url = "http://127.0.0.1/art/2024/W020250120_scan.png"
    _agency(archive)
    first = _item(url, _png(1000, 1500), images=1)
    assert store_document(archive, first, None) == "new_report"
    assert [r[1] for r in _reports(archive)] == ["unreadable"]
    before = _counts(archive)

    def no_reading(*_: object, **__: object) -> None:
        raise AssertionError("read again")

    monkeypatch.setattr("crawler.archive.parse_bytes", no_reading)
    assert store_document(archive, first, None) == "unchanged"
    assert ([r[1] for r in _reports(archive)], _counts(archive)) == (["unreadable"], before)
    monkeypatch.undo()
    assert store_document(archive, replace(first, body=_png(1000, 1400)), None) == "unchanged"  # read: the same verdict
    assert [r[1] for r in _reports(archive)] == ["unreadable"]
    assert _counts(archive)[0] == before[0] + 1


# ---------------------------------------------------------------------------- the simulator's picture pages

def test_picture_pages_are_told_by_the_page_and_a_linked_document_is_the_report(db_url: str, tmp_path: Any) -> None:
    """Crawled over HTTP: every report shown as pictures is one report, found unread (its page for several
    pictures, the picture for one), titled 图片版 or not; a page of pictures that links the PDF is the PDF's
    one report, read, its pictures never fetched. One report per agency-year, none missing; a crawl again
    stores nothing new."""
    with running_sim(seed=2, portals=2, as_of=CRAWL_DAY, rate_limit=50) as sim:
        truth = sim.truth["reports"]
        images = [r for r in truth if r["medium"] == "image"]
        pictured = [r for r in truth if r["pictures"]]
        forms = {(bool(r["pages"]), r["record"]["title"].endswith("（图片版）")) for r in images}
        assert forms == {(True, True), (True, False), (False, True), (False, False)}
        assert {r["record"]["title"].endswith("（图片版）") for r in pictured} == {True, False}

        fetched, first = _crawl(sim, tmp_path, "first", db_url)
        with Archive.open(db_url) as archive, archive.read() as session:
            stored = session.execute(select(StoredReport.url, StoredReport.reading, StoredReport.reading_note)
                                     ).all()
            rows = {(r.agency, r.year): r for r in compliance(session, CRAWL_DAY)}
        readings = {url: (reading, note) for url, reading, note in stored}
        for report in images:
            assert readings[report["url"] if report["pages"] else report["attachment"]] == ("unread", AWAITING_OCR)
            assert set(report["pages"]) <= set(fetched)
        for report in pictured:
            assert readings[report["attachment"]][0] == "read"
            assert not set(report["pictures"]) & set(fetched)
            assert report["url"] not in readings
        assert len(stored) == len(truth)  # one report each: no picture, no page of a document, is one more
        assert {rows[r["agency"], r["year"]].status for r in images + pictured} <= {"on_time", "late"}
        assert _crawl(sim, tmp_path, "again", db_url)[1] == first


# ---------------------------------------------------------------------------- what an older crawl made of them

def _older_archive(archive: Archive) -> None:
    _agency(archive)
    with archive.write() as session:
        session.add(Portal(key="p", name="p", base_url="http://127.0.0.1/"))


def _pdf() -> bytes:
    report, seed = _paged_report()
    return media.pdf_bytes(content.build_record(seed, report, 0))


@pytest.mark.parametrize("pictures", [3, 1])
def test_a_page_of_pictures_an_older_crawl_found_nothing_in_becomes_its_pictures(archive: Archive,
                                                                                  pictures: int) -> None:
    """Not titled 图片版, its pictures were not fetched and the page was read: nothing in it (unreadable). The
    next crawl fetches it in full, makes its pictures the report and retires the page's reading."""
    _older_archive(archive)
    urls = _urls()[:pictures]
    html = _page_html(INTRO + "".join(f'<p><img src="{u}"></p>' for u in urls), UNTITLED)
    old = replace(_item(PAGE_URL, html, images=0, kind="page"), title=UNTITLED, etag='"p1"')
    assert store_document(archive, old, None, ocr=False) == "new_report"
    assert [r[1:] for r in _reports(archive)] == [("unreadable", NOTHING_READ)]
    assert PAGE_URL not in known(archive, ["p"]).validators  # asked in full, not `304`

    page = replace(_item(PAGE_URL, html, images=pictures, kind="page"), title=UNTITLED, stale=True)
    store_document(archive, page, None, ocr=False)
    for url in urls:
        store_document(archive, replace(_item(url, _png(1000, 1414), images=pictures), title=UNTITLED), None,
                       ocr=False)
    want = PAGE_URL if pictures > 1 else urls[0]
    assert [(url, reading) for url, reading, _ in _reports(archive)] == [(want, "unread")]
    assert read_backlog(archive, seconds=float("inf")).unreadable == 1  # read from its pictures: blank pages
    assert _fetched_again_none(archive)


@pytest.mark.parametrize("pictures", [3, 1])
def test_a_page_of_pictures_and_its_pdf_an_older_crawl_stored_becomes_the_pdfs_one_report(archive: Archive,
                                                                                          pictures: int) -> None:
    """Titled 图片版 and linking its PDF: an older crawl made the report of its several pictures (the PDF kept
    only), or of its one picture beside the PDF's (two reports). The next crawl fetches the page and the PDF in
    full: the PDF's report is the one, read."""
    _older_archive(archive)
    urls = _urls()[:pictures]
    html = _page_html(INTRO + "".join(f'<p><img src="{u}"></p>' for u in urls) + PDF)
    pdf = _pdf()
    old = [replace(_item(PAGE_URL, html, images=pictures, kind="page"), attachments=pictures + 1, etag='"p1"'),
           replace(_item(PDF_URL, pdf, images=pictures), content_type="application/pdf", etag='"f1"'),
           *(_item(u, _png(1000, 1414), images=pictures) for u in urls)]
    for item in old:
        store_document(archive, item, None, ocr=False)
    assert len(_reports(archive)) == (1 if pictures > 1 else 2)
    again = known(archive, ["p"])
    assert PAGE_URL not in again.validators
    assert PDF_URL not in again.validators

    page = replace(_item(PAGE_URL, html, images=0, kind="page"), attachments=1, stale=True)
    assert store_document(archive, page, None, ocr=False) == "page_without_report"
    store_document(archive, replace(old[1], images=0), None, ocr=False)
    assert [(url, reading) for url, reading, _ in _reports(archive)] == [(PDF_URL, "read")]
    assert _fetched_again_none(archive)


def _fetched_again_none(archive: Archive) -> bool:
    """Whether the archive now holds what a crawl makes: no page is asked in full again for its pictures."""
    with archive.read() as session:
        pages = set(session.scalars(select(Document.url).where(Document.attachments.is_not(None))))
    return not pages - set(known(archive, ["p"]).validators)
