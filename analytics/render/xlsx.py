"""A Document as a workbook (openpyxl): a summary sheet, then one sheet per table with figures as numbers.

A ratio is stored as its fraction with a per-cent number format, money with two decimals, counts as
whole numbers, so that a supervisor can sort, sum and chart them; a chart's sheet holds the numbers
it draws and the picture beside them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any, Final

from analytics.document import Cell, Chart, Document, Heading, Num, Paragraph, Table
from store.export import display_width
from store.outbound import neutralise_workbook

NUMBER_FORMATS: Final = {"count": "0", "money": "0.00", "ratio": "0.0%", "days": "0.0", "cells": "0", "factor": "0.0"}
_EXACT: Final = "0.0"
_SUMMARY: Final = "概要"
_BAD_TITLE: Final = re.compile(r"[\[\]:*?/\\]")
_MAX_WIDTH: Final = 60
_SHEET_TITLE: Final = 31  # Excel's limit


def _sheet_title(title: str, taken: set[str]) -> str:
    base = _BAD_TITLE.sub("", title)[:_SHEET_TITLE] or "表"
    name, n = base, 1
    while name in taken:
        n += 1
        suffix = f"({n})"
        name = base[: _SHEET_TITLE - len(suffix)] + suffix
    taken.add(name)
    return name


def _value(cell: Cell) -> tuple[Any, str | None]:
    if isinstance(cell, Num):
        if cell.value is None:
            return None, None
        if cell.value == float("inf"):
            return "∞", None
        fmt = _EXACT if cell.exact and cell.unit == "count" else NUMBER_FORMATS[cell.unit]
        return cell.value, fmt
    return cell, None


def _write_table(sheet: Any, table: Table, start: int = 1) -> None:
    from openpyxl.styles import Font  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    sheet.cell(row=start, column=1, value=table.title).font = Font(bold=True)
    head_row = start + 1
    for k, head in enumerate(table.heads, start=1):
        sheet.cell(row=head_row, column=k, value=head).font = Font(bold=True)
    widths = [display_width(h) for h in table.heads]
    for i, row in enumerate(table.rows, start=head_row + 1):
        for k, cell in enumerate(row, start=1):
            value, fmt = _value(cell)
            target = sheet.cell(row=i, column=k, value=value)
            if fmt:
                target.number_format = fmt
            if value is not None:
                widths[k - 1] = max(widths[k - 1], display_width(value if fmt is None else f"{value:.2f}"))
    sheet.freeze_panes = sheet.cell(row=head_row + 1, column=1)
    if table.rows:
        last = get_column_letter(len(table.heads))
        sheet.auto_filter.ref = f"A{head_row}:{last}{head_row + len(table.rows)}"
    for k, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(k)].width = min(width + 2, _MAX_WIDTH)


def _summary(sheet: Any, document: Document, tables: Sequence[str]) -> None:
    from openpyxl.styles import Font  # noqa: PLC0415

    sheet.append([document.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([document.subtitle])
    for block in document.blocks:
        if isinstance(block, Heading):
            sheet.append([block.text])
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        elif isinstance(block, Paragraph):
            sheet.append([block.text])
    sheet.append([])
    sheet.append(["→ " + "、".join(tables)])
    sheet.column_dimensions["A"].width = 120


def to_xlsx(document: Document) -> bytes:
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.drawing.image import Image  # noqa: PLC0415

    book = Workbook()
    summary = book.active
    assert summary is not None  # a new workbook always has its sheet
    taken = {_SUMMARY}
    summary.title = _SUMMARY
    names = []
    for block in document.blocks:
        if not isinstance(block, Table | Chart):
            continue
        table = block if isinstance(block, Table) else block.data
        sheet = book.create_sheet(_sheet_title(table.title, taken))
        names.append(sheet.title)
        _write_table(sheet, table)
        if isinstance(block, Chart):
            picture = Image(io.BytesIO(block.png))
            picture.width, picture.height = picture.width // 2, picture.height // 2
            sheet.add_image(picture, f"A{len(table.rows) + 4}")
    _summary(summary, document, names)
    out = io.BytesIO()
    neutralise_workbook(book).save(out)  # a name or title from a portal is never a formula
    return out.getvalue()


def table_to_xlsx(tables: Sequence[Table], title: str) -> bytes:
    """Tables alone (the exports of `xxgk stats`), each on its own sheet."""
    return to_xlsx(Document(title, "", list(tables)))
