"""The layout-neutral document every input becomes: lines of text and table grids, in order.

Text layouts (pipe, tab, markdown, one cell per line) yield only lines; a line that came from a
table cell is marked `cell`. HTML, DOCX and PDF tables yield grids with spans expanded.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    cell: bool = False
    # A lone `|` of trafilatura text: an empty cell, a row start or padding — we cannot tell.
    weak: bool = False


@dataclass(frozen=True, slots=True)
class Slot:
    """One position of a grid; span copies share the `origin` of the cell they copy."""

    text: str
    origin: tuple[int, int]


@dataclass(slots=True)
class Grid:
    rows: list[list[Slot]]

    def texts(self) -> list[str]:
        seen: set[tuple[int, int]] = set()
        out = []
        for row in self.rows:
            for s in row:
                if s.origin not in seen:
                    seen.add(s.origin)
                    out.append(s.text)
        return out

    def as_lines(self) -> list[Line]:
        """The cells in reading order, each once: the stream view of a grid without usable headers."""
        return [Line(t, cell=True) for t in self.texts()]


Block = Line | Grid


@dataclass(slots=True)
class Document:
    blocks: list[Block]
    extractor: str
    title_candidates: list[str] = field(default_factory=list)
    page_meta: dict[str, str] = field(default_factory=dict)

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
