"""A Document as a Word file (python-docx): A4, Chinese fonts, tables with a repeated header row.

Body text is 宋体 and headings 黑体, the fonts of Chinese official documents; where they are not
installed (LibreOffice on Debian) fontconfig substitutes a CJK font. Table rows are written as XML
directly: python-docx's cell accessors cost a second per thousand cells, and the annex of a
300-agency region has tens of thousands.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, Final
from xml.sax.saxutils import escape

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from analytics.document import Block, Chart, Document, Heading, Num, Paragraph, Table, cell_text
from catalogue.analytics import words
from store.export import display_width

BODY_FONT: Final = "宋体"
HEADING_FONT: Final = "黑体"
LATIN_FONT: Final = "Times New Roman"
_TABLE_PT: Final = 9
_WIDE_PT: Final = 7.5
_CHART_WIDTH: Final = Cm(15.5)
_PAGE: Final = (Cm(21), Cm(29.7))  # A4
_MARGIN: Final = Cm(2.2)
_DXA_PER_CM: Final = 567  # twentieths of a point: the unit of Word's table widths
_NARROWEST, _WIDEST, _PADDING = 6, 40, 3  # a column's share, in characters of its longest text (and margins)


def _fonts(style: Any, east_asia: str, size: float, *, bold: bool = False) -> None:
    style.font.name = LATIN_FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)


def _page(section: Any, *, landscape: bool) -> None:
    width, height = _PAGE
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = _MARGIN


def _setup(doc: Any, body: str, heading: str) -> None:
    _page(doc.sections[0], landscape=False)
    _fonts(doc.styles["Normal"], body, 11)
    for level, size in ((1, 14), (2, 12), (3, 11)):
        _fonts(doc.styles[f"Heading {level}"], heading, size, bold=True)


def _run(text: str, size: float, *, bold: bool) -> str:
    weight = "<w:b/>" if bold else ""
    return (f'<w:r><w:rPr>{weight}<w:sz w:val="{round(size * 2)}"/><w:szCs w:val="{round(size * 2)}"/></w:rPr>'
            f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r>')


def _cell_xml(text: str, width: int, size: float, *, bold: bool, right: bool) -> str:
    align = '<w:jc w:val="right"/>' if right else ""
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
            f'<w:p><w:pPr><w:spacing w:before="0" w:after="0"/>{align}</w:pPr>'
            f"{_run(text, size, bold=bold)}</w:p></w:tc>")


def _row_xml(cells: Sequence[str], widths: Sequence[int], size: float, *, header: bool,
             numeric: Sequence[bool]) -> str:
    props = "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>" if header else "<w:trPr><w:cantSplit/></w:trPr>"
    body = "".join(_cell_xml(t, widths[k], size, bold=header, right=numeric[k] and not header)
                   for k, t in enumerate(cells))
    return f"<w:tr {nsdecls('w')}>{props}{body}</w:tr>"


def _widths(texts: Sequence[Sequence[str]], page_cm: float) -> list[int]:
    """Column widths in dxa, shared out by each column's longest text (within bounds)."""
    shares = [min(max(_NARROWEST, *(display_width(row[k]) + _PADDING for row in texts)), _WIDEST)
              for k in range(len(texts[0]))]
    total = page_cm * _DXA_PER_CM
    return [int(total * share / sum(shares)) for share in shares]


def _table(doc: Any, table: Table, *, caption: bool) -> None:
    if caption:
        doc.add_paragraph().add_run(table.title).bold = True
    size = _WIDE_PT if table.wide else _TABLE_PT
    rows = table.rows if table.limit is None else table.rows[: table.limit]
    texts = [list(table.heads), *([cell_text(c) for c in row] for row in rows)]
    section = doc.sections[-1]
    widths = _widths(texts, (section.page_width - section.left_margin - section.right_margin) / 360000)
    out = doc.add_table(rows=0, cols=len(table.heads))
    out.style = "Table Grid"
    out.autofit = False
    grid = out._tbl  # noqa: SLF001 - python-docx has no bulk-row API; rows are appended as XML
    for col, width in zip(grid.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(width))
    numeric = [any(isinstance(row[k], Num | int | float) and not isinstance(row[k], bool) for row in rows)
               for k in range(len(table.heads))]
    for k, row in enumerate(texts):
        grid.append(parse_xml(_row_xml(row, widths, size, header=k == 0, numeric=numeric)))
    doc.add_paragraph(words("table.more", n=len(table.rows), shown=len(rows)) if len(rows) < len(table.rows) else "")


def _chart(doc: Any, chart: Chart) -> None:
    doc.add_picture(io.BytesIO(chart.png), width=_CHART_WIDTH)
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _orient(doc: Any, *, landscape: bool) -> None:
    """Continue on a new page in the other orientation, when it is not the current one."""
    current = doc.sections[-1].orientation == WD_ORIENT.LANDSCAPE
    if current != landscape:
        _page(doc.add_section(WD_SECTION.NEW_PAGE), landscape=landscape)


def _write(doc: Any, blocks: Sequence[Block]) -> None:
    previous: Block | None = None
    for k, block in enumerate(blocks):
        wide = isinstance(block, Table) and block.wide
        upcoming = next((b for b in blocks[k:] if not isinstance(b, Heading)), None)
        if isinstance(block, Heading):  # a heading goes where the table it introduces goes
            _orient(doc, landscape=isinstance(upcoming, Table) and upcoming.wide)
            doc.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            _orient(doc, landscape=isinstance(previous, Table) and previous.wide)
            doc.add_paragraph(block.text)
        elif isinstance(block, Table):
            _orient(doc, landscape=wide)
            _table(doc, block, caption=not (isinstance(previous, Heading) and previous.text == block.title))
        else:
            _orient(doc, landscape=False)
            _chart(doc, block)
        previous = block


def to_docx(document: Document, font: str | None = None) -> bytes:
    """The Word file; `font` replaces 宋体 and 黑体 (a font LibreOffice has, for a PDF: it then spends a
    quarter less time than looking for a substitute run by run)."""
    doc = docx.Document()
    _setup(doc, font or BODY_FONT, font or HEADING_FONT)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(document.title)
    run.bold, run.font.size = True, Pt(18)
    run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font or HEADING_FONT)
    subtitle = doc.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.add_run(document.subtitle).font.size = Pt(9)
    _write(doc, document.blocks)
    out = io.BytesIO()
    doc.core_properties.title = document.title
    doc.save(out)
    return out.getvalue()
