"""Render a record as the HTML real portals serve (portals.md §3.1).

Styles:

* ``clean``: CMS rich-text output, ``<div id="zoom">`` / ``TRS_Editor`` body, ``<p>``
  headings, tables with the template's rowspan/colspan and ``<br/>`` in header cells.
* ``word``: a Word/WPS export (MsoNormal paragraphs, MsoTableGrid tables, nested
  spans, ``&nbsp;`` padding, ``<o:p>``), either a saved ``.htm`` page or pasted into
  the CMS editor.
* ``portal``: a whole portal article page (meta tags, navigation, breadcrumbs, the
  信息公开 metadata table, footer, scripts) around the ``clean`` body.

All styles serialize the same `model.Document`; only the markup differs.
"""

from __future__ import annotations

import random
import re
from html import escape
from typing import Final, Protocol

from extract.schema import Record
from sim.render import pages
from sim.render.document import build_document
from sim.render.model import Cell, Document, Para, Table
from sim.render.values import NumberStyle, derived_rng, format_number

STYLES: Final = ("clean", "word", "portal")

_ASCII_RUN: Final = re.compile(r"[\x21-\x7e]+")


class _Dialect(Protocol):
    def para(self, para: Para) -> str: ...

    def table(self, table: Table) -> str: ...


def render_html(record: Record, *, style: str, rng: random.Random | None = None) -> str:
    """The page for `record` in `style`, declaring UTF-8."""
    return _render(record, style, rng or derived_rng(record, f"html:{style}"), charset="utf-8")


def render_html_bytes(
    record: Record,
    *,
    style: str,
    encoding: str = "utf-8",
    declare_charset: bool = True,
    rng: random.Random | None = None,
) -> bytes:
    """The page encoded as `encoding`; with `declare_charset=False` no charset appears anywhere.

    GBK-family encodings ("gbk", "gb2312") are written with the gbk codec, which every
    gb18030 decoder reads.
    """
    charset = encoding if declare_charset else None
    salt = f"html:{style}" if encoding == "utf-8" else f"html:{style}:{encoding}"
    text = _render(record, style, rng or derived_rng(record, salt), charset=charset)
    codec = "gbk" if encoding.lower().replace("-", "") in {"gbk", "gb2312"} else encoding
    return text.encode(codec)


def _render(record: Record, style: str, rng: random.Random, *, charset: str | None) -> str:
    if style not in STYLES:
        raise ValueError(f"unknown HTML style {style!r}; expected one of {STYLES}")
    doc = build_document(record, rng)
    if style == "word":
        body = _serialize(doc, _Word(rng))
        return pages.word_page(doc, body, rng, charset=charset)
    if style == "portal":
        body = _serialize(Document(doc.title, tuple(b for b in doc.blocks if not _is_title(b))), _Clean(rng))
        return pages.portal_page(record, doc, body, rng, charset=charset)
    return pages.clean_page(doc, _serialize(doc, _Clean(rng)), rng, charset=charset)


def _is_title(block: object) -> bool:
    return isinstance(block, Para) and block.role == "title"


def _serialize(doc: Document, dialect: _Dialect) -> str:
    return "\n".join(dialect.table(b) if isinstance(b, Table) else dialect.para(b) for b in doc.blocks)


def _attrs(cell: Cell) -> str:
    spans = ""
    if cell.rowspan > 1:
        spans += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        spans += f' colspan="{cell.colspan}"'
    return spans


# ---- clean CMS markup --------------------------------------------------------


class _Clean:
    """Rich-text editor output: plain `<p>`s and a bordered table, one spelling per document."""

    numbers = NumberStyle(blanks=("", "", "", "/"), thousands=0.3)

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.br = rng.choice(("<br/>", "<br />", "<br>"))
        self.wrap_cells = rng.random() < 0.5
        self.strong_headings = rng.random() < 0.7
        self.indent = rng.choice(('<p style="text-indent:2em;">', "<p>\u3000\u3000"))

    def para(self, para: Para) -> str:
        text = escape(para.text, quote=False)
        if para.role == "title":
            lines = text.split("\n")
            if self.rng.random() < 0.5:
                return "\n".join(f'<p style="text-align:center;"><strong>{line}</strong></p>' for line in lines)
            return f'<p style="text-align:center;"><strong>{self.br.join(lines)}</strong></p>'
        if para.role == "heading":
            return f"<p><strong>{text}</strong></p>" if self.strong_headings else f"<p>{text}</p>"
        if para.role == "caption":
            return f'<p style="text-align:center;">{text}</p>'
        return f"{self.indent}{text}</p>"

    def table(self, table: Table) -> str:
        rows = "\n".join("<tr>" + "".join(self.cell(c) for c in row) + "</tr>" for row in table.rows)
        return (
            '<table border="1" cellspacing="0" cellpadding="0" align="center" '
            f'style="width:100%;border-collapse:collapse;">\n<tbody>\n{rows}\n</tbody>\n</table>'
        )

    def cell(self, cell: Cell) -> str:
        if cell.number is not None:
            text = format_number(cell.number, self.numbers, self.rng)
            content = escape(text, quote=False) if text else self.rng.choice(("&nbsp;", ""))
        else:
            content = self.br.join(escape(p, quote=False) for p in cell.parts) or "&nbsp;"
        if self.wrap_cells:
            content = f'<p align="center">{content}</p>'
        return f"<td{_attrs(cell)}>{content}</td>"


# ---- Word / WPS export -------------------------------------------------------


class _Word:
    """MsoNormal paragraphs and MsoTableGrid cells, as Word's "save as web page" writes them."""

    numbers = NumberStyle(blanks=("",), thousands=0.2)
    _font = "font-size:10.5pt;font-family:仿宋_GB2312"

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.parts_as_paragraphs = rng.random() < 0.5
        self.font_tags = rng.random() < 0.3
        self.irow = 0

    def runs(self, parts: tuple[str, ...] | str, style: str) -> str:
        """Chinese text in one span, Latin runs (digits, years) in `lang=EN-US` spans; parts
        of a broken header cell joined by `<br>`."""
        lines = (parts,) if isinstance(parts, str) else parts
        out = "<br>".join(
            _ASCII_RUN.sub(lambda m: f"<span lang=EN-US>{m.group(0)}</span>", escape(line, quote=False))
            for line in lines
        )
        inner = f"<span style='{style}'>{out}<span lang=EN-US><o:p></o:p></span></span>"
        return f"<font face=仿宋_GB2312>{inner}</font>" if self.font_tags else inner

    def para(self, para: Para) -> str:
        if para.role == "title":
            return "\n".join(
                "<p class=MsoNormal align=center style='text-align:center;line-height:28.0pt;"
                "mso-line-height-rule:exactly'><b>"
                f"{self.runs(line, 'font-size:22.0pt;font-family:方正小标宋简体')}</b></p>"
                for line in para.text.split("\n")
            )
        if para.role == "heading":
            pad = self.rng.choice(("&nbsp;&nbsp;", "&nbsp;&nbsp;&nbsp; ", ""))
            spacer = f"<span lang=EN-US><span style='mso-spacerun:yes'>{pad}</span></span>" if pad else ""
            return (
                "<p class=MsoNormal style='line-height:28.0pt;mso-line-height-rule:exactly'>"
                f"{spacer}<b>{self.runs(para.text, 'font-size:16.0pt;font-family:黑体')}</b></p>"
            )
        align = (
            " align=center style='text-align:center'"
            if para.role == "caption"
            else (
                " style='text-indent:32.0pt;mso-char-indent-count:2.0;line-height:28.0pt;mso-line-height-rule:exactly'"
            )
        )
        return f"<p class=MsoNormal{align}>{self.runs(para.text, 'font-size:16.0pt;font-family:仿宋_GB2312')}</p>"

    def table(self, table: Table) -> str:
        rows = []
        for i, row in enumerate(table.rows):
            first = ";mso-yfti-firstrow:yes" if i == 0 else ""
            last = ";mso-yfti-lastrow:yes" if i == len(table.rows) - 1 else ""
            cells = "\n".join(self.cell(c) for c in row)
            rows.append(f" <tr style='mso-yfti-irow:{i}{first}{last};height:20.0pt'>\n{cells}\n </tr>")
        body = "\n".join(rows)
        return (
            "<div align=center>\n<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 "
            "style='border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;"
            f"mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>\n{body}\n</table>\n</div>"
        )

    def cell(self, cell: Cell) -> str:
        width = 57 * cell.colspan
        attrs = f"width={width}" + "".join(
            f" {name}={n}" for name, n in (("colspan", cell.colspan), ("rowspan", cell.rowspan)) if n > 1
        )
        style = (
            f"width:{42.5 * cell.colspan:.1f}pt;border:solid windowtext 1.0pt;border-top:none;"
            "mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt;height:20.0pt"
        )
        return f"  <td {attrs} valign=center style='{style}'>\n{self.content(cell)}\n  </td>"

    def content(self, cell: Cell) -> str:
        p = "  <p class=MsoNormal align=center style='text-align:center'>"
        if cell.number is not None:
            text = format_number(cell.number, self.numbers, self.rng)
            if not text:
                return f"{p}<span lang=EN-US style='{self._font}'><o:p>&nbsp;</o:p></span></p>"
            pad = self.rng.choice(("", "", "&nbsp;", "<span style='mso-spacerun:yes'>&nbsp; </span>"))
            value = f"<span lang=EN-US>{pad}{escape(text, quote=False)}{pad}<o:p></o:p></span>"
            return f"{p}<span style='{self._font}'>{value}</span></p>"
        if not cell.parts:
            return f"{p}<span lang=EN-US style='{self._font}'><o:p>&nbsp;</o:p></span></p>"
        if self.parts_as_paragraphs:
            return "\n".join(f"{p}{self.runs(part, self._font)}</p>" for part in cell.parts)
        return f"{p}{self.runs(cell.parts, self._font)}</p>"
