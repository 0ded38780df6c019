"""Render a record as the plain text that text pipelines produce from report pages.

Styles (toolchain.md §10, the seeds in shared/seeds/):

* ``trafilatura20``: trafilatura 2.0 ``txt`` of Word-style tables (seeds 000, 003): a lone
  ``|`` line starts each row, each cell on its own line ending `` |``, an empty cell is a
  bare ``|``, short rows are padded with a ``|||`` line; NFKC-normalised like the seeds.
* ``trafilatura11``: trafilatura 1.11 (seed 001): the same without the row-start lines
  and without padding after a table's last row.
* ``tabs``: a Word/WPS text dump (seed 002): one cell per line after a tab, an empty
  tab line for every cell spanning down into the row and for blank cells, a blank
  line after each row, full-width punctuation kept.
* ``markdown``: trafilatura ≥ 2.1: one ``| a | b |`` row per line on the expanded grid,
  a ``|---|`` line under the first row.
* ``spaced``: pdftotext-like: a row's cells on one line separated by spaces or tabs,
  blanks written ``/`` or ``—``, page-number lines (``- 4 -``) even inside tables.

All styles serialize the same `model.Document` as the HTML renderer.
"""

from __future__ import annotations

import random
import textwrap
import unicodedata
from typing import ClassVar, Final

from extract.schema import Record
from sim.render import labels
from sim.render.document import build_document
from sim.render.model import Cell, Document, Para, Table
from sim.render.values import NumberStyle, derived_rng, format_number

STYLES: Final = ("trafilatura20", "trafilatura11", "tabs", "markdown", "spaced")


def render_text(record: Record, *, style: str, rng: random.Random | None = None) -> str:
    """The text of `record`'s report as the `style` pipeline writes it."""
    if style not in _WRITERS:
        raise ValueError(f"unknown text style {style!r}; expected one of {STYLES}")
    rng = rng or derived_rng(record, f"text:{style}")
    doc = build_document(record, rng)
    return _WRITERS[style](rng).render(doc)


class _Writer:
    """Shared walk over the document; subclasses decide how a table (and a title) looks."""

    numbers: ClassVar[NumberStyle] = NumberStyle()
    nfkc: ClassVar[float] = 0.0  # probability that the whole output is NFKC-normalised
    page_breaks: ClassVar[float] = 0.0  # probability of a page-number line between two blocks
    joiner: ClassVar[str] = ""  # between the parts of a header cell broken over lines

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.page = rng.randint(1, 2)

    def render(self, doc: Document) -> str:
        lines: list[str] = []
        for i, block in enumerate(doc.blocks):
            if i and self.rng.random() < self.page_breaks:
                lines.extend(self.page_line())
            lines.extend(self.table(block) if isinstance(block, Table) else self.para(block))
        text = "\n".join(lines).rstrip("\n") + "\n"
        return unicodedata.normalize("NFKC", text) if self.rng.random() < self.nfkc else text

    def page_line(self) -> list[str]:
        self.page += 1
        return ["", self.rng.choice((f"- {self.page} -", f"-{self.page}-", f"— {self.page} —")), ""]

    def para(self, para: Para) -> list[str]:
        return para.text.split("\n")

    def table(self, table: Table) -> list[str]:
        raise NotImplementedError

    def label(self, cell: Cell) -> str:
        return self.joiner.join(cell.parts)

    def text(self, cell: Cell | None) -> str:
        if cell is None:
            return ""
        if cell.number is not None:
            return format_number(cell.number, self.numbers, self.rng)
        return self.label(cell)


class _Trafilatura20(_Writer):
    numbers = NumberStyle(thousands=0.1)
    nfkc = 1.0
    joiner = " "
    row_start: ClassVar[bool] = True
    pad_last_row: ClassVar[bool] = True
    split_rows: ClassVar[float] = 0.0  # chance that one 表三 row's cells end in "\n|" (seed 001)

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng)
        # Word cells whose parts sit in one <p> split by <br> lose all but the first part.
        self.first_part_only = rng.random() < 0.5
        self.lost_group = rng.random() < 0.15  # seed 000: the (三)不予公开 cell comes out empty

    def label(self, cell: Cell) -> str:
        if self.lost_group and cell.text == labels.REQUEST_GROUPS["withheld"].label:
            return ""
        if self.first_part_only and cell.head:
            return cell.parts[0] if cell.parts else ""
        return super().label(cell)

    def table(self, table: Table) -> list[str]:
        width = table.width
        lines: list[str] = []
        split_row = self.split_row(table)
        for r, row in enumerate(table.rows):
            if self.row_start:
                lines.append("|")
            for c, cell in enumerate(row):
                text = self.text(cell)
                if r == split_row and cell.number is not None and c < len(row) - 2:
                    lines.extend((text, "|"))
                else:
                    lines.append(f"{text} |" if text else "|")
            if len(row) < width and (self.pad_last_row or r < len(table.rows) - 1):
                lines.append("|" * (width - len(row)))
        return lines

    def split_row(self, table: Table) -> int:
        """Row whose value cells end in a newline before their `|` (seed 001); -1 for none."""
        if table.kind == "requests" and self.rng.random() < self.split_rows:
            return self.rng.randrange(3, len(table.rows))
        return -1


class _Trafilatura11(_Trafilatura20):
    row_start = False
    pad_last_row = False
    split_rows = 0.3


class _Tabs(_Writer):
    numbers = NumberStyle(thousands=0.3, fullwidth=0.03)
    page_breaks = 0.1

    def para(self, para: Para) -> list[str]:
        if para.role == "title":
            return [line for part in para.text.split("\n") for line in (part, "")]
        return [para.text]

    def table(self, table: Table) -> list[str]:
        lines = [""] if self.rng.random() < 0.5 else []
        for row in table.with_placeholders():
            lines.extend("\t" + self.text(cell) for cell in row)
            lines.append("")
        lines.append("")
        return lines


class _Markdown(_Writer):
    numbers = NumberStyle(thousands=0.3)
    joiner = " "

    def para(self, para: Para) -> list[str]:
        return [*para.text.split("\n"), ""]

    def table(self, table: Table) -> list[str]:
        grid = table.expanded()
        lines = ["| " + " | ".join(self.text(cell) for cell in row) + " |" for row in grid]
        lines.insert(1, "|" + "---|" * table.width)
        return [*lines, ""]


class _Spaced(_Writer):
    numbers = NumberStyle(blanks=("/", "—", "-", "/"), thousands=0.5, fullwidth=0.03)
    nfkc = 0.5
    page_breaks = 0.08

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng)
        self.wrap = rng.choice((0, 0, 38, 42))
        self.rows_per_page = rng.randint(18, 40)

    def para(self, para: Para) -> list[str]:
        if para.role == "body" and self.wrap:
            return textwrap.wrap(para.text, self.wrap)
        return para.text.split("\n")

    def table(self, table: Table) -> list[str]:
        sep = self.rng.choice((" ", "  ", "\t", "   "))
        lines: list[str] = []
        for r, row in enumerate(table.rows):
            if r and r % self.rows_per_page == 0:
                lines.extend(self.page_line())
            lines.append(sep.join(t for t in (self.text(cell) for cell in row) if t))
        return lines


_WRITERS: Final[dict[str, type[_Writer]]] = {
    "trafilatura20": _Trafilatura20,
    "trafilatura11": _Trafilatura11,
    "tabs": _Tabs,
    "markdown": _Markdown,
    "spaced": _Spaced,
}
