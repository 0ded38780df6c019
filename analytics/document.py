"""A generated report as plain data: headings, paragraphs, tables of typed cells, and charts.

The report builders (analytics/region.py, analytics/agency.py, analytics/stats.py) make one of
these; the renderers (analytics/render/) write it as DOCX, XLSX or CSV. A number stays a number
(`Num` with its unit) until a renderer decides how to show it: XLSX keeps the value and gives it a
number format, DOCX prints it as a person reads it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from catalogue.analytics import NO_VALUE

NumUnit = Literal["count", "money", "ratio", "days", "cells", "factor"]
# decimals shown per unit (a ratio in per cent)
DECIMALS: Final[dict[str, int]] = {"count": 0, "money": 2, "ratio": 1, "days": 1, "cells": 0, "factor": 1}


@dataclass(frozen=True, slots=True)
class Num:
    """A figure: its value and unit (a ratio is a fraction: 0.824 is 82.4%). `exact`: a quartile of
    whole numbers that may fall between two of them, shown with one decimal then."""

    value: float | None
    unit: NumUnit = "count"
    exact: bool = False

    def text(self, none: str) -> str:
        if self.value is None:
            return none
        if self.unit == "factor":
            return "∞" if self.value == float("inf") else f"{self.value:.1f}"
        decimals = DECIMALS[self.unit]
        if self.unit == "ratio":
            return f"{self.value * 100:.{decimals}f}%"
        if self.exact and decimals == 0 and not float(self.value).is_integer():
            decimals = 1
        return f"{self.value:.{decimals}f}"


Cell = Num | str | int | dt.date | None


def cell_text(cell: Cell) -> str:
    """A cell as a person reads it (—: no value)."""
    if cell is None:
        return NO_VALUE
    if isinstance(cell, Num):
        return cell.text(NO_VALUE)
    if isinstance(cell, float):
        return f"{cell:g}"
    return cell.isoformat() if hasattr(cell, "isoformat") else str(cell)


@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str


@dataclass(slots=True)
class Table:
    """A table with a title (the sheet's name in XLSX) and typed cells; `key` names it for machines."""

    key: str
    title: str
    heads: Sequence[str]
    rows: list[Sequence[Cell]] = field(default_factory=list)
    wide: bool = False  # many columns: landscape pages or small type in DOCX
    limit: int | None = None  # a document shows the first rows only; the workbook holds them all


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart as an image, and the table of the numbers it draws (XLSX keeps those as numbers)."""

    key: str
    title: str
    png: bytes
    data: Table


Block = Heading | Paragraph | Table | Chart


@dataclass(slots=True)
class Document:
    title: str
    subtitle: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)

    def tables(self) -> list[Table]:
        """Every table, the charts' data included, in order."""
        return [b if isinstance(b, Table) else b.data for b in self.blocks if isinstance(b, Table | Chart)]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables() if t.key == key)
