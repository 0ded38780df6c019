"""Build the report's tables (表二, 表三, 表四, legacy 统计表) from a record, with the template's spans.

Each builder returns one `model.Table` that every serializer shares. The random
generator only picks among layouts seen in real reports (header cells broken over
two lines or not, the KIRO-style 表四 with explicit placeholder cells, …).
"""

from __future__ import annotations

import random
from typing import Any

from extract.schema import MONEY_CELLS, REVIEW_PARTS, SIGNED_CELLS, Record
from sim.render import labels
from sim.render.model import Cell, Number, NumKind, Table

Row = tuple[Cell, ...]


class _Cells:
    """Makes the cells of one table: value cells from the record, header cells in one spelling."""

    def __init__(self, record: Record, table: str, rng: random.Random) -> None:
        self.record = record
        self.table = table
        self.notes: dict[str, str] = (record.get("parse") or {}).get("notes") or {}
        self.split_headers = rng.random() < 0.6

    def head(self, parts: labels.Parts, *, rowspan: int = 1, colspan: int = 1) -> Cell:
        shown = parts if self.split_headers else ("".join(parts),)
        return Cell(shown, rowspan=rowspan, colspan=colspan, head=True)

    def value(self, row: str, col: str, *, colspan: int = 1) -> Cell:
        cells = (self.record.get(self.table) or {}).get(row) or {}
        return Cell(number=self.number(cells.get(col), row, col), colspan=colspan)

    def number(self, value: Any, row: str, col: str) -> Number:
        kind: NumKind = "money" if (row, col) in MONEY_CELLS else "signed" if col in SIGNED_CELLS else "count"
        return Number(value, kind, self.notes.get(f"{self.table}.{row}.{col}"))


def label(text: str, *, rowspan: int = 1, colspan: int = 1) -> Cell:
    return Cell((text,), rowspan=rowspan, colspan=colspan)


# ---- 表二 ------------------------------------------------------------------


def active_table(record: Record, rng: random.Random) -> Table:
    """One 4-column table of 第二十条 blocks; a block with fewer value columns widens its last cell."""
    cells = _Cells(record, "active", rng)
    blocks = labels.ACTIVE_BLOCKS_2019 if record.get("format") == "2019" else labels.ACTIVE_BLOCKS_2021
    old_label = record.get("format") != "2019" and rng.random() < 0.2
    rows: list[Row] = []
    for block in blocks:
        widen = 3 - len(block.columns)
        rows.append((cells.head((block.header,), colspan=4),))
        headers = [cells.head(parts) for _, parts in block.columns]
        headers[-1] = cells.head(block.columns[-1][1], colspan=1 + widen)
        rows.append((cells.head((labels.ACTIVE_CONTENT_HEADER,)), *headers))
        for key, printed in block.rows:
            shown = labels.NORMATIVE_OLD_LABEL if old_label and key == "normative_documents" else printed
            values = [cells.value(key, col) for col, _ in block.columns]
            values[-1] = cells.value(key, block.columns[-1][0], colspan=1 + widen)
            rows.append((label(shown), *values))
    return Table("active", tuple(rows))


# ---- 表三 ------------------------------------------------------------------


def requests_table(record: Record, rng: random.Random) -> Table:
    """The official 3-row header and 25 (2021) or 23 (single (六) row) data rows."""
    cells = _Cells(record, "requests", rng)
    single_other = "other_handling" in (record.get("requests") or {})
    columns = list(labels.REQUEST_COLUMN_HEADERS)
    natural = ("自 然 人",) if rng.random() < 0.15 else labels.REQUEST_COLUMN_HEADERS["natural_person"]
    rows: list[Row] = [
        (label(labels.REQUESTS_NOTE, rowspan=3, colspan=3), cells.head((labels.APPLICANTS,), colspan=7)),
        (
            cells.head(natural, rowspan=2),
            cells.head((labels.ORGANISATIONS,), colspan=5),
            cells.head(labels.REQUEST_COLUMN_HEADERS["total"], rowspan=2),
        ),
        tuple(cells.head(labels.REQUEST_COLUMN_HEADERS[c]) for c in columns[1:6]),
    ]

    def values(row: str) -> Row:
        return tuple(cells.value(row, col) for col in columns)

    result_rows: list[Row] = []
    for key in ("granted", "partly_granted"):
        result_rows.append((label(labels.REQUEST_LEVEL2[key], colspan=2), *values(key)))
    for name, group in labels.REQUEST_GROUPS.items():
        if name == "other" and single_other:
            result_rows.append((label(labels.REQUEST_LEVEL2["other_handling"], colspan=2), *values("other_handling")))
            continue
        for i, (key, printed) in enumerate(group.rows):
            lead = (label(group.label, rowspan=len(group.rows)),) if i == 0 else ()
            result_rows.append((*lead, label(printed), *values(key)))
    result_rows.append((label(labels.REQUEST_LEVEL2["total"], colspan=2), *values("total")))

    for key in ("new", "carried_over"):
        rows.append((label(labels.REQUEST_LEVEL1[key], colspan=3), *values(key)))
    rows.append((label(labels.RESULTS_LABEL, rowspan=len(result_rows)), *result_rows[0]))
    rows.extend(result_rows[1:])
    rows.append((label(labels.REQUEST_LEVEL1["carry_forward"], colspan=3), *values("carry_forward")))
    return Table("requests", tuple(rows))


# ---- 表四 ------------------------------------------------------------------


def review_table(record: Record, rng: random.Random) -> Table:
    """行政复议 (5) | 行政诉讼 (10); the KIRO variant writes five empty cells instead of rowspans."""
    cells = _Cells(record, "review_litigation", rng)
    placeholders = rng.random() < 0.2
    span = 1 if placeholders else 2
    parts = (*REVIEW_PARTS, "total")
    heads = [cells.head(labels.REVIEW_HEADERS[p], rowspan=span) for p in parts]
    row3 = [cells.head(labels.REVIEW_HEADERS[p]) for p in parts] * 2
    if placeholders:
        row3 = [Cell(head=True) for _ in parts] + row3
    groups = tuple(labels.LITIGATION_GROUPS.items())
    rows: tuple[Row, ...] = (
        (cells.head((labels.REVIEW,), colspan=5), cells.head((labels.LITIGATION,), colspan=10)),
        (*heads, *(cells.head((text,), colspan=5) for _, text in groups)),
        tuple(row3),
        tuple(cells.value(group, part) for group in ("review", *(g for g, _ in groups)) for part in parts),
    )
    return Table("review_litigation", rows)


# ---- legacy 统计表 ------------------------------------------------------------


def legacy_table(record: Record, rng: random.Random, *, title_row: bool) -> Table:
    """统计指标 | 单位 | 统计数, with group rows (`一、主动公开情况 | / | /`) between the indicators.

    The §4.2 indicator list prints with its numbering and notes; any other list prints as given.
    """
    stats: list[dict[str, Any]] = list(record.get("legacy_stats") or ())
    rows: list[Row] = [(Cell((labels.LEGACY_TITLE,), colspan=3, head=True),)] if title_row else []
    rows.append(tuple(Cell(parts, head=True) for parts in labels.LEGACY_HEADERS))
    known = [s["label"] for s in stats] == list(labels.LEGACY_LABELS)
    printed_rows = (
        labels.LEGACY_ROWS if known else tuple(labels.LegacyRow(s["label"], s["unit"], s["label"]) for s in stats)
    )
    values = iter(stats)
    for printed in printed_rows:
        if printed.label is None:
            mark = rng.choice(("/", "/", "", "0"))
            rows.append((label(printed.printed), label(labels.GROUP_UNIT), label(mark)))
            continue
        stat = next(values)
        kind: NumKind = "money" if stat["unit"] == "万元" else "count"
        rows.append((label(printed.printed), label(stat["unit"]), Cell(number=Number(stat["value"], kind))))
    return Table("legacy_stats", tuple(rows))
