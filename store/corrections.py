"""A person corrects cells the parser misread: a new version of kind `correction`, the machine reading kept.

The corrected version points at the same document as the version it corrects, lists the corrected
cells with both readings (`machine`, `value`) and who, when and why, and is validated again like any
version (reviews carried over by fingerprint). When the same bytes are read again (a re-import, a
re-crawl, `xxgk reparse`), `carry` applies the corrections to the new reading so that the person's
work stands; when the agency publishes different bytes, the new reading stands alone and the report
is flagged (`correction_stale`) for a person to look whether the correction still applies.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, insert, select, update

from extract.schema import (
    ACTIVE_2019,
    ACTIVE_2021,
    REQUEST_COLUMNS,
    REQUEST_ROW_LABELS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    Record,
)
from store import audit
from store.cells import add_cells
from store.diff import content_hash, record_diff
from store.models import Report, ReportVersion

Value = int | float | None
_ACTIVE_CELLS: Final = frozenset((row, col) for layout in (ACTIVE_2021, ACTIVE_2019)
                                 for row, cols in layout.items() for col in cols)
_CELLS: Final[dict[str, frozenset[tuple[str, str]]]] = {
    "active": _ACTIVE_CELLS,
    "requests": frozenset((row, col) for row in REQUEST_ROW_LABELS for col in REQUEST_COLUMNS),
    "review_litigation": frozenset((group, col) for group in REVIEW_GROUPS for col in REVIEW_COLUMNS),
}
LEGACY: Final = "legacy_stats"
_LARGEST: Final = 10**12  # no cell of an annual report comes near it; beyond it a typo, not a figure


class CorrectionError(ValueError):
    """The correction cannot be made (no such cell, not a number, nothing changes); the message says why."""


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell of a record: `legacy_stats` rows are the entry's position in the list."""

    table: str
    row: str
    col: str

    def key(self) -> tuple[str, str, str]:
        return self.table, self.row, self.col


def parse_value(raw: str) -> Value:
    """What a person typed: a number, or nothing for a blank cell. Raises CorrectionError otherwise."""
    text = raw.strip().replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise CorrectionError("not a number") from None
    if not math.isfinite(number) or abs(number) >= _LARGEST:
        raise CorrectionError("not a number")
    return int(number) if number.is_integer() and "." not in text else number


def is_cell(record: Record, cell: Cell) -> bool:
    if cell.table == LEGACY:
        stats = record.get(LEGACY) or []
        return cell.col == "value" and cell.row.isdigit() and int(cell.row) < len(stats)
    return (cell.row, cell.col) in _CELLS.get(cell.table, frozenset())


def read_cell(record: Record, cell: Cell) -> Value:
    if cell.table == LEGACY:
        stats = record.get(LEGACY) or []
        value: Value = stats[int(cell.row)].get("value") if int(cell.row) < len(stats) else None
        return value
    cells: dict[str, Value] = (record.get(cell.table) or {}).get(cell.row) or {}
    return cells.get(cell.col)


def _write_cell(record: Record, table: str, row: str, col: str, value: Value) -> None:
    if table == LEGACY:
        stats = record.get(LEGACY) or []
        if row.isdigit() and int(row) < len(stats):
            stats[int(row)]["value"] = value
        return
    record.setdefault(table, {}).setdefault(row, {})[col] = value


def apply(record: Record, corrections: Iterable[dict[str, Any]]) -> Record:
    """A copy of `record` with the corrected cells set to the person's values."""
    out = copy.deepcopy(record)
    for item in corrections:
        _write_cell(out, item["table"], item["row"], item["col"], item["value"])
    return out


def carry(record: Record, corrections: Sequence[dict[str, Any]]) -> tuple[Record, list[dict[str, Any]]]:
    """A new machine reading of the same bytes, corrected as before; each correction's `machine` reading
    becomes what the parser now reads there."""
    carried = [{**item, "machine": read_cell(record, Cell(item["table"], item["row"], item["col"]))}
               for item in corrections]
    return apply(record, carried), carried


@dataclass(frozen=True, slots=True)
class Corrected:
    report_id: int
    version: int
    cells: list[dict[str, Any]]


def correct(conn: Connection, report_id: int, values: dict[Cell, Value], by: str, why: str,
            now: dt.datetime) -> Corrected:
    """Store the corrected reading of the report's current version as its next version, validate it,
    and log it. Raises CorrectionError when a cell is not one of the template's or nothing would change."""
    from store.ingest import refresh_version  # noqa: PLC0415 - ingest stores versions; it imports this module

    if not why.strip():
        raise CorrectionError("a correction needs a reason")
    current = conn.execute(
        select(ReportVersion.id, ReportVersion.number, ReportVersion.document_id, ReportVersion.record,
               ReportVersion.parser_version, ReportVersion.extractor, ReportVersion.corrections)
        .join(Report, (Report.id == ReportVersion.report_id) & (ReportVersion.number == Report.current_version))
        .where(Report.id == report_id)
    ).one_or_none()
    if current is None:
        raise LookupError(f"no report #{report_id} with a version in the archive")
    record: Record = current.record
    earlier = {(c["table"], c["row"], c["col"]): c for c in current.corrections or []}
    cells = []
    for cell, value in values.items():
        if not is_cell(record, cell):
            raise CorrectionError(f"{cell.table}/{cell.row}/{cell.col} is not a cell of the template")
        if read_cell(record, cell) == value:
            continue
        before = earlier.get(cell.key())
        machine = before["machine"] if before else read_cell(record, cell)
        cells.append({"table": cell.table, "row": cell.row, "col": cell.col, "machine": machine, "value": value,
                      "by": by, "at": now.isoformat(), "why": why})
    if not cells:
        raise CorrectionError("nothing changes")
    in_force = {**earlier, **{(c["table"], c["row"], c["col"]): c for c in cells}}
    corrected = apply(record, cells)
    number = current.number + 1
    version_id = conn.execute(insert(ReportVersion).returning(ReportVersion.id), {
        "report_id": report_id, "number": number, "document_id": current.document_id,
        "content_hash": content_hash(corrected), "record": corrected, "parser_version": current.parser_version,
        "extractor": current.extractor, "diff": record_diff(record, corrected), "created_at": now,
        "kind": "correction", "author": by, "reason": why, "corrections": list(in_force.values()),
    }).scalar_one()
    add_cells(conn, version_id, corrected)
    conn.execute(update(Report).where(Report.id == report_id).values(current_version=number, correction_stale=False))
    refresh_version(conn, report_id, version_id)
    audit.log(conn, by, "correction", now, report_id=report_id, detail={
        "version": number, "why": why,
        "cells": [{k: c[k] for k in ("table", "row", "col", "machine", "value")} for c in cells]})
    return Corrected(report_id, number, cells)
