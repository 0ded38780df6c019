"""PDF → Document: the text layer through pdfplumber, pages without one through OCR.

pdfplumber (MIT) reads words and finds ruled tables; PyMuPDF is AGPL and stays out. pypdfium2,
which pdfplumber already brings, answers the cheap questions first — is it encrypted, how many
pages — so a 10,000-page or password-protected file is refused before any page is parsed, and
renders scanned pages for OCR.
"""

from __future__ import annotations

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
GARBLED_SHARE = 0.2  # of a page's characters outside the scripts of a Chinese report: misdecoded text


def open_pdfium(data: bytes, limits: Limits) -> Any:
    """The pdfium document, once it is known to be readable and of a sane length."""
    import pypdfium2 as pdfium  # noqa: PLC0415 - heavy, only for PDFs

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
        pages, scanned, title, relaid = _text_pages(data, pdfium_doc, deadline)
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
        extractor = f"pdf:pdfplumber-{version('pdfplumber')}/{found}"
        extractor += "+pdfium-text" if relaid else ""
        extractor += f"+ocr-{engine}" if engine else ""
    return Document(layout.blocks, extractor, medium="pdf", title_candidates=[title] if title else [])


def _text_pages(
    data: bytes, pdfium_doc: Any, deadline: Deadline
) -> tuple[list[Page], list[int], str | None, bool]:
    """Every page's words and ruled tables; the pages that need OCR; the PDF's Title; whether
    pdfium's text stood in for pdfminer's on some page.

    pdfminer misdecodes some CJK fonts (a predefined `UniGB-UCS2-H` encoding with a ToUnicode map
    gives Tibetan and Devanagari; a font without a map gives `(cid:123)`); pdfium reads those as
    a viewer does, so its text is taken instead. A page whose text neither can read is OCR'd."""
    import pdfplumber  # noqa: PLC0415 - heavy, only for PDFs

    pages: list[Page] = []
    scanned: list[int] = []
    relaid = False
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            title = (pdf.metadata or {}).get("Title")
            for n, page in enumerate(pdf.pages):
                deadline.check()
                words = _words(page.extract_words(x_tolerance=1, keep_blank_chars=False, use_text_flow=False))
                if _garbled(words):
                    words, relaid = _pdfium_words(pdfium_doc[n]), True
                chars = sum(len(w.text) for w in words)
                if (chars < MIN_TEXT_CHARS and _image_share(page) > SCAN_SHARE) or _garbled(words):
                    scanned.append(n)
                    pages.append(Page(float(page.width), float(page.height), []))
                else:
                    pages.append(Page(float(page.width), float(page.height), words, _ruled(page)))
                page.close()
    except UnreadableInputError:
        raise
    except Exception as exc:  # noqa: BLE001 - pdfminer raises anything on a malformed object; the file is what is broken
        raise UnreadableInputError(f"pdf: corrupt or unsupported file ({type(exc).__name__}: {exc})"[:200]) from None
    return pages, scanned, title if isinstance(title, str) and title.strip() else None, relaid


def _plausible(ch: str) -> bool:
    """A character a Chinese report is written in: Latin, punctuation, CJK, full-width forms."""
    o = ord(ch)
    return o < 0x250 or 0x2000 <= o < 0x2070 or 0x3000 <= o < 0x3100 or 0x3400 <= o < 0xA000 or 0xFF00 <= o < 0xFFF0


def _garbled(words: Sequence[Word]) -> bool:
    text = "".join(w.text for w in words)
    odd = sum(not _plausible(ch) for ch in text) + 6 * text.count("(cid:")  # `(cid:12)` reads as 9 plain chars
    return odd > GARBLED_SHARE * max(1, len(text))


def _pdfium_words(page: Any) -> list[Word]:
    """pdfium's characters with their boxes (the font-size box, so lines line up), as words: runs
    of characters on one line with no gap between them."""
    height = float(page.get_height())
    textpage = page.get_textpage()
    words: list[Word] = []
    text, box = "", None
    try:
        for i in range(textpage.count_chars()):
            ch = textpage.get_text_range(i, 1)
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
            here = Box(float(left), height - float(top), float(right), height - float(bottom))
            if box is not None and ch.strip() and abs(here.top - box.top) < 1 and here.x0 - box.x1 <= 1:
                text, box = text + ch, box.union(here)
                continue
            if box is not None:
                words.append(Word(text, box))
            text, box = (ch, here) if ch.strip() else ("", None)
        if box is not None:
            words.append(Word(text, box))
    finally:
        textpage.close()
    return words


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
