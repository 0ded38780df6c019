"""Cells as facts: every stored version's cells in the `cell` table, on import and by the migration."""

from __future__ import annotations

import datetime as dt

from conftest import FIXTURES, GOLD, spec_fields
from sqlalchemy import MetaData, func, select

from extract.parse import parse_bytes
from extract.schema import table_cells
from sim.media import pdf_bytes
from sim.render import LAYOUTS
from store.cells import cell_rows
from store.corrections import Cell as Correction
from store.corrections import correct
from store.db import Archive, make_engine
from store.ingest import Source, ingest
from store.migrations import run_upgrade
from store.models import Cell, ReportVersion

pytest_plugins = ["store_fixtures"]

NOW = dt.datetime(2025, 2, 1, 8, 0, tzinfo=dt.UTC)
SEED = next((FIXTURES / "seeds").glob("000_*.txt"))


def _cells(archive: Archive, version_id: int) -> dict[tuple[str, str, str], Cell]:
    with archive.read() as session:
        return {(c.table_key, c.row_key, c.col_key): c
                for c in session.scalars(select(Cell).where(Cell.version_id == version_id))}


def _record_values(record: dict) -> dict[tuple[str, str, str], object]:
    return {(t, r, c): v for t in ("active", "requests", "review_litigation") for (r, c), v in table_cells(record, t).items()}


def test_an_imported_report_has_every_cell_of_its_record(archive: Archive) -> None:
    data = SEED.read_bytes()
    record = parse_bytes(data, name=SEED.name)
    ingest(archive, Source(data=data, name=SEED.name, seen_at=NOW))
    with archive.read() as session:
        version_id = session.scalars(select(ReportVersion.id)).one()
    cells = _cells(archive, version_id)
    expected = _record_values(record)
    assert {k: c.value for k, c in cells.items()} == expected
    assert len(expected) == 10 + 25 * 7 + 15  # 表二 (2021) has 10 cells, 表三 175, 表四 15
    normative = cells["active", "normative_documents", "repealed"]
    assert (normative.kind, normative.text, normative.unit, normative.certainty) == ("number", "3（到期自动废止）", "件", 1.0)
    assert cells["active", "fees", "amount"].unit == "万元"
    zeros = [c for c in cells.values() if c.kind == "zero"]
    assert zeros
    assert all(c.value == 0 for c in zeros)
    assert GOLD[SEED.stem]["active"]["licensing"]["decisions"] == cells["active", "licensing", "decisions"].value


def test_marks_words_and_blanks_are_kept_apart(archive: Archive) -> None:
    html = LAYOUTS["html_clean"](spec_fields(GOLD[SEED.stem])).decode("utf-8")
    # 行政许可 printed as "/", 行政处罚 as words, 行政强制 left empty
    for label, value, printed in (("行政许可", "90", "/"), ("行政处罚", "2", "详见附表"), ("行政强制", "0", "")):
        cell = f'<td>{label}</td><td colspan="3">{value}</td>'
        assert cell in html
        html = html.replace(cell, f'<td>{label}</td><td colspan="3">{printed}</td>')
    outcome = ingest(archive, Source(data=html.encode("utf-8"), name="marked.html", seen_at=NOW))
    with archive.read() as session:
        version_id = session.scalars(select(ReportVersion.id).where(ReportVersion.report_id == outcome.report_id)).one()
    cells = _cells(archive, version_id)
    got = {row: (cells["active", row, "decisions"].kind, cells["active", row, "decisions"].text,
                 cells["active", row, "decisions"].value) for row in ("licensing", "penalty", "coercion")}
    assert got == {"licensing": ("not_applicable", "/", None), "penalty": ("text", "详见附表", None),
                   "coercion": ("blank", None, None)}


def test_scanned_cells_carry_their_certainty_and_reading() -> None:
    record = {
        "requests": {"new": {"total": 16, "natural_person": 4}},
        "parse": {"ocr_confidence": 0.8, "ocr_scores": {"requests.new.total": 0.62, "requests.new.natural_person": 0.99},
                  "ocr_cells": {"requests.new.total": {"confidence": 0.62, "text": "l6", "candidates": [16]}},
                  "places": {"requests.new.total": [2, 100.04, 200, 130.5, 212.25]}},
    }
    rows = {(r["row_key"], r["col_key"]): r for r in cell_rows(record)}
    total, person = rows["new", "total"], rows["new", "natural_person"]
    assert (total["certainty"], total["text"], total["page"], total["box"]) == (0.62, "l6", 2, "100,200,130.5,212.2")
    assert (person["certainty"], person["text"], person["page"]) == (0.99, None, None)


def test_a_cell_cut_from_run_together_digits_is_as_sure_as_its_choice_of_cuts() -> None:
    run = {"text": "0336", "reason": "ambiguous"}
    record = {
        "active": {"normative_documents": {"issued": 0, "repealed": 3, "in_force": 36}},
        "parse": {"uncertain_cells": {
            "active.normative_documents.repealed": {**run, "candidates": [3, 33]},
            "active.normative_documents.in_force": {**run, "candidates": [36, 6, 16], "more": True},
            "active.normative_documents.issued": {**run, "candidates": [0]},  # one cut: nothing to choose
        }},
    }
    rows = {r["col_key"]: r for r in cell_rows(record)}
    assert [(rows[c]["value"], rows[c]["certainty"], rows[c]["text"]) for c in ("repealed", "in_force", "issued")] == [
        (3, 0.5, "0336"), (36, 0.25, "0336"), (0, 1.0, None)]


def test_cells_read_from_a_pdf_say_where(archive: Archive) -> None:
    data = pdf_bytes(spec_fields(GOLD[SEED.stem]))
    outcome = ingest(archive, Source(data=data, name="report.pdf", seen_at=NOW))
    with archive.read() as session:
        version_id = session.scalars(select(ReportVersion.id).where(ReportVersion.report_id == outcome.report_id)).one()
    cells = _cells(archive, version_id)
    assert all(c.page is not None and c.box for c in cells.values())
    new, carried = cells["requests", "new", "total"], cells["requests", "carried_over", "total"]
    x0, top, x1, bottom = (float(v) for v in new.box.split(","))
    assert x0 < x1
    assert top < bottom
    assert new.page == carried.page
    assert float(carried.box.split(",")[1]) >= bottom - 1  # the next row, below


def test_legacy_stats_are_cells_by_label() -> None:
    record = {"format": "legacy", "legacy_stats": [
        {"label": "收到申请数", "unit": "件", "value": 12},
        {"label": "收到申请数", "unit": "件", "value": None},
        {"label": "依申请公开信息收取的费用", "unit": "万元", "value": 0, "cumulative": 1.5},
    ]}
    rows = [(r["table_key"], r["row_key"], r["col_key"], r["value"], r["kind"], r["unit"]) for r in cell_rows(record)]
    assert rows == [
        ("legacy_stats", "收到申请数", "value", 12, "number", "件"),
        ("legacy_stats", "收到申请数#2", "value", None, "blank", "件"),
        ("legacy_stats", "依申请公开信息收取的费用", "value", 0, "zero", "万元"),
        ("legacy_stats", "依申请公开信息收取的费用", "cumulative", 1.5, "number", "万元"),
    ]


def test_every_version_keeps_its_own_cells(archive: Archive) -> None:
    data = SEED.read_bytes()
    ingest(archive, Source(data=data, name=SEED.name, seen_at=NOW))
    revised = data.decode("utf-8").replace("行政许可 |\n90 |", "行政许可 |\n91 |", 1).encode("utf-8")
    assert revised != data
    ingest(archive, Source(data=revised, name=SEED.name, seen_at=NOW + dt.timedelta(days=30)))
    ingest(archive, Source(data=revised, name=SEED.name, seen_at=NOW + dt.timedelta(days=31)))  # unchanged: no cells
    with archive.read() as session:
        versions = dict(session.execute(select(ReportVersion.number, ReportVersion.id)).all())
        per_version = dict(session.execute(select(Cell.version_id, func.count()).group_by(Cell.version_id)).all())
    assert sorted(versions) == [1, 2]
    assert per_version[versions[1]] == per_version[versions[2]] == 200
    assert _cells(archive, versions[1])["active", "licensing", "decisions"].value == 90
    assert _cells(archive, versions[2])["active", "licensing", "decisions"].value == 91


def test_a_correction_is_a_version_with_its_own_cells(archive: Archive) -> None:
    data = SEED.read_bytes()
    outcome = ingest(archive, Source(data=data, name=SEED.name, seen_at=NOW))
    with archive.write_rows() as conn:
        correct(conn, outcome.report_id, {Correction("active", "licensing", "decisions"): 95}, "王编辑", "原件为95", NOW)
    with archive.read() as session:
        versions = dict(session.execute(select(ReportVersion.number, ReportVersion.id)).all())
    assert _cells(archive, versions[1])["active", "licensing", "decisions"].value == 90
    assert _cells(archive, versions[2])["active", "licensing", "decisions"].value == 95


def test_the_migration_fills_the_cells_of_versions_stored_before(db_url: str, xxgk) -> None:
    record = parse_bytes(SEED.read_bytes(), name=SEED.name)
    engine = make_engine(db_url)
    with engine.begin() as conn:
        run_upgrade(conn, "0005_web_dashboard")
        tables = MetaData()
        tables.reflect(conn)
        t = tables.tables
        agency = conn.execute(t["agency"].insert().values(
            name="益阳市民政局", level="department", region="430900", supervisors=[], created_at=NOW)).inserted_primary_key[0]
        document = conn.execute(t["document"].insert().values(
            url="", sha256="0" * 64, name=SEED.name, size=1, fetched_at=NOW, last_seen_at=NOW)).inserted_primary_key[0]
        report = conn.execute(t["report"].insert().values(
            agency_id=agency, year=2025, url="", first_seen_at=NOW, last_seen_at=NOW, current_version=1,
            errors=0, inconsistencies=0, warnings=0)).inserted_primary_key[0]
        conn.execute(t["report_version"].insert().values(
            report_id=report, number=1, document_id=document, content_hash="x", record=record, parser_version="p",
            errors=0, warnings=0, created_at=NOW))
    engine.dispose()
    assert xxgk("db", "upgrade").code == 0
    with Archive.open(db_url) as archive:
        with archive.read() as session:
            version_id = session.scalars(select(ReportVersion.id)).one()
        cells = _cells(archive, version_id)
    assert {k: c.value for k, c in cells.items()} == _record_values(record)
    assert cells["active", "normative_documents", "repealed"].text == "3（到期自动废止）"
