"""Findings with the cells they concern, and what the cells of a group of reports hold (SQL).

A finding names its place (table, row or 表四 group, column); the report shows the place as the
printed form names it and, beside it, what the cell held: its printed text, else its value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from analytics.values import TEMPLATE_TABLES
from catalogue.analytics import CELL_KINDS, NO_VALUE
from catalogue.findings import cell_name, col_name, row_name, section_heading
from catalogue.terms import name
from store.findings import TIMELINESS_RULES
from store.models import Cell, Finding, Report, ReportVersion
from validate.registry import BY_ID

_CHUNK: Final = 500  # ids per IN list


@dataclass(frozen=True, slots=True)
class Evidence:
    """A finding of a report's current version, with the place and the cell it concerns."""

    report_id: int
    rule: str
    family: str
    severity: str
    message: str
    place: str  # the printed form's name of the place
    printed: str  # what the cell held, as printed (or its value); "" for a place that is not one cell


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[k:k + _CHUNK] for k in range(0, len(ids), _CHUNK)]


def family_of(rule: str) -> str:
    found = BY_ID.get(rule)
    return found.family if found is not None else "other"


def place_of(detail: dict[str, Any]) -> str:
    table, row, col = detail.get("table"), detail.get("row") or detail.get("group"), detail.get("col")
    if table and row and col:
        return cell_name(table, row, col)
    if table and row:
        return row_name(table, row)
    if table == "requests" and col:
        return col_name(col)
    if table:
        return name("table", table)
    if detail.get("section"):
        return section_heading(str(detail["section"]))
    return NO_VALUE


def _printed(cell: tuple[float | None, str, str | None] | None) -> str:
    if cell is None:
        return ""
    value, kind, text = cell
    if text:
        return text
    if value is not None:
        return f"{value:g}"
    return CELL_KINDS[kind]


def _key(version_id: int, detail: dict[str, Any]) -> tuple[int, str, str, str]:
    """The cell a finding is about, as (version, table, row or group, column); "" where it names none."""
    return (version_id, str(detail.get("table") or ""), str(detail.get("row") or detail.get("group") or ""),
            str(detail.get("col") or ""))


def findings_of(session: Session, report_ids: Sequence[int], *, severities: Collection[str] = ("error", "warning"),
                content_only: bool = False) -> list[Evidence]:
    """Findings nobody dismissed on the current versions of `report_ids`, with their cells."""
    found: list[tuple[int, int, Finding]] = []
    for chunk in _chunks(list(report_ids)):
        stmt = (
            select(Report.id, ReportVersion.id, Finding)
            .join(ReportVersion, and_(ReportVersion.report_id == Report.id,
                                      ReportVersion.number == Report.current_version))
            .join(Finding, Finding.version_id == ReportVersion.id)
            .where(Report.id.in_(chunk), Finding.severity.in_(list(severities)), Finding.review_state != "dismissed")
        )
        if content_only:
            stmt = stmt.where(Finding.rule.not_in(TIMELINESS_RULES))
        found += [(r, v, f) for r, v, f in session.execute(stmt)]
    cells = _cells(session, {_key(v, f.detail) for _, v, f in found})
    out = [
        Evidence(report_id, f.rule, family_of(f.rule), f.severity, f.message, place_of(f.detail),
                 _printed(cells.get(_key(version_id, f.detail))))
        for report_id, version_id, f in found
    ]
    out.sort(key=lambda e: (e.report_id, e.severity != "error", e.rule, e.place))
    return out


def _cells(session: Session, wanted: set[tuple[int, str, str, str]]
           ) -> dict[tuple[int, str, str, str], tuple[float | None, str, str | None]]:
    keys = {k for k in wanted if all(k)}
    versions = sorted({k[0] for k in keys})
    out: dict[tuple[int, str, str, str], tuple[float | None, str, str | None]] = {}
    for chunk in _chunks(versions):
        stmt = select(Cell.version_id, Cell.table_key, Cell.row_key, Cell.col_key, Cell.value, Cell.kind, Cell.text
                      ).where(Cell.version_id.in_(chunk))
        for version_id, table, row, col, value, kind, text in session.execute(stmt):
            if (version_id, table, row, col) in keys:
                out[version_id, table, row, col] = (value, kind, text)
    return out


def cell_kinds(session: Session, report_ids: Sequence[int]) -> Counter[str]:
    """How many template cells of the reports' current versions hold each kind (number, zero, blank, …)."""
    counts: Counter[str] = Counter()
    for chunk in _chunks(list(report_ids)):
        stmt = (
            select(Cell.kind, func.count())
            .join(ReportVersion, Cell.version_id == ReportVersion.id)
            .join(Report, and_(ReportVersion.report_id == Report.id, ReportVersion.number == Report.current_version))
            .where(Report.id.in_(chunk), Cell.table_key.in_(TEMPLATE_TABLES))
            .group_by(Cell.kind)
        )
        for kind, n in session.execute(stmt):
            counts[kind] += n
    return counts
