"""PDF → record: every corpus record, exported by LibreOffice as a PDF with ruled tables (clean
and Word-style, whose tables break across pages mid-row and lack a top border), and with the
table rules taken away, parses back to the record it was made from."""

from __future__ import annotations

import itertools
import random
from importlib.metadata import version

import pytest
from media_corpus import differences, expected, names, path, record_of

from extract.document import Grid, Line
from extract.geometry import Box, Word
from extract.pages import Page, assemble
from extract.parse import parse_bytes
from sim.media import pdf_bytes
from sim.render import random_record

PDFPLUMBER = version("pdfplumber")


@pytest.mark.parametrize("name", names("pdf"))
def test_pdf_round_trip(name: str) -> None:
    record = parse_bytes(path("pdf", name).read_bytes(), name=name)
    assert differences(record, expected(record_of(name))) == {}
    kind = "words" if ".unruled." in name else "ruled"
    assert record["source"]["medium"] == "pdf"
    assert record["source"]["extractor"] == f"pdf:pdfplumber-{PDFPLUMBER}/{kind}"
    assert "ocr_cells" not in record["parse"]  # a text layer is not a scan


# ---------------------------------------------------------------------------- page furniture and page breaks

def _words(y: float, *cells: tuple[float, str]) -> list[Word]:
    return [Word(text, Box(x, y, x + 12 * len(text), y + 12)) for x, text in cells]


def _row(top: float, bottom: float, xs: list[float]) -> list[Box]:
    return [Box(a, top, b, bottom) for a, b in itertools.pairwise(xs)]


def test_headers_footers_and_a_table_broken_over_two_pages() -> None:
    """Running header and page numbers go; the table's header repeated on page 2 goes; the row
    the page break cut in two (`行政规` / `范性文件`) is one row again."""
    xs = [100.0, 250.0, 330.0, 410.0, 490.0]
    header = "示例县民政局2024年政府信息公开工作年度报告"
    page1 = Page(595, 842, [
        *_words(20, (150, header)),
        *_words(60, (100, "二、主动公开政府信息情况")),
        *_words(104, (105, "信息内容"), (255, "本年制发件数"), (335, "本年废止件数"), (415, "现行有效件数")),
        *_words(124, (105, "规章"), (260, "1"), (340, "0"), (420, "5")),
        *_words(144, (105, "行政规"), (260, "2"), (340, "1"), (420, "9")),
        *_words(800, (290, "- 1 -")),
    ], [[*_row(100, 120, xs), *_row(120, 140, xs), *_row(140, 160, xs)]])
    page2 = Page(595, 842, [
        *_words(20, (150, header)),
        *_words(74, (105, "信息内容"), (255, "本年制发件数"), (335, "本年废止件数"), (415, "现行有效件数")),
        *_words(94, (105, "范性文件")),
        *_words(200, (100, "三、收到和处理政府信息公开申请情况")),
        *_words(800, (290, "- 2 -")),
    ], [[*_row(70, 90, xs), *_row(90, 110, xs)]])
    blocks = assemble([page1, page2]).blocks
    lines = [b.text for b in blocks if isinstance(b, Line)]
    assert lines == ["二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"]
    (grid,) = [b for b in blocks if isinstance(b, Grid)]
    assert [[s.text for s in row] for row in grid.rows] == [
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "1", "0", "5"],
        ["行政规范性文件", "2", "1", "9"],
    ]


def test_a_paragraph_wrapped_over_lines_is_one_line_again() -> None:
    text = "本年新收政府信息公开申请4件上年结转0件办结4件结转下年度0件全年因政府信息公开工作被申请行政复议0件"
    page = Page(595, 842, [
        *_words(100, (60, text[:40])),
        *_words(118, (60, text[40:])),
        *_words(136, (60, "(三)政府信息管理。")),
    ])
    assert [b.text for b in assemble([page]).blocks if isinstance(b, Line)] == [text, "(三)政府信息管理。"]


@pytest.mark.parametrize("fmt", ["2021", "legacy"])
def test_a_font_pdfminer_misdecodes_is_read_through_pdfium(fmt: str) -> None:
    """`sim.media` writes STSong-Light with the predefined UniGB-UCS2-H encoding and a ToUnicode
    map; pdfminer applies the map to CIDs instead of codes and gets Tibetan and Devanagari."""
    record = random_record(random.Random(7), fmt=fmt)
    parsed = parse_bytes(pdf_bytes(record), name="attachment.pdf")
    assert differences(parsed, expected(record)) == {}
    assert parsed["source"]["extractor"] == f"pdf:pdfplumber-{PDFPLUMBER}/ruled+pdfium-text"
