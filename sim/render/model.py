"""The document model every renderer serializes: paragraphs and span-annotated tables.

A report is built once from a record (`document.build_document`) as a list of
blocks; the HTML and text renderers only decide how each block looks. Tables
keep the source's merged cells (rowspan/colspan) so that each serializer can
show them its own way: HTML spans, placeholder cells, padding pipes, an
expanded grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

NumKind = Literal["count", "money", "signed"]
ParaRole = Literal["title", "heading", "subheading", "body", "caption"]


@dataclass(frozen=True, slots=True)
class Number:
    """A value cell's content: the number (None = blank), how it prints, and a note."""

    value: int | float | None
    kind: NumKind = "count"
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Cell:
    """One source cell. Label cells carry `parts` (line-broken text); value cells a `number`."""

    parts: tuple[str, ...] = ()
    rowspan: int = 1
    colspan: int = 1
    head: bool = False
    number: Number | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass(frozen=True, slots=True)
class Slot:
    """One position of the expanded grid: the cell covering it and the offset into that cell."""

    cell: Cell
    dr: int
    dc: int


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of cells as the source writes them: a cell appears only in the row where it starts."""

    kind: str
    rows: tuple[tuple[Cell, ...], ...]

    def layout(self) -> list[list[Slot | None]]:
        """The expanded grid (rowspan/colspan resolved); None where no cell reaches."""
        grid: list[list[Slot | None]] = [[] for _ in self.rows]
        for r, row in enumerate(self.rows):
            col = 0
            for cell in row:
                while col < len(grid[r]) and grid[r][col] is not None:
                    col += 1
                for dr in range(min(cell.rowspan, len(grid) - r)):
                    line = grid[r + dr]
                    line.extend([None] * (col + cell.colspan - len(line)))
                    for dc in range(cell.colspan):
                        line[col + dc] = Slot(cell, dr, dc)
                col += cell.colspan
        return grid

    @property
    def width(self) -> int:
        return max(len(row) for row in self.layout())

    def expanded(self) -> list[list[Cell | None]]:
        """Full-width grid rows: the cell at its top-left position, None in every spanned slot."""
        width = self.width
        return [
            [s.cell if s is not None and s.dr == s.dc == 0 else None for s in row] + [None] * (width - len(row))
            for row in self.layout()
        ]

    def with_placeholders(self) -> list[list[Cell | None]]:
        """Rows as a Word/PDF text dump shows them: one empty placeholder (None) per cell that
        spans down into the row, at that cell's column, and no slot for a colspan."""
        return [[s.cell if s.dr == 0 else None for s in row if s is not None and s.dc == 0] for row in self.layout()]


@dataclass(frozen=True, slots=True)
class Para:
    """A paragraph; a title may hold a line break (`\\n`) where the source splits it."""

    text: str
    role: ParaRole = "body"


Block = Para | Table


@dataclass(frozen=True, slots=True)
class Document:
    title: str | None
    blocks: tuple[Block, ...]
