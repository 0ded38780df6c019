"""PDF → Document: the text layer through pdfplumber, pages without one through OCR.

pdfplumber (MIT) reads words and finds ruled tables; PyMuPDF is AGPL and stays out. pypdfium2,
which pdfplumber already brings, answers the cheap questions first — is it encrypted, how many
pages — so a 10,000-page or password-protected file is refused before any page is parsed, and
renders scanned pages for OCR.
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Sequence
from importlib.metadata import version
from typing import Any

from extract.document import Document
from extract.errors import UnreadableInputError
from extract.geometry import Box, Word, closing_rules
from extract.limits import Deadline, Limits
from extract.pages import Page, assemble

MIN_TEXT_CHARS = 20  # a page with fewer characters in its text layer and a page-sized image is a scan
SCAN_SHARE = 0.5  # of the page an image must cover to be a scanned page
MAX_CID_SHARE = 0.3  # `(cid:1234)` glyphs: a font without a Unicode map, unreadable as text


def open_pdfium(data: bytes, limits: Limits) -> Any:
    """The pdfium document, once it is known to be readable and of a sane length."""
    pdfium = importlib.import_module("pypdfium2")  # untyped package (no stubs), only for PDFs

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc)
        if "password" in reason.lower():
            raise UnreadableInputError("pdf: encrypted (opening it needs a password)") from None
        raise UnreadableInputError(f"pdf: truncated or corrupt file ({reason})") from None
    pages = len(doc)
    if pages > limits.max_pages:
        doc.close()
        raise UnreadableInputError(f"pdf: {pages} pages (limit {limits.max_pages} for one report)")
    if pages == 0:
        doc.close()
        raise UnreadableInputError("pdf: the file has no pages")
    return doc


def pdf_document(data: bytes, limits: Limits) -> Document:
    deadline = Deadline(limits.extract_timeout, "pdf")
    pdfium_doc = open_pdfium(data, limits)
    try:
        pages, scanned, title = _text_pages(data, deadline)
        engine = None
        if scanned:
            from extract.ocr import ocr_pdf_pages  # noqa: PLC0415 - heavy: onnxruntime, opencv

            engine, ocr_pages = ocr_pdf_pages(pdfium_doc, scanned, limits, deadline)
            for n, page in zip(scanned, ocr_pages, strict=True):
                pages[n] = page
    finally:
        pdfium_doc.close()
    layout = assemble(pages)
    found = "+".join(sorted(layout.kinds)) or "text"
    if engine is not None and len(scanned) == len(pages):
        extractor = f"pdf:ocr-{engine}"
    else:
        extractor = f"pdf:pdfplumber-{version('pdfplumber')}/{found}" + (f"+ocr-{engine}" if engine else "")
    return Document(layout.blocks, extractor, medium="pdf", title_candidates=[title] if title else [])


def _text_pages(data: bytes, deadline: Deadline) -> tuple[list[Page], list[int], str | None]:
    """Every page's words and ruled tables; the pages that need OCR; the PDF's Title."""
    import pdfplumber  # noqa: PLC0415 - heavy, only for PDFs

    pages: list[Page] = []
    scanned: list[int] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            title = (pdf.metadata or {}).get("Title")
            for n, page in enumerate(pdf.pages):
                deadline.check()
                words = _words(page.extract_words(x_tolerance=1, keep_blank_chars=False, use_text_flow=False))
                chars = sum(len(w.text) for w in words)
                cid = sum(w.text.count("(cid:") for w in words)
                if (chars < MIN_TEXT_CHARS and _image_share(page) > SCAN_SHARE) or cid * 8 > MAX_CID_SHARE * chars:
                    scanned.append(n)
                    pages.append(Page(float(page.width), float(page.height), []))
                else:
                    pages.append(Page(float(page.width), float(page.height), words, _ruled(page)))
                page.close()
    except UnreadableInputError:
        raise
    except Exception as exc:  # noqa: BLE001 - pdfminer raises anything on a malformed object; the file is what is broken
        raise UnreadableInputError(f"pdf: corrupt or unsupported file ({type(exc).__name__}: {exc})"[:200]) from None
    return pages, scanned, title if isinstance(title, str) and title.strip() else None


def _image_share(page: Any) -> float:
    area = float(page.width) * float(page.height) or 1.0
    return max((abs(float(i["x1"]) - float(i["x0"])) * abs(float(i["bottom"]) - float(i["top"])) / area
                for i in page.images), default=0.0)


def _ruled(page: Any) -> list[list[Box]]:
    """The cells of each ruled table, its frame closed where a border was left out."""
    closing = closing_rules(e for e in page.edges if e["orientation"] == "v")
    tables = page.find_tables({"explicit_horizontal_lines": closing} if closing else None)
    return [[Box(*map(float, c)) for c in t.cells] for t in tables]


def _words(raw: Sequence[dict[str, Any]]) -> list[Word]:
    return [
        Word(str(w["text"]), Box(float(w["x0"]), float(w["top"]), float(w["x1"]), float(w["bottom"])))
        for w in raw
        if str(w["text"]).strip()
    ]
