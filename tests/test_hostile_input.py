"""Files made to hurt the parser end in one line or a record, within a memory cap: a flipped byte
does not lose a report, spans cannot blow a table up, a device or FIFO is not read, a zip cannot
inflate past what it declares, a huge blank page is not sent to OCR. The hostile files are made
on the fly (`sim.hostile`); what the parser must survive runs in a child under an address-space
cap (what a bomb would take is then a MemoryError there, not a machine brought down)."""

from __future__ import annotations

import io
import json
import os
import random
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import GOLD, SEEDS
from PIL import Image

from extract import ocr
from extract.decode import decode_text
from extract.errors import UnreadableInputError
from extract.grid import build_grid, expansion, table_rows
from extract.limits import LIMITS, CellBudget
from extract.parse import parse_bytes
from extract.schema import SPEC_KEYS
from sim.hostile import (
    blank_png,
    deep_nesting,
    flip,
    odt,
    rewrite_member,
    span_bomb,
    underdeclared,
)
from sim.media import docx_bytes
from sim.render import LAYOUTS

ROOT = Path(__file__).resolve().parent.parent
CAP = 1 << 30  # address space of a child: a bomb that is not defused dies of MemoryError there


def _record(stem: str) -> dict[str, Any]:
    return {k: v for k, v in GOLD[stem].items() if k in SPEC_KEYS}


def capped_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`xxgk ARGS` in a child whose address space is capped (a FIFO that hangs it ends in the timeout)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))

    return subprocess.run(
        [sys.executable, "-m", "xxgk.cli", *args], capture_output=True, text=True, timeout=timeout, check=False,
        preexec_fn=limit, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single line a refused file gets (exit 2, nothing on stdout, no traceback)."""
    assert "Traceback" not in result.stderr
    assert (result.returncode, result.stdout) == (2, "")
    (line,) = result.stderr.strip().splitlines()
    return line


# ---------------------------------------------------------------------------- one bad byte

def _flipped(data: bytes, k: int) -> bytes:
    rng = random.Random(k)
    return flip(data, rng.randrange(len(data)), rng.randrange(256))


@pytest.mark.parametrize(
    ("name", "make"),
    [("report.txt", SEEDS[0].read_bytes),
     ("report.html", lambda: LAYOUTS["html_word"](_record(SEEDS[2].stem)))],
    ids=["text", "html"],
)
def test_a_hundred_single_byte_flips_still_read_as_the_report(name: str, make: Any) -> None:
    data = make()
    want = parse_bytes(data, name=name)
    for k in range(100):
        got = parse_bytes(_flipped(data, k), name=name)
        assert (got["agency"], got["year"], got["format"]) == (want["agency"], want["year"], want["format"]), k


def test_invalid_bytes_stay_utf8_and_the_record_says_how_many() -> None:
    data = SEEDS[0].read_bytes()
    record = parse_bytes(flip(data, len(data) // 2, 0xFF), name="report.txt")
    assert record["agency"] == GOLD[SEEDS[0].stem]["agency"]
    assert record["parse"]["decoding"]["codec"] == "utf-8"
    assert 1 <= record["parse"]["decoding"]["replaced"] <= 3
    assert "decoding" not in parse_bytes(data, name="report.txt")["parse"]


TEXT = SEEDS[1].read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("data", "declared", "codec"),
    [
        (TEXT.encode("gb18030"), "utf-8", "gb18030"),  # a GBK page served as UTF-8
        (TEXT.encode(), "gbk", "utf-8"),  # a UTF-8 page served as GBK
        (TEXT.encode(), "iso-8859-1", "utf-8"),  # …or as Latin-1
        (flip(TEXT.encode("gb18030"), 500, 0xFF), None, "gb18030"),  # GBK with a bad byte stays GBK
        (flip(TEXT.encode("gb18030"), 500, 0xFF), "utf-8", "gb18030"),  # …served as UTF-8 too
        (flip(TEXT.encode(), 500, 0xFF), "gbk", "utf-8"),  # UTF-8 with a bad byte served as GBK
        (flip(TEXT.encode(), 500, 0x00), None, "utf-8"),  # a NUL is one bad character, not a binary file
        (TEXT.encode("utf-16-le"), None, "utf-16-le"),  # UTF-16 without a byte-order mark
        (TEXT.encode("utf-16-be"), None, "utf-16-be"),
        ('<meta charset="hex"><p>报告</p>'.encode(), None, "utf-8"),  # a charset that is no text encoding
        (b'<meta charset="idna">' + TEXT.encode(), None, "utf-8"),
    ],
    ids=["gbk-as-utf8", "utf8-as-gbk", "utf8-as-latin1", "gbk-bad-byte", "gbk-bad-byte-as-utf8",
         "utf8-bad-byte-as-gbk", "nul", "utf16le", "utf16be", "hex", "idna"],
)
def test_the_encoding_is_chosen_by_the_whole_input(data: bytes, declared: str | None, codec: str) -> None:
    reading = decode_text(data, declared)
    assert reading.codec == codec
    assert "\x00" not in reading.text


@pytest.mark.parametrize("junk", [b"\x0c", b"\x0b", b"\x00", b"\x1b", b"\xef\xbf\xbf", b"\xef\xbf\xbe"],
                         ids=["form-feed", "vertical-tab", "nul", "escape", "u+ffff", "u+fffe"])
def test_no_character_lxml_refuses_reaches_it(junk: bytes) -> None:
    page = LAYOUTS["html_word"](_record(SEEDS[2].stem))
    at = page.index(b"</p>") + 4  # in the tail of a paragraph, which the layout rewrites
    record = parse_bytes(page[:at] + junk + page[at:], name="report.html")
    assert record["agency"] == GOLD[SEEDS[2].stem]["agency"]


def test_random_bytes_are_binary_whatever_the_encodings() -> None:
    with pytest.raises(UnreadableInputError) as info:
        decode_text(random.Random(7).randbytes(4096))
    assert info.value.key == "input.binary"


# ---------------------------------------------------------------------------- span bombs

def _table(html: bytes) -> list[list[Any]]:
    from lxml import etree  # noqa: PLC0415

    return table_rows(etree.fromstring(html, etree.HTMLParser()).find(".//table"))


def test_a_span_bomb_is_measured_before_anything_is_allocated() -> None:
    bomb = span_bomb()
    assert len(bomb) < 41_000
    rows = _table(bomb)
    assert expansion(rows) > LIMITS.max_table_cells
    assert build_grid(rows) is None
    budget = CellBudget()
    assert build_grid(_table(b"<table><tr><td colspan=3>a</td></tr><tr><td>1</td><td>2</td><td>3</td></tr></table>"),
                      budget) is not None
    assert budget.left == LIMITS.max_document_cells - 6


def test_each_table_has_its_own_rows_however_deep_the_nesting() -> None:
    from lxml import etree  # noqa: PLC0415

    depth = 600
    html = "".join(f"<table><tr><td>{n}" for n in range(depth)) + "</td></tr></table>" * depth
    tables = list(etree.fromstring(html.encode(), etree.HTMLParser(huge_tree=True)).iter("table"))
    assert len(tables) == depth
    for n in (0, 1, depth // 2, depth - 1):
        [[cell]] = table_rows(tables[n])
        assert (cell.text or "").strip() == str(n)
    flat = _table(b"<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>a<table><tr><td>x</td></tr></table>"
                  b"</td></tr><!-- c --><tr><td>b</td></tr></tbody></table>")
    assert [[c.text for c in row] for row in flat] == [["h"], ["a"], ["b"]]


@pytest.mark.parametrize(("rows", "bound"), [
    ("<tr><td>a</td><td>b</td></tr><tr><td>c</td></tr>", 4),
    ("<tr><td rowspan=2 colspan=2>a</td><td>b</td></tr><tr><td>c</td></tr>", 6),
    ("<tr><td colspan=999999>a</td></tr>", LIMITS.max_span),
])
def test_the_expansion_bounds_the_grid_built(rows: str, bound: int) -> None:
    table = _table(f"<table>{rows}</table>".encode())
    grid = build_grid(table)
    assert grid is not None
    assert expansion(table) == bound
    assert sum(len(r) for r in grid.rows) <= bound


def test_a_report_with_a_span_bomb_in_it_still_reads(tmp_path: Path) -> None:
    page = LAYOUTS["html_word"](_record(SEEDS[0].stem))
    at = page.index(b"</body>")
    path = tmp_path / "report.html"
    path.write_bytes(page[:at] + span_bomb()[len(b"<html><body>"):-len(b"</body></html>")] + page[at:])
    result = capped_cli("parse", str(path), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["agency"] == GOLD[SEEDS[0].stem]["agency"]


def test_the_cli_refuses_a_bare_span_bomb_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bomb.html"
    path.write_bytes(span_bomb())
    assert one_line(capped_cli("parse", str(path))).endswith("：不是政府信息公开工作年度报告：找不到标题、章节标题或报告表格")


def test_a_word_cell_spanning_a_hundred_million_columns_is_read_within_the_cap(tmp_path: Path) -> None:
    plain = docx_bytes(_record(SEEDS[0].stem))
    path = tmp_path / "report.docx"
    path.write_bytes(rewrite_member(plain, "word/document.xml", b'<w:gridSpan w:val="2"/>',
                                    b'<w:gridSpan w:val="100000000"/>'))
    result = capped_cli("parse", str(path), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["agency"] == GOLD[SEEDS[0].stem]["agency"]


def test_a_sheet_merged_over_every_cell_is_read_within_the_cap(tmp_path: Path) -> None:
    import openpyxl  # noqa: PLC0415

    wb = openpyxl.Workbook()
    wb.active.append(["2024年政府信息公开工作年度报告"])
    wb.active.merge_cells("A1:B2")
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path / "report.xlsx"
    path.write_bytes(rewrite_member(buf.getvalue(), "xl/worksheets/sheet1.xml", b'ref="A1:B2"',
                                    b'ref="A1:XFD1048576"'))
    result = capped_cli("parse", str(path), "--json")
    assert "Traceback" not in result.stderr
    assert result.returncode in {0, 2}


# ---------------------------------------------------------------------------- what a path may be

def test_dev_zero_is_not_read() -> None:
    assert one_line(capped_cli("parse", "/dev/zero")) == "xxgk: /dev/zero：是设备文件，不是普通文件，不予读取"


def test_a_fifo_nobody_writes_to_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    assert one_line(capped_cli("parse", str(fifo), timeout=60)).endswith("：是命名管道（FIFO），不是普通文件，不予读取")


def test_a_sparse_gigabyte_is_refused_by_its_size(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    with path.open("wb") as fh:
        fh.truncate(1 << 30)
    line = one_line(capped_cli("parse", str(path)))
    assert line == f"xxgk: {path}：文件过大：1073.7 MB（上限 84 MB）"


def test_import_reads_no_device_either(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    result = capped_cli("import", "/dev/zero", "--db", db)
    assert result.returncode == 2
    assert "/dev/zero：是设备文件，不是普通文件，不予读取" in result.stderr


# ---------------------------------------------------------------------------- zips that lie

@pytest.mark.parametrize(
    ("name", "make", "member"),
    [("report.docx", lambda: docx_bytes(_record(SEEDS[0].stem)), "word/document.xml"),
     ("report.odt", lambda: odt(TEXT), "content.xml"),
     ("report.ods", lambda: odt(TEXT, "spreadsheet"), "content.xml")],
    ids=["docx", "odt", "ods"],
)
def test_a_member_that_inflates_past_its_declared_size_is_stopped(
        tmp_path: Path, name: str, make: Any, member: str) -> None:
    path = tmp_path / name
    path.write_bytes(underdeclared(make(), member, inflated=2 << 30, declared=100))
    line = one_line(capped_cli("parse", str(path)))
    assert line.endswith(f"压缩包成员 {member} 解压后超过其声明的 100 字节（文件已损坏或被篡改）")


def test_a_mimetype_is_read_no_further_than_its_first_bytes(tmp_path: Path) -> None:
    path = tmp_path / "report.odt"
    path.write_bytes(underdeclared(odt(TEXT), "mimetype", inflated=2 << 30, declared=100))
    assert one_line(capped_cli("parse", str(path))).endswith("：压缩包不是 DOCX、XLSX 或 OpenDocument 文件")


def test_an_honest_container_is_repacked_and_read() -> None:
    record = parse_bytes(docx_bytes(_record(SEEDS[1].stem)), name="report.docx")
    assert record["agency"] == GOLD[SEEDS[1].stem]["agency"]
    assert record["requests"] == GOLD[SEEDS[1].stem]["requests"]


# ---------------------------------------------------------------------------- pixels

class _Recorder:
    """An OCR engine that reads nothing and remembers the pages it was given."""

    name = "recorder"

    def __init__(self) -> None:
        self.shapes: list[tuple[int, ...]] = []

    def page(self, gray: Any, limits: Any, look: Any = None) -> ocr.Reading:
        self.shapes.append(gray.shape)
        return ocr.Reading([], [])

    def line(self, crop: Any, limits: Any) -> tuple[str, float]:
        return "", 0.0


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> _Recorder:
    engine = _Recorder()
    monkeypatch.setattr(ocr, "engine", lambda: engine)
    return engine


def test_a_blank_49_megapixel_page_never_reaches_the_detector(recorder: _Recorder) -> None:
    png = blank_png(7000)
    assert len(png) < 100_000
    with pytest.raises(UnreadableInputError) as info:
        parse_bytes(png, name="scan.png")
    assert info.value.key == "input.not_report"
    assert recorder.shapes == []


def test_a_large_page_is_scaled_to_the_pixels_ocr_works_on(recorder: _Recorder) -> None:
    page = np.full((7000, 7000), 255, np.uint8)
    page[1000:1200, 1000:3000] = 0  # a bar of ink: not blank
    ocr.ocr_image(page, LIMITS)
    ((h, w),) = recorder.shapes
    assert h * w <= LIMITS.ocr_page_pixels
    assert max(h, w) <= ocr.MAX_SIDE


@pytest.mark.parametrize(("width", "height"), [(1654, 2339), (7000, 7000), (40_000, 40_000), (1000, 30_000), (1, 1)])
def test_fit_bounds_pixels_and_the_longest_side(width: int, height: int) -> None:
    k = ocr.fit(width, height, LIMITS)
    assert 0 < k <= 1
    assert width * height * k * k <= LIMITS.ocr_page_pixels * 1.0001
    assert max(width, height) * k <= ocr.MAX_SIDE + 1e-6


def test_the_frames_of_an_image_are_counted_together(recorder: _Recorder) -> None:
    frames = [Image.new("L", (5000, 5000), 255) for _ in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:], compression="tiff_deflate")
    with pytest.raises(UnreadableInputError) as info:
        parse_bytes(buf.getvalue(), name="scan.tif")
    assert info.value.key == "image.frames"
    assert recorder.shapes == []


# ---------------------------------------------------------------------------- nesting

@pytest.mark.parametrize(("depth", "tag"), [(100_000, "div"), (5_000, "table"), (50_000, "b")])
def test_deep_nesting_is_one_line_or_a_record(tmp_path: Path, depth: int, tag: str) -> None:
    path = tmp_path / "deep.html"
    path.write_bytes(deep_nesting(depth, tag, SEEDS[0].read_bytes().replace(b"\n", b"<br>")))
    result = capped_cli("parse", str(path), "--json")
    assert "Traceback" not in result.stderr
    assert result.returncode in {0, 2}
    assert len(result.stderr.strip().splitlines()) == (result.returncode == 2)


def test_an_unreadable_input_error_survives_a_worker_process() -> None:
    import pickle  # noqa: PLC0415

    error = UnreadableInputError("zip.underdeclared", medium="docx", member="word/document.xml", declared=4)
    again = pickle.loads(pickle.dumps(error))
    assert (again.key, again.words, str(again)) == (error.key, error.words, str(error))
