"""The archive's pure parts, no database: agency levels, date candidates, diffs, timeliness, CSV and XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from store.agencies import infer_level, level_from_region, same_agency
from store.dates import effective, from_meta, from_url, parse_day
from store.diff import content_hash, record_diff, summary
from store.export import display_width, to_csv, to_json, to_xlsx
from store.status import deadline_of, timeliness

D = dt.date


@pytest.mark.parametrize(("name", "region", "level"), [
    ("楠木坪镇", None, "township"),
    ("楠木坪镇人民政府", None, "township"),
    ("城关街道办事处", None, "township"),
    ("东湖街道", None, "township"),
    ("湘乡市民政局", None, "department"),
    ("乡村振兴局", None, "department"),
    ("湘乡市人民政府办公室", None, "department"),
    ("湖南省人民政府", None, "province"),
    ("广西壮族自治区人民政府", None, "province"),
    ("北京市人民政府", None, "province"),
    ("益阳市人民政府", None, "city"),
    ("湘西土家族苗族自治州人民政府", None, "city"),
    ("湘乡市人民政府", None, "city"),  # a 县级市 looks like a city by name alone…
    ("湘乡市人民政府", "430381", "county"),  # …and its region code settles it
    ("平江县人民政府", None, "county"),
    ("岳阳楼区人民政府", None, "county"),
    ("湘乡市", "430381", "county"),
])
def test_infer_level(name: str, region: str | None, level: str) -> None:
    assert infer_level(name, region) == level


@pytest.mark.parametrize(("a", "b", "same"), [
    ("楠木坪镇", "楠木坪镇人民政府", True),
    ("东湖街道", "东湖街道办事处", True),
    ("湖南省湘乡市民政局", "湘乡市民政局", True),
    ("湘乡市人民政府办公室", "湘乡市人民政府", False),
    ("湘乡市民政局", "湘乡市人民政府", False),
    ("益阳市民政局", "湘乡市民政局", False),
])
def test_same_agency(a: str, b: str, same: bool) -> None:
    assert same_agency(a, b) is same
    assert same_agency(b, a) is same


@pytest.mark.parametrize(("code", "level"), [
    ("430000", "province"), ("430300", "city"), ("430381", "county"), ("430381100", "township"),
    ("430381100000", "township"), ("4303", None), ("43x381", None),
])
def test_level_from_region(code: str, level: str | None) -> None:
    assert level_from_region(code) == level


def test_date_candidates() -> None:
    assert parse_day("发布时间：2024-01-20 10:31") == D(2024, 1, 20)
    assert parse_day("2024年1月9日") == D(2024, 1, 9)
    assert parse_day("2024-02-30 or 2024/3/1") == D(2024, 3, 1)  # an impossible date is skipped
    assert parse_day("2024年") is None
    assert from_url("http://x.gov.cn/zfxxgk/202401/t20240120_123.html") == D(2024, 1, 20)
    assert from_url("http://x.gov.cn/2024-01-31/report.html") == D(2024, 1, 31)
    assert from_url("http://x.gov.cn/art/2024/1/art_12_345.html") is None  # no full date
    assert from_meta({"Maketime": "2024-01-02", "PubDate": "2024-01-20 09:00"}) == D(2024, 1, 20)
    assert effective({"url": D(2024, 1, 1), "meta": D(2024, 1, 2)}) == (D(2024, 1, 2), "meta")
    assert effective({"page": D(2024, 1, 3), "cli": D(2024, 1, 4), "meta": D(2024, 1, 2)}) == (D(2024, 1, 4), "cli")
    assert effective({}) is None


def _record(**changes: object) -> dict:
    record = {
        "schema": "xxgk.report/1", "agency": "楠木坪镇", "year": 2025, "format": "2021",
        "requests": {"new": {"total": 3, "natural_person": 3}},
        "narrative": {"problems": "一是队伍薄弱。二是形式单一。"},
        "source": {"parser": "xxgk-parser/1", "path": "/tmp/a.txt"}, "parse": {"notes": []},
    }
    record.update(changes)
    return record


def test_content_hash_ignores_who_parsed_it_and_key_order() -> None:
    a = _record()
    b = dict(reversed(list(_record(source={"parser": "other", "path": "/x"}, parse={"notes": ["n"]}).items())))
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash(_record(year=2024))


def test_record_diff() -> None:
    new = _record(
        title="新标题",
        requests={"new": {"total": 4, "natural_person": 3}},
        narrative={"problems": "一是队伍薄弱。二是形式较为单一。", "other": "无。"},
    )
    diff = record_diff(_record(), new)
    assert diff["fields"] == [{"field": "title", "old": None, "new": "新标题"}]
    assert diff["cells"] == [{"table": "requests", "row": "new", "col": "total", "old": 3, "new": 4}]
    assert diff["text"] == [
        {"section": "problems", "removed": ["二是形式单一。"], "added": ["二是形式较为单一。"]},
        {"section": "other", "removed": [], "added": ["无。"]},
    ]
    assert summary(diff) == "标题；1个单元格；2段文字"
    assert record_diff(_record(), _record()) == {"fields": [], "cells": [], "text": []}


def test_timeliness_and_deadlines() -> None:
    due = deadline_of("department", None, 2024)
    assert due == D(2025, 1, 31)
    assert deadline_of("county", None, 2024) == D(2025, 3, 31)
    assert deadline_of("county", "02-20", 2024) == D(2025, 2, 20)  # 岳阳's districts
    assert deadline_of("department", None, 2017) == D(2018, 3, 31)  # the 2007 regulation
    assert timeliness(D(2025, 1, 31), due, D(2026, 1, 1), present=True) == ("on_time", 0)
    assert timeliness(D(2025, 2, 3), due, D(2026, 1, 1), present=True) == ("late", 3)
    assert timeliness(None, due, D(2026, 1, 1), present=True) == ("on_time", None)
    assert timeliness(None, due, D(2025, 1, 31), present=False) == ("not_due", None)
    assert timeliness(None, due, D(2025, 2, 10), present=False) == ("missing", 10)
    assert timeliness(None, due, D(2025, 2, 10), present=False, unreachable=True) == ("unreachable", 10)


ROWS = [
    {"agency": "湘西土家族苗族自治州永顺县石堤镇人民政府", "level": "township", "region": "433127100", "year": 2025,
     "status": "late", "deadline": "2026-01-31", "published": "2026-02-09", "days_late": 9, "errors": 0,
     "warnings": 1, "inconsistent": False, "changed": True, "versions": 2, "url": None, "report_id": 3},
    {"agency": "湘乡市民政局", "level": "department", "region": None, "year": 2025, "status": "missing",
     "deadline": "2026-01-31", "published": None, "days_late": 74, "errors": 0, "warnings": 0,
     "inconsistent": False, "changed": False, "versions": 0, "url": None, "report_id": None},
]


def test_csv_opens_in_excel() -> None:
    data = to_csv(ROWS)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["单位", "层级", "区划代码", "年度", "状态"]
    assert rows[1][:5] == [ROWS[0]["agency"], "乡镇", "433127100", "2025", "逾期发布"]
    assert rows[1][10] == "已修改"
    assert rows[2][6] == ""
    assert rows[2][4] == "未发布"


def test_xlsx_has_headers_widths_and_a_frozen_header() -> None:
    book = load_workbook(io.BytesIO(to_xlsx(ROWS, "年报发布情况")))
    sheet = book.active
    assert sheet.title == "年报发布情况"
    assert [c.value for c in sheet[1]][:4] == ["单位", "层级", "区划代码", "年度"]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:O3"
    assert sheet["A2"].value == ROWS[0]["agency"]
    assert sheet["D2"].value == 2025
    assert sheet.column_dimensions["A"].width == display_width(ROWS[0]["agency"]) + 2 == 42
    assert sheet.column_dimensions["D"].width == display_width("年度") + 2  # the header is the widest
    assert display_width("湘乡 A1") == 7


def test_json_keeps_the_english_keys() -> None:
    assert '"status": "late"' in to_json(ROWS)
    assert "湘乡市民政局" in to_json(ROWS)
