"""DOCX → Document with python-docx: paragraphs and tables in body order, merged cells once.

python-docx repeats a merged cell's text at every grid position it covers and hands back the
same `<w:tc>` element there, so the element is the cell's identity: its first position is the
origin every copy shares, exactly as `grid.build_grid` does for HTML spans.
"""

from __future__ import annotations

import io
from importlib.metadata import version
from typing import Any

from extract.document import Block, Document, Grid, Line, Slot
from extract.errors import UnreadableInputError
from extract.limits import Limits, check_zip
from extract.normalize import clean_line, is_page_number, nfkc


def docx_document(data: bytes, limits: Limits) -> Document:
    check_zip(data, "docx", limits)
    import docx  # noqa: PLC0415 - heavy, only for Word files
    from docx.table import Table  # noqa: PLC0415

    try:
        document = docx.Document(io.BytesIO(data))
        blocks: list[Block] = []
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                grid = _grid(item)
                if grid.rows:
                    blocks.append(grid)
                continue
            for piece in item.text.split("\n"):
                line = clean_line(nfkc(piece))
                if line and not is_page_number(line):
                    blocks.append(Line(line))
        title = document.core_properties.title
    except Exception as exc:  # noqa: BLE001 - python-docx raises anything on a malformed part; the file is what is broken
        raise UnreadableInputError(f"docx: corrupt document ({type(exc).__name__}: {exc})"[:200]) from None
    titles = [clean_line(nfkc(title))] if title and title.strip() else []
    return Document(blocks, f"docx:python-docx-{version('python-docx')}", medium="docx", title_candidates=titles)


def _grid(table: Any) -> Grid:
    origins: dict[Any, tuple[int, int]] = {}
    rows: list[list[Slot]] = []
    for r, row in enumerate(table.rows):
        out = []
        for c, cell in enumerate(row.cells):
            origin = origins.setdefault(cell._tc, (r, c))  # noqa: SLF001 - the element is the merged cell's identity
            out.append(Slot(clean_line(nfkc(cell.text.replace("\n", " "))), origin))
        rows.append(out)
    width = max((len(r) for r in rows), default=0)
    padded = [row + [Slot("", (r, c)) for c in range(len(row), width)] for r, row in enumerate(rows)]
    return Grid([row for row in padded if any(s.text for s in row)])
