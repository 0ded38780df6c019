"""The layout-neutral document every input becomes: lines of text and table grids, in order.

Text layouts (pipe, tab, markdown, one cell per line) yield only lines; a line that came from a
table cell is marked `cell`. HTML, DOCX, PDF, spreadsheet and OCR tables yield grids with spans
expanded. A cell read by OCR carries the engine's confidence, so that a doubtful digit can be
reported with the record instead of being trusted (or silently "corrected").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    cell: bool = False
    # A lone `|` of trafilatura text: an empty cell, a row start or padding — we cannot tell.
    weak: bool = False
    # The layout says a table row begins here (markdown line, several cells on a line, tab row).
    row_start: bool = False


@dataclass(frozen=True, slots=True)
class Place:
    """Where a grid read from page geometry found a cell: the page (from 1) and the box (x0, top, x1,
    bottom in the page's coordinates: PDF points, a scan's pixels). The archive keeps it beside the value."""

    page: int
    box: tuple[float, float, float, float]

    def compact(self) -> list[float]:
        """[page, x0, top, x1, bottom], a tenth of a point: the record's `parse.places` form (a few KB)."""
        return [self.page, *(round(v, 1) for v in self.box)]


@dataclass(frozen=True, slots=True)
class Slot:
    """One position of a grid; span copies share the `origin` of the cell they copy."""

    text: str
    origin: tuple[int, int]
    confidence: float | None = None  # OCR score of the cell's text; None for born-digital text
    place: Place | None = None  # where on which page, for grids read from page geometry


@dataclass(slots=True)
class Grid:
    rows: list[list[Slot]]

    def cells(self) -> list[tuple[str, bool]]:
        """Each cell once, in reading order, with whether it opens its row (span copies skipped)."""
        seen: set[tuple[int, int]] = set()
        out: list[tuple[str, bool]] = []
        for row in self.rows:
            first = True
            for s in row:
                if s.origin not in seen:
                    seen.add(s.origin)
                    out.append((s.text, first))
                    first = False
        return out

    def texts(self) -> list[str]:
        return [text for text, _ in self.cells()]

    def as_lines(self) -> list[Line]:
        """The stream view of a grid without usable headers."""
        return [Line(text, cell=True, row_start=first) for text, first in self.cells()]


Block = Line | Grid


@dataclass(slots=True)
class Document:
    blocks: list[Block]
    extractor: str
    medium: str = "text"  # text, html, pdf, docx, doc, wps, xlsx, xls, image (the file, not the path)
    title_candidates: list[str] = field(default_factory=list)
    page_meta: dict[str, str] = field(default_factory=dict)
    # what reading the bytes found that the record's `parse` should say (e.g. `decoding`: bytes replaced)
    parse_info: dict[str, Any] = field(default_factory=dict)

    def lines(self) -> list[Line]:
        """Every line, grids flattened to cell lines: the stream the text readers scan."""
        out: list[Line] = []
        for b in self.blocks:
            if isinstance(b, Grid):
                out.extend(b.as_lines())
            else:
                out.append(b)
        return out

    def prose(self) -> list[str]:
        """Lines that are running text, not table cells: headings and narrative."""
        return [b.text for b in self.blocks if isinstance(b, Line) and not b.cell and b.text]

    def grids(self) -> list[Grid]:
        return [b for b in self.blocks if isinstance(b, Grid)]
