"""An HTML `<table>` → Grid with rowspan/colspan expanded (trafilatura drops spans)."""

from __future__ import annotations

from typing import Any

from extract.document import Grid, Slot
from extract.normalize import clean_line

MAX_SPAN = 200  # Word exports carry absurd spans; clamp them so a hostile table cannot blow up memory


def _span(value: str | None) -> int:
    if value is None:
        return 1
    try:
        return max(1, min(MAX_SPAN, int(value.strip() or "1")))
    except ValueError:
        return 1


def mark_breaks(root: Any) -> None:
    """Give `<br>`, `<p>` and `<div>` a trailing space once, so cell text is one C-level itertext.

    `本年新<br>制作数量` → `本年新 制作数量`.
    """
    for el in root.iter("br", "p", "div", "li"):
        el.tail = " " + el.tail if el.tail else " "


def cell_text(el: Any) -> str:
    return clean_line("".join(el.itertext()))


def table_rows(table: Any) -> list[list[Any]]:
    """The `<tr>`s of this table (not of nested tables), with their `<td>`/`<th>` cells."""
    rows = []
    for tr in table.iter("tr"):
        if _owner_table(tr) is table:
            rows.append([c for c in tr if isinstance(c.tag, str) and c.tag in {"td", "th"}])
    return rows


def _owner_table(el: Any) -> Any:
    node = el.getparent()
    while node is not None and node.tag != "table":
        node = node.getparent()
    return node


def build_grid(rows: list[list[Any]]) -> Grid:
    """Place each cell at its first free position and copy it over the span it covers."""
    placed: dict[tuple[int, int], Slot] = {}
    width = 0
    for r, cells in enumerate(rows):
        c = 0
        for cell in cells:
            while (r, c) in placed:
                c += 1
            text = cell_text(cell)
            rs, cs = _span(cell.get("rowspan")), _span(cell.get("colspan"))
            origin = (r, c)
            for dr in range(rs):
                for dc in range(cs):
                    placed.setdefault((r + dr, c + dc), Slot(text, origin))
            c += cs
            width = max(width, c)
    height = len(rows)
    grid_rows = [
        [placed.get((r, c), Slot("", (r, c))) for c in range(width)]
        for r in range(height)
    ]
    # a row of empty cells is kept (a table row left entirely blank is data: blank ≠ zero)
    return Grid(rows=[row for r, row in enumerate(grid_rows) if any(s.text or s.origin[0] == r for s in row)])
