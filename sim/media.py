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
from dataclasses import dataclass, field
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


_PAGE_W: Final = 1000  # layout units: the PNG's pixels, the PDF's points × 0.595
_PAGE_H: Final = 1414  # an A4 page at that width
_MARGIN: Final = 60
_SIZE: Final = 18  # text size in layout units
_LINE: Final = _SIZE + 10


@dataclass(frozen=True, slots=True)
class _Text:
    x: float
    y: float
    text: str


@dataclass(frozen=True, slots=True)
class _Rect:
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(slots=True)
class _Block:
    """A paragraph or a whole table: kept on one page, drawn relative to its top."""

    height: float
    ops: list[_Text | _Rect] = field(default_factory=list)


def _advance(text: str) -> float:
    """Width of `text` at `_SIZE`: CJK a full em, ASCII half."""
    return sum(_SIZE if ord(ch) > 0x7F else _SIZE / 2 for ch in text)


def _wrap(text: str, width: float) -> list[str]:
    lines, line, used = [], "", 0.0
    for ch in text:
        w = _advance(ch)
        if used + w > width and line:
            lines.append(line)
            line, used = "", 0.0
        line, used = line + ch, used + w
    return [*lines, line] if line or not lines else lines


def _para_block(para: Para) -> _Block:
    width = _PAGE_W - 2 * _MARGIN
    block = _Block(0)
    for line in (ln for part in para.text.split("\n") for ln in _wrap(part, width)):
        x = _MARGIN + max(0.0, (width - _advance(line)) / 2) if para.role in ("title", "caption") else _MARGIN
        block.ops.append(_Text(x, block.height, line))
        block.height += _LINE
    return block


def _table_block(table: Table, rng: Any) -> _Block:
    """A ruled table with its spans: label columns three times as wide as value columns."""
    grid = table.expanded()
    ncols = max(len(r) for r in grid)
    label_cols = {c for row in grid for c, cell in enumerate(row) if cell and cell.number is None and not cell.head}
    weights = [3.0 if c in label_cols else 1.0 for c in range(ncols)]
    unit = (_PAGE_W - 2 * _MARGIN) / sum(weights)
    xs = [_MARGIN + unit * sum(weights[:c]) for c in range(ncols + 1)]
    cells = [(r, c, cell, _cell_text(cell, rng)) for r, row in enumerate(grid) for c, cell in enumerate(row) if cell]
    wrapped = {(r, c): _wrap(text, xs[c + cell.colspan] - xs[c] - 8) for r, c, cell, text in cells}
    heights = [float(_LINE + 6)] * len(grid)
    for r, c, cell, _ in cells:
        if cell.rowspan == 1:
            heights[r] = max(heights[r], len(wrapped[r, c]) * _LINE + 6)
    ys = [0.0]
    for h in heights:
        ys.append(ys[-1] + h)
    block = _Block(ys[-1] + _LINE)
    for r, c, cell, _ in cells:
        bottom = ys[min(r + cell.rowspan, len(grid))]
        block.ops.append(_Rect(xs[c], ys[r], xs[c + cell.colspan], bottom))
        block.ops.extend(_Text(xs[c] + 4, ys[r] + 3 + k * _LINE, line) for k, line in enumerate(wrapped[r, c]))
    return block


def _layout(record: Record, salt: str) -> list[_Block]:
    doc, rng = _document(record, salt)
    return [_table_block(b, rng) if isinstance(b, Table) else _para_block(b) for b in doc.blocks]


def _pages(blocks: list[_Block]) -> list[tuple[list[_Text | _Rect], float]]:
    """Blocks stacked onto pages of (ops, height): a block is never split, a page grows to hold an
    oversized one (表三 in a Word export often runs onto a longer page too)."""
    pages: list[tuple[list[_Text | _Rect], float]] = [([], float(_PAGE_H))]
    y = float(_MARGIN)
    for block in blocks:
        if y + block.height > _PAGE_H - _MARGIN and pages[-1][0]:
            pages.append(([], float(_PAGE_H)))
            y = _MARGIN
        ops, height = pages[-1]
        ops.extend(_shift(op, y) for op in block.ops)
        y += block.height
        pages[-1] = (ops, max(height, y + _MARGIN))
    return pages


def _shift(op: _Text | _Rect, dy: float) -> _Text | _Rect:
    if isinstance(op, _Text):
        return _Text(op.x, op.y + dy, op.text)
    return _Rect(op.x0, op.y0 + dy, op.x1, op.y1 + dy)


# ---- PDF -----------------------------------------------------------------------------------


# Adobe's STSong-Light through the UniGB-UCS2-H CMap (every PDF reader has it or a substitute),
# with a ToUnicode map so that any extractor gets the text back without CMap files. The map lists
# the codes the document uses, as Word and other writers of subset fonts do: a map of all 65,536
# codes cost pdfium 25 ms a document to build and free, which no real report makes it pay.
def _to_unicode(codes: set[int]) -> str:
    """A ToUnicode CMap mapping each 2-byte code used to itself (bfchar blocks of at most 100 entries)."""
    pairs = [f"<{code:04X}> <{code:04X}>" for code in sorted(codes)]
    blocks = (pairs[i : i + 100] for i in range(0, len(pairs), 100))
    body = "\n".join(f"{len(b)} beginbfchar\n" + "\n".join(b) + "\nendbfchar" for b in blocks)
    return (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /UCS2-Identity def /CMapType 2 def\n"
        f"1 begincodespacerange <0000> <FFFF> endcodespacerange\n{body}\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end"
    )


def _codes(text: str) -> set[int]:
    """The 2-byte codes of `text` under UniGB-UCS2-H (UTF-16 code units)."""
    raw = text.encode("utf-16-be")
    return {int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)}


def _pdf_op(op: _Text | _Rect, height: float) -> str:
    """One drawing operation in PDF space (origin bottom left, so y is flipped)."""
    if isinstance(op, _Rect):
        return f"{op.x0:.1f} {height - op.y1:.1f} {op.x1 - op.x0:.1f} {op.y1 - op.y0:.1f} re S"
    hexed = op.text.encode("utf-16-be").hex().upper()
    return f"BT /F1 {_SIZE} Tf 1 0 0 1 {op.x:.1f} {height - op.y - _SIZE:.1f} Tm <{hexed}> Tj ET"


def pdf_bytes(record: Record) -> bytes:
    """A PDF of the report, written directly: A4 pages, text and ruled tables with their spans.

    A layout engine (reportlab) took 50 ms a report; this takes a few, which matters when a
    crawl benchmark fetches thousands of PDFs from one simulator process.
    """
    pages = _pages(_layout(record, "pdf"))
    scale = 595.0 / _PAGE_W
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "",  # the page tree, once the page objects are numbered
        (
            "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
            "/DescendantFonts [4 0 R] /ToUnicode 6 0 R >>"
        ),
        (
            "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 5 0 R "
            "/DW 1000 /W [1 95 500] >>"
        ),
        (
            "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
            "/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
        ),
        _stream(_to_unicode(_codes("".join(op.text for ops, _ in pages for op in ops if isinstance(op, _Text))))),
    ]
    kids = []
    for ops, height in pages:
        body = "\n".join(_pdf_op(op, height) for op in ops)
        objects.append(_stream(f"q {scale:.4f} 0 0 {scale:.4f} 0 0 cm 0.6 w\n{body}\nQ"))
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 {height * scale:.0f}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {len(objects)} 0 R >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{obj}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _stream(data: str) -> str:
    return f"<< /Length {len(data.encode('latin-1'))} >>\nstream\n{data}\nendstream"


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


@lru_cache(maxsize=1)
def _font() -> Any:
    from PIL import ImageFont  # noqa: PLC0415  (Pillow: only image reports need it)

    return ImageFont.truetype(str(FONT_PATH), _SIZE) if FONT_PATH.exists() else ImageFont.load_default()


@lru_cache(maxsize=8192)
def _glyph(ch: str) -> tuple[Any, int, int]:
    """One character rendered once, with its offset from the pen position: pasting cached glyphs
    is several times faster than drawing text."""
    left, top, *_ = _font().getbbox(ch)
    return _font().getmask(ch), int(left), int(top)


def png_bytes(record: Record) -> bytes:
    """The whole report as one tall scanned-looking image: text and ruled tables, no text layer."""
    blocks = _layout(record, "png")
    ops: list[_Text | _Rect] = []
    y = float(_MARGIN)
    for block in blocks:
        ops.extend(_shift(op, y) for op in block.ops)
        y += block.height
    return _png(ops, int(y) + _MARGIN)


def png_pages(record: Record) -> int:
    """How many printed pages the report's page images are (`png_page`)."""
    return len(_pages(_layout(record, "png")))


def png_page(record: Record, number: int) -> bytes:
    """Page `number` (from 1) of the report scanned one image per printed page, as a 图片版 page shows it."""
    ops, height = _pages(_layout(record, "png"))[number - 1]
    return _png(ops, int(height))


def _png(ops: list[_Text | _Rect], height: int) -> bytes:
    from PIL import Image, ImageDraw  # noqa: PLC0415  (Pillow: only image reports need it)

    image = Image.new("1", (_PAGE_W, height), 1)  # bilevel, as scanners send it: a tenth of the PNG work
    draw = ImageDraw.Draw(image)
    for op in ops:
        if isinstance(op, _Rect):
            draw.rectangle((op.x0, op.y0, op.x1, op.y1), outline=0)
            continue
        x = op.x
        for ch in op.text:
            mask, dx, dy = _glyph(ch)
            left, top = int(x) + dx, int(op.y) + dy
            if mask.size[0]:
                image.im.paste(0, (left, top, left + mask.size[0], top + mask.size[1]), mask)
            x += _advance(ch)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()
