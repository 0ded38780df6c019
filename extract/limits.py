"""Every cap an attachment is held to, in one typed place.

Attachments come from portals we do not control: a hostile or broken file must end in a one-line
`UnreadableInputError`, never in a hang, a crash or an exhausted machine. Each extractor reads its
caps from `LIMITS`; tests and the benchmark pass their own `Limits` where they need other values.
"""

from __future__ import annotations

import io
import time
import zipfile
from dataclasses import dataclass

from extract.errors import UnreadableInputError


@dataclass(frozen=True, slots=True)
class Limits:
    # a scanned 300-page report at 200 dpi is ~60 MB; anything larger is not one report
    max_bytes: int = 80 * 1024 * 1024
    # annual reports run to 5–40 pages; 300 leaves room for appendices and refuses page bombs
    max_pages: int = 300
    # zip containers (DOCX/XLSX): members, total inflated size and per-member ratio, all read from
    # the central directory before anything is inflated (zipfile never inflates past a declared size)
    max_zip_members: int = 2_000
    max_unzipped_bytes: int = 200 * 1024 * 1024
    max_zip_ratio: float = 200.0  # real DOCX XML inflates 5–20x; bombs 1000x and more
    # images: decoded pixels (a 200-dpi A3 page is ~10 Mpx) and the longest side OCR works on
    max_pixels: int = 60_000_000
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
            raise UnreadableInputError(f"{self.what}: gave up after {self.seconds:.0f} s")


def check_zip(data: bytes, medium: str, limits: Limits) -> None:
    """Refuse a zip container (DOCX, XLSX) whose central directory promises too much: too many
    members, too many inflated bytes, or a member inflating far beyond any real document. Only the
    directory is read; `zipfile` never inflates a member past the size declared there, so these
    numbers bound what the reader can be made to inflate."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise UnreadableInputError(f"{medium}: truncated or corrupt archive ({exc})") from None
    if len(infos) > limits.max_zip_members:
        raise UnreadableInputError(f"{medium}: {len(infos)} archive members (limit {limits.max_zip_members})")
    total = sum(i.file_size for i in infos)
    if total > limits.max_unzipped_bytes:
        raise UnreadableInputError(
            f"{medium}: zip bomb refused: inflates to {total >> 20} MiB (limit {limits.max_unzipped_bytes >> 20} MiB)"
        )
    for info in infos:
        if info.file_size > 1_000_000 and info.file_size > limits.max_zip_ratio * max(1, info.compress_size):
            ratio = info.file_size / max(1, info.compress_size)
            raise UnreadableInputError(
                f"{medium}: zip bomb refused: {info.filename} inflates {ratio:.0f}x (limit {limits.max_zip_ratio:.0f}x)"
            )
