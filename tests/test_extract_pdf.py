"""PDF → record: every corpus record, exported by LibreOffice as a PDF with ruled tables (clean
and Word-style, whose tables break across pages mid-row and lack a top border), and with the
table rules taken away, parses back to the record it was made from."""

from __future__ import annotations

import io
import itertools
import random
from importlib.metadata import version

import pypdfium2 as pdfium
import pytest
from media_corpus import differences, expected, names, path, record_of

from extract.document import Document, Grid, Line
from extract.errors import UnreadableInputError
from extract.geometry import Box, Word
from extract.limits import Limits
from extract.pages import Page, assemble
from extract.parse import parse_bytes, read_tables
from sim.media import pdf_bytes
from sim.render import random_record

PDFIUM = version("pypdfium2")


@pytest.mark.parametrize("name", names("pdf"))
def test_pdf_round_trip(name: str) -> None:
    record = parse_bytes(path("pdf", name).read_bytes(), name=name)
    assert differences(record, expected(record_of(name))) == {}
    kind = "words" if ".unruled." in name else "ruled"
    assert record["source"]["medium"] == "pdf"
    assert record["source"]["extractor"] == f"pdf:pdfium-{PDFIUM}/{kind}"
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
    map; pdfminer applied the map to CIDs instead of codes and got Tibetan and Devanagari."""
    record = random_record(random.Random(7), fmt=fmt)
    parsed = parse_bytes(pdf_bytes(record), name="attachment.pdf")
    assert differences(parsed, expected(record)) == {}
    assert parsed["source"]["extractor"] == f"pdf:pdfium-{PDFIUM}/ruled"


@pytest.mark.parametrize("turn", [90, 270])
def test_a_landscape_page_drawn_through_a_form_reads_as_shown(turn: int) -> None:
    """Each page's content drawn turned, through a form XObject, on a landscape page whose
    /Rotate turns it upright again: words, rules and cells are read on the page as shown."""
    record = random_record(random.Random(11), fmt="2021")
    source, turned = pdfium.PdfDocument(pdf_bytes(record)), pdfium.PdfDocument.new()
    for n in range(len(source)):
        width, height = source[n].get_size()
        form = source.page_as_xobject(n, turned).as_pageobject()
        form.set_matrix(pdfium.PdfMatrix(0, 1, -1, 0, height, 0) if turn == 90 else pdfium.PdfMatrix(0, -1, 1, 0, 0, width))
        page = turned.new_page(height, width)
        page.insert_obj(form)
        page.gen_content()
        page.set_rotation(turn)
    out = io.BytesIO()
    turned.save(out)
    assert differences(parse_bytes(out.getvalue(), name="landscape.pdf"), expected(record)) == {}


def test_text_no_font_map_reads_is_sent_to_ocr() -> None:
    """A CID font of no known character collection and without a ToUnicode map gives its codes,
    not text: the page counts as a scan (and with OCR switched off the file is refused)."""
    pdf = pdf_bytes(random_record(random.Random(7), fmt="2021"))
    unmapped = (pdf.replace(b"/Encoding /UniGB-UCS2-H", b"/Encoding /Identity-H  ")
                .replace(b"/Ordering (GB1)", b"/Ordering (XYZ)").replace(b"/ToUnicode 6 0 R", b" " * 16))
    with pytest.raises(UnreadableInputError, match=r"^PDF：扫描件没有文字层，而此处未启用文字识别$"):
        parse_bytes(unmapped, name="x.pdf", limits=Limits(max_ocr_pages=0))


def _table(top: float, xs: list[float], rows: list[list[str]]) -> tuple[list[Word], list[Box]]:
    """Words and cell boxes of a ruled table: one row every 20 pt, one cell per column."""
    words: list[Word] = []
    boxes: list[Box] = []
    for r, texts in enumerate(rows):
        y = top + 20 * r
        boxes += _row(y, y + 20, xs)
        words += [w for c, t in enumerate(texts) if t for w in _words(y + 4, (xs[c] + 3, t))]
    return words, boxes


def test_table_two_continued_on_the_next_page_in_a_table_of_its_own() -> None:
    """表二 cut by a page break after 第二十条第（六）项's header, its rows (行政处罚, 行政强制) on the next
    page in a table with other outer edges: the rows still belong to 表二."""
    xs, two = [100.0, 250.0, 330.0, 410.0, 490.0], [100.0, 250.0, 490.0]
    block = [100.0, 490.0]
    page1 = Page(595, 842, [
        *_words(60, (100, "二、主动公开政府信息情况")),
        *_words(84, (105, "第二十条第(一)项")),
        *_words(104, (105, "信息内容"), (255, "本年制发件数"), (335, "本年废止件数"), (415, "现行有效件数")),
        *_words(124, (105, "规章"), (260, "0"), (340, "0"), (420, "0")),
        *_words(144, (105, "行政规范性文件"), (260, "2"), (340, "1"), (420, "9")),
        *_words(164, (105, "第二十条第(五)项")),
        *_words(184, (105, "信息内容"), (255, "本年处理决定数量")),
        *_words(204, (105, "行政许可"), (260, "12")),
        *_words(224, (105, "第二十条第(六)项")),
        *_words(244, (105, "信息内容"), (255, "本年处理决定数量")),
    ], [[*_row(80, 100, block), *_row(100, 120, xs), *_row(120, 140, xs), *_row(140, 160, xs),
         *_row(160, 180, block), *_row(180, 200, two), *_row(200, 220, two),
         *_row(220, 240, block), *_row(240, 260, two)]])
    page2 = Page(595, 842, [
        *_words(74, (105, "行政处罚"), (260, "35")),
        *_words(94, (105, "行政强制"), (260, "4")),
        *_words(134, (105, "第二十条第(八)项")),
        *_words(154, (105, "信息内容"), (255, "本年收费金额(单位:万元)")),
        *_words(174, (105, "行政事业性收费"), (260, "0.5")),
        *_words(300, (100, "三、收到和处理政府信息公开申请情况")),
    ], [[*_row(70, 90, [100, 250, 480]), *_row(90, 110, [100, 250, 480])],
        [*_row(130, 150, block), *_row(150, 170, two), *_row(170, 190, two)]])
    tables, diag = read_tables(Document(assemble([page1, page2]).blocks, "pdf:test", medium="pdf"))
    assert tables["active"]["penalty"] == {"decisions": 35}
    assert tables["active"]["coercion"] == {"decisions": 4}
    assert diag.missing_rows == []


def test_hybrid_requests_table_continued_on_the_next_page() -> None:
    """A 2021 report keeping the 2019 format's single （六）其他处理 row, its 表三 cut by a page
    break inside （三）不予公开 and continued in a table with other outer edges: every row is read,
    （三）2 included, and （六） as the single row."""
    record = random_record(random.Random(21), fmt="hybrid")
    requests = record["requests"]
    labels = {
        "new": "一、本年新收政府信息公开申请数量", "carried_over": "二、上年结转政府信息公开申请数量",
        "granted": "(一)予以公开", "partly_granted": "(二)部分公开", "withheld_state_secret": "1.属于国家秘密",
        "withheld_prohibited": "2.其他法律行政法规禁止公开", "withheld_security": "3.危及“三安全一稳定”",
        "withheld_third_party": "4.保护第三方合法权益", "withheld_internal": "5.属于三类内部事务信息",
        "withheld_process": "6.属于四类过程性信息", "withheld_enforcement_file": "7.属于行政执法案卷",
        "withheld_inquiry": "8.属于行政查询事项", "unavailable_not_held": "1.本机关不掌握相关政府信息",
        "unavailable_needs_creation": "2.没有现成信息需要另行制作", "unavailable_unclear": "3.补正后申请内容仍不明确",
        "rejected_petition": "1.信访举报投诉类申请", "rejected_duplicate": "2.重复申请",
        "rejected_publication": "3.要求提供公开出版物", "rejected_excessive": "4.无正当理由大量反复申请",
        "rejected_reconfirm": "5.要求行政机关确认或重新出具已获取信息", "other_handling": "(六)其他处理",
        "total": "(七)总计", "carry_forward": "四、结转下年度继续办理",
    }
    rows = [[labels[k], *(str(v) for v in requests[k].values())] for k in labels]
    head = ["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    xs = [60.0 + 80 * c for c in range(9)]  # a landscape page: 表三's label column and seven value columns
    cut = list(labels).index("withheld_prohibited")
    w1, b1 = _table(100, xs, [head, *rows[:cut]])
    w2, b2 = _table(70, [*xs[:-1], xs[-1] - 10], rows[cut:])
    page1 = Page(842, 595, [*_words(60, (60, "三、收到和处理政府信息公开申请情况")), *w1], [b1])
    page2 = Page(842, 595, w2, [b2])
    tables, diag = read_tables(Document(assemble([page1, page2]).blocks, "pdf:test", medium="pdf"))
    assert tables["requests"] == requests
    assert diag.missing_rows == []
