"""The C bulk readers (extract/pdfium_bulk.c) against pdfium asked one question at a time through ctypes."""

from __future__ import annotations

import ctypes
import io
import random

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extract.pdfium_bulk import CHAR_FIELDS, SEGMENT_FIELDS, read_chars, read_segments
from sim.media import pdf_bytes
from sim.render import random_record


def _one_by_one(tp: object) -> list[list[float]]:
    rows = []
    box, m, x, y = pdfium_c.FS_RECTF(), pdfium_c.FS_MATRIX(), ctypes.c_double(), ctypes.c_double()
    for i in range(pdfium_c.FPDFText_CountChars(tp)):
        assert pdfium_c.FPDFText_GetLooseCharBox(tp, i, box)
        assert pdfium_c.FPDFText_GetCharOrigin(tp, i, x, y)
        assert pdfium_c.FPDFText_GetMatrix(tp, i, m)
        rows.append([pdfium_c.FPDFText_GetUnicode(tp, i), bool(pdfium_c.FPDFText_IsGenerated(tp, i)),
                     box.left, box.top, box.right, box.bottom, x.value, y.value, m.a, m.b, m.c, m.d,
                     pdfium_c.FPDFText_GetFontSize(tp, i)])
    return rows


def test_every_character_as_pdfium_gives_it() -> None:
    doc = pdfium.PdfDocument(pdf_bytes(random_record(random.Random(3), fmt="2021")))
    page = doc[0]
    textpage = page.get_textpage()
    rows = read_chars(textpage.raw)
    assert rows.shape[1] == CHAR_FIELDS
    assert rows.shape[0] > 500
    assert rows.tolist() == _one_by_one(textpage.raw)


def test_every_segment_of_a_long_path_as_pdfium_gives_it() -> None:
    """A path of 301 segments: more than the reader's first buffer holds."""
    doc = pdfium.PdfDocument.new()
    page = doc.new_page(600, 800)
    path = pdfium_c.FPDFPageObj_CreateNewPath(10, 10)
    for k in range(1, 301):
        pdfium_c.FPDFPath_LineTo(path, 10 + k, 10 + (k % 7))
    pdfium_c.FPDFPath_Close(path)
    pdfium_c.FPDFPage_InsertObject(page.raw, path)
    flat = read_segments(path)
    assert len(flat) == 301 * SEGMENT_FIELDS
    x, y = ctypes.c_float(), ctypes.c_float()
    for k in range(301):
        segment = pdfium_c.FPDFPath_GetPathSegment(path, k)
        assert pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        assert flat[k * SEGMENT_FIELDS : (k + 1) * SEGMENT_FIELDS] == [
            pdfium_c.FPDFPathSegment_GetType(segment), bool(pdfium_c.FPDFPathSegment_GetClose(segment)),
            x.value, y.value]
    out = io.BytesIO()
    doc.save(out)  # the path is the page's: saved with it, nothing leaks
