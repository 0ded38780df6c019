"""Plain-text reports → Document, for every text shape archives hold.

Shapes (see the toolchain notes on trafilatura versions): trafilatura 2.0 (cell lines ending ` |`, lone `|`
row starts, `|||` padding), 1.11 (same without row starts), ≥2.1 and markdown (`| a | b |` rows),
tab-indented one cell per line with blank lines between rows, and several cells per line
separated by tabs or runs of spaces.

Where a layout marks where a table row begins (a markdown line, a line of several cells, the first
tab cell after a blank line) the first cell carries `row_start`, so that a row's values are never
taken from the next row.
"""

from __future__ import annotations

import re

from extract.cells import is_value
from extract.document import Block, Document, Grid, Line, Slot
from extract.normalize import clean_line, is_page_number, nfkc
from extract.schema import LEGACY_UNITS

_PAD = re.compile(r"^\|{2,}$")
_MD_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
_MD_ROW = re.compile(r"^\|.*\|.*$")  # `| a | b |` (markdown, trafilatura ≥ 2.1): two pipes at least
_CELL_GAP = re.compile(r"\t| {2,}")
_TOKEN_VALUE = re.compile(r"^(?:[+-]?\d[\d,]*(?:\.\d+)?(?:\([^()\s]*\))?|/|-|—|——|–)$")
_PROSE_END = ("。", ";", "；", "!", "?")
MAX_CELL_LINE = 240  # longer lines are prose even without a full stop


def _label_and_values(part: str) -> list[str]:
    """`规章 0 0 0` → [规章, 0, 0, 0]; `收到申请数 件 0` → [收到申请数, 件, 0]; prose stays whole."""
    words = part.split(" ")
    k = len(words)
    while k > 0 and _TOKEN_VALUE.match(words[k - 1]):
        k -= 1
    values = words[k:]
    label_words = words[:k]
    if not values or (not label_words and len(values) < 2):
        return [part]
    cells = []
    if len(label_words) > 1 and label_words[-1] in LEGACY_UNITS:
        cells = [" ".join(label_words[:-1]), label_words[-1]]
    elif label_words:
        cells = [" ".join(label_words)]
    return [*cells, *values]


def split_cells(raw: str) -> list[str]:
    """The cells of one line: tabs and runs of spaces separate cells; trailing numbers split off."""
    stripped = raw.strip()
    if not stripped or stripped.endswith(_PROSE_END) or len(stripped) > MAX_CELL_LINE:
        return [clean_line(raw)]
    cells: list[str] = []
    for part in _CELL_GAP.split(stripped):
        part = clean_line(part)  # noqa: PLW2901 - the part, normalised
        if part:
            cells.extend(_label_and_values(part))
    return cells or [""]


def _pipe_cells(line: str) -> list[str]:
    """`| a | b | ` (markdown, trafilatura ≥2.1) → [a, b]."""
    inner = line.strip().removeprefix("|").removesuffix("|")
    return [clean_line(c) for c in inner.split("|")]


def _row(cells: list[str]) -> list[Line]:
    return [Line(c, cell=True, row_start=i == 0) for i, c in enumerate(cells)]


def _grid(rows: list[list[str]]) -> Grid:
    """A markdown table is a grid without spans: rows and columns are explicit."""
    width = max(len(r) for r in rows)
    return Grid([[Slot(r[c] if c < len(r) else "", (i, c)) for c in range(width)] for i, r in enumerate(rows)])


def text_document(text: str, extractor: str = "text") -> Document:
    raw_lines = nfkc(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[Block] = []
    table: list[list[str]] = []  # markdown rows (`| a | b |`) of the table being read
    pending: list[str] = []  # trafilatura cell text spread over several lines until ` |`
    in_pipe = False  # inside a trafilatura table: bare lines continue a cell
    rows_marked = False  # trafilatura 2.0 opens every row with a lone `|` (1.11 does not)
    after_pad = False  # the previous line was `||…` padding, which ends a row
    new_tab_row = True  # the next tab cell opens a row (tab layout: blank lines separate rows)

    def flush_pending() -> None:
        if pending:
            blocks.append(Line(clean_line(" ".join(pending)), cell=True))
            pending.clear()

    for raw in raw_lines:
        if table and not _MD_ROW.match(raw.strip()):
            blocks.append(_grid(table))
            table = []
        if raw.startswith("\t") and not raw.strip().startswith("|"):
            flush_pending()
            in_pipe = False
            cells = split_cells(raw.lstrip("\t")) if raw.strip() else [""]
            blocks.extend(Line(c, cell=True, row_start=new_tab_row and i == 0) for i, c in enumerate(cells))
            new_tab_row = False
            continue
        line = clean_line(raw)
        if not line:
            flush_pending()
            new_tab_row = True
            continue
        if is_page_number(line) or (_MD_SEPARATOR.match(line) and "-" in line):
            continue
        if _PAD.match(line):
            flush_pending()
            in_pipe = after_pad = True
            continue
        if line == "|":
            if pending:
                flush_pending()
            else:
                if not in_pipe:
                    rows_marked = True
                # in 2.0 text a lone `|` after padding (or opening a table) starts a row: structure, not a cell
                starts_row = rows_marked and (after_pad or not in_pipe)
                blocks.append(Line("", cell=True, weak=True, row_start=starts_row))
            in_pipe, after_pad = True, False
            continue
        after_pad = False
        if _MD_ROW.match(line):
            flush_pending()
            table.append(_pipe_cells(line))
            continue
        if line.endswith("|"):
            if not in_pipe:
                rows_marked = False
            pending.append(line[:-1])
            flush_pending()
            in_pipe = True
            continue
        if in_pipe and not _ends_table(line):
            pending.append(line)
            continue
        flush_pending()
        in_pipe = False
        cells = split_cells(raw)
        if len(cells) > 1:
            blocks.extend(_row(cells))
        else:
            blocks.append(Line(line, cell=is_value(line)))
    flush_pending()
    if table:
        blocks.append(_grid(table))
    return Document(blocks=blocks, extractor=extractor)


def _ends_table(line: str) -> bool:
    """A line of prose or a section heading cannot continue a table cell."""
    return len(line) > 40 or line.endswith(_PROSE_END) or bool(re.match(r"^[一二三四五六七八九十]+、", line))

