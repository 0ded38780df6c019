"""PDF → Document: words and ruling lines read through pdfium, pages without usable text through OCR.

pdfium (pypdfium2: Chrome's PDF engine, in C) reads a page's characters and drawn paths in
milliseconds. pdfminer, under pdfplumber, took half a second for a three-page report — most of it
parsing in Python the 65,536-entry ToUnicode map a CJK font carries, the rest interpreting content
streams — and misdecoded some CJK fonts besides. The layout code is handed what pdfplumber gave
it: words cut as its `extract_words(x_tolerance=1)` cut them, and the cells of ruled tables found
by its own table finder (`pdfplumber.table`, pure geometry) from the edges of every rectangle and
line drawn, all in the frame of the page as shown (crop box, /Rotate, origin top left, points).
PyMuPDF is AGPL and stays out.

The cheap questions — is it encrypted, how many pages — are answered before any page is read, so a
10,000-page or password-protected file is refused at once. A page with next to no text and a
page-sized image, or with text its fonts give no map for, is rendered for OCR.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator, Sequence
from importlib.metadata import version
from itertools import pairwise
from typing import Any

import numpy as np

from extract.document import Document
from extract.errors import UnreadableInputError
from extract.geometry import Box, Word, cells_of_rules, closing_rules, edge, merge_rules
from extract.limits import Deadline, Limits
from extract.pages import Page, assemble
from extract.pdfium_bulk import SEGMENT_FIELDS, read_chars, read_segments

MIN_TEXT_CHARS = 20  # a page with fewer characters in its text layer and a page-sized image is a scan
SCAN_SHARE = 0.5  # of the page an image must cover to be a scanned page
GARBLED_SHARE = 0.2  # of a page's characters outside the scripts of a Chinese report: misdecoded text
WORD_GAP = 1.0  # pt between two characters that splits a word (pdfplumber's x_tolerance=1)
LINE_STEP = 3.0  # pt between the tops of characters on one line (pdfplumber's y_tolerance)
RULE_SNAP = 3.0  # pt: pdfplumber's table finder joins, snaps and meets rules within this
MIN_RULE = 3.0  # pt: a shorter rule is no table border (pdfplumber's edge_min_length)
MIN_PIECE = 1.0  # pt: pieces shorter than this are dropped before joining (edge_min_length_prefilter)
LEAN = 0.1  # pt a rule may drift across its length and still run straight down or across
FORM_DEPTH = 10  # levels of form XObjects (content drawn through `Do`) looked into

Matrix = tuple[float, float, float, float, float, float]  # a b c d e f: (x, y) → (ax + cy + e, bx + dy + f)
_Char = tuple[str, float, float, float, float]  # text, x0, top, x1, bottom


def open_pdfium(data: bytes, limits: Limits) -> Any:
    """The pdfium document, once it is known to be readable and of a sane length."""
    import pypdfium2 as pdfium  # noqa: PLC0415 - heavy, only for PDFs

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc)
        if "password" in reason.lower():
            raise UnreadableInputError("pdf.encrypted", medium="pdf") from None
        raise UnreadableInputError("pdf.corrupt", medium="pdf", reason=reason[:160]) from None
    pages = len(doc)
    if pages > limits.max_pages:
        doc.close()
        raise UnreadableInputError("pdf.too_many_pages", medium="pdf", pages=pages, limit=limits.max_pages)
    if pages == 0:
        doc.close()
        raise UnreadableInputError("pdf.no_pages", medium="pdf")
    return doc


def pdf_document(data: bytes, limits: Limits) -> Document:
    deadline = Deadline(limits.extract_timeout, "pdf")
    pdfium_doc = open_pdfium(data, limits)
    try:
        pages, scanned = _text_pages(pdfium_doc, deadline)
        title = pdfium_doc.get_metadata_value("Title")
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
        extractor = f"pdf:pdfium-{version('pypdfium2')}/{found}" + (f"+ocr-{engine}" if engine else "")
    return Document(layout.blocks, extractor, medium="pdf", title_candidates=[title] if title.strip() else [])


def _text_pages(doc: Any, deadline: Deadline) -> tuple[list[Page], list[int]]:
    """Every page's words and ruled tables, and the pages that need OCR."""
    import pypdfium2 as pdfium  # noqa: PLC0415 - heavy, only for PDFs

    pages: list[Page] = []
    scanned: list[int] = []
    for n in range(len(doc)):
        deadline.check()
        try:
            page = doc[n]
            try:
                read, scan = _read(page)
            finally:
                page.close()
        except pdfium.PdfiumError as exc:
            raise UnreadableInputError("pdf.page_corrupt", medium="pdf", page=n + 1, reason=str(exc)[:160]) from None
        pages.append(read)
        if scan:
            scanned.append(n)
    return pages, scanned


def _read(page: Any) -> tuple[Page, bool]:
    """One page's words and ruled tables, and whether it needs OCR: a scan (next to no text on a
    page-sized image) or text that reads as no Chinese report does (a font without a map to
    Unicode gives its raw codes, which pdfium flags or which land in other scripts)."""
    frame, width, height = _frame(page)
    words = _words(page, frame)
    chars = sum(len(w.text) for w in words)
    if (chars < MIN_TEXT_CHARS and _image_share(page, frame, width * height) > SCAN_SHARE) or _garbled(words):
        return Page(width, height, []), True
    return Page(width, height, words, _ruled(page, frame)), False


def _frame(page: Any) -> tuple[Matrix, float, float]:
    """The matrix from PDF user space to the page as shown (its crop box, turned by /Rotate,
    origin top left, y down: pdfplumber's frame), and the page's width and height there."""
    left, bottom, right, top = page.get_bbox()
    turn = page.get_rotation()
    matrix: Matrix = {
        90: (0.0, 1.0, 1.0, 0.0, -bottom, -left),
        180: (-1.0, 0.0, 0.0, 1.0, right, -bottom),
        270: (0.0, -1.0, -1.0, 0.0, top, right),
    }.get(turn, (1.0, 0.0, 0.0, -1.0, -left, top))
    width, height = right - left, top - bottom
    return (matrix, height, width) if turn in (90, 270) else (matrix, width, height)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _then(inner: Matrix, outer: Matrix) -> Matrix:
    """`inner` followed by `outer`."""
    a, b, c, d, e, f = inner
    return (a * outer[0] + b * outer[2], a * outer[1] + b * outer[3], c * outer[0] + d * outer[2],
            c * outer[1] + d * outer[3], *_apply(outer, e, f))


def _box(m: Matrix, corners: Sequence[tuple[float, float]]) -> Box:
    xs, ys = zip(*(_apply(m, x, y) for x, y in corners), strict=True)
    return Box(min(xs), min(ys), max(xs), max(ys))


# ---------------------------------------------------------------------------- words

def _words(page: Any, frame: Matrix) -> list[Word]:
    """pdfium's characters, each boxed by its advance and one em up from its baseline, cut into
    words as pdfplumber cut them; the spaces and line breaks pdfium infers are left out, the gaps
    decide.

    pdfium's own box follows the glyph's outline across the line when a font's descriptor gives
    no ascent and descent (LibreOffice writes 0 for both): a `；` then sits on a line of its own.
    pdfminer took the em from the descriptor's descent, which aligns fonts only when all of them
    give 0; one em up from the baseline aligns every font on a line. A page has a thousand
    characters: they are read in one call (extract.pdfium_bulk) and placed all at once."""
    fa, fb, fc, fd, fe, ff = frame
    textpage = page.get_textpage()
    try:
        rows = read_chars(textpage.raw)
    finally:
        textpage.close()
    text = [chr(code) for code in rows[:, 0].astype(np.int64).tolist()]
    keep = np.ones(len(text), dtype=bool)
    for i in np.flatnonzero(rows[:, 1]).tolist():
        keep[i] = not text[i].isspace()  # a space or line break pdfium inferred, not a character on the page
    _, _, left, top, right, bottom, x, y, ma, mb, mc, md, size = rows[keep].T
    xs = (fa * left + fc * top + fe, fa * right + fc * bottom + fe)
    ys = (fb * left + fd * top + ff, fb * right + fd * bottom + ff)
    up, across = mc * fb + md * fd, np.abs(ma * fb + mb * fd) + np.abs(mc * fa + md * fc)
    upright = across <= 0.01 * np.abs(up)  # upright on the page, not set sideways or slanted
    baseline = fb * x + fd * y + ff
    ys = (np.where(upright, baseline, ys[0]), np.where(upright, baseline + up * size, ys[1]))  # up < 0: y runs down
    kept = [ch for ch, k in zip(text, keep.tolist(), strict=True) if k]
    chars: list[_Char] = list(zip(kept, np.minimum(*xs).tolist(), np.minimum(*ys).tolist(),
                                  np.maximum(*xs).tolist(), np.maximum(*ys).tolist(), strict=True))
    return _cut(chars)


def _cut(chars: Sequence[_Char]) -> list[Word]:
    """Characters → words, as pdfplumber's `extract_words(x_tolerance=1)`: a line is a chain of
    characters whose tops lie within LINE_STEP of the next, read left to right; a word ends at a
    space, at a gap wider than WORD_GAP, or where the next character starts left of the last."""
    line_of: dict[float, int] = {}
    last = -float("inf")
    for top in sorted({c[2] for c in chars}):
        line_of[top] = len(line_of) if top > last + LINE_STEP else line_of[last]
        last = top
    lines: dict[int, list[_Char]] = {}
    for c in chars:
        lines.setdefault(line_of[c[2]], []).append(c)
    words: list[Word] = []
    for _, line in sorted(lines.items()):
        run: list[_Char] = []
        for c in sorted(line, key=lambda c: c[1]):
            if run and (c[0].isspace() or c[1] < run[-1][1] or c[1] > run[-1][3] + WORD_GAP
                        or abs(c[2] - run[-1][2]) > LINE_STEP):
                words.append(_word(run))
                run = []
            if not c[0].isspace():
                run.append(c)
        if run:
            words.append(_word(run))
    return words


def _word(run: Sequence[_Char]) -> Word:
    text, x0s, tops, x1s, bottoms = zip(*run, strict=True)
    return Word("".join(text), Box(min(x0s), min(tops), max(x1s), max(bottoms)))


def _plausible(ch: str) -> bool:
    """A character a Chinese report is written in: Latin, punctuation, CJK, full-width forms."""
    o = ord(ch)
    return o < 0x250 or 0x2000 <= o < 0x2070 or 0x3000 <= o < 0x3100 or 0x3400 <= o < 0xA000 or 0xFF00 <= o < 0xFFF0


def _garbled(words: Sequence[Word]) -> bool:
    text = "".join(w.text for w in words)
    return sum(not _plausible(ch) for ch in text) > GARBLED_SHARE * max(1, len(text))


# ---------------------------------------------------------------------------- drawn objects

def _placed(page: Any, frame: Matrix, kind: int) -> Iterator[tuple[Any, Matrix]]:
    """The page's objects of one kind (`FPDF_PAGEOBJ_*`), those drawn inside form XObjects too,
    each with the matrix that takes its own coordinates onto the page as shown."""
    import pypdfium2.raw as pdfium_c  # noqa: PLC0415

    m = pdfium_c.FS_MATRIX()

    def walk(parent: Any, count: Any, get: Any, outer: Matrix, depth: int) -> Iterator[tuple[Any, Matrix]]:
        for i in range(count(parent)):
            obj = get(parent, i)
            what = pdfium_c.FPDFPageObj_GetType(obj)
            if what not in (kind, pdfium_c.FPDF_PAGEOBJ_FORM) or not pdfium_c.FPDFPageObj_GetMatrix(
                obj, ctypes.byref(m)
            ):
                continue
            placed = _then((m.a, m.b, m.c, m.d, m.e, m.f), outer)
            if what == kind:
                yield obj, placed
            elif depth < FORM_DEPTH:
                yield from walk(obj, pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject, placed,
                                depth + 1)

    yield from walk(page.raw, pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject, frame, 0)


def _image_share(page: Any, frame: Matrix, area: float) -> float:
    """The largest share of the page one image covers (an image fills the unit square of its matrix)."""
    import pypdfium2.raw as pdfium_c  # noqa: PLC0415

    unit = ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0))
    boxes = (_box(m, unit) for _, m in _placed(page, frame, pdfium_c.FPDF_PAGEOBJ_IMAGE))
    return max(((b.x1 - b.x0) * b.height / (area or 1.0) for b in boxes), default=0.0)


def _ruled(page: Any, frame: Matrix) -> list[list[Box]]:
    """The cells of each ruled table, as `pdfplumber.Page.find_tables` found them, its frame closed
    where a border was left out: the page's rules with pieces under MIN_PIECE dropped, joined and
    snapped within RULE_SNAP, rules under MIN_RULE dropped, then pdfplumber's table finder."""
    edges = list(_edges(page, frame))
    closing = closing_rules(e for e in edges if e["orientation"] == "v")
    pieces = [e for e in edges if _length(e) >= MIN_PIECE]
    rules = [e for e in merge_rules(pieces + closing, RULE_SNAP, RULE_SNAP)
             if _length(e) >= MIN_RULE]
    return cells_of_rules(rules, RULE_SNAP)


def _length(e: dict[str, Any]) -> float:
    return float(e["height"] if e["orientation"] == "v" else e["width"])


def _edges(page: Any, frame: Matrix) -> Iterator[dict[str, Any]]:
    """Every horizontal and vertical straight piece of every drawn path, filled or stroked (a
    border may be a thin filled rectangle or a stroked line), as pdfplumber's `page.edges`: a
    curve by its chord, a closed subpath closed back to its start. A ruled page draws hundreds
    of paths: each is read in one call (extract.pdfium_bulk)."""
    import pypdfium2.raw as pdfium_c  # noqa: PLC0415

    move, curve = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_BEZIERTO
    for obj, (a, b, c, d, e, f) in _placed(page, frame, pdfium_c.FPDF_PAGEOBJ_PATH):
        points: list[tuple[float, float]] = []
        bezier = 0
        segments = read_segments(obj)
        for k in range(0, len(segments), SEGMENT_FIELDS):
            kind, closes, x, y = segments[k : k + SEGMENT_FIELDS]
            bezier = bezier + 1 if kind == curve else 0
            if kind == move:
                yield from _straight(points)
                points = []
            if bezier % 3 == 0:  # a Bézier curve's two control points are not on it
                points.append((a * x + c * y + e, b * x + d * y + f))
            if closes and points:
                points.append(points[0])
        yield from _straight(points)


def _straight(points: Sequence[tuple[float, float]]) -> Iterator[dict[str, Any]]:
    """The pieces between successive points that run across or down the page (a producer that
    rounds its coordinates may tilt a rule by a hair), at their leftmost or topmost coordinate."""
    for (x0, y0), (x1, y1) in pairwise(points):
        dx, dy = abs(x1 - x0), abs(y1 - y0)
        if dx <= LEAN < dy or (dx == 0 < dy):
            yield edge("v", min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1))
        elif dy <= LEAN < dx or (dy == 0 < dx):
            yield edge("h", min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1))
