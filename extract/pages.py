"""Pages of positioned words → the Document's blocks, for PDFs and scans alike.

What a page adds that a web page has not: running headers, footers and page numbers (`- 4 -`),
paragraphs wrapped into lines, and tables cut by page breaks — with the header row repeated or
not, and sometimes a row itself split in two. All of that is undone here.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from extract.cells import is_number
from extract.document import Block, Grid, Line, Slot
from extract.geometry import (
    MARKER,
    Box,
    TextLine,
    Word,
    cell_lines,
    grid_from_cells,
    join_text,
    lines_of,
    paragraphs,
    snap,
    table_runs,
)
from extract.normalize import is_page_number

MARGIN_ZONE = 0.08  # running headers and footers live in the top and bottom 8% of a page
_BARE_PAGE_NUMBER = re.compile(r"^(?:\d{1,3}|\d{1,3}\s*/\s*\d{1,3}|[-—–]?\s*\d{1,3}\s*[-—–]?)$")
_DIGITS = re.compile(r"\d+")
_NUMBERS_ONLY = re.compile(r"^[#.,/+-]*$")


@dataclass(slots=True)
class Page:
    """One page: its size, its words and the cell rectangles of each ruled table on it."""

    width: float
    height: float
    words: list[Word]
    tables: list[list[Box]] = field(default_factory=list)


@dataclass(slots=True)
class _Cells:
    """An unruled table: its cells as lines, at its place on the page."""

    lines: list[Line]
    box: Box


@dataclass(slots=True)
class _Table:
    grid: Grid
    edges: list[float]  # x of the column edges, to line up the part continued on the next page
    page: int
    box: Box


@dataclass(slots=True)
class Layout:
    blocks: list[Block]
    kinds: set[str]  # "ruled" and/or "words": how the tables were found


def assemble(pages: Sequence[Page]) -> Layout:
    """Pages in order → the Document's blocks: furniture dropped, tables found and joined across
    page breaks, paragraphs rejoined."""
    kinds: set[str] = set()
    items: list[list[TextLine | _Table | _Cells]] = []
    free: list[list[TextLine]] = []
    for n, page in enumerate(pages):
        tables, rest = _ruled_tables(page, n)
        if tables:
            kinds.add("ruled")
        items.append(list(tables))
        free.append(lines_of(rest, n))
    furniture = _furniture(pages, free)
    all_lines = [ln for lines in free for ln in lines if id(ln) not in furniture]
    width = _text_width(all_lines)
    for n, lines in enumerate(free):
        kept = [ln for ln in lines if id(ln) not in furniture]
        continued = n > 0 and bool(items[n - 1]) and not isinstance(items[n - 1][-1], TextLine)
        taken: set[int] = set()
        for a, b in table_runs(kept, width, continued=continued):
            table = kept[a:b]
            items[n].append(_Cells(cell_lines(table), table[0].box))
            taken.update(range(a, b))
            kinds.add("words")
        items[n].extend(ln for k, ln in enumerate(kept) if k not in taken)
        items[n].sort(key=lambda it: it.box.top)
    flow = _join_tables([it for page_items in items for it in page_items])
    left, right = _margins(all_lines)
    blocks: list[Block] = []
    run: list[TextLine] = []  # lines of running text between two tables
    for it in flow:
        if isinstance(it, TextLine):
            run.append(it)
            continue
        blocks.extend(Line(t) for t in paragraphs(run, left, right))
        run = []
        if isinstance(it, _Cells):
            blocks.extend(it.lines)
        else:
            blocks.append(it.grid)
    blocks.extend(Line(t) for t in paragraphs(run, left, right))
    return Layout(blocks, kinds)


def _ruled_tables(page: Page, n: int) -> tuple[list[_Table], list[Word]]:
    """The page's ruled tables as grids, and the words outside them. A "table" of one row or one
    column is a frame around text (a box drawn round a paragraph), not a table."""
    tol = page.width / 300
    tables: list[_Table] = []
    taken: set[int] = set()
    for cells in page.tables:
        if not cells:
            continue
        box = cells[0]
        for c in cells[1:]:
            box = box.union(c)
        inside = [k for k, w in enumerate(page.words) if k not in taken and box.holds(w.box.cx, w.box.cy)]
        grid, edges = grid_from_cells(cells, [page.words[k] for k in inside], tol, page=n + 1)
        if len(grid.rows) < 2 or len(edges) < 3:
            continue
        tables.append(_Table(grid, edges, n, box))
        taken.update(inside)
    return tables, [w for k, w in enumerate(page.words) if k not in taken]


def _furniture(pages: Sequence[Page], free: Sequence[list[TextLine]]) -> set[int]:
    """Lines in the top or bottom margin zone that repeat on several pages (digits ignored), and
    page numbers there: running headers, footers, `- 4 -`, `第4页 共9页`."""
    zoned: list[tuple[int, TextLine, str]] = []
    for n, lines in enumerate(free):
        h = pages[n].height
        for ln in lines:
            if ln.box.bottom < MARGIN_ZONE * h or ln.box.top > (1 - MARGIN_ZONE) * h:
                zoned.append((n, ln, _DIGITS.sub("#", ln.text.replace(" ", ""))))
    counts = Counter(key for _, _, key in {(n, "", key) for n, _, key in zoned})
    repeat = max(2, round(0.4 * len(pages)))
    out: set[int] = set()
    for _, ln, key in zoned:
        text = ln.text
        repeated = len(pages) > 1 and counts[key] >= repeat and not _NUMBERS_ONLY.match(key)  # a table row
        if is_page_number(text) or _BARE_PAGE_NUMBER.match(text) or repeated:
            out.add(id(ln))
    return out


def _text_width(lines: Sequence[TextLine]) -> float:
    if not lines:
        return 1.0
    left, right = _margins(lines)
    return max(1.0, right - left)


def _margins(lines: Sequence[TextLine]) -> tuple[float, float]:
    """Left and right edges of the running text (a tenth of the lines may stick out)."""
    if not lines:
        return 0.0, 0.0
    x0s = sorted(ln.box.x0 for ln in lines)
    x1s = sorted(ln.box.x1 for ln in lines)
    cut = len(lines) // 10
    return x0s[cut], x1s[len(x1s) - 1 - cut]


# ---------------------------------------------------------------------------- tables across pages

def _join_tables(flow: list[TextLine | _Table | _Cells]) -> list[TextLine | _Table | _Cells]:
    """A table that ends a page and one that starts the next page, with the same outer edges,
    are one table cut by the page break."""
    out: list[TextLine | _Table | _Cells] = []
    for it in flow:
        prev = out[-1] if out else None
        if isinstance(it, _Table) and isinstance(prev, _Table) and _continues(prev, it):
            out[-1] = _join(prev, it)
        else:
            out.append(it)
    return out


def _continues(a: _Table, b: _Table) -> bool:
    tol = max(3.0, (a.box.x1 - a.box.x0) / 100)
    return b.page == a.page + 1 and abs(a.box.x0 - b.box.x0) <= tol and abs(a.box.x1 - b.box.x1) <= tol


def _join(a: _Table, b: _Table) -> _Table:
    tol = max(2.0, (a.box.x1 - a.box.x0) / 100)  # two scanned pages never line up to the pixel
    edges = snap([*a.edges, *b.edges], tol)
    ga, gb = _widen(a.grid, a.edges, edges, tol), _widen(b.grid, b.edges, edges, tol)
    shift = 1 + max((s.origin[0] for row in ga.rows for s in row), default=0)
    rows_b = [[replace(s, origin=(s.origin[0] + shift, s.origin[1])) for s in row] for row in gb.rows]
    rows_a = [list(row) for row in ga.rows]
    while rows_b and len(rows_b) > 1 and any(_texts(rows_b[0]) == _texts(r) for r in rows_a[:6]):
        rows_b.pop(0)  # the header row repeated on the new page
    if rows_a and rows_b:
        _stitch(rows_a, rows_b)
    return _Table(Grid(rows_a + rows_b), edges, b.page, b.box)


def _bounds(row: Sequence[Slot]) -> list[bool]:
    """Where a row's cell boundaries are: the two parts of a row split by a page break share them."""
    return [a.origin != b.origin for a, b in itertools.pairwise(row)]


def _texts(row: Sequence[Slot]) -> list[str]:
    return [s.text for s in row]


def _widen(grid: Grid, own: Sequence[float], edges: Sequence[float], tol: float) -> Grid:
    """Re-express a grid over a finer set of column edges: a column that now covers several
    columns becomes a span across them."""
    cover: list[list[int]] = []
    for k in range(len(own) - 1):
        cover.append([i for i in range(len(edges) - 1)
                      if edges[i] >= own[k] - tol and edges[i + 1] <= own[k + 1] + tol])
    rows = []
    for row in grid.rows:
        out: list[Slot] = []
        for k, slot in enumerate(row):
            out.extend([slot] * len(cover[k]) if k < len(cover) else [])
        rows.append(out)
    return Grid(rows)


def _stitch(rows_a: list[list[Slot]], rows_b: list[list[Slot]]) -> None:
    """Undo the page break at the seam: a row split in two (its second part holds no numbers)
    becomes one row again, and a label cell spanning down across the break stays one cell."""
    last, first = rows_a[-1], rows_b[0]
    if len(last) != len(first):
        return
    split_row = (
        any(s.text for s in first)
        and not any(is_number(s.text) or MARKER.match(s.text) for s in first)  # a new row, maybe with blanks
        and _bounds(first) == _bounds(last)
    )
    own = max(s.origin[0] for s in last)  # cells starting in the last row; smaller origins span into it
    below = {s.origin for s in rows_b[1]} if len(rows_b) > 1 else set()
    renames: dict[tuple[int, int], Slot] = {}
    for top, bottom in zip(last, first, strict=True):
        if split_row and bottom.text:
            renames[top.origin] = renames[bottom.origin] = replace(top, text=join_text((top.text, bottom.text)))
        elif not bottom.text and top.text and (split_row or top.origin[0] < own or bottom.origin in below):
            renames[bottom.origin] = top
    for rows in (rows_a, rows_b):
        for row in rows:
            row[:] = [renames.get(s.origin, s) for s in row]
    if split_row:
        rows_b.pop(0)
