"""Tables → logical rows: (labels, raw values, column headers), whatever the layout.

Two readers meet here. A grid (HTML, DOCX, PDF) maps each value to the header above its column,
so irregular spans cannot shift a cell. A stream of cell lines (text layouts, or a grid whose
header is unusable) is read label by label: a row is its label followed by its values, and the
number of values a row takes is known from the template, never from counting all numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from extract.cells import is_blank, is_number, is_value, parse_value
from extract.document import Grid, Line, Place, Slot
from extract.labels import (
    ACTIVE_BLOCK,
    ACTIVE_COLUMN_PATTERNS,
    ACTIVE_ROW_PATTERNS,
    HEADER_PREFIXES,
    HEADER_WORDS,
    LABEL_HEADERS,
    LEGACY_ANCHORS,
    REQUEST_ROW_PATTERNS,
)
from extract.normalize import squash
from extract.schema import LEGACY_UNITS

PATH_SEP = " › "  # joins the header cells above a column; never inside a label (`本年增/减`)
MAX_LABEL = 90  # longer lines are prose, not table labels
_PROSE_END = ("。", ";", "!", "?")
_NEXT_SECTION = re.compile(r"^[四五六七八九十]、.*(?:行政复议|行政诉讼|问题|其他需要|改进)|^行政复议$")
_REVIEW_START = re.compile(r"^行政复议(?:行政诉讼)?$")  # alone, or the header row on one line


@dataclass(frozen=True, slots=True)
class LogicalRow:
    labels: tuple[str, ...]
    values: tuple[str, ...]
    columns: tuple[str, ...] | None = None  # header path per value (`行政诉讼 › 复议后起诉 › 总计`)
    missing: bool = False  # the table's header was found but this row's cells were not
    confidences: tuple[float | None, ...] = ()  # OCR score per value, where the grid had one
    places: tuple[Place | None, ...] = ()  # where each value was read, where the grid knows

    @property
    def leaf(self) -> str:
        return self.labels[-1] if self.labels else ""

    def confidence(self, k: int) -> float | None:
        return self.confidences[k] if k < len(self.confidences) else None

    def place(self, k: int) -> Place | None:
        return self.places[k] if k < len(self.places) else None


# ---------------------------------------------------------------------------- grids

def _is_header_row(texts: Sequence[str]) -> bool:
    if any(is_number(t) for t in texts if t):
        return False
    return any(t in HEADER_WORDS or HEADER_PREFIXES.match(t) for t in texts if t)


def grid_rows(grid: Grid) -> list[LogicalRow]:
    """Logical rows of a grid; values are taken per header span, labels from the label columns."""
    if not grid.rows:
        return []
    width = max(len(r) for r in grid.rows)
    header: list[list[str]] | None = None
    leaf_origin: list[tuple[int, int] | None] = []
    collecting = False
    layout: _Layout | None = None
    out: list[LogicalRow] = []
    for row in grid.rows:
        texts = [squash(s.text) for s in row]
        if _is_header_row(texts):
            if not collecting:
                header, leaf_origin, collecting = [[] for _ in range(width)], [None] * width, True
            assert header is not None
            for j, (slot, t) in enumerate(zip(row, texts, strict=False)):
                if t and (not header[j] or header[j][-1] != t):
                    header[j].append(t)
                    leaf_origin[j] = slot.origin
            continue
        if collecting or (layout is None and header):
            layout = _layout(header, leaf_origin) if header else None  # once per header, not per row
        collecting = False
        out.append(_data_row(row, layout) if header and layout else _plain_row(row))
    return out


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where a header puts the values: spans of value columns, the columns inside them, their names."""

    spans: list[tuple[int, int]]
    in_span: frozenset[int]
    columns: tuple[str, ...]  # header path per span, the same for every row under this header


def _layout(header: list[list[str]], leaf_origin: list[tuple[int, int] | None]) -> _Layout | None:
    spans = _spans(header, leaf_origin)
    if not spans:
        return None
    return _Layout(spans, frozenset(j for a, b in spans for j in range(a, b + 1)),
                   tuple(PATH_SEP.join(header[a]) for a, _ in spans))


def _spans(header: list[list[str]], leaf_origin: list[tuple[int, int] | None]) -> list[tuple[int, int]]:
    """Consecutive columns under one value header → (first, last) column."""
    spans: list[tuple[int, int]] = []
    for j, path in enumerate(header):
        if not path or LABEL_HEADERS.search(path[-1]):
            continue
        if spans and leaf_origin[j] == leaf_origin[spans[-1][0]] and spans[-1][1] == j - 1:
            spans[-1] = (spans[-1][0], j)
        else:
            spans.append((j, j))
    return spans


def _data_row(row: list[Slot], layout: _Layout) -> LogicalRow:
    spans, in_span = layout.spans, layout.in_span
    labels: list[str] = []
    seen: set[tuple[int, int]] = set()
    for j, slot in enumerate(row):
        if j not in in_span and slot.text and slot.origin not in seen:
            seen.add(slot.origin)
            labels.append(slot.text)
    values: list[str] = []
    scores: list[float | None] = []
    places: list[Place | None] = []
    for a, b in spans:
        read = row[a:a + 1] if a == b else [
            row[j] for j in range(a, min(b, len(row) - 1) + 1)
            if not (row[j].origin[1] < a and j > a)]  # not a cell spilling over from the previous span
        picked = _picked(read)
        values.append(picked.text if picked else "")
        places.append(picked.place if picked else None)
        # a blank read by OCR keeps its score: an inked cell that read as nothing is doubtful too
        scores.append(picked.confidence if picked else min(
            (slot.confidence for slot in read if slot.confidence is not None), default=None))
    return LogicalRow(tuple(labels), tuple(values), layout.columns, confidences=_scores(scores),
                      places=_places(places))


def _picked(read: list[Slot]) -> Slot | None:
    """The cell a span's value is: a number if the span holds one, else a mark (`/`, `—`: not the same as
    an empty cell), else none."""
    mark = None
    for slot in read:
        if slot.text.strip():
            if not is_blank(slot.text):
                return slot
            mark = mark or slot
    return mark


def _plain_row(row: list[Slot]) -> LogicalRow:
    """No header: labels are the leading text cells, values the value cells after the last label."""
    slots: list[Slot] = []
    seen: set[tuple[int, int]] = set()
    for slot in row:
        if slot.origin not in seen:
            seen.add(slot.origin)
            slots.append(slot)
    cells = [s.text for s in slots]
    last_label = max((k for k, t in enumerate(cells) if t and not is_value(t)), default=-1)
    labels = tuple(t for t in cells[: last_label + 1] if t)
    scores = _scores([s.confidence for s in slots[last_label + 1:]])
    return LogicalRow(labels, tuple(cells[last_label + 1:]), confidences=scores,
                      places=_places([s.place for s in slots[last_label + 1:]]))


def _scores(scores: list[float | None]) -> tuple[float | None, ...]:
    """Per-value OCR scores, or () when no value was read by OCR (born-digital text)."""
    return tuple(scores) if scores.count(None) < len(scores) else ()


def _places(places: list[Place | None]) -> tuple[Place | None, ...]:
    """Per-value places, or () when the grid did not come from page geometry."""
    return tuple(places) if places.count(None) < len(places) else ()


# ---------------------------------------------------------------------------- streams

def is_label(line: Line) -> bool:
    t = line.text
    return bool(t) and not is_value(t) and len(t) <= MAX_LABEL and not t.endswith(_PROSE_END)


def _run(lines: Sequence[Line], start: int) -> tuple[list[Line], int]:
    """The value and blank cells after a label, up to the next label, prose line or row start."""
    j = start
    while j < len(lines) and (not lines[j].text or is_value(lines[j].text)):
        if j > start and lines[j].row_start:
            break
        j += 1
    return list(lines[start:j]), j


def pick(run: list[Line], n: int, check: Callable[[tuple[str, ...]], bool] | None = None) -> tuple[str, ...]:
    """Choose a row's n values from the cells after its label.

    A lone `|` of trafilatura text that opens a row is structure and is dropped. Other lone `|`s
    before or between values are empty cells; after the last value they may be padding, so they
    are used as blanks only when the row is short. Where a row has more cells than values (an
    expanded grid pads label and value spans with empty cells), empty padding is trimmed from the
    front first, then from the back. When a leading lone `|` may be a row start or an empty cell,
    `check` (the template arithmetic) decides between the two readings.
    """
    cells = [c for c in run if not (c.weak and c.row_start)]
    first = next((k for k, c in enumerate(cells) if not c.weak), len(cells))
    reading = _pick(cells, n)
    if check is not None and first > 0 and not check(reading):
        alternative = _pick(cells[first:], n)
        if check(alternative):
            return alternative
    return reading


def _pick(cells: list[Line], n: int) -> tuple[str, ...]:
    last = max((k for k, c in enumerate(cells) if not c.weak), default=-1)
    core = [c.text for c in cells[: last + 1]]
    while len(core) > n and (is_blank(core[0]) or is_blank(core[-1])):
        core = core[1:] if is_blank(core[0]) else core[:-1]
    if len(core) >= n:
        return tuple(core[:n])
    trailing = [c.text for c in cells[last + 1:]]
    filled = core + trailing[: n - len(core)]
    return tuple(filled + [""] * (n - len(filled)))


def group_totals_hold(values: tuple[str, ...]) -> bool:
    """维持 + 纠正 + 其他 + 尚未审结 = 总计 in each group of five; a blank part may hide the rest."""
    for g in range(0, len(values) - 4, 5):
        parts = [parse_value(v).value for v in values[g:g + 4]]
        total = parse_value(values[g + 4]).value
        known = sum(p for p in parts if p is not None)
        if total is not None and (known > total or (None not in parts and known != total)):
            return False
    return True


def _find(lines: Sequence[Line], pattern: re.Pattern[str], start: int = 0) -> int | None:
    for i in range(start, len(lines)):
        if is_label(lines[i]) and pattern.search(squash(lines[i].text)):
            return i
    return None


def _find_row(lines: Sequence[Line], pattern: re.Pattern[str]) -> int | None:
    """The first label matching `pattern` that is followed by cells (a narrative line is not);
    failing that, the first label matching at all."""
    first = i = _find(lines, pattern)
    while i is not None:
        run, _ = _run(lines, i + 1)
        if any(is_number(c.text) or not c.weak for c in run):
            return i
        i = _find(lines, pattern, i + 1)
    return first


_NEW_ROW = dict(REQUEST_ROW_PATTERNS)["new"]
_CARRY_FORWARD = dict(REQUEST_ROW_PATTERNS)["carry_forward"]


def stream_requests(lines: Sequence[Line], ncols: int = 7) -> tuple[list[LogicalRow], int] | None:
    """表三 read label by label from the first `本年新收` row to `结转下年度`; returns rows and end index."""
    start = _find_row(lines, _NEW_ROW)
    if start is None:
        return None
    rows: list[LogicalRow] = []
    context = ""
    i = start
    while i < len(lines):
        line = lines[i]
        if not line.text or is_value(line.text):
            i += 1
            continue
        if not is_label(line):
            break
        t = squash(line.text)
        if _NEXT_SECTION.match(t):
            break
        run, j = _run(lines, i + 1)
        if all(c.weak and c.row_start for c in run):
            context = t  # a group heading, or the first part of a label split over lines
            i = j
            continue
        rows.append(LogicalRow((context, t), pick(run, ncols)))
        i = j
        if _CARRY_FORWARD.search(t):
            break
    return rows, i


_REVIEW_HEADER = re.compile(r"行政诉讼|维持|纠正|其他|尚未|审结|总计|合计|结果|起诉|复议")


def stream_review(lines: Sequence[Line], start: int = 0) -> LogicalRow | None:
    """表四: after its header cells, the next 15 value cells in template order."""
    anchor = _find(lines, _REVIEW_START, start)
    if anchor is None:
        anchor = _find(lines, re.compile(r"^结果维持$"), start)
        if anchor is None:
            return None
    last_header = anchor
    j = anchor + 1
    while j < len(lines):
        t = squash(lines[j].text)
        if t and not is_value(t):
            if not _REVIEW_HEADER.search(t) or not is_label(lines[j]):
                break
            last_header = j
        elif is_number(t):
            break
        j += 1
    run, _ = _run(lines, last_header + 1)
    if all(c.weak for c in run) and sum(not c.row_start for c in run) < 15:
        # the header is there but no data row (trafilatura drops a row of empty cells): all unknown
        return LogicalRow(("行政复议",), ("",) * 15, missing=True)
    if len(run) == 16 and run[0].weak:
        run = run[1:]  # the data row is the table's last: one cell too many is trafilatura 2.0's row start
    return LogicalRow(("行政复议",), pick(run, 15, group_totals_hold))


def _active_column(text: str) -> str | None:
    return next((k for k, p in ACTIVE_COLUMN_PATTERNS if p.search(text)), None)


def _active_row(text: str) -> str | None:
    return next((k for k, p in ACTIVE_ROW_PATTERNS if p.search(text)), None)


def _add_header(cols: list[str], text: str) -> None:
    """Append a column header, joining `本年新` + `制作数量` (a header broken at its <br>)."""
    if (cols and _active_column(cols[-1]) is None and _active_column(text) is None
            and _active_column(cols[-1] + text) is not None):
        cols[-1] += text
    else:
        cols.append(text)


def stream_active(lines: Sequence[Line]) -> list[LogicalRow] | None:
    """表二 block by block: `第二十条第(X)项`, its column headers, then each row and its values."""
    start = _find(lines, ACTIVE_BLOCK)
    if start is None:
        return None
    rows: list[LogicalRow] = []
    block, in_header = "", False
    cols: list[str] = []
    i = start
    while i < len(lines):
        line = lines[i]
        t = squash(line.text)
        if not t or is_value(t):
            i += 1
            continue
        if not is_label(line):
            break
        if m := ACTIVE_BLOCK.search(t):
            block, cols, in_header = m.group(0), [], True
        elif t.startswith("信息内容"):
            # `信息内容` alone, or the whole header on one line: `信息内容 本年制发件数 本年废止件数 …`
            cols, in_header = [], True
            for word in line.text.split()[1:]:
                _add_header(cols, squash(word))
        elif _active_row(t):
            in_header = False
            run, j = _run(lines, i + 1)
            n = len(cols) or 3
            rows.append(LogicalRow((block, t), pick(run, n), tuple(cols) or None))
            i = j
            continue
        elif in_header:
            _add_header(cols, t)
        else:
            break
        i += 1
    return rows


def stream_legacy(lines: Sequence[Line]) -> list[LogicalRow] | None:
    """Pre-2019 统计表: (indicator, unit, value) triples in printed order."""
    if not any(LEGACY_ANCHORS.search(squash(ln.text)) for ln in lines if ln.text):
        return None
    rows: list[LogicalRow] = []
    for k, line in enumerate(lines):
        unit = squash(line.text)
        if unit not in LEGACY_UNITS and unit != "/":
            continue
        label_at = k - 1
        while label_at >= 0 and not lines[label_at].text and lines[label_at].weak:
            label_at -= 1
        if label_at < 0 or not is_label(lines[label_at]) or squash(lines[label_at].text) in LEGACY_UNITS:
            continue
        nxt = lines[k + 1] if k + 1 < len(lines) else None
        value = nxt.text if nxt is not None and (is_value(nxt.text)) else ""
        rows.append(LogicalRow((lines[label_at].text, unit), (value,)))
    return rows
