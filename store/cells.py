"""A version's table cells as rows of the `cell` table: what each holds, what was printed, how sure we are.

The canonical record keeps a cell as a number or null; null cannot say whether the cell was left
empty, marked `/` or `—`, or held words (`详见附表`). The parser says which in the record's `parse`
key (`marks`, `notes`), how sure the reading is (`ocr_scores`, `ocr_cells`), and where it was read
when the grid came from page geometry (`places`: page and box, for PDFs and scans); this module turns
all of that into one row per cell, so that statistics over tens of thousands of reports are SQL over one table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

from sqlalchemy import Connection, insert

from extract.schema import MONEY_CELLS, TABLES, Record, legacy_key
from store.models import Cell

COUNT_UNIT: Final = "件"
MONEY_UNIT: Final = "万元"
_PRINTED_YUAN: Final = re.compile(r"^[\d.,]+元$")  # a 万元 cell printed in 元: the note is the printed text
_INSERT = insert(Cell)


def _number(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _kind(value: Any, key: str, parse: Mapping[str, Any]) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "zero" if value == 0 else "number"
    if key in (parse.get("marks") or {}):
        return "not_applicable"
    return "text" if key in (parse.get("notes") or {}) else "blank"


def cut_doubt(key: str, parse: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The cell's entry in `uncertain_cells` when its digits ran into its neighbours' and could be cut
    more than one way (the value is the most plausible cut, not a reading)."""
    cell = (parse.get("uncertain_cells") or {}).get(key)
    return cell if isinstance(cell, Mapping) and len(cell.get("candidates") or ()) > 1 else None


def _text(value: Any, key: str, parse: Mapping[str, Any]) -> str | None:
    """What the cell printed, where that says more than its number."""
    read = (parse.get("ocr_cells") or {}).get(key)
    if isinstance(read, Mapping) and read.get("text"):
        return str(read["text"])
    if (cut := cut_doubt(key, parse)) is not None and cut.get("text"):
        return str(cut["text"])  # the run of digits it was cut from
    mark = (parse.get("marks") or {}).get(key)
    if mark:
        return str(mark)
    note = (parse.get("notes") or {}).get(key)
    if not note:
        return None
    if not isinstance(value, int | float) or _PRINTED_YUAN.match(str(note)):
        return str(note)
    return f"{_number(value)}（{note}）"


def _certainty(key: str, parse: Mapping[str, Any]) -> float | None:
    """1 for a text layer, the OCR score for a scan; a cell cut from a run of digits is one of its
    candidate cuts, so at most 1 / their number (less when there were more cuts than were listed)."""
    if "ocr_confidence" not in parse:
        score: Any = 1.0  # read from a text layer: no doubt about the glyphs
    else:
        score = (parse.get("ocr_scores") or {}).get(key)
        if score is None:
            read = (parse.get("ocr_cells") or {}).get(key)
            score = read.get("confidence") if isinstance(read, Mapping) else None
    if not isinstance(score, int | float):
        return None
    if (cut := cut_doubt(key, parse)) is not None:
        score = min(float(score), 1 / (len(cut["candidates"]) + bool(cut.get("more"))))
    return float(score)


def _place(key: str, parse: Mapping[str, Any]) -> dict[str, Any]:
    """`parse.places` holds [page, x0, top, x1, bottom] for cells read from page geometry (PDF, scans)."""
    where = (parse.get("places") or {}).get(key)
    if not isinstance(where, list | tuple) or len(where) != 5:
        return {"page": None, "box": None}
    return {"page": int(where[0]), "box": ",".join(_number(round(float(v), 1)) for v in where[1:])}


def _template_cells(record: Record) -> Iterator[tuple[str, str, str, Any, str | None]]:
    for table in TABLES:
        for row, cols in (record.get(table) or {}).items():
            if not isinstance(cols, Mapping):
                continue
            for col, value in cols.items():
                unit = MONEY_UNIT if table == "active" and (row, col) in MONEY_CELLS else COUNT_UNIT
                yield table, row, col, value, unit


def _legacy_cells(record: Record) -> Iterator[tuple[str, str, str, Any, str | None]]:
    """统计表 entries by label; a repeated label is `label#2` (as the validator and parser key them)."""
    seen: dict[str, int] = {}
    for entry in record.get("legacy_stats") or ():
        if not isinstance(entry, Mapping):
            continue
        row = legacy_key(str(entry.get("label")), seen)
        unit = entry.get("unit")
        yield "legacy_stats", row, "value", entry.get("value"), unit
        if "cumulative" in entry:
            yield "legacy_stats", row, "cumulative", entry.get("cumulative"), unit


def cell_rows(record: Record) -> list[dict[str, Any]]:
    """One row per cell of the record's tables (without `version_id`)."""
    parse: Mapping[str, Any] = record.get("parse") or {}
    rows = []
    for table, row, col, value, unit in (*_template_cells(record), *_legacy_cells(record)):
        key = f"{table}.{row}.{col}"
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
        rows.append({
            "table_key": table, "row_key": row[:200], "col_key": col, "value": number,
            "kind": _kind(value, key, parse), "unit": unit, "text": _text(value, key, parse),
            "certainty": _certainty(key, parse), **_place(key, parse),
        })
    return rows


def add_cells(conn: Connection, version_id: int, record: Record) -> int:
    """Store the cells of a new version; the number stored."""
    rows = [{"version_id": version_id, **row} for row in cell_rows(record)]
    if rows:
        conn.execute(_INSERT, rows)
    return len(rows)
