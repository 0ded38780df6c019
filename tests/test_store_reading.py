"""Found is not read: a report stored unread is published (never missing, never inconsistent), waits in the
OCR backlog, and comes out of it read or unreadable — one item for a person — without losing its dates."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

from conftest import SEEDS
from PIL import Image
from sqlalchemy import select

from alerts.rules import Fact, Scope, compliance_facts
from store.agencies import upsert_agency
from store.db import Archive
from store.diff import record_diff
from store.ingest import Source, ingest
from store.models import Report, ReportVersion
from store.reading import read_backlog, unread_reports
from store.status import StatusRow, compliance

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


def _versions(archive: Archive) -> list[tuple[int, str]]:
    with archive.read() as session:
        return [tuple(v) for v in session.execute(  # type: ignore[misc]
            select(ReportVersion.number, ReportVersion.kind).order_by(ReportVersion.number))]


def _row(archive: Archive) -> tuple[StatusRow, list[Fact]]:
    with archive.read() as session:
        [row] = [r for r in compliance(session, AS_OF) if r.agency == AGENCY and r.year == 2024]
        facts = compliance_facts(session, AS_OF, Scope({AGENCY: "http://x.example.cn/"}))
    return row, [f for f in facts if f.payload["year"] == 2024]


URL = "http://x.example.cn/2024.png"


def test_new_bytes_found_unread_are_no_change_until_read_then_one_change_old_to_new(archive: Archive) -> None:
    with archive.write() as session:
        upsert_agency(session, AGENCY, level="department", region="430381")
    old, new = SEEDS[2].read_bytes(), SEEDS[3].read_bytes()
    _found(archive, old, "002.txt", 2024, URL)
    read_backlog(archive, seconds=float("inf"))
    read, _ = _row(archive)

    _found(archive, new, "003.txt", 2024, URL)  # the image replaced in place, a crawl with OCR off
    waiting, facts = _row(archive)
    assert _versions(archive) == [(1, "first"), (2, "reparsed")]  # "found, not read" is no version of it
    assert [f.kind for f in facts if f.kind == "changed_after_publication"] == []
    # the last reading stands until the new bytes are read
    assert (waiting.reading, waiting.reading_note) == ("unread", "image")
    assert (waiting.errors, waiting.inconsistent, waiting.changed, waiting.versions) == (
        read.errors, read.inconsistent, False, 2)
    assert [u.sha256 for u in unread_reports(archive)] == [hashlib.sha256(new).hexdigest()]

    assert read_backlog(archive, seconds=float("inf")).read == 1
    assert _versions(archive) == [(1, "first"), (2, "reparsed"), (3, "revised")]
    row, facts = _row(archive)
    assert (row.reading, row.changed) == ("read", True)
    with archive.read() as session:
        before, after, diff = (session.scalar(select(ReportVersion.record if n else ReportVersion.diff)
                                              .where(ReportVersion.number == (n or 3))) for n in (2, 3, 0))
    assert diff == record_diff(before, after)  # the last reading's cells → the new one's
    assert diff["cells"]
    assert any(c.get("old") is not None and c.get("new") is not None for c in diff["cells"])  # not "all removed"
    [changed] = [f for f in facts if f.kind == "changed_after_publication"]
    assert changed.key == f"changed:{row.report_id}:v3"
    assert len(changed.payload["diff"]["cells"]) == len(diff["cells"])

    _found(archive, new, "003.txt", 2024, URL)  # found again: read already
    assert (_versions(archive)[-1], _row(archive)[0].reading, unread_reports(archive)) == ((3, "revised"), "read", [])


def test_the_same_bytes_that_could_not_be_read_are_not_read_again_new_bytes_are(archive: Archive) -> None:
    with archive.write() as session:
        upsert_agency(session, AGENCY, level="department", region="430381")
    _found(archive, _blank_png(), "2024.png", 2024, URL)
    assert read_backlog(archive, seconds=float("inf")).unreadable == 1
    why = _readings(archive)[2024][1]
    assert why
    for _ in range(2):  # every crawl with OCR off finds it again
        _found(archive, _blank_png(), "2024.png", 2024, URL)
        assert (_readings(archive)[2024][:2], unread_reports(archive)) == (("unreadable", why), [])
    assert _versions(archive) == [(1, "first")]  # the verdict is the version's own record: nothing changed

    _found(archive, SEEDS[2].read_bytes(), "002.txt", 2024, URL)  # new bytes: read
    assert _readings(archive)[2024][0] == "unread"
    assert read_backlog(archive, seconds=float("inf")).read == 1
    assert _versions(archive) == [(1, "first"), (2, "reparsed")]  # its first reading: no change alerted
    assert [f.kind for f in _row(archive)[1] if f.kind == "changed_after_publication"] == []


def test_new_bytes_that_cannot_be_read_leave_the_last_reading_and_are_not_read_again(archive: Archive) -> None:
    with archive.write() as session:
        upsert_agency(session, AGENCY, level="department", region="430381")
    _found(archive, SEEDS[2].read_bytes(), "002.txt", 2024, URL)
    read_backlog(archive, seconds=float("inf"))
    read, _ = _row(archive)
    _found(archive, _blank_png(), "2024.png", 2024, URL)  # replaced by an image nothing can be read from
    assert read_backlog(archive, seconds=float("inf")).unreadable == 1
    for _ in range(2):
        _found(archive, _blank_png(), "2024.png", 2024, URL)
        row, facts = _row(archive)
        assert (row.reading, unread_reports(archive)) == ("unreadable", [])
    assert _versions(archive) == [(1, "first"), (2, "reparsed")]
    assert (row.errors, row.changed) == (read.errors, False)  # the last reading stands
    assert sorted(f.kind for f in facts) == ["inconsistent_report", "unreadable_report"]
