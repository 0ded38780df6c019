"""Which medium a file is, and what a hostile or broken one gets: one clear line naming the medium
and the reason (the crawler stores it as an unreadable report, with that reason), never a crash, never a hang,
never a bomb inflated."""

from __future__ import annotations

import copy
import gzip
import io
import resource
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from media_corpus import RECORDS, docx_bytes, path, xlsx_bytes
from PIL import Image

from extract.errors import UnreadableInputError
from extract.limits import Limits
from extract.media import sniff
from extract.parse import parse_bytes


def _pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF with a correct cross-reference table: object n is objects[n - 1]."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def many_pages_pdf(pages: int) -> bytes:
    kids = b" ".join(b"%d 0 R" % (n + 3) for n in range(pages))
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
                 *[page] * pages])


def encrypted_pdf() -> bytes:
    """Standard security handler whose user password is not empty: it cannot be opened."""
    return _pdf(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
         b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
         b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >>" % (b"ab" * 32, b"cd" * 32)],
        b"/Encrypt 4 0 R /ID [<0123456789abcdef0123456789abcdef><0123456789abcdef0123456789abcdef>] ",
    )


def zip_bomb(template: bytes, member: str, copies: int = 40) -> bytes:
    """A DOCX/XLSX whose central directory lists `copies` more members, all pointing at one 64 MB
    run of zeros (about 64 KB deflated): 2.5 GB when inflated, 0.1 MB on disk."""
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            if info.filename != member:
                zf.writestr(info, src.read(info))
        with zf.open(member, "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(64):
                fh.write(chunk)
        bomb = zf.getinfo(member)
        for k in range(copies):
            twin = copy.copy(bomb)
            twin.filename = twin.orig_filename = f"{member}.{k}"
            zf.filelist.append(twin)
            zf.NameToInfo[twin.filename] = twin
    return buf.getvalue()


def pixel_bomb(side: int) -> bytes:
    """A tiny PNG whose header claims side x side pixels."""
    buf = io.BytesIO()
    Image.new("L", (1, 1), 255).save(buf, format="PNG")
    data = bytearray(buf.getvalue())
    ihdr = data.index(b"IHDR")
    data[ihdr + 4:ihdr + 12] = struct.pack(">II", side, side)
    data[ihdr + 17:ihdr + 21] = struct.pack(">I", zlib.crc32(bytes(data[ihdr:ihdr + 17])))
    return bytes(data)


# ---------------------------------------------------------------------------- sniffing

@pytest.mark.parametrize(
    ("kind", "name", "saved_as", "medium"),
    [
        ("pdf", "gold-000.html_clean.pdf", "downfile.jsp", "pdf"),
        ("docx", "gold-000.html_clean.docx", "P020240115.bin", "docx"),
        ("pyxlsx", "gold-000.xlsx", "x", "xlsx"),
        ("doc", "gold-000.html_clean.doc", "report.doc", "doc"),
        ("doc", "gold-000.html_clean.doc", "report.wps", "wps"),
        ("xls", "gold-000.xls", "report.et", "xls"),
        ("html", "gold-000.html_clean.html", "report.pdf", None),  # an HTML page saved as .pdf is read as HTML
    ],
)
def test_the_bytes_decide_the_medium(kind: str, name: str, saved_as: str, medium: str | None) -> None:
    assert sniff(path(kind, name).read_bytes(), saved_as) == medium


def test_images_and_text_are_told_apart() -> None:
    png = io.BytesIO()
    Image.new("L", (4, 4)).save(png, format="PNG")
    assert sniff(png.getvalue()) == "image"
    assert sniff(b"BM not a bitmap at all, just text") is None
    assert sniff("二〇二四年政府信息公开工作年度报告".encode()) is None


# ---------------------------------------------------------------------------- hostile files

def _refused(data: bytes, name: str) -> str:
    """The one line a hostile file is refused with."""
    with pytest.raises(UnreadableInputError) as info:
        parse_bytes(data, name=name)
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("build", "member", "name"),
    [(docx_bytes, "word/document.xml", "bomb.docx"), (xlsx_bytes, "xl/worksheets/sheet1.xml", "bomb.xlsx")],
)
def test_a_zip_bomb_is_refused_without_inflating_it(build: object, member: str, name: str) -> None:
    bomb = zip_bomb(build(RECORDS["gold-000"]), member)  # type: ignore[operator]
    assert len(bomb) < 1_000_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    message = _refused(bomb, name)
    assert message == f"{name.rsplit('.', 1)[1].upper()}：拒绝压缩炸弹：解压后达 2624 MiB（上限 200 MiB）"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB


def test_a_10000_page_pdf_is_refused_before_any_page_is_read() -> None:
    assert _refused(many_pages_pdf(10_000), "x.pdf") == "PDF：共 10000 页（一份报告最多 300 页）"


def test_an_encrypted_pdf_is_refused() -> None:
    assert _refused(encrypted_pdf(), "x.pdf") == "PDF：文件已加密（需要密码才能打开）"


def test_an_image_bomb_is_refused_before_decoding() -> None:
    assert _refused(pixel_bomb(10_000), "x.png") == "图片：10000×10000 像素（上限 60 百万像素）"
    assert _refused(pixel_bomb(60_000), "x.png") == "图片：拒绝解压炸弹（上限 60 百万像素）"


@pytest.mark.parametrize(
    ("kind", "name"),
    [("pdf", "gold-001.html_clean.pdf"), ("docx", "gold-001.html_clean.docx"), ("pyxlsx", "gold-001.xlsx"),
     ("doc", "gold-004.html_clean.doc")],
)
@pytest.mark.parametrize("keep", [0.5, 0.05])
def test_a_truncated_file_is_a_clear_refusal_or_a_partial_record(kind: str, name: str, keep: float) -> None:
    data = path(kind, name).read_bytes()
    cut = data[: max(8, int(len(data) * keep))]
    try:
        medium = parse_bytes(cut, name=name)["source"]["medium"]  # salvaged: a record, maybe with tables missing
    except UnreadableInputError as exc:
        medium = str(exc.words["medium"])  # refused, and the reason names the medium
    assert medium in {"pdf", "docx", "xlsx", "doc", "zip"}


def test_a_truncated_image_is_refused() -> None:
    png = io.BytesIO()
    Image.new("L", (200, 200), 128).save(png, format="PNG")
    assert _refused(png.getvalue()[:100], "x.png").startswith("图片：图片被截断或已损坏（")


def test_gzip_without_content_encoding_is_undone_and_capped() -> None:
    pdf = path("pdf", "gold-001.html_clean.pdf").read_bytes()
    assert parse_bytes(gzip.compress(pdf), name="downfile.jsp")["source"]["medium"] == "pdf"
    bomb = gzip.compress(b" " * (30 << 20), compresslevel=1)
    assert _refused(bomb, "x.html") == "gzip 压缩数据解压后超过 20 MiB"


def test_the_cli_reports_a_bomb_in_one_line(tmp_path: Path) -> None:
    bomb = tmp_path / "report.docx"
    bomb.write_bytes(zip_bomb(docx_bytes(RECORDS["gold-001"]), "word/document.xml"))
    result = subprocess.run(
        [sys.executable, "-m", "xxgk.cli", "parse", str(tmp_path), "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.endswith(f"{bomb}：DOCX：拒绝压缩炸弹：解压后达 2624 MiB（上限 200 MiB）")


def test_ocr_can_be_switched_off_by_a_caller_that_cannot_wait() -> None:
    png = io.BytesIO()
    Image.new("L", (200, 200), 255).save(png, format="PNG")
    with pytest.raises(UnreadableInputError, match=r"^图片：扫描件没有文字层，而此处未启用文字识别$"):
        parse_bytes(png.getvalue(), name="x.png", limits=Limits(max_ocr_pages=0))
