"""Plain-text reports → Document, for every text shape archives hold.

Shapes (see ../shared/spec/toolchain.md §10): trafilatura 2.0 (cell lines ending ` |`, lone `|`
row starts, `|||` padding), 1.11 (same without row starts), ≥2.1 and markdown (`| a | b |` rows),
tab-indented one cell per line with blank lines between rows, and several cells per line
separated by tabs or spaces.
"""

from __future__ import annotations

import re

from extract.cells import is_value
from extract.document import Document, Line
from extract.normalize import clean_line, is_page_number, nfkc

_PAD = re.compile(r"^\|{2,}$")
_MD_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
_NUMBERS = re.compile(r"^(?P<label>.*?[^\d\s,.+-])?\s*(?P<nums>(?:[+-]?\d[\d,]*(?:\.\d+)?\s*)+)$")
_PROSE_END = ("。", ";", "；", "!", "?")


def _split_multi(text: str) -> list[str]:
    """`规章 0 0 0` → [规章, 0, 0, 0]; a line of prose stays one cell."""
    if "\t" in text:
        return [clean_line(p) for p in text.split("\t")]
    line = clean_line(text)
    if not line or line.endswith(_PROSE_END) or len(line) > 80:
        return [line]
    m = _NUMBERS.match(line)
    if not m or " " not in line.strip():
        return [line]
    nums = m.group("nums").split()
    label = (m.group("label") or "").strip()
    if len(nums) < 2 and not label:
        return [line]
    if label and len(nums) == 1 and not label.endswith(" "):
        # `2024年度` or `共10` is text, not a label followed by a number: require a space
        head = line[: len(line) - len(m.group("nums"))]
        if not head.endswith(" "):
            return [line]
    return [*([label] if label else []), *nums]


def _pipe_cells(line: str) -> list[str]:
    """`| a | b | ` (markdown, trafilatura ≥2.1) → [a, b]."""
    inner = line.strip()
    inner = inner.removeprefix("|")
    inner = inner.removesuffix("|")
    return [clean_line(c) for c in inner.split("|")]


def text_document(text: str, extractor: str = "text") -> Document:
    raw_lines = nfkc(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[Line] = []
    pending: list[str] = []  # trafilatura cell text spread over several lines until ` |`
    in_pipe = False  # inside a trafilatura table: bare lines continue a cell

    def flush_pending() -> None:
        if pending:
            blocks.append(Line(clean_line(" ".join(pending)), cell=True))
            pending.clear()

    for raw in raw_lines:
        if raw.startswith("\t") and not raw.strip().startswith("|"):
            flush_pending()
            in_pipe = False
            # tab layout: one cell per line (or several, tab-separated); `\t` alone is an empty cell
            blocks.extend(Line(c, cell=True) for c in _split_multi(raw.lstrip("\t")))
            continue
        line = clean_line(raw)
        if not line:
            flush_pending()
            continue
        if is_page_number(line) or (_MD_SEPARATOR.match(line) and "-" in line):
            continue
        if _PAD.match(line):
            flush_pending()
            in_pipe = True
            continue
        if line == "|":
            if pending:
                flush_pending()
            else:
                blocks.append(Line("", cell=True, weak=True))
            in_pipe = True
            continue
        if line.startswith("|") and line.count("|") >= 2:
            flush_pending()
            blocks.extend(Line(c, cell=True) for c in _pipe_cells(line))
            continue
        if line.endswith("|"):
            pending.append(line[:-1])
            flush_pending()
            in_pipe = True
            continue
        if in_pipe and not _ends_table(line):
            pending.append(line)
            continue
        flush_pending()
        in_pipe = False
        cells = _split_multi(line)
        if len(cells) > 1:
            blocks.extend(Line(c, cell=True) for c in cells)
        else:
            blocks.append(Line(line, cell=is_value(line)))
    flush_pending()
    return Document(blocks=list(blocks), extractor=extractor)


def _ends_table(line: str) -> bool:
    """A line of prose or a section heading cannot continue a table cell."""
    return len(line) > 40 or line.endswith(_PROSE_END) or bool(re.match(r"^[一二三四五六七八九十]+、", line))
