"""Attachment fixtures, built at test time from records, for the extractors' round-trip tests.

Every record (the five gold records and a few random ones of each template) is rendered as HTML
by `sim.render` and converted by LibreOffice into what agencies publish: PDF (ruled, and with the
table borders taken away), DOC, DOCX and XLSX. Beside those, a DOCX written with python-docx and
an XLSX written with openpyxl from the same document model, and scans (rendered pages, blurred,
tilted, noisy). Conversions run once per content: the corpus lives in a directory named by a hash
of its inputs, built under a file lock, so pytest-xdist workers and later runs share it.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import io
import random
import shutil
import subprocess
import tempfile
from html import escape
from pathlib import Path
from typing import Any

import docx
import numpy as np
import openpyxl
from conftest import GOLD
from PIL import Image, ImageFilter

from extract.schema import SPEC_KEYS, Record
from sim.render import LAYOUTS, random_record
from sim.render.document import build_document
from sim.render.model import Cell, Para, Table
from sim.render.values import NumberStyle, derived_rng, format_number

RANDOM_FORMATS = ("2021", "2019", "hybrid", "legacy")
STYLES = ("html_clean", "html_word")


def _records() -> dict[str, Record]:
    out = {f"gold-{name[:3]}": {k: v for k, v in rec.items() if k != "expected_findings"} for name, rec in GOLD.items()}
    for seed, fmt in enumerate(RANDOM_FORMATS):
        out[f"random-{seed}-{fmt}"] = random_record(random.Random(1000 + seed), fmt=fmt)
    return out


RECORDS = _records()


def expected(record: Record) -> dict[str, Any]:
    return {k: record[k] for k in SPEC_KEYS if k in record}


def differences(record: Record, want: dict[str, Any]) -> dict[str, Any]:
    return {k: {"got": record.get(k, "<absent>"), "want": v} for k, v in want.items() if record.get(k) != v}


# ---------------------------------------------------------------------------- LibreOffice

def soffice(sources: list[Path], target: str, outdir: Path, infilter: str | None = None) -> None:
    """Convert many files in one LibreOffice start (a start costs about a second)."""
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xxgk-test-lo-") as profile:
        cmd = ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{profile}"]
        if infilter:
            cmd.append(f"--infilter={infilter}")
        cmd += ["--convert-to", target, "--outdir", str(outdir), *map(str, sources)]
        subprocess.run(cmd, capture_output=True, timeout=600, check=True)


# ---------------------------------------------------------------------------- python-docx, openpyxl

_PLAIN = NumberStyle(blanks=("",), thousands=0.0, fixed_money=0.0)


def _cell_text(cell: Cell, rng: random.Random) -> str:
    return format_number(cell.number, _PLAIN, rng) if cell.number is not None else "\n".join(cell.parts)


def docx_bytes(record: Record) -> bytes:
    """The report as an agency's Word file: paragraphs, and tables with merged cells."""
    rng = derived_rng(record, "docx")
    out = docx.Document()
    for block in build_document(record, rng).blocks:
        if isinstance(block, Para):
            out.add_paragraph(block.text)
            continue
        layout = block.layout()
        width = max(len(row) for row in layout)
        table = out.add_table(rows=len(layout), cols=width)
        table.style = "Table Grid"
        for r, row in enumerate(block.rows):
            for c_cell, (r0, c0) in _starts(block, r, row):
                target = table.cell(r0, c0)
                if c_cell.rowspan > 1 or c_cell.colspan > 1:
                    end = (min(r0 + c_cell.rowspan, len(layout)) - 1, min(c0 + c_cell.colspan, width) - 1)
                    target = target.merge(table.cell(*end))
                target.text = _cell_text(c_cell, rng)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def _starts(table: Table, r: int, row: tuple[Cell, ...]) -> list[tuple[Cell, tuple[int, int]]]:
    """Where each cell of source row r starts in the expanded grid (the cells starting in row r,
    left to right, are the row's cells in order)."""
    starts = [c for c, s in enumerate(table.layout()[r]) if s is not None and s.dr == 0 and s.dc == 0]
    return [(cell, (r, c)) for cell, c in zip(row, starts, strict=True)]


def xlsx_bytes(record: Record) -> bytes:
    """The report as an agency's spreadsheet: paragraphs in column A, tables below with merges,
    numbers as numbers, a blank row after each table."""
    rng = derived_rng(record, "xlsx")
    wb = openpyxl.Workbook()
    ws = wb.active
    r = 1
    for block in build_document(record, rng).blocks:
        if isinstance(block, Para):
            for line in block.text.split("\n"):
                ws.cell(r, 1, line)
                r += 1
            continue
        for k, row in enumerate(block.rows):
            for cell, (_, c0) in _starts(block, k, row):
                value: Any = _cell_text(cell, rng)
                if cell.number is not None and cell.number.value is not None and not cell.number.note:
                    value = cell.number.value
                ws.cell(r + k, c0 + 1, value)
                if cell.rowspan > 1 or cell.colspan > 1:
                    ws.merge_cells(start_row=r + k, start_column=c0 + 1,
                                   end_row=r + k + cell.rowspan - 1, end_column=c0 + cell.colspan)
        r += len(block.rows) + 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def sheet_html(record: Record) -> bytes:
    """The report as Excel or WPS ET saves a sheet "as web page": one table for the whole sheet,
    paragraphs in rows of one merged cell, GB2312, `<meta name=ProgId content=Excel.Sheet>`."""
    rng = derived_rng(record, "sheet-html")
    blocks = build_document(record, rng).blocks
    width = max((t.width for t in blocks if isinstance(t, Table)), default=1)
    rows = []
    for block in blocks:
        if isinstance(block, Para):
            rows += [f"<tr height=19><td colspan={width} class=xl65>{escape(line)}</td></tr>" for line in block.text.split("\n")]
            continue
        for row in block.rows:
            cells = "".join(
                f"<td{f' rowspan={c.rowspan}' if c.rowspan > 1 else ''}{f' colspan={c.colspan}' if c.colspan > 1 else ''}"
                f" class=xl66{' x:num' if c.number is not None else ''}>{escape(_cell_text(c, rng)).replace(chr(10), '<br>')}</td>"
                for c in row
            )
            rows.append(f"<tr height=19>{cells}</tr>")
        rows.append(f"<tr height=19><td colspan={width} height=19></td></tr>")
    page = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">\n'
        '<head><meta http-equiv=Content-Type content="text/html; charset=gb2312">\n'
        '<meta name=ProgId content=Excel.Sheet><meta name=Generator content="WPS Office ET">\n'
        "<style>td{mso-number-format:General;}</style></head><body link=blue vlink=purple>\n"
        "<table border=0 cellpadding=0 cellspacing=0 style='border-collapse:collapse;table-layout:fixed'>\n"
        + "\n".join(rows) + "\n</table></body></html>"
    )
    return page.encode("gbk", errors="xmlcharrefreplace")


# ---------------------------------------------------------------------------- scans

def scan(pdf: Path, out: Path, seed: int, dpi: int = 200) -> list[Path]:
    """Rasterise every page and make it look scanned: a tilt of up to ±1°, blur, noise."""
    prefix = out / pdf.stem
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(prefix)], check=True, timeout=300)
    rng = np.random.default_rng(seed)
    pages = sorted(out.glob(f"{pdf.stem}-*.png"))
    for page in pages:
        img = Image.open(page).convert("L")
        img = img.rotate(float(rng.uniform(-1, 1)), resample=Image.Resampling.BICUBIC, fillcolor=255)
        img = img.filter(ImageFilter.GaussianBlur(0.8))
        noisy = np.asarray(img, dtype=np.float32) + rng.normal(0, 12, (img.height, img.width))
        Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(page)
    return pages


# ---------------------------------------------------------------------------- the corpus

def _html_sources() -> dict[str, bytes]:
    out = {}
    for key, record in RECORDS.items():
        for style in STYLES:
            out[f"{key}.{style}.html"] = LAYOUTS[style](record)
        clean = out[f"{key}.html_clean.html"].decode()
        out[f"{key}.unruled.html"] = clean.replace('border="1"', 'border="0" cellpadding="4"').encode()
    return out


@functools.cache
def corpus() -> Path:
    """The converted fixtures: html/, pdf/, doc/, docx/, xlsx/ (LibreOffice), pydocx/, pyxlsx/, and
    xls/ (LibreOffice's Excel 97 copies of pyxlsx/)."""
    sources = _html_sources()
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for name in sorted(sources):
        digest.update(name.encode() + sources[name])
    root = Path(tempfile.gettempdir()) / f"xxgk-media-{digest.hexdigest()[:16]}"
    with (Path(tempfile.gettempdir()) / "xxgk-media.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "done").exists():
            _build(root, sources)
    return root


def _build(root: Path, sources: dict[str, bytes]) -> None:
    if root.exists():
        shutil.rmtree(root)
    html = root / "html"
    html.mkdir(parents=True)
    for name, data in sources.items():
        (html / name).write_bytes(data)
    files = sorted(html.glob("*.html"))
    styled = [p for p in files if ".unruled." not in p.name]
    soffice(files, "pdf:writer_pdf_Export", root / "pdf", "HTML (StarWriter)")
    soffice(styled, "doc:MS Word 97", root / "doc", "HTML (StarWriter)")
    soffice(styled, "docx:MS Word 2007 XML", root / "docx", "HTML (StarWriter)")
    soffice([p for p in files if ".html_clean." in p.name], "xlsx", root / "xlsx", "HTML (StarCalc)")
    for sub, build in (("pydocx", docx_bytes), ("pyxlsx", xlsx_bytes)):
        (root / sub).mkdir()
        for key, record in RECORDS.items():
            (root / sub / f"{key}.{sub[2:]}").write_bytes(build(record))
    soffice([root / "pyxlsx" / f"{k}.xlsx" for k in ("gold-000", "random-1-2019", "gold-004")], "xls", root / "xls")
    (root / "done").touch()


def names(kind: str) -> list[str]:
    """The file names a corpus directory holds, known without building the corpus (for
    parametrising tests at collection time)."""
    keys = sorted(RECORDS)
    if kind == "pdf":
        return [f"{k}.{style}.pdf" for k in keys for style in (*STYLES, "unruled")]
    if kind in {"doc", "docx", "xlsx"}:
        styles = ("html_clean",) if kind == "xlsx" else STYLES
        return [f"{k}.{style}.{kind}" for k in keys for style in styles]
    return [f"{k}.{kind.removeprefix('py')}" for k in keys]


def path(kind: str, name: str) -> Path:
    return corpus() / kind / name


def record_of(name: str) -> Record:
    return RECORDS[name.split(".", 1)[0]]


@functools.cache
def scanned(name: str, dpi: int = 200) -> list[Path]:
    """Scan-like page images (PNG) of a corpus PDF, made once per content."""
    root = corpus()  # before taking the lock: corpus() takes it too
    out = root / "scans" / f"{name}-{dpi}"
    with (Path(tempfile.gettempdir()) / "xxgk-media.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "done").exists():
            out.mkdir(parents=True, exist_ok=True)
            scan(root / "pdf" / name, out, seed=7, dpi=dpi)
            (out / "done").touch()
    return sorted(out.glob("*.png"))
