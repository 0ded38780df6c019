"""An HTML `<table>` → Grid with rowspan/colspan expanded (trafilatura drops spans)."""

from __future__ import annotations

from itertools import accumulate
from typing import Any, cast

from lxml import etree

from extract.document import Grid, Slot
from extract.limits import LIMITS, CellBudget
from extract.normalize import clean_line


def _span(value: str | None) -> int:
    """A span as written, within 1 … `max_span` (Word exports carry absurd ones); junk is 1."""
    if value is None:
        return 1
    try:
        return max(1, min(LIMITS.max_span, int(value.strip() or "1")))
    except ValueError:
        return 1


def _cell_spans(rows: list[list[Any]]) -> list[list[tuple[int, int]]]:
    """Each cell's (rowspan, colspan) as written, within 1 … `max_span`: read once for the bound and the grid."""
    return [[(_span(cell.get("rowspan")), _span(cell.get("colspan"))) for cell in cells] for cells in rows]


def expansion(rows: list[list[Any]]) -> int:
    """How many positions `build_grid` would allocate and visit for these rows (`_expansion`)."""
    return _expansion(_cell_spans(rows))


def _expansion(spans: list[list[tuple[int, int]]]) -> int:
    """The positions a grid of these cells' spans allocates and visits, worked out from the spans alone:
    the table is as high as its rows, and no row reaches further right than the columns covered in it
    (a cell goes to the first free position, so everything to its left is taken), so height × the
    widest coverage bounds the grid; the spans' area bounds the copying."""
    height = len(spans)
    cover = [0] * (height + 1)
    area = 0
    for r, cells in enumerate(spans):
        for rowspan, across in cells:
            down = min(rowspan, height - r)
            cover[r] += across
            cover[r + down] -= across
            area += down * across
    return max(height * max(accumulate(cover), default=0), area)


def mark_breaks(root: Any) -> None:
    """Give `<br>`, `<p>` and `<div>` a trailing space once, so cell text is one C-level serialisation.

    `本年新<br>制作数量` → `本年新 制作数量`.
    """
    for el in root.iter("br", "p", "div", "li"):
        tail = el.tail
        el.tail = " " + tail if tail else " "


def text_of(el: Any) -> str:
    """The element's text without its tail: `"".join(el.itertext())`, serialised by libxml2 (5× faster)."""
    text: str = etree.tostring(el, method="text", encoding="unicode", with_tail=False)
    return text


def cell_text(el: Any) -> str:
    return clean_line(text_of(el))


def table_rows(table: Any) -> list[list[Any]]:
    """The `<tr>`s of this table (not of nested tables), with their `<td>`/`<th>` cells.

    A table that holds no other (most) gives them by libxml2's own walk. Otherwise one walk of the table's
    own part of the tree, in document order, that does not enter a nested table: asking each `<tr>` for its
    owner instead costs tables × depth, and a page of deeply nested tables (hostile or a CMS's layout) took
    seconds. (Looking for a nested table stops at the first, so it reads no more than the table's own part.)"""
    if table.find(".//table") is None:
        return [list(tr.iterchildren("td", "th")) for tr in table.iter("tr")]
    rows: list[list[Any]] = []
    stack = list(reversed(table))
    while stack:
        el = stack.pop()
        if el.tag == "table":
            continue
        if el.tag == "tr":
            rows.append(list(el.iterchildren("td", "th")))
        stack.extend(reversed(el))
    return rows


def build_grid(rows: list[list[Any]], budget: CellBudget | None = None) -> Grid | None:
    """Place each cell at its first free position and copy it over the span it covers; None when
    the grid would be larger than the budget grants (its cells are then read as lines).

    Span copies share the cell's Slot (it is frozen); each row is a list filled in place.
    """
    spans = _cell_spans(rows)
    if not (budget or CellBudget()).grant(_expansion(spans)):
        return None
    height = len(rows)
    placed: list[list[Slot | None]] = [[] for _ in range(height)]
    holes = False  # a span left positions unfilled (until a later cell takes them)
    for r, (cells, cell_span) in enumerate(zip(rows, spans, strict=True)):
        line = placed[r]
        c = 0
        for cell, (rowspan, colspan) in zip(cells, cell_span, strict=True):
            while c < len(line) and line[c] is not None:
                c += 1
            slot = Slot(cell_text(cell), (r, c))
            if rowspan == colspan == 1 and c == len(line):
                line.append(slot)  # the common cell: one position, at the row's end
                c += 1
            else:
                end = c + colspan
                for below in placed[r : r + rowspan]:
                    if len(below) < end:
                        below.extend([None] * (end - len(below)))
                        holes = True
                    for k in range(c, end):
                        if below[k] is None:
                            below[k] = slot
                c = end
    # as wide as the furthest a cell reaches: a row is filled only as far as a cell in it (or above) ends
    width = max((len(line) for line in placed), default=0)
    grid_rows: list[list[Slot]] = []
    for r, line in enumerate(placed):
        # without holes every position holds a Slot, and the row is the list filled
        row = [s if s is not None else Slot("", (r, k)) for k, s in enumerate(line)] if holes else cast(
            "list[Slot]", line)
        row.extend(Slot("", (r, k)) for k in range(len(line), width))
        # a row of empty cells is kept (a table row left entirely blank is data: blank ≠ zero)
        if any(s.text or s.origin[0] == r for s in row):
            grid_rows.append(row)
    return Grid(rows=grid_rows)
