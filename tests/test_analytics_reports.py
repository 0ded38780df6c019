"""The monitoring reports: every figure equals the same figure computed here, independently, from the records
and dates the archive was given (a region of the simulated world); the DOCX and XLSX say exactly what the
report says; the DOCX converts to PDF with LibreOffice."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from collections import Counter
from collections.abc import Sequence
from typing import Any

import docx
import numpy as np
import openpyxl
import pytest
from analytics_world import AS_OF, REGION, YEAR, Expected, region_world, world_truth

from analytics.agency import agency_document, agency_facts
from analytics.document import Document, Num, Table, cell_text
from analytics.metrics import METRICS
from analytics.region import region_document, region_facts
from analytics.render import render
from analytics.render.docx import to_docx
from analytics.render.pdf import office
from analytics.render.xlsx import to_xlsx
from analytics.values import Monitoring
from catalogue.analytics import METRIC_NAMES, RULE_FAMILIES, STATES
from catalogue.terms import name
from store.db import Archive
from validate.registry import BY_ID

pytest_plugins = ["store_fixtures", "analytics_fixtures"]

def _n(cell: Any) -> Any:
    return cell.value if isinstance(cell, Num) else cell


def _same(got: Any, want: Any) -> bool:
    got = _n(got)
    if want is None or got is None:
        return got is None and want is None
    if isinstance(want, float) and isinstance(got, int | float):
        return got == pytest.approx(want, rel=1e-9, abs=1e-9)
    return bool(got == want)


def _row(table: Table, label: str) -> Sequence[Any]:
    return next(row for row in table.rows if row[0] == label)


# ---- the archive ---------------------------------------------------------------------------------


def test_the_world_has_what_the_reports_must_show() -> None:
    expected = Expected(world_truth(region_world(seed=1, portals=28, region=REGION), AS_OF))
    statuses = Counter(expected.status(a, YEAR) for a in expected.agencies(YEAR))
    assert all(statuses[s] for s in ("on_time", "late", "missing"))
    assert {a.level for a in expected.agencies(YEAR)} == {"county", "department", "township"}
    states = Counter(expected.value("granted_rate", a, YEAR)[0] for a in expected.agencies(YEAR))
    assert all(states[s] for s in ("value", "zero_denominator"))
    assert any(s.revised for s in expected.truth.reports.values())
    assert any(expected.content_errors(s) for s in expected.truth.reports.values() if s.year == YEAR)


def test_every_figure_of_both_reports_is_the_records(region: tuple[Archive, Expected]) -> None:
    _check_region_report(*region)
    _check_agency_profile(*region)


def _check_region_report(archive: Archive, expected: Expected) -> None:
    with archive.read() as session:
        facts = region_facts(session, REGION, YEAR, Monitoring(AS_OF))
    doc = region_document(facts, charts=False)
    agencies = expected.agencies(YEAR)
    status = Counter(expected.status(a, YEAR) for a in agencies)
    stored = [expected.truth.reports[a.name, YEAR] for a in agencies if (a.name, YEAR) in expected.truth.reports]

    summary = doc.table("summary")
    due = status["on_time"] + status["late"] + status["missing"]
    want = {"纳入监测的机关": len(agencies), "应发布": due, "按时发布": status["on_time"], "逾期发布": status["late"],
            "未发布": status["missing"], "未到期": status["not_due"], "网站无法访问": 0, "网站抓取不完整": 0,
            "发布后修改": sum(s.revised for s in stored), "按时发布率": status["on_time"] / due}
    assert {row[0]: _n(row[1]) for row in summary.rows} == pytest.approx(want)

    errors = {s.agency.name: expected.content_errors(s) for s in stored}
    families = Counter(BY_ID[f.rule].family for s in stored for f in expected.findings[s.agency.name, YEAR]
                       if f.severity == "error" and f.rule != "late_publication")
    assert {row[0]: row[1] for row in doc.table("families").rows} == {RULE_FAMILIES[f]: n for f, n in families.items()}
    worst = sorted(((n, a) for a, n in errors.items() if n), key=lambda na: (-na[0], na[1]))[:10]
    assert [(row[0], row[2]) for row in doc.table("worst").rows] == [(a, n) for n, a in worst]
    paragraph = next(b.text for b in doc.blocks if getattr(b, "text", "").startswith("已发布的"))
    blank = sum(v is None for s in stored for t in ("active", "requests", "review_litigation")
                for row in (s.record.get(t) or {}).values() for v in row.values())
    assert paragraph.startswith(f"已发布的 {len(stored)} 份报告中，{sum(n > 0 for n in errors.values())} 份存在数据错误，"
                                f"错误共 {sum(errors.values())} 处；表格中空白单元格 {blank} 个")

    figures = doc.table("figures")
    for metric in (m for m in METRICS if m.key_figure):
        row = _row(figures, METRIC_NAMES[metric.key])
        now, before = expected.total(metric.key, YEAR), expected.total(metric.key, YEAR - 1)
        n = sum(state == "value" for _, state, _, _ in expected.values(metric.key, YEAR))
        assert _same(row[2], now), metric.key
        assert _same(row[3], before), metric.key
        assert _same(row[4], now / before - 1 if now is not None and before else None), metric.key
        assert row[5] == n
        trend = _row(doc.table("trend"), METRIC_NAMES[metric.key])
        for k, year in enumerate(range(YEAR - 4, YEAR + 1)):
            assert _same(trend[2 + k], expected.total(metric.key, year)), (metric.key, year)
        for level in ("county", "department", "township"):
            got = _row(doc.table(f"levels.{level}"), METRIC_NAMES[metric.key])
            n, quartiles = expected.quartiles(metric.key, YEAR, level)
            assert got[2] == n
            assert all(_same(g, w) for g, w in zip(got[3:], quartiles, strict=True)), (metric.key, level)

    annex = {row[0]: row for row in doc.table("status").rows}
    assert set(annex) == {a.name for a in agencies}
    for a in agencies:
        row = annex[a.name]
        report = expected.truth.reports.get((a.name, YEAR))
        assert row[3] == name("status", expected.status(a, YEAR))
        assert row[4] == (report.published if report else None)
        assert row[5] == expected.truth.deadline(a, YEAR)
    values = {row[0]: row for row in doc.table("values").rows}
    metrics = [m for m in METRICS if m.key_figure]
    for a in agencies:
        for k, metric in enumerate(metrics):
            state, value, _ = expected.value(metric.key, a, YEAR)
            got = values[a.name][4 + k]
            assert _same(got, value) if state == "value" else got == STATES[state], (a.name, metric.key)
    listed = Counter(row[0] for row in doc.table("findings").rows)
    assert listed == Counter({s.agency.name: n for s in stored
                              if (n := sum(f.severity in {"error", "warning"}
                                           for f in expected.findings[s.agency.name, YEAR]))})

    jumps = {(row[0], row[2]): row for row in doc.table("jumps").rows}
    want_jumps = {}
    for metric in METRICS:
        if metric.jump_factor is None:
            continue
        for a in agencies:
            s_now, now, _ = expected.value(metric.key, a, YEAR)
            s_before, before, _ = expected.value(metric.key, a, YEAR - 1)
            if s_now != "value" or s_before != "value" or now is None or before is None:
                continue
            low, high = sorted((abs(before), abs(now)))
            if (low == 0 or high / low >= metric.jump_factor) and high >= metric.jump_floor:
                want_jumps[a.name, METRIC_NAMES[metric.key]] = (before, now)
    assert set(jumps) == set(want_jumps)
    assert all(_same(jumps[k][4], before) and _same(jumps[k][5], now) for k, (before, now) in want_jumps.items())
    _check_renderings(doc)


def _check_renderings(doc: Document) -> None:
    """The DOCX holds every table of the report as the report says it; the XLSX its numbers as numbers."""
    opened = docx.Document(io.BytesIO(to_docx(doc)))
    docx_tables = [[[c.text for c in row.cells] for row in t.rows] for t in opened.tables]
    model = [[list(t.heads), *([cell_text(c) for c in row] for row in t.rows[: t.limit])] for t in doc.tables()]
    assert docx_tables == model
    texts = "\n".join(p.text for p in opened.paragraphs)
    assert doc.title in texts
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(doc)))
    sheets = book.sheetnames[1:]
    assert len(sheets) == len(doc.tables())
    for sheet_name, table in zip(sheets, doc.tables(), strict=True):
        sheet = book[sheet_name]
        for r, row in enumerate(table.rows, start=3):
            for c, cell in enumerate(row, start=1):
                got = sheet.cell(row=r, column=c).value
                if isinstance(cell, Num):
                    assert _same(got, cell.value) or (cell.value == float("inf") and got == "∞")
                elif isinstance(cell, dt.date):
                    assert got.date() == cell
                else:
                    assert got == (None if cell == "" else cell)  # an empty cell is no cell in a sheet


def _check_agency_profile(archive: Archive, expected: Expected) -> None:
    agency = next(a for a in expected.agencies(YEAR) if a.level == "county")
    with archive.read() as session:
        facts = agency_facts(session, agency.name, YEAR, Monitoring(AS_OF))
    doc = agency_document(facts, charts=False)
    peers = [a for a in expected.truth.agencies if a.level == agency.level and a.region[:2] == agency.region[:2]]
    profile = doc.table("profile")
    for metric in METRICS:
        row = _row(profile, METRIC_NAMES[metric.key])
        state, value, _ = expected.value(metric.key, agency, YEAR)
        assert row[-1] == STATES[state]
        assert _same(row[2], value if state == "value" else None)
        have = sorted(v for a in peers if a in expected.agencies(YEAR)
                      for s, v, _ in [expected.value(metric.key, a, YEAR)] if s == "value")
        quartiles = [float(np.percentile(have, q, method="linear")) for q in (25, 50, 75)] if have else [None] * 3
        assert all(_same(g, w) for g, w in zip(row[5:8], quartiles, strict=True)), metric.key
        if state == "value":
            assert row[3] == f"{1 + sum(v > value for v in have)}/{len(have)}"
            assert _same(row[4], sum(v < value for v in have) / (len(have) - 1) if len(have) > 1 else None)
    history = {row[0]: row for row in doc.table("history").rows}
    for year, row in history.items():
        assert row[1] == name("status", expected.status(agency, year))
    findings = doc.table("findings").rows if any(t.key == "findings" for t in doc.tables()) else []
    assert len(findings) == len(expected.findings.get((agency.name, YEAR), []))
    _check_renderings(doc)


@pytest.mark.skipif(office() is None or shutil.which("pdftotext") is None, reason="LibreOffice or poppler missing")
@pytest.mark.parametrize("world", ["sqlite"], indirect=True)
def test_the_docx_converts_to_a_pdf(region: tuple[Archive, Expected], tmp_path: Any) -> None:
    archive, _ = region
    with archive.read() as session:
        doc = region_document(region_facts(session, REGION, YEAR, Monitoring(AS_OF)))
    pdf = render(doc, "pdf")
    assert pdf.startswith(b"%PDF")
    (tmp_path / "r.pdf").write_bytes(pdf)
    read = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, check=True).stdout
    text = "".join(read.decode("utf-8").split())  # pdftotext spaces Latin runs apart from Chinese
    assert doc.title in text
    assert "附表1各机关年报发布情况" in text
    assert "指标定义" in text
