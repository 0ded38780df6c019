"""Every cap a file is held to, in one typed place.

Attachments come from portals we do not control: a hostile or broken file must end in a one-line
`UnreadableInputError`, never in a hang, a crash or an exhausted machine. Each extractor reads its
caps from `LIMITS`; tests and the benchmark pass their own `Limits` where they need other values.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from extract.errors import UnreadableInputError


@dataclass(frozen=True, slots=True)
class Limits:
    # a scanned 300-page report at 200 dpi is ~60 MB; anything larger is not one report (a file on
    # disk is refused by its size, and never read past this many bytes plus one)
    max_bytes: int = 80 * 1024 * 1024
    # a text or HTML report (and a gzip body inflated) is far smaller; bigger input is refused, not chewed
    max_text_bytes: int = 20 * 1024 * 1024
    # annual reports run to 5–40 pages; 300 leaves room for appendices and refuses page bombs
    max_pages: int = 300
    # zip containers (DOCX/XLSX/ODT/ODS): members, and inflated bytes in total and per member, counted
    # while every member is inflated in chunks, whatever the central directory declares
    max_zip_members: int = 2_000
    max_unzipped_bytes: int = 200 * 1024 * 1024
    max_zip_ratio: float = 200.0  # real DOCX XML inflates 5–20x; bombs 1000x and more
    # tables: a cell's span (Word exports carry absurd ones), and the positions a table, and all the
    # tables of a document, may expand to — counted from the spans before anything is allocated
    max_span: int = 200
    max_table_cells: int = 100_000
    max_document_cells: int = 1_000_000
    # images: decoded pixels of a whole image file, all its frames together (a 200-dpi A3 page is ~10 Mpx)
    max_pixels: int = 60_000_000
    # OCR: pixels of one page it works on (a bigger page is scaled down: A4 at 300 dpi is 8.7 Mpx; the
    # detector's memory grows with them, ~0.2 GB a Mpx), the dpi a PDF page is rendered at, and pages
    ocr_page_pixels: int = 9_000_000
    ocr_dpi: int = 200
    max_ocr_pages: int = 60  # a report scanned page by page; beyond that OCR is a batch job, not a parse (0: no OCR)
    # wall clock: one LibreOffice conversion (its process group is killed), one tesseract page
    # (a child process too), and a whole attachment. Work in this process (pdfium, RapidOCR)
    # cannot be pre-empted safely: it is checked against `extract_timeout` between pages, and
    # bounded per page by the page and pixel caps.
    convert_timeout: float = 90.0
    ocr_page_timeout: float = 60.0
    extract_timeout: float = 600.0
    # spreadsheets: report tables are small; a sheet this big is not a report
    max_sheet_cells: int = 200_000


LIMITS = Limits()


class Deadline:
    """A wall-clock budget checked between pages: work in this process cannot be pre-empted safely,
    so extractors check it at every page (or sheet) and give up with a clear reason."""

    def __init__(self, seconds: float, what: str) -> None:
        self.end = time.monotonic() + seconds
        self.seconds = seconds
        self.what = what

    def left(self) -> float:
        return self.end - time.monotonic()

    def check(self) -> None:
        if self.left() <= 0:
            raise UnreadableInputError("attachment.timeout", medium=self.what, seconds=self.seconds)


class CellBudget:
    """The grid positions one document's tables may still expand to: a table asks before anything
    is allocated, and one refused (too big alone, or the document's budget spent) is read as lines."""

    def __init__(self, limits: Limits = LIMITS) -> None:
        self.table = limits.max_table_cells
        self.left = limits.max_document_cells

    def grant(self, cells: int) -> bool:
        if cells > self.table or cells > self.left:
            return False
        self.left -= cells
        return True
