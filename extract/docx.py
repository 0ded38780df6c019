"""DOCX → Document with python-docx: paragraphs and tables in body order, merged cells once.

python-docx opens the package and walks the body; a table's cells are read from its XML here.
python-docx's own cell grid (`_Row.cells`, `_Cell.text`) answers every vertically merged cell
with XPath queries up the table, and spent nine tenths of a DOCX's parse in them. The grid is the
one python-docx gives: a `<w:tc>` is a cell, repeated at every grid position it spans
(`w:gridSpan`), and a `w:vMerge` continuation is the cell above it; the element is the cell's
identity, its first position the origin every copy shares, exactly as `grid.build_grid` does for
HTML spans.
"""

from __future__ import annotations

import io
from importlib.metadata import version
from typing import Any

from extract.document import Block, Document, Grid, Line, Slot
from extract.errors import UnreadableInputError
from extract.limits import LIMITS, CellBudget, Limits
from extract.normalize import clean_line, is_page_number, nfkc
from extract.zipped import repack

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# what a run's pieces read as, python-docx's `Run.text`: text, tabs, soft breaks, hard hyphens
_RUN_TEXT = {f"{W}tab": "\t", f"{W}ptab": "\t", f"{W}cr": "\n", f"{W}noBreakHyphen": "-"}


def docx_document(data: bytes, limits: Limits) -> Document:
    data = repack(data, "docx", limits)
    import docx  # noqa: PLC0415 - heavy, only for Word files
    from docx.table import Table  # noqa: PLC0415

    try:
        document = docx.Document(io.BytesIO(data))
        blocks: list[Block] = []
        budget = CellBudget(limits)
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                grid = _grid(item._tbl, budget)  # noqa: SLF001 - the table's XML, walked directly
                if grid is None:
                    blocks.extend(_cell_lines(item._tbl))  # noqa: SLF001
                elif grid.rows:
                    blocks.append(grid)
                continue
            for piece in item.text.split("\n"):
                line = clean_line(nfkc(piece))
                if line and not is_page_number(line):
                    blocks.append(Line(line))
        title = document.core_properties.title
    except Exception as exc:  # noqa: BLE001 - python-docx raises anything on a malformed part; the file is what is broken
        raise UnreadableInputError("docx.corrupt", medium="docx", reason=f"{type(exc).__name__}: {exc}"[:160]) from None
    titles = [clean_line(nfkc(title))] if title and title.strip() else []
    return Document(blocks, f"docx:python-docx-{version('python-docx')}", medium="docx", title_candidates=titles)


def _grid(tbl: Any, budget: CellBudget) -> Grid | None:
    """A `<w:tbl>` → Grid. A row's cells are its `<w:tc>`s, each once per grid column it spans; a
    vertical continuation stands for the cell that starts at its grid column in the row above
    (which may continue one further up), with that cell's span. Nested tables are not read.
    None for a table larger than the budget grants (counted as it is read, before it is padded)."""
    origins: dict[Any, tuple[int, int]] = {}
    texts: dict[Any, str] = {}
    rows: list[list[Slot]] = []
    above: dict[int, Any] = {}  # grid column → the cell starting there in the row above
    read = 0
    for r, tr in enumerate(tbl.iterchildren(f"{W}tr")):
        out: list[Slot] = []
        starts: dict[int, Any] = {}
        column = _int(tr.find(f"{W}trPr/{W}gridBefore"), 0)
        for tc in tr.iterchildren(f"{W}tc"):
            span = _span(tc)
            merge = tc.find(f"{W}tcPr/{W}vMerge")
            continued = merge is not None and merge.get(f"{W}val", "continue") == "continue"
            cell = above.get(column, tc) if continued else tc  # a stray continuation is a cell of its own
            starts[column] = cell
            column += span
            if cell not in texts:
                texts[cell] = clean_line(nfkc(" ".join(_paragraph_text(p) for p in cell.iterchildren(f"{W}p"))))
            origin = origins.setdefault(cell, (r, len(out)))
            copies = _span(cell)
            read += copies
            if read > budget.table:
                return None
            out.extend(Slot(texts[cell], origin) for _ in range(copies))
        rows.append(out)
        above = starts
    width = max((len(r) for r in rows), default=0)
    if not budget.grant(len(rows) * width):
        return None
    padded = [row + [Slot("", (r, c)) for c in range(len(row), width)] for r, row in enumerate(rows)]
    return Grid([row for row in padded if any(s.text for s in row)])


def _span(tc: Any) -> int:
    """A cell's `w:gridSpan`, within 1 … `max_span`."""
    return max(1, min(LIMITS.max_span, _int(tc.find(f"{W}tcPr/{W}gridSpan"), 1)))


def _cell_lines(tbl: Any) -> list[Line]:
    """A table too large to expand, read as its cells' text, each once, row by row."""
    out = []
    for tr in tbl.iterchildren(f"{W}tr"):
        for k, tc in enumerate(tr.iterchildren(f"{W}tc")):
            text = clean_line(nfkc(" ".join(_paragraph_text(p) for p in tc.iterchildren(f"{W}p"))))
            if text:
                out.append(Line(text, cell=True, row_start=k == 0))
    return out


def _int(element: Any, default: int) -> int:
    return default if element is None else int(element.get(f"{W}val", default))


def _paragraph_text(p: Any) -> str:
    """python-docx's `Paragraph.text` (runs, and the runs of hyperlinks), a break as a space."""
    runs = (r for child in p.iterchildren(f"{W}r", f"{W}hyperlink")
            for r in ((child,) if child.tag == f"{W}r" else child.iterchildren(f"{W}r")))
    return "".join(_run_text(r) for r in runs).replace("\n", " ")


def _run_text(r: Any) -> str:
    out = []
    for piece in r.iterchildren(f"{W}t", f"{W}tab", f"{W}ptab", f"{W}cr", f"{W}noBreakHyphen", f"{W}br"):
        if piece.tag == f"{W}t":
            out.append(piece.text or "")
        elif piece.tag == f"{W}br":  # a line break; a page or column break reads as nothing
            out.append("\n" if piece.get(f"{W}type", "textWrapping") == "textWrapping" else "")
        else:
            out.append(_RUN_TEXT[piece.tag])
    return "".join(out)
