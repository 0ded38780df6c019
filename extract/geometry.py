"""Positioned text → lines, paragraphs and table grids: the layout engine PDF and OCR share.

A PDF text layer and an OCR pass both give words with boxes on a page. Tables come in two kinds:
ruled ones, whose cell rectangles are known (pdfplumber's table finder, or the ruling lines found
in a scan), and unruled ones, where only the words' positions say which column a number is in.
Both end as a `Grid` with spans expanded, so the table readers in `rows.py` never learn where a
table came from.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from extract.cells import is_value
from extract.document import Grid, Slot
from extract.meta import section_of
from extract.normalize import clean_line, nfkc

# a cell or heading starts with numbering: `一、` `(三)` `1.` `2、`
MARKER = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十\d]+\)|\d+[.、](?!\d))")
_PROSE_END = ("。", ";", ":", "!", "?")
CELL_GAP = 1.2  # words further apart than this many line heights sit in different cells
LINE_OVERLAP = 0.5  # two boxes share a line when they overlap vertically by half the smaller height


@dataclass(frozen=True, slots=True)
class Box:
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    def union(self, other: Box) -> Box:
        return Box(min(self.x0, other.x0), min(self.top, other.top), max(self.x1, other.x1),
                   max(self.bottom, other.bottom))

    def holds(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.top <= y <= self.bottom


@dataclass(frozen=True, slots=True)
class Word:
    """A run of text with its box; `confidence` is the OCR score (None for a PDF text layer)."""

    text: str
    box: Box
    confidence: float | None = None


ColumnOf = Callable[[Word], int]  # which grid column a word of an unruled table falls in


@dataclass(slots=True)
class TextLine:
    words: list[Word]
    page: int = 0
    box: Box = field(init=False)

    def __post_init__(self) -> None:
        self.words.sort(key=lambda w: w.box.x0)
        box = self.words[0].box
        for w in self.words[1:]:
            box = box.union(w.box)
        self.box = box

    @property
    def text(self) -> str:
        return join_text(w.text for w in self.words)

    @property
    def height(self) -> float:
        return statistics.median(w.box.height for w in self.words)


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in {"W", "F"}


def join_text(parts: Iterable[str]) -> str:
    """Join pieces of one text: nothing between CJK characters (a wrapped line, a gap a PDF put
    between `2025` and `年`), a space between Latin words."""
    out = ""
    for raw in parts:
        piece = clean_line(nfkc(raw))
        if not piece:
            continue
        if out and not (_wide(out[-1]) or _wide(piece[0])):
            out += " "
        out += piece
    return out


def confidence_of(words: Iterable[Word]) -> float | None:
    """A cell is as doubtful as its most doubtful piece."""
    scores = [w.confidence for w in words if w.confidence is not None]
    return min(scores) if scores else None


def lines_of(words: Iterable[Word], page: int = 0) -> list[TextLine]:
    """Words → lines, top to bottom: a word joins a line it overlaps vertically by half its height."""
    lines: list[list[Word]] = []
    bands: list[tuple[float, float]] = []
    for w in sorted(words, key=lambda w: (w.box.cy, w.box.x0)):
        for k in range(len(lines) - 1, max(-1, len(lines) - 5), -1):
            top, bottom = bands[k]
            overlap = min(bottom, w.box.bottom) - max(top, w.box.top)
            if overlap >= LINE_OVERLAP * min(bottom - top, w.box.height):
                lines[k].append(w)
                break
        else:
            lines.append([w])
            bands.append((w.box.top, w.box.bottom))
    out = [TextLine(ws, page) for ws in lines]
    out.sort(key=lambda ln: ln.box.top)
    return out


def text_of(words: Sequence[Word]) -> str:
    return join_text(line.text for line in lines_of(words))


def gap_split(words: Sequence[Word], gap: float) -> list[list[Word]]:
    """Split a line's words (sorted by x) where the space between two exceeds `gap`."""
    groups: list[list[Word]] = []
    for w in words:
        if groups and w.box.x0 - groups[-1][-1].box.x1 <= gap:
            groups[-1].append(w)
        else:
            groups.append([w])
    return groups


def snap(values: Iterable[float], tol: float) -> list[float]:
    """Cluster coordinates that differ by at most `tol`; one representative (the mean) each."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


def _nearest(points: Sequence[float], v: float) -> int:
    return min(range(len(points)), key=lambda i: abs(points[i] - v))


# ---------------------------------------------------------------------------- ruled tables

def grid_from_cells(cells: Sequence[Box], words: Sequence[Word], tol: float) -> tuple[Grid, list[float]]:
    """Cell rectangles (a merged cell is one rectangle) and the words inside them → Grid, and the
    x of its column edges (to line up the part of a table continued on the next page).

    Edges closer than `tol` are one grid line; a rectangle covering several grid columns or rows
    is a span, copied into each position with the origin of its top-left one.
    """
    xs = snap([c.x0 for c in cells] + [c.x1 for c in cells], tol)
    ys = snap([c.top for c in cells] + [c.bottom for c in cells], tol)
    inside: dict[int, list[Word]] = {}
    by_area = sorted(range(len(cells)), key=lambda k: (cells[k].x1 - cells[k].x0) * cells[k].height)
    for w in words:
        k = next((k for k in by_area if cells[k].holds(w.box.cx, w.box.cy)), None)
        if k is not None:
            inside.setdefault(k, []).append(w)
    placed: dict[tuple[int, int], Slot] = {}
    for k in sorted(range(len(cells)), key=lambda k: (cells[k].top, cells[k].x0)):
        c = cells[k]
        r0, r1 = _nearest(ys, c.top), _nearest(ys, c.bottom)
        c0, c1 = _nearest(xs, c.x0), _nearest(xs, c.x1)
        if r1 <= r0 or c1 <= c0:
            continue
        ws = inside.get(k, [])
        slot = Slot(text_of(ws), (r0, c0), confidence_of(ws))
        for r in range(r0, r1):
            for col in range(c0, c1):
                placed.setdefault((r, col), slot)
    rows = [[placed.get((r, c)) or Slot("", (r, c)) for c in range(len(xs) - 1)] for r in range(len(ys) - 1)]
    return Grid([row for row in rows if any(s.text or s.confidence is not None for s in row)]), xs


# ---------------------------------------------------------------------------- unruled tables

def _value_words(line: TextLine, gap: float) -> list[Word]:
    """The values a table row ends with: value-like words set apart from the row's label."""
    words = line.words
    k = len(words)
    while k > 0 and is_value(words[k - 1].text) and words[k - 1].text.strip():
        k -= 1
    tail = words[k:]
    if not tail:
        return []
    if k == 0:
        return tail if len(tail) >= 2 else []
    return tail if tail[0].box.x0 - words[k - 1].box.x1 > gap else []


def _is_prose(line: TextLine, width: float, gap: float) -> bool:
    if len(gap_split(line.words, gap)) > 1:
        return False
    text = line.text
    return text.endswith(_PROSE_END) or line.box.x1 - line.box.x0 > 0.6 * width


def table_runs(lines: Sequence[TextLine], width: float) -> list[tuple[int, int]]:
    """Index ranges [start, end) of `lines` that hold an unruled table.

    A table is a run of non-prose lines with at least two rows of values; a section heading ends
    the run unless a row of values follows it at once (a legacy 统计表's group rows look alike).
    """
    if not lines:
        return []
    h = statistics.median(ln.height for ln in lines)
    gap = CELL_GAP * h
    data = [bool(_value_words(ln, gap)) for ln in lines]
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for i, line in enumerate(lines):
        breaks = _is_prose(line, width, gap) or (
            section_of(line.text) is not None and not (i + 1 < len(lines) and data[i + 1])
        )
        if i > 0 and start is not None and line.box.top - lines[i - 1].box.bottom > 3 * h:
            runs.append((start, i))
            start = None
        if breaks:
            if start is not None:
                runs.append((start, i))
            start = None
        elif start is None:
            start = i
    if start is not None:
        runs.append((start, len(lines)))
    out = []
    for a, b in runs:
        values = [len(_value_words(ln, gap)) for ln in lines[a:b]]
        if sum(v > 0 for v in values) >= 2 or max(values, default=0) >= 5:
            out.append((a, b))
    return out


@dataclass(slots=True)
class _Cell:
    words: list[Word]
    cols: tuple[int, int]  # first and last grid column
    top: float

    @property
    def text(self) -> str:
        return text_of(self.words)


def grid_from_lines(lines: Sequence[TextLine]) -> Grid:
    """An unruled table's lines → Grid.

    Value columns come from the rows with the most values; each line holding values is a row.
    Label text left of the first value column is cut into label columns by its left edges; a label
    line without values (a wrapped label) joins the nearest row. Lines without values above a
    row group are its header: a header word covering several columns spans them.
    """
    h = statistics.median(ln.height for ln in lines)
    gap = CELL_GAP * h
    values = [_value_words(ln, gap) for ln in lines]
    most = max(len(v) for v in values)
    full = [w for v in values if len(v) == most for w in v]
    centers = snap([w.box.cx for w in full], h)
    boundary = min(w.box.x0 for v in values for w in v) - 0.3 * h
    label_frags = [
        grp for ln in lines for grp in gap_split([w for w in ln.words if w.box.cx < boundary], gap)
    ]
    label_x = snap([g[0].box.x0 for g in label_frags], h) or [boundary - h]
    nl = len(label_x)

    def column(w: Word) -> int:
        if w.box.cx < boundary:
            return _nearest(label_x, w.box.x0)
        return nl + _nearest(centers, w.box.cx)

    # header groups: runs of lines without values; the lines before the first row always are
    data_at = [i for i, v in enumerate(values) if v]
    header: list[bool] = []
    for i, ln in enumerate(lines):
        header.append(not values[i] and (i < data_at[0] or any(w.box.cx >= boundary for w in ln.words)))
    rows: list[list[Slot]] = []
    i = 0
    while i < len(lines):
        if header[i]:
            j = i
            while j < len(lines) and (header[j] or (not values[j] and j + 1 < len(lines) and header[j + 1])):
                j += 1
            rows.extend(_header_rows(lines[i:j], column, centers, nl, boundary, len(rows)))
            i = j
            continue
        j = i
        while j < len(lines) and not header[j]:
            j += 1
        rows.extend(_body_rows(lines[i:j], values[i:j], column, nl + len(centers), len(rows)))
        i = j
    return Grid(rows)


def _header_rows(
    lines: Sequence[TextLine], column: ColumnOf, centers: Sequence[float], nl: int, boundary: float, r0: int
) -> list[list[Slot]]:
    """Header lines → header rows: a word's columns are those whose centre it covers; a word
    stacked under another in the same columns (`商业` / `企业`) continues that cell; a cell's row is
    the number of cells above it (its depth), so group headers sit above their leaves."""
    width = nl + len(centers)
    cells: list[_Cell] = []
    for ln in lines:
        for w in ln.words:
            if w.box.cx < boundary:
                cols = (column(w), column(w))
            else:
                covered = [nl + k for k, x in enumerate(centers) if w.box.x0 - 1 <= x <= w.box.x1 + 1]
                cols = (covered[0], covered[-1]) if covered else (column(w), column(w))
            same = next((c for c in reversed(cells) if c.cols == cols), None)
            if same is not None and not any(
                c is not same and c.top > same.top and _overlaps(c.cols, cols) for c in cells
            ):
                same.words.append(w)
            else:
                cells.append(_Cell([w], cols, w.box.top))
    depth = [sum(1 for d in cells if d.top < c.top and d.cols != c.cols and _overlaps(d.cols, c.cols)
                 and d.cols[0] <= c.cols[0] and c.cols[1] <= d.cols[1]) for c in cells]
    levels = max(depth, default=0) + 1
    rows = [[Slot("", (r0 + r, c)) for c in range(width)] for r in range(levels)]
    for cell, d in zip(cells, depth, strict=True):
        slot = Slot(cell.text, (r0 + d, cell.cols[0]), confidence_of(cell.words))
        for c in range(cell.cols[0], cell.cols[1] + 1):
            rows[d][c] = slot
    return rows


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _body_rows(
    lines: Sequence[TextLine], values: Sequence[list[Word]], column: ColumnOf, width: int, r0: int
) -> list[list[Slot]]:
    """Lines with values are rows; a line without values (a wrapped label) joins the nearest row,
    the row below when it opens with numbering and lies halfway."""
    anchors = [k for k, v in enumerate(values) if v]
    if not anchors:
        return []
    members: dict[int, list[Word]] = {k: [] for k in anchors}
    for k, ln in enumerate(lines):
        if values[k]:
            members[k].extend(ln.words)
            continue
        y = ln.box.cy
        best = min(anchors, key=lambda a: (abs(lines[a].box.cy - y),
                                           0 if (a > k) == bool(MARKER.match(ln.text)) else 1))
        members[best].extend(ln.words)
    rows = []
    for n, k in enumerate(anchors):
        per_col: dict[int, list[Word]] = {}
        for w in members[k]:
            per_col.setdefault(column(w), []).append(w)
        rows.append([
            Slot(text_of(per_col[c]), (r0 + n, c), confidence_of(per_col[c])) if c in per_col
            else Slot("", (r0 + n, c))
            for c in range(width)
        ])
    return rows


# ---------------------------------------------------------------------------- paragraphs

def paragraphs(lines: Sequence[TextLine], left: float, right: float) -> list[str]:
    """Rejoin the lines a paragraph was wrapped into: a line that reaches the right margin
    continues into the next one unless that one is indented or opens with numbering."""
    out: list[str] = []
    prev: TextLine | None = None
    for ln in lines:
        text = ln.text
        if not text:
            continue
        h = ln.height
        continues = (
            prev is not None and out
            and prev.box.x1 >= right - 1.5 * h
            and ln.box.x0 <= left + 0.8 * h
            and not MARKER.match(text)
            and not out[-1].endswith("。")
        )
        if continues:
            out[-1] = join_text((out[-1], text))
        else:
            out.append(text)
        prev = ln
    return out
