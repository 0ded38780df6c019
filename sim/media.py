"""Report bodies by medium: inline HTML, text-flattened HTML, PDF, DOCX and an image-only page.

Inline bodies come from `sim.render` (the same documents the round-trip tests hold the parser
to); attachments are laid out from the same `model.Document`, so a PDF or DOCX carries the
record's real tables with their merged cells. Attachments are slow to make (tens of
milliseconds), so they are made on first request and kept in a size LRU: a portal world
starts in seconds however many PDFs it could serve.
"""

from __future__ import annotations

import io
import re
import zipfile
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any, Final

from extract.schema import Record
from sim.render import render_html
from sim.render.document import build_document
from sim.render.model import Cell, Document, Para, Table
from sim.render.text import render_text
from sim.render.values import NumberStyle, derived_rng, format_number

FONT_PATH: Final = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
ATTACHMENT_TYPES: Final = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "png": "image/png",
}
_BODY: Final = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL)
_NUMBERS: Final = NumberStyle()


# ---- inline bodies ---------------------------------------------------------------------------


def html_fragment(record: Record, style: str) -> str:
    """The report as the CMS editor holds it: the body of `sim.render`'s page in `style`."""
    page = render_html(record, style=style)
    match = _BODY.search(page)
    return match.group(1) if match else page


def text_fragment(record: Record) -> str:
    """Tables flattened to text, one cell per line (XJNLK2023), as `<p>` paragraphs."""
    lines = render_text(record, style="tabs").split("\n")
    return "\n".join(f"<p>{escape(line.strip(), quote=False)}</p>" for line in lines if line.strip())


# ---- shared layout -------------------------------------------------------------------------


def _document(record: Record, salt: str) -> tuple[Document, Any]:
    rng = derived_rng(record, salt)
    return build_document(record, rng), rng


def _cell_text(cell: Cell, rng: Any) -> str:
    if cell.number is not None:
        return format_number(cell.number, _NUMBERS, rng)
    return "".join(cell.parts)


def _spans(table: Table) -> list[tuple[int, int, Cell]]:
    """(row, col, cell) of every source cell at its top-left position in the expanded grid."""
    return [(r, c, cell) for r, row in enumerate(table.expanded()) for c, cell in enumerate(row) if cell is not None]


def _widths(grid: list[list[Cell | None]], width: float) -> list[float]:
    """Label columns three times as wide as value columns, so that labels do not wrap into tall rows."""
    ncols = max(len(r) for r in grid)
    labels = {c for row in grid for c, cell in enumerate(row) if cell is not None and cell.number is None and not cell.head}
    weights = [3.0 if c in labels else 1.0 for c in range(ncols)]
    return [width * w / sum(weights) for w in weights]


# ---- PDF -----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _pdf_font() -> str:
    """An embedded subset of WenQuanYi (text extracts everywhere), else the Adobe CID font."""
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415  (heavy: only attachments need it)
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: PLC0415
    from reportlab.pdfbase.ttfonts import TTFont  # noqa: PLC0415

    if FONT_PATH.exists():
        pdfmetrics.registerFont(TTFont("WQY", str(FONT_PATH), subfontIndex=0))
        return "WQY"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def pdf_bytes(record: Record) -> bytes:
    """A PDF of the report: title, paragraphs and bordered tables with their spans."""
    from reportlab.lib import colors  # noqa: PLC0415
    from reportlab.lib.pagesizes import A4  # noqa: PLC0415
    from reportlab.lib.styles import ParagraphStyle  # noqa: PLC0415
    from reportlab.lib.units import mm  # noqa: PLC0415
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer  # noqa: PLC0415
    from reportlab.platypus import Table as PdfTable  # noqa: PLC0415

    font = _pdf_font()
    doc, rng = _document(record, "pdf")
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=17, firstLineIndent=22, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=17, leading=24, alignment=1, firstLineIndent=0)
    heading = ParagraphStyle("heading", parent=body, fontSize=13, leading=20, firstLineIndent=0)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7, leading=9, alignment=1, wordWrap="CJK")
    width = A4[0] - 36 * mm
    story: list[Any] = []
    for block in doc.blocks:
        if isinstance(block, Table):
            grid = block.expanded()
            ncols = max(len(r) for r in grid)
            data: list[list[Any]] = [[""] * ncols for _ in grid]
            commands: list[tuple[Any, ...]] = [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
            for r, c, source in _spans(block):
                data[r][c] = Paragraph(escape(_cell_text(source, rng), quote=False), cell)
                if source.rowspan > 1 or source.colspan > 1:
                    commands.append(("SPAN", (c, r), (c + source.colspan - 1, r + source.rowspan - 1)))
            story.append(PdfTable(data, colWidths=_widths(grid, width), style=commands, repeatRows=0))
            story.append(Spacer(1, 6))
        else:
            style = {"title": title, "heading": heading}.get(block.role, body)
            for line in block.text.split("\n"):
                story.append(Paragraph(escape(line, quote=False), style))
    out = io.BytesIO()
    pdf = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, title=doc.title or "", invariant=True
    )
    pdf.build(story)
    return out.getvalue()


# ---- DOCX ----------------------------------------------------------------------------------

_W: Final = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_DOCX_PARTS: Final = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>'
    ),
}
_BORDERS: Final = "".join(
    f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
    for side in ("top", "left", "bottom", "right", "insideH", "insideV")
)


def _w_para(text: str, *, center: bool = False, bold: bool = False) -> str:
    ppr = '<w:pPr><w:jc w:val="center"/></w:pPr>' if center else ""
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">{escape(text, quote=False)}</w:t></w:r></w:p>'


def _w_table(table: Table, rng: Any) -> str:
    """A WordprocessingML table: colspans as gridSpan, rowspans as vMerge restart/continue."""
    grid = table.layout()
    ncols = max(len(r) for r in grid)
    rows = []
    for row in grid:
        cells = []
        for slot in row:
            if slot is None or slot.dc:
                continue
            span = f'<w:gridSpan w:val="{slot.cell.colspan}"/>' if slot.cell.colspan > 1 else ""
            merge = ""
            if slot.cell.rowspan > 1:
                merge = '<w:vMerge w:val="restart"/>' if slot.dr == 0 else "<w:vMerge/>"
            text = _cell_text(slot.cell, rng) if slot.dr == 0 else ""
            cells.append(f"<w:tc><w:tcPr>{span}{merge}</w:tcPr>{_w_para(text, center=True)}</w:tc>")
        rows.append(f"<w:tr>{''.join(cells)}</w:tr>")
    cols = "".join('<w:gridCol w:w="900"/>' for _ in range(ncols))
    return (
        f'<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblBorders>{_BORDERS}</w:tblBorders></w:tblPr>'
        f"<w:tblGrid>{cols}</w:tblGrid>{''.join(rows)}</w:tbl>"
    )


def docx_bytes(record: Record) -> bytes:
    """A minimal Word document (the three parts every reader needs) with the report's merged tables.

    Written directly rather than through python-docx, whose cell merging is quadratic: one 表三
    took a second. Zip entries carry a fixed date, so the same record gives the same bytes.
    """
    doc, rng = _document(record, "docx")
    body = "".join(
        _w_table(block, rng)
        if isinstance(block, Table)
        else _w_para(block.text.replace("\n", ""), center=block.role == "title", bold=block.role != "body")
        for block in doc.blocks
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}"><w:body>{body}'
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, part in (*_DOCX_PARTS.items(), ("word/document.xml", xml)):
            zf.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), part, zipfile.ZIP_DEFLATED)
    return out.getvalue()


# ---- image-only ----------------------------------------------------------------------------


def png_bytes(record: Record) -> bytes:
    """The whole report as one tall scanned-looking page image: text and ruled tables, no text layer."""
    from PIL import Image, ImageDraw, ImageFont  # noqa: PLC0415  (Pillow: only image reports need it)

    doc, rng = _document(record, "png")
    size, width, margin = 18, 1000, 50
    font: Any = ImageFont.truetype(str(FONT_PATH), size) if FONT_PATH.exists() else ImageFont.load_default()
    ops: list[tuple[str, Any]] = []
    y = margin
    per_line = (width - 2 * margin) // size
    for block in doc.blocks:
        if isinstance(block, Table):
            y = _table_ops(block, rng, ops, y, width - 2 * margin, margin, size) + size
            continue
        assert isinstance(block, Para)
        for start in range(0, max(len(block.text), 1), per_line):
            ops.append(("text", (margin, y, block.text[start : start + per_line])))
            y += size + 8
    image = Image.new("L", (width, y + margin), 255)
    draw = ImageDraw.Draw(image)
    for op, args in ops:
        if op == "text":
            draw.text(args[:2], args[2], fill=0, font=font)
        else:
            draw.rectangle(args, outline=0)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _table_ops(table: Table, rng: Any, ops: list[tuple[str, Any]], top: int, width: int, left: int, size: int) -> int:
    """Draw operations for a ruled table; returns the y below it."""
    grid = table.expanded()
    ncols = max(len(r) for r in grid)
    col_w = width // ncols
    heights: list[int] = []
    for row in grid:
        lines = max((len(_cell_text(c, rng)) * size // max(col_w * c.colspan - 4, 1) + 1 for c in row if c), default=1)
        heights.append(lines * (size + 4) + 6)
    offsets = [top]
    for h in heights:
        offsets.append(offsets[-1] + h)
    for r, c, cell in _spans(table):
        x0, y0 = left + c * col_w, offsets[r]
        x1, y1 = x0 + col_w * cell.colspan, offsets[min(r + cell.rowspan, len(grid))]
        ops.append(("rect", (x0, y0, x1, y1)))
        text = _cell_text(cell, rng)
        per_line = max((x1 - x0 - 4) // size, 1)
        for k, start in enumerate(range(0, len(text), per_line)):
            ops.append(("text", (x0 + 3, y0 + 3 + k * (size + 4), text[start : start + per_line])))
    return offsets[-1]
