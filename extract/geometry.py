"""Positioned text → lines, paragraphs and table grids: the layout engine PDF and OCR share.

A PDF text layer and an OCR pass both give words with boxes on a page. Tables come in two kinds:
ruled ones, whose cell rectangles are known (pdfplumber's table finder, run on a PDF's drawn
rules or on the ruling lines found in a scan), and unruled ones, where only the words' positions
say which column a number is in. Ruled tables end as a `Grid` with spans expanded; unruled ones
as the stream of cells a text layout gives. Either way the table readers in `rows.py` never learn
where a table came from.
"""

from __future__ import annotations

import bisect
import itertools
import re
import statistics
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from extract.cells import is_number, is_value
from extract.document import Grid, Line, Place, Slot
from extract.labels import ACTIVE_BLOCK
from extract.meta import section_of
from extract.normalize import clean_line, nfkc, squash
from extract.schema import LEGACY_UNITS

# a cell or heading starts with numbering: `一、` `(三)` `1.` `2、`
MARKER = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十\d]+\)|\d+[.、](?!\d))")
_WORD_BLOCK = 256  # words matched against a page's cells at once
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


def is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in {"W", "F"}


def join_text(parts: Iterable[str]) -> str:
    """Join pieces of one text: nothing between CJK characters (a wrapped line, a gap a PDF put
    between `2025` and `年`), a space between Latin words."""
    out = ""
    for raw in parts:
        piece = clean_line(nfkc(raw))
        if not piece:
            continue
        if out and not (is_wide(out[-1]) or is_wide(piece[0])):
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
    """The index of the point nearest to `v` (the first of two as near) among ascending points."""
    i = bisect.bisect_left(points, v)
    if i in (0, len(points)):
        return max(0, i - 1)
    return i - 1 if v - points[i - 1] <= points[i] - v else i


# ---------------------------------------------------------------------------- ruled tables

def grid_from_cells(cells: Sequence[Box], words: Sequence[Word], tol: float,
                    page: int | None = None) -> tuple[Grid, list[float]]:
    """Cell rectangles (a merged cell is one rectangle) and the words inside them → Grid, and the
    x of its column edges (to line up the part of a table continued on the next page).

    Edges closer than `tol` are one grid line; a rectangle covering several grid columns or rows
    is a span, copied into each position with the origin of its top-left one.
    """
    xs = snap([c.x0 for c in cells] + [c.x1 for c in cells], tol)
    ys = snap([c.top for c in cells] + [c.bottom for c in cells], tol)
    inside: dict[int, list[Word]] = {}
    for w, k in zip(words, _cell_of_each(cells, words), strict=True):
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
        slot = Slot(text_of(ws), (r0, c0), confidence_of(ws),
                    None if page is None else Place(page, (c.x0, c.top, c.x1, c.bottom)))
        for r in range(r0, r1):
            for col in range(c0, c1):
                placed.setdefault((r, col), slot)
    rows = [[placed.get((r, c)) or Slot("", (r, c)) for c in range(len(xs) - 1)] for r in range(len(ys) - 1)]
    return Grid([row for row in rows if any(s.text or s.confidence is not None for s in row)]), xs


def _cell_of_each(cells: Sequence[Box], words: Sequence[Word]) -> list[int | None]:
    """The index of the smallest cell holding each word's centre (the first listed of equal ones),
    None where no cell holds it: every word against every cell at once (a page has hundreds of
    words and cells), a block of words at a time to bound the memory a huge page takes."""
    if not cells:
        return [None] * len(words)
    order = sorted(range(len(cells)), key=lambda k: ((cells[k].x1 - cells[k].x0) * cells[k].height, k))
    x0, top, x1, bottom = np.array([(cells[k].x0, cells[k].top, cells[k].x1, cells[k].bottom) for k in order]).T
    found: list[int | None] = []
    for start in range(0, len(words), _WORD_BLOCK):
        block = words[start : start + _WORD_BLOCK]
        cx = np.array([w.box.cx for w in block])[:, None]
        cy = np.array([w.box.cy for w in block])[:, None]
        holds = (x0 <= cx) & (cx <= x1) & (top <= cy) & (cy <= bottom)
        first = holds.argmax(axis=1).tolist()
        found += [order[k] if row[k] else None for row, k in zip(holds, first, strict=True)]
    return found


def edge(orientation: str, x0: float, x1: float, top: float, bottom: float) -> dict[str, Any]:
    """A ruling line as pdfplumber's table finder takes it: "h" or "v", top-left origin."""
    return {"orientation": orientation, "object_type": "line", "x0": x0, "x1": x1, "top": top, "bottom": bottom,
            "width": x1 - x0, "height": bottom - top}


def closing_rules(verticals: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Word and WPS often leave out a table's top or bottom border (`border-top:none`), which
    loses its first or last row: a rule across each group of touching vertical rules, where they
    begin and where they end, closes the frame. Edges are pdfplumber's dicts."""
    frames: list[list[float]] = []  # x0, top, x1, bottom
    for e in sorted(verticals, key=lambda e: float(e["top"])):
        x, top, bottom = float(e["x0"]), float(e["top"]), float(e["bottom"])
        if frames and top <= frames[-1][3] + 3:
            f = frames[-1]
            f[0], f[2], f[3] = min(f[0], x), max(f[2], x), max(f[3], bottom)
        else:
            frames.append([x, top, x, bottom])
    return [edge("h", x0, x1, y, y) for x0, top, x1, bottom in frames if x1 > x0 for y in (top, bottom)]


def merge_rules(edges: Sequence[dict[str, Any]], snap_reach: float, join_reach: float) -> list[dict[str, Any]]:
    """pdfplumber's `merge_edges(edges, snap, snap, join, join)`: rules within `snap_reach` of each
    other across their length moved onto their mean, then rules on one line that overlap or lie
    within `join_reach` end to end joined. The same rules in the same order, to the last bit; edges
    are its dicts. pdfplumber copied a dict for every rule moved and every join (a tenth of a PDF's
    parse); here a rule is a list until the end."""
    snapped = [*_snapped(edges, "v", 0, snap_reach), *_snapped(edges, "h", 2, snap_reach)]
    def line(r: list[Any]) -> tuple[str, float]:  # pdfplumber's groups: orientation, then the line's position
        return r[0], r[3] if r[0] == "h" else r[1]

    snapped.sort(key=line)
    merged: list[list[Any]] = []
    for _, group in itertools.groupby(snapped, key=line):
        rules = list(group)
        start, end = (1, 2) if rules[0][0] == "h" else (3, 4)  # along the line: x0 x1, or top bottom
        rules.sort(key=lambda r: r[start])
        joined = [rules[0]]
        for r in rules[1:]:
            last = joined[-1]
            if r[start] <= last[end] + join_reach:
                if r[end] > last[end]:  # pdfplumber's resize_object: the length follows the moved end
                    length = r[end] - last[1] if start == 1 else last[6] + (r[end] - last[end])
                    joined[-1] = [*last[:end], r[end], *last[end + 1 : 5], *((length, last[6]) if start == 1
                                                                           else (last[5], length))]
            else:
                joined.append(r)
        merged += joined
    return [{"orientation": o, "object_type": "line", "x0": x0, "x1": x1, "top": top, "bottom": bottom,
             "width": width, "height": height} for o, x0, x1, top, bottom, width, height in merged]


def _snapped(edges: Sequence[dict[str, Any]], orientation: str, across: int, reach: float) -> list[list[Any]]:
    """pdfplumber's `snap_objects` on the rules of one orientation: their coordinate across the line
    (x0 of a vertical rule, top of a horizontal one; `across` 0 or 2 picks the pair) clustered within
    `reach`, and each cluster moved onto its mean, by pdfplumber's own arithmetic."""
    rules = [[e["orientation"], e["x0"], e["x1"], e["top"], e["bottom"], e["width"], e["height"]]
             for e in edges if e["orientation"] == orientation]
    if reach <= 0:
        return rules  # pdfplumber snaps nothing then
    first, second = across + 1, across + 2
    cluster: dict[float, int] = {}
    count, last = 0, None
    for value in sorted({r[first] for r in rules}):
        if last is not None and value > last + reach:
            count += 1  # a gap wider than `reach` starts the next cluster
        cluster[value], last = count, value
    rules.sort(key=lambda r: cluster[r[first]])
    out: list[list[Any]] = []
    for _, group in itertools.groupby(rules, key=lambda r: cluster[r[first]]):
        members = list(group)
        mean = sum(r[first] for r in members) / len(members)
        for r in members:
            shift = mean - r[first]
            r[first], r[second] = r[first] + shift, r[second] + shift
        out += members
    return out


def cells_of_rules(edges: list[dict[str, Any]], reach: float) -> list[list[Box]]:
    """Merged ruling lines → the cells of each table, by pdfplumber's own table finder: corners
    where rules meet (a rule ending within `reach` of another still meets it), the smallest
    rectangles those corners close, and the groups of rectangles sharing corners."""
    from pdfplumber.table import cells_to_tables, edges_to_intersections  # noqa: PLC0415

    cells = corner_cells(edges_to_intersections(edges, reach, reach))
    return [[Box(*map(float, c)) for c in table] for table in cells_to_tables(cells)]


Corner = tuple[float, float]


def corner_cells(corners: dict[Corner, dict[str, list[dict[str, Any]]]]) -> list[tuple[float, float, float, float]]:
    """pdfplumber's `intersections_to_cells`: for each corner (in order), the smallest rectangle it
    closes with a corner below and one to its right on rules they share. The same cells in the same
    order; each corner's rules are made a set once (pdfplumber rebuilt both sets for every pair of
    corners it compared: a tenth of a PDF's parse) and its column and row are looked up, not searched."""
    points = sorted(corners)

    def rules(p: Corner, orientation: str) -> frozenset[tuple[float, float, float, float]]:
        return frozenset((e["x0"], e["top"], e["x1"], e["bottom"]) for e in corners[p][orientation])

    down = {p: rules(p, "v") for p in points}
    across = {p: rules(p, "h") for p in points}

    def connects(p: Corner, q: Corner) -> bool:
        return (p[0] == q[0] and not down[p].isdisjoint(down[q])) or (
            p[1] == q[1] and not across[p].isdisjoint(across[q]))

    columns: dict[float, list[Corner]] = {}
    rows: dict[float, list[Corner]] = {}
    for p in points:  # sorted: a column's corners top to bottom, a row's left to right
        columns.setdefault(p[0], []).append(p)
        rows.setdefault(p[1], []).append(p)
    cells = []
    for p in points:
        column, row = columns[p[0]], rows[p[1]]
        below, right = column[column.index(p) + 1:], row[row.index(p) + 1:]
        cell = next(
            ((p[0], p[1], r[0], b[1]) for b in below if connects(p, b) for r in right if connects(p, r)
             if (r[0], b[1]) in corners and connects((r[0], b[1]), r) and connects((r[0], b[1]), b)),
            None,
        )
        if cell is not None:
            cells.append(cell)
    return cells


# ---------------------------------------------------------------------------- unruled tables

def _row_numbers(lines: Sequence[TextLine], h: float) -> list[int]:
    """How many numbers each line holds as a table row (two, or one after the row's label), else 0.

    A 统计表 row left blank still has its unit (`申请答复数 | 件 |`): it counts as a row when the
    unit sits in the unit column the filled rows show (a wrapped label ending in `项` does not).
    """
    counts: list[int] = []
    units: list[float] = []
    frags = [gap_split(ln.words, 0.25 * h) for ln in lines]
    for row in frags:
        at = [k for k, g in enumerate(row) if len(g) == 1 and is_value(g[0].text) and g[0].text.strip()]
        counts.append(len(at) if at and (len(at) >= 2 or at[0] > 0) else 0)
        if counts[-1] and at[0] > 0 and join_text(w.text for w in row[at[0] - 1]) in LEGACY_UNITS:
            units.append(row[at[0] - 1][0].box.x0)
    for k, row in enumerate(frags):
        if not counts[k] and len(row) >= 2 and join_text(w.text for w in row[-1]) in LEGACY_UNITS:
            counts[k] = int(any(abs(row[-1][0].box.x0 - x) <= h for x in units))
    return counts


def _is_prose(line: TextLine, width: float, h: float) -> bool:
    """Running text: one phrase (no cell-wide gaps) that ends a sentence or fills the line."""
    if len(gap_split(line.words, CELL_GAP * h)) > 1:
        return False
    return line.text.endswith(_PROSE_END) or line.box.x1 - line.box.x0 > 0.6 * width


def table_runs(lines: Sequence[TextLine], width: float, *, continued: bool = False) -> list[tuple[int, int]]:
    """Index ranges [start, end) of `lines` that hold an unruled table.

    A table is a run of non-prose lines with at least two rows of numbers, or one long one (表四),
    or one at the top of a page that continues a table. A wide label wrapped between two rows is not prose; a section
    heading ends the run unless it carries numbers itself (`七、…收取的费用 万元 0`, maybe a page's last line) or a
    row of numbers follows at once (a legacy 统计表's group rows).
    """
    if not lines:
        return []
    h = statistics.median(ln.height for ln in lines)
    prose = [_is_prose(ln, width, h) for ln in lines]
    counts = [0 if p else n for p, n in zip(prose, _row_numbers(lines, h), strict=True)]
    data = [c > 0 for c in counts]
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for i, line in enumerate(lines):
        between_rows = 0 < i < len(lines) - 1 and data[i - 1] and data[i + 1]
        breaks = (prose[i] and not between_rows) or (
            section_of(line.text) is not None and not data[i] and not (i + 1 < len(lines) and data[i + 1])
        )
        if start is not None and (breaks or line.box.top - lines[i - 1].box.bottom > 3 * h):
            runs.append((start, i))
            start = None
        if start is None and not breaks:
            start = i
    if start is not None:
        runs.append((start, len(lines)))
    return [(a, b) for a, b in runs
            if sum(data[a:b]) >= 2 or max(counts[a:b]) >= 5 or (continued and a == 0 and any(data[a:b]))]


@dataclass(frozen=True, slots=True)
class _Fragment:
    """A piece of an unruled table's line: one cell's text on that line."""

    text: str
    box: Box
    line: int


def cell_lines(lines: Sequence[TextLine]) -> list[Line]:
    """An unruled table's lines → its cells in reading order, one `Line` each, every row's first
    cell marked: the stream the text readers in `rows.py` read label by label.

    Without ruling lines, positions must say what a grid would: a line holding numbers is a row,
    and a number column left empty in a row is a blank cell. A label wrapped over several lines,
    its numbers on the middle one, is cut out of its column at the padding between cells (or at a
    numbered piece) and joins the row nearest to it. A header cell broken over lines (`本年新` /
    `制作数量`) is joined the same way; a header spanning several columns comes first.
    """
    return _Unruled(lines).cells()


class _Unruled:
    def __init__(self, lines: Sequence[TextLine]) -> None:
        self.h = h = statistics.median(ln.height for ln in lines)
        self.frags = [
            [_Fragment(join_text(w.text for w in g), _span(g), i) for g in gap_split(ln.words, 0.25 * h)]
            for i, ln in enumerate(lines)
        ]
        self.data = [n > 0 for n in _row_numbers(lines, h)]
        # numbers start where the first digit does: a `/` in a unit column is not a number column
        self.boundary = min(
            (f.box.x0 for k, row in enumerate(self.frags) if self.data[k] for f in row if is_number(f.text)),
            default=float("inf"),
        )
        self.header = [
            not self.data[i] and any(f.box.cx > self.boundary or ACTIVE_BLOCK.search(squash(f.text)) for f in row)
            for i, row in enumerate(self.frags)
        ]

    def is_number(self, k: int, f: _Fragment) -> bool:
        return self.data[k] and f.box.x0 >= self.boundary - 0.5 * self.h and _is_number(f)

    def cells(self) -> list[Line]:
        spans: list[tuple[int, int]] = []
        for i in range(len(self.frags)):
            if spans and self.header[i] == self.header[spans[-1][0]]:
                spans[-1] = (spans[-1][0], i + 1)
            else:
                spans.append((i, i + 1))
        out: list[Line] = []
        for n, (a, b) in enumerate(spans):
            if self.header[a]:
                after = spans[n + 1] if n + 1 < len(spans) else (b, b)
                out.extend(_emit(self.header_cells(a, b, self.columns(*after))))
            elif any(self.data[a:b]):
                for cells in self.rows(a, b):
                    out.extend(_emit(cells))
            else:
                for row in self.frags[a:b]:
                    out.extend(_emit([f.text for f in row]))
        return out

    def columns(self, a: int, b: int) -> _Columns:
        """The number columns of lines a..b, by the edge their numbers line up on (left, centre
        or right: the one that gives the fewest columns)."""
        numbers = [f for k in range(a, b) for f in self.frags[k] if self.is_number(k, f) and is_number(f.text)]
        options = [_Columns(edge, snap([_edge(f, edge) for f in numbers], 0.8 * self.h)) for edge in (1, 0, 2)]
        return min(options, key=lambda c: len(c.at))

    def header_cells(self, a: int, b: int, columns: _Columns) -> list[str]:
        """A header: cells spanning several columns first, then each column's pieces joined."""
        frags = [f for row in self.frags[a:b] for f in row]
        spanning = [f for f in frags if ACTIVE_BLOCK.search(squash(f.text))
                    or sum(f.box.x0 <= x <= f.box.x1 for x in columns.at) >= 2]
        blocks = _blocks([f for f in frags if f not in spanning], self.h, numbered=False)
        return [f.text for f in sorted(spanning, key=lambda f: (f.box.top, f.box.x0))] + [
            join_text(f.text for f in block) for block in sorted(blocks, key=lambda bl: min(f.box.x0 for f in bl))
        ]

    def rows(self, a: int, b: int) -> list[list[str]]:
        anchors = [k for k in range(a, b) if self.data[k]]
        columns = self.columns(a, b)
        labels = [f for k in range(a, b) for f in self.frags[k] if not self.is_number(k, f)]
        members: dict[int, list[list[_Fragment]]] = {k: [] for k in anchors}
        for block in _blocks(labels, self.h, numbered=True):
            members[self.home(block, anchors)].append(block)
        out = []
        for k in anchors:
            cells = [join_text(f.text for f in block) for block in sorted(members[k], key=lambda bl: bl[0].box.x0)]
            slots = [""] * len(columns.at)
            for f in self.frags[k]:
                if self.is_number(k, f):
                    at = _nearest(columns.at, _edge(f, columns.edge))
                    slots[at] = join_text((slots[at], f.text))
            out.append(cells + slots)
        return out

    def home(self, block: Sequence[_Fragment], anchors: Sequence[int]) -> int:
        """The row a block of label pieces belongs to: the one it shares a line with, else the
        nearest (the one below when the block opens with numbering and sits halfway)."""
        on_row = [f.line for f in block if self.data[f.line]]
        if on_row:
            return on_row[0]
        centre = (block[0].box.top + block[-1].box.bottom) / 2
        opens = bool(MARKER.match(block[0].text))
        step = 0.25 * self.h
        return min(anchors, key=lambda k: (round(abs(_centre(self.frags[k]) - centre) / step),
                                           (k > block[0].line) != opens))


@dataclass(frozen=True, slots=True)
class _Columns:
    edge: int  # 0 left, 1 centre, 2 right: what the numbers of a column line up on
    at: list[float]


def _edge(f: _Fragment, edge: int) -> float:
    return (f.box.x0, f.box.cx, f.box.x1)[edge]


def _is_number(f: _Fragment) -> bool:
    return bool(f.text.strip()) and is_value(f.text)


def _emit(cells: Sequence[str]) -> list[Line]:
    return [Line(t, cell=True, row_start=k == 0) for k, t in enumerate(cells)]


def _span(words: Sequence[Word]) -> Box:
    box = words[0].box
    for w in words[1:]:
        box = box.union(w.box)
    return box


def _centre(row: Sequence[_Fragment]) -> float:
    return sum(f.box.cy for f in row) / len(row)


def _blocks(frags: Sequence[_Fragment], h: float, *, numbered: bool) -> list[list[_Fragment]]:
    """Pieces of text stacked in one cell: each piece continues the block right above it (no more
    than the line spacing away, overlapping it sideways) unless it opens with numbering (`2.…`),
    which starts a new cell. Centred lines of a wrapped label overlap; cells side by side do not."""
    blocks: list[list[_Fragment]] = []
    for f in sorted(frags, key=lambda f: (f.box.top, f.box.x0)):
        fresh = numbered and bool(MARKER.match(f.text))
        above = None if fresh else next(
            (bl for bl in reversed(blocks)
             if -0.5 * h <= f.box.top - bl[-1].box.bottom <= 0.4 * h
             and min(f.box.x1, bl[-1].box.x1) - max(f.box.x0, bl[-1].box.x0) > 0.3 * min(
                 f.box.x1 - f.box.x0, bl[-1].box.x1 - bl[-1].box.x0)),
            None,
        )
        if above is not None:
            above.append(f)
        else:
            blocks.append([f])
    return blocks


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
