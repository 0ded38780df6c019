"""One table as CSV (for Excel on Chinese Windows: a BOM, CRLF) or as a table in the terminal."""

from __future__ import annotations

import csv
import io
from typing import Any

from analytics.document import Num, Table, cell_text
from store.outbound import csv_cell


def _csv_cell(cell: object) -> str:
    """A number as Excel reads one back (`82.4%` becomes 0.824); nothing for no value; text never a formula."""
    if cell is None or (isinstance(cell, Num) and cell.value is None):
        return ""
    return str(csv_cell(cell_text(cell)))  # type: ignore[arg-type]


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in table.heads])
    writer.writerows([[_csv_cell(c) for c in row] for row in table.rows])
    return buffer.getvalue().encode("utf-8-sig")


def to_rich(table: Table) -> Any:
    from rich.table import Table as RichTable  # noqa: PLC0415

    out = RichTable(title=table.title, title_justify="left")
    numeric = [any(isinstance(row[k], Num | int) for row in table.rows) for k in range(len(table.heads))]
    for k, head in enumerate(table.heads):
        out.add_column(head, justify="right" if numeric[k] else "left")
    for row in table.rows:
        out.add_row(*(cell_text(c) for c in row))
    return out
