"""A page's characters and a path's segments read from pdfium in one call each (extract/pdfium_bulk.c).

Through ctypes each pdfium call costs about a microsecond, and a PDF page asked six of them per
character and four per segment of its table rules: a fifth of a PDF's parse. The C loops ask the
same questions and return arrays; pdfium's functions are handed to them as pointers, because
pypdfium2 loads pdfium privately.
"""

from __future__ import annotations

import ctypes
from functools import cache
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pypdfium2.raw as pdfium_c

CHAR_FIELDS = 13  # code, generated, box left top right bottom, origin x y, matrix a b c d, font size
SEGMENT_FIELDS = 4  # kind, closes, x, y


def _pointers(*functions: Any) -> list[int | None]:
    return [ctypes.cast(f, ctypes.c_void_p).value for f in functions]


class _Table(ctypes.Structure):
    """A table of pdfium function pointers, in the order of a struct in pdfium_bulk.c."""

    def __init__(self, *functions: Any) -> None:
        super().__init__(*_pointers(*functions))


class _TextFunctions(_Table):
    _fields_ = [(name, ctypes.c_void_p) for name in ("count_chars", "unicode", "unicode_map_error", "generated",
                                                     "loose_box", "origin", "matrix", "font_size")]


class _PathFunctions(_Table):
    _fields_ = [(name, ctypes.c_void_p) for name in ("count_segments", "segment", "point", "kind", "closes")]


class _Reader:
    """The library with its function tables, loaded once per process."""

    def __init__(self) -> None:
        here = Path(__file__).parent
        found = [p for p in (here / f"_pdfium_bulk{s}" for s in EXTENSION_SUFFIXES) if p.exists()]
        if not found:
            raise ImportError("extract/_pdfium_bulk is not built: run `pip install -e .` (it needs a C compiler)")
        lib = ctypes.CDLL(str(found[0]))
        self.read_chars = lib.xxgk_read_chars
        self.read_segments = lib.xxgk_read_segments
        for f in (self.read_chars, self.read_segments):
            f.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
            f.restype = ctypes.c_int
        self.text = _TextFunctions(
            pdfium_c.FPDFText_CountChars, pdfium_c.FPDFText_GetUnicode, pdfium_c.FPDFText_HasUnicodeMapError,
            pdfium_c.FPDFText_IsGenerated, pdfium_c.FPDFText_GetLooseCharBox, pdfium_c.FPDFText_GetCharOrigin,
            pdfium_c.FPDFText_GetMatrix, pdfium_c.FPDFText_GetFontSize,
        )
        self.path = _PathFunctions(
            pdfium_c.FPDFPath_CountSegments, pdfium_c.FPDFPath_GetPathSegment, pdfium_c.FPDFPathSegment_GetPoint,
            pdfium_c.FPDFPathSegment_GetType, pdfium_c.FPDFPathSegment_GetClose,
        )
        self.segments = (ctypes.c_double * (SEGMENT_FIELDS * 64))()  # grown for a path with more segments


@cache
def _reader() -> _Reader:
    return _Reader()


def _address(handle: Any) -> int | None:
    return ctypes.cast(handle, ctypes.c_void_p).value


def read_chars(textpage: Any) -> npt.NDArray[np.float64]:
    """The text page's characters (pdfium's FPDF_TEXTPAGE), one row of CHAR_FIELDS each."""
    reader = _reader()
    room = max(0, pdfium_c.FPDFText_CountChars(textpage))
    out = np.empty((room, CHAR_FIELDS))
    written = reader.read_chars(_address(textpage), ctypes.byref(reader.text), out.ctypes.data, room)
    return out[: max(0, written)]


def read_segments(path: Any) -> list[float]:
    """The path object's segments (an FPDF_PAGEOBJECT), SEGMENT_FIELDS values each, flat."""
    reader = _reader()
    n = reader.read_segments(_address(path), ctypes.byref(reader.path), reader.segments,
                              len(reader.segments) // SEGMENT_FIELDS)
    if n * SEGMENT_FIELDS > len(reader.segments):
        reader.segments = (ctypes.c_double * (SEGMENT_FIELDS * n))()
        n = reader.read_segments(_address(path), ctypes.byref(reader.path), reader.segments, n)
    return reader.segments[: n * SEGMENT_FIELDS]
