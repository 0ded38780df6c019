"""A report's tables as the national template lays them out, whatever order the record's dicts keep.

Rows and columns come from extract/schema.py in template order (JSONB on PostgreSQL keeps keys in
another order), each cell knowing its value, the findings that concern it and its correction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from extract.schema import (
    ACTIVE_2019,
    ACTIVE_2021,
    ACTIVE_COLUMN_LABELS,
    ACTIVE_ROW_LABELS,
    REQUEST_COLUMNS,
    REQUEST_ROW_LABELS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    Record,
    request_rows,
)


@dataclass
class CellView:
    table: str
    row: str
    col: str
    value: Any
    findings: list[int] = field(default_factory=list)  # ids of the findings that concern the cell
    correction: Mapping[str, Any] | None = None

    @property
    def blank(self) -> bool:
        return self.value is None


@dataclass
class RowView:
    key: str
    label: str
    cells: list[CellView | None]  # None: the template has no cell there


@dataclass
class TableView:
    key: str
    columns: list[str]  # column labels
    rows: list[RowView]


def _concerns(finding: Mapping[str, Any], table: str, row: str, col: str) -> bool:
    """A finding concerns a cell when it names the cell's table and, of row and column, at least one, and
    no other (表四's groups are its rows)."""
    if finding.get("table") != table:
        return False
    f_row, f_col = finding.get("row") or finding.get("group"), finding.get("col")
    if f_row is None and f_col is None:
        return False
    return f_row in {None, row} and f_col in {None, col}


def _cell(record: Record, table: str, row: str, col: str, findings: Sequence[Mapping[str, Any]],
          corrections: Mapping[tuple[str, str, str], Mapping[str, Any]]) -> CellView:
    value = ((record.get(table) or {}).get(row) or {}).get(col)
    concerned = [int(f["id"]) for f in findings if _concerns(f, table, row, col)]
    return CellView(table, row, col, value, concerned, corrections.get((table, row, col)))


def tables(record: Record, findings: Sequence[Mapping[str, Any]],
           corrections: Sequence[Mapping[str, Any]] = ()) -> list[TableView]:
    """表二, 表三 and 表四 of a 2019/2021-format record (legacy records: see `legacy`)."""
    fixes = {(c["table"], c["row"], c["col"]): c for c in corrections}
    out = []
    active = ACTIVE_2019 if record.get("format") == "2019" else ACTIVE_2021
    if record.get("active") is not None or record.get("format") in {"2019", "2021"}:
        columns = list(dict.fromkeys(col for cols in active.values() for col in cols))
        out.append(TableView("active", [ACTIVE_COLUMN_LABELS[c] for c in columns], [
            RowView(row, ACTIVE_ROW_LABELS[row], [
                _cell(record, "active", row, col, findings, fixes) if col in cols else None for col in columns])
            for row, cols in active.items()
        ]))
    requests = record.get("requests") or {}
    single_other = "other_handling" in requests or record.get("format") == "2019"
    out.append(TableView("requests", list(REQUEST_COLUMNS.values()), [
        RowView(row, REQUEST_ROW_LABELS[row], [_cell(record, "requests", row, col, findings, fixes)
                                               for col in REQUEST_COLUMNS])
        for row in request_rows(single_other=single_other)
    ]))
    out.append(TableView("review_litigation", list(REVIEW_COLUMNS.values()), [
        RowView(group, label, [_cell(record, "review_litigation", group, col, findings, fixes)
                               for col in REVIEW_COLUMNS])
        for group, label in REVIEW_GROUPS.items()
    ]))
    return out


def legacy(record: Record, findings: Sequence[Mapping[str, Any]],
           corrections: Sequence[Mapping[str, Any]] = ()) -> list[tuple[dict[str, Any], CellView]]:
    """A pre-2019 统计表: each entry with its value as a cell (row = its position)."""
    fixes = {(c["table"], c["row"], c["col"]): c for c in corrections}
    out = []
    for n, entry in enumerate(record.get("legacy_stats") or []):
        label = str(entry.get("label"))
        concerned = [int(f["id"]) for f in findings if f.get("table") == "legacy_stats"
                     and label in {f.get("row"), f.get("label"), f.get("parent"), f.get("child")}]
        out.append((entry, CellView("legacy_stats", str(n), "value", entry.get("value"), concerned,
                                    fixes.get(("legacy_stats", str(n), "value")))))
    return out
