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
from typing import Final

from extract.cells import is_value
from extract.document import Block, Document, Grid, Line, Slot
from extract.meta import section_of
from extract.normalize import clean_line, is_page_number, nfkc
from extract.schema import LEGACY_UNITS, SECTIONS

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
    page_meta, raw_lines = archive_header(raw_lines)
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
        if len(line) > MAX_CELL_LINE:
            blocks.extend(reline(line))
            continue
        cells = split_cells(raw)
        if len(cells) > 1:
            blocks.extend(_row(cells))
        else:
            blocks.append(Line(line, cell=is_value(line)))
    flush_pending()
    if table:
        blocks.append(_grid(table))
    titles = [page_meta["ArticleTitle"]] if "ArticleTitle" in page_meta else []
    return Document(blocks=blocks, extractor=extractor, title_candidates=titles, page_meta=page_meta)


# the block an archiving tool writes above a page's text: `标题: …`, `发布时间: …`, then `=== 正文 ===`
_HEADER_FIELD: Final = re.compile(r"^\s*(标题|发布时间|文号|发布机构|栏目|原文链接|本地目录|来源)\s*:\s*(.*?)\s*$")
_HEADER_END: Final = re.compile(r"^\s*=+\s*正文\s*=+\s*$")
_HEADER_META: Final = {
    "标题": "ArticleTitle", "发布时间": "PubDate", "发布机构": "ContentSource", "来源": "ContentSource",
    "栏目": "ColumnName",
}
MAX_HEADER: Final = 16  # lines an archive header block may take


def archive_header(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """The archive's header block as page metadata (like a portal page's `<meta>`), and the lines
    after it; or no metadata and every line when the text has no such block."""
    end = next((k for k, ln in enumerate(lines[:MAX_HEADER]) if _HEADER_END.match(ln)), None)
    if end is None:
        return {}, lines
    meta: dict[str, str] = {}
    for line in lines[:end]:
        m = _HEADER_FIELD.match(line)
        if m and m.group(2) and m.group(1) in _HEADER_META:
            meta.setdefault(_HEADER_META[m.group(1)], m.group(2))
    if "ArticleTitle" not in meta and "PubDate" not in meta:
        return {}, lines
    return meta, lines[end + 1:]


_HEADING: Final = re.compile(r"(?<![(（])[一二三四五六七八九十]{1,2}\s*、")
_NUMERALS: Final = "一二三四五六七八九十"
# where a table starts inside a line of text: its first block or header words
_TABLE_START: Final = re.compile(
    r"第二十条第\(|\(本列数据|申请人情况|本年新收政府信息公开申请数量|行政复议行政诉讼|结果维持"
    r"|指\s*标\s*名\s*称|统\s*计\s*指\s*标"
)
_SECTION_ORDER: Final = tuple(SECTIONS)


_TITLE_IN_LINE: Final = re.compile(
    r"[^\s\d,。:;!?()]{2,40}?(?:19|20)\d{2}\s*年度?\s*(?:政府信息公开|政务信息公开|政务公开|信息公开)"
    r"[工作年度报告]{0,8}?(?:报告|年报)|(?:19|20)\d{2}年度?[^\s\d,。:;!?()]{2,40}?政府信息公开工作年度报告"
)


def _numeral(text: str) -> int:
    if len(text) == 1:
        return _NUMERALS.index(text) + 1
    return 10 + (_NUMERALS.index(text[1]) + 1 if text.startswith("十") else 0)


def reline(line: str) -> list[Line]:
    """A whole page's text on one line → a line per section (at each heading found mid-line, in
    order), its table cut off as a line of cells, so that headings start lines again and table
    text stays out of the narrative."""
    cuts = [0]
    last, last_key = 0, -1
    for m in _HEADING.finditer(line):
        found = section_of(line[m.start():m.start() + 80])
        # the six sections come in order, numbered in order: a table row `七、依申请公开…` is none
        if found is None or _numeral(found[1]) <= last or _SECTION_ORDER.index(found[0]) <= last_key:
            continue
        last, last_key = _numeral(found[1]), _SECTION_ORDER.index(found[0])
        cuts.append(m.start())
    out: list[Line] = []
    for a, b in zip(cuts, [*cuts[1:], len(line)], strict=True):
        piece = line[a:b].strip()
        if a == 0 and (title := _TITLE_IN_LINE.search(piece)):  # the title between breadcrumbs and 一、
            out += [Line(piece[: title.start()].strip()), Line(title.group())]
            piece = piece[title.end():].strip()
        table = _TABLE_START.search(piece, 4)
        if table is None:
            out.append(Line(piece))
            continue
        if piece[: table.start()].strip():
            out.append(Line(piece[: table.start()].strip()))
        out.append(Line(piece[table.start():], cell=True, row_start=True))
    return [ln for ln in out if ln.text]


def _ends_table(line: str) -> bool:
    """A line of prose or a section heading cannot continue a table cell."""
    return len(line) > 40 or line.endswith(_PROSE_END) or bool(re.match(r"^[一二三四五六七八九十]+、", line))

