"""Spreadsheets → Document: XLSX through openpyxl, XLS/ET/ODS converted to XLSX first.

A report kept as a spreadsheet puts everything on one grid: the title and paragraphs as rows with
one (usually merged) cell, the tables below one another, separated by blank rows or headings.
`split_sheet` cuts such a grid back into lines and tables; WPS/Excel "save as web page" exports
(`<meta name="ProgId" content="Excel.Sheet">`) are the same grid in HTML and go through it too.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from lxml import etree

from extract.document import Block, Document, Grid, Line, Slot
from extract.errors import UnreadableInputError
from extract.limits import Limits
from extract.meta import match_title, section_of
from extract.normalize import clean_line, nfkc
from extract.zipped import repack

_PROSE_END = ("。", ";", ":", "!", "?")
LONG_TEXT = 40  # a lone cell this long is a paragraph, not a table title
_MERGE = re.compile(r"^([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?$")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def sheet_document(data: bytes, medium: str, limits: Limits) -> Document:
    converted_by = ""
    if medium != "xlsx":
        from extract.office import convert  # noqa: PLC0415

        data, tool = convert(data, medium, "xlsx", limits)
        converted_by = f"{medium}:{tool}→"
    data = repack(data, medium, limits)
    import openpyxl  # noqa: PLC0415 - heavy, only for spreadsheets

    blocks: list[Block] = []
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for ws in wb.worksheets:
                grid = _sheet_grid(ws, data, limits)
                blocks.extend(split_sheet(grid))
        finally:
            wb.close()
    except UnreadableInputError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises anything on a malformed part; the file is what is broken
        reason = f"{type(exc).__name__}: {exc}"[:160]
        raise UnreadableInputError("sheet.corrupt", medium=medium, reason=reason) from None
    return Document(blocks, f"{converted_by}xlsx:openpyxl-{openpyxl.__version__}", medium=medium)


def _sheet_grid(ws: Any, data: bytes, limits: Limits) -> Grid:
    values: dict[tuple[int, int], str] = {}
    height = width = 0
    ws.reset_dimensions()  # the sheet's declared dimension pads every row to it: a hostile one says XFD1048576
    for r, row in enumerate(ws.iter_rows(values_only=True)):
        for c, value in enumerate(row):
            text = _text(value)
            if text:
                values[(r, c)] = text
                height, width = max(height, r + 1), max(width, c + 1)
        if (r + 1) * max(1, width) > limits.max_sheet_cells:
            raise UnreadableInputError("sheet.too_large", medium="xlsx", sheet=ws.title, limit=limits.max_sheet_cells)
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    merged = 0  # positions the merges cover, overlaps counted again: no sheet is bigger
    for r0, c0, bottom, right in _merges(data, ws._worksheet_path):  # noqa: SLF001 - read-only sheets do not expose merges
        r1, c1 = min(bottom, r0 + 499), min(right, c0 + 199)
        height, width = max(height, r1 + 1), max(width, c1 + 1)
        merged += (r1 - r0 + 1) * (c1 - c0 + 1)
        if max(merged, height * width) > limits.max_sheet_cells:
            raise UnreadableInputError("sheet.too_large", medium="xlsx", sheet=ws.title, limit=limits.max_sheet_cells)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                origin[(r, c)] = (r0, c0)
    rows = []
    for r in range(height):
        row = []
        for c in range(width):
            o = origin.get((r, c), (r, c))
            row.append(Slot(values.get(o, ""), o))
        rows.append(row)
    return Grid(rows)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.10g}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return clean_line(nfkc(str(value)))


def _merges(data: bytes, part: str) -> Iterator[tuple[int, int, int, int]]:
    """Merged ranges of one sheet, zero-based (r0, c0, r1, c1), streamed from the sheet's XML."""
    import zipfile  # noqa: PLC0415

    with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open(part.lstrip("/")) as fh:
        for _, el in etree.iterparse(fh, events=("end",), tag=f"{_NS_MAIN}mergeCell", resolve_entities=False):
            m = _MERGE.match(el.get("ref") or "")
            el.clear()
            if m:
                a, b = _cell(m.group(1), m.group(2)), _cell(m.group(3) or m.group(1), m.group(4) or m.group(2))
                yield min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])


def _cell(col: str, row: str) -> tuple[int, int]:
    n = 0
    for ch in col:
        n = n * 26 + ord(ch) - 64
    return int(row) - 1, n - 1


# ---------------------------------------------------------------------------- sheet → blocks

def split_sheet(grid: Grid) -> list[Block]:
    """Cut a whole-sheet grid into lines (rows holding one paragraph, heading or title) and
    tables (runs of rows between blank rows and such lines), dropping empty columns."""
    blocks: list[Block] = []
    run: list[list[Slot]] = []

    def flush() -> None:
        if run and any(len(_cells(row)) > 1 for row in run):
            blocks.append(_trim(run))
        else:
            blocks.extend(Line(_cells(row)[0].text) for row in run)
        run.clear()

    for row in grid.rows:
        cells = _cells(row)
        if not cells:
            flush()
        elif len(cells) == 1 and _is_text_row(cells[0].text):
            flush()
            blocks.append(Line(cells[0].text))
        else:
            run.append(row)
    flush()
    return blocks


def _cells(row: Sequence[Slot]) -> list[Slot]:
    """The distinct non-empty cells of a row (a merged cell once)."""
    seen: dict[tuple[int, int], Slot] = {}
    for s in row:
        if s.text and s.origin not in seen:
            seen[s.origin] = s
    return list(seen.values())


def _is_text_row(text: str) -> bool:
    return (
        len(text) > LONG_TEXT
        or text.endswith(_PROSE_END)
        or section_of(text) is not None
        or match_title(text) is not None
    )


def _trim(rows: list[list[Slot]]) -> Grid:
    """A table's rows (all as wide as the sheet) without the columns empty throughout the table."""
    keep = [c for c in range(len(rows[0])) if any(r[c].text for r in rows)]
    return Grid([[r[c] for c in keep] for r in rows])
