"""Found is not read: a report stored unread is published (never missing, never inconsistent), waits in the
OCR backlog, and comes out of it read or unreadable — one item for a person — without losing its dates."""

from __future__ import annotations

import datetime as dt
import io

from conftest import SEEDS
from PIL import Image
from sqlalchemy import select

from alerts.rules import Scope, compliance_facts
from store.agencies import upsert_agency
from store.db import Archive
from store.ingest import Source, ingest
from store.models import Report
from store.reading import read_backlog, unread_reports
from store.status import compliance

pytest_plugins = ["store_fixtures"]

AGENCY = "某县民政局"
AS_OF = dt.date(2026, 4, 20)


def _blank_png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (200, 60), 255).save(out, format="PNG")
    return out.getvalue()


def _found(archive: Archive, data: bytes, name: str, year: int, url: str) -> None:
    """What a crawl with OCR off stores for a page image: the report, unread, with its list date."""
    ingest(archive, Source(data=data, name=name, url=url, agency=AGENCY, year=year, reading="unread",
                           reading_note="image", title=f"{AGENCY}{year}年政府信息公开工作年度报告（图片版）",
                           dates={"list": dt.date(year + 1, 1, 20)}, new_agency=False))


def _readings(archive: Archive) -> dict[int, tuple[str, str | None, int]]:
    with archive.read() as session:
        rows = session.execute(select(Report.year, Report.reading, Report.reading_note, Report.errors))
        return {year: (reading, note, errors) for year, reading, note, errors in rows}


def test_an_unread_report_is_published_then_read_from_the_backlog(archive: Archive) -> None:
    with archive.write() as session:
        upsert_agency(session, AGENCY, level="department", region="430381")
    # a text the parser reads stands for an image OCR reads: the backlog's work is the same
    _found(archive, SEEDS[2].read_bytes(), "002.txt", 2024, "http://x.example.cn/2024.png")
    _found(archive, _blank_png(), "2023.png", 2023, "http://x.example.cn/2023.png")
    assert _readings(archive) == {2024: ("unread", "image", 0), 2023: ("unread", "image", 0)}

    with archive.read() as session:
        rows = {r.year: r for r in compliance(session, AS_OF) if r.agency == AGENCY}
        facts = compliance_facts(session, AS_OF, Scope({AGENCY: "http://x.example.cn/"}))
    assert {y: (r.status, r.reading, r.inconsistent) for y, r in rows.items()} == {
        2023: ("on_time", "unread", False), 2024: ("on_time", "unread", False), 2025: ("missing", None, False)}
    assert [(f.kind, f.payload["year"]) for f in facts] == [("missing_report", 2025)]  # awaiting OCR: no item

    assert read_backlog(archive, seconds=0).left == 2  # no time given, nothing read
    assert [u.year for u in unread_reports(archive)] == [2024, 2023]  # the latest years first
    done = read_backlog(archive, seconds=float("inf"))
    assert (done.read, done.unreadable, done.left) == (1, 1, 0)
    readings = _readings(archive)
    assert readings[2024][:2] == ("read", None)
    assert readings[2024][2] > 0  # seed 002's tables do not add up: now it is checked
    assert readings[2023][0] == "unreadable"
    assert readings[2023][1]

    with archive.read() as session:
        rows = {r.year: r for r in compliance(session, AS_OF) if r.agency == AGENCY}
        facts = compliance_facts(session, AS_OF, Scope({AGENCY: "http://x.example.cn/"}))
    assert rows[2023].status == "on_time"  # still published: the date came from finding it
    kinds = sorted((f.kind, f.payload["year"]) for f in facts)
    assert kinds == [("inconsistent_report", 2024), ("missing_report", 2025), ("unreadable_report", 2023)]
    unreadable = next(f for f in facts if f.kind == "unreadable_report")
    assert unreadable.key == f"unreadable_report:{AGENCY}:2023"  # one item per agency and year


def test_what_was_read_stays_read_when_found_again_unread(archive: Archive) -> None:
    with archive.write() as session:
        upsert_agency(session, AGENCY, level="department", region="430381")
    _found(archive, SEEDS[2].read_bytes(), "002.txt", 2024, "http://x.example.cn/2024.png")
    read_backlog(archive, seconds=float("inf"))
    before = _readings(archive)[2024]
    _found(archive, SEEDS[2].read_bytes(), "002.txt", 2024, "http://x.example.cn/2024.png")  # a crawl with OCR off
    assert _readings(archive)[2024] == before
    assert before[0] == "read"


def test_show_says_a_report_is_found_but_not_yet_read(archive: Archive, xxgk) -> None:
    with archive.write() as session:
        upsert_agency(session, AGENCY, level="department", region="430381")
    _found(archive, _blank_png(), "2024.png", 2024, "http://x.example.cn/2024.png")
    shown = xxgk("show", AGENCY, "2024")
    assert shown.code == 0
    assert "读取：待读取（为图片版，尚未完成文字识别），表格识别后才检查" in shown.out
    assert "读取" not in xxgk("show", AGENCY, "2024", "--json").out  # ids only for programs
