"""Which medium a file is, by its magic bytes first and its name second, and who reads it.

Portals name attachments badly (`downfile.jsp?filename=<hash>`, a `.doc` that is HTML, a `.wps`
that is a Word file), so the bytes decide. The name only separates what the bytes cannot: an OLE
container holds a Word, WPS or Excel file. Each medium's reader is imported only when a file of
that medium arrives: reading a `.txt` never loads pdfium or onnxruntime.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final, Literal

from extract.document import Document
from extract.errors import UnreadableInputError
from extract.limits import LIMITS, Limits
from extract.zipped import ZIP_ERRORS, open_zip, read_member

Medium = Literal["pdf", "docx", "doc", "wps", "rtf", "odt", "xlsx", "xls", "ods", "image"]
Accept = Callable[[Document], bool]

_OLE: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGIC: Final = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF87a", b"GIF89a")
_BMP_HEADER_SIZES: Final = frozenset({12, 40, 52, 56, 108, 124})  # `BM` alone is too weak a magic
_WORD_STREAM: Final = "WordDocument".encode("utf-16-le")  # OLE directory entries are UTF-16LE names
_BOOK_STREAMS: Final = ("Workbook".encode("utf-16-le"), "Book\x00".encode("utf-16-le"))
_OLE_SUFFIX: Final[dict[str, Medium]] = {".doc": "doc", ".xls": "xls", ".et": "xls"}
_ODF: Final[dict[bytes, Medium]] = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
# suffixes `xxgk parse DIR` picks up besides text and HTML
ATTACHMENT_SUFFIXES: Final = frozenset({
    ".pdf", ".docx", ".doc", ".wps", ".rtf", ".odt", ".xlsx", ".xls", ".et", ".ods",
    ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp",
})


def sniff(data: bytes, name: str = "") -> Medium | None:
    """The attachment medium of `data`, or None for text and HTML (decoded as before)."""
    head = data[:1024]
    at = head.find(b"%PDF-")
    if at >= 0 and b"<" not in head[:at]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_medium(data)
    if data.startswith(_OLE):
        return _ole_medium(data, Path(name).suffix.lower())
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP") or _is_bmp(data):
        return "image"
    return None


def _is_bmp(data: bytes) -> bool:
    return data.startswith(b"BM") and len(data) > 18 and int.from_bytes(data[14:18], "little") in _BMP_HEADER_SIZES


def _zip_medium(data: bytes) -> Medium:
    """DOCX, XLSX or OpenDocument by the members' names (an ODF file's `mimetype`, read no further
    than its first bytes: its declared size is not trusted)."""
    try:
        with open_zip(data, "zip", LIMITS) as zf:
            names = set(zf.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names:
                kind = _ODF.get(read_member(zf, "mimetype", 200).strip())
                if kind:
                    return kind
    except ZIP_ERRORS as exc:
        raise UnreadableInputError("zip.corrupt", medium="zip", reason=f"{type(exc).__name__}: {exc}"[:160]) from None
    raise UnreadableInputError("zip.not_document")


def _ole_medium(data: bytes, suffix: str) -> Medium:
    """Word and Excel by their streams; a Kingsoft `.wps` holds a `WordDocument` stream too, so
    only its name tells it apart (it is converted the same way, but recorded as what it is)."""
    word = _WORD_STREAM in data
    if not word and any(s in data for s in _BOOK_STREAMS):
        return "xls"
    if suffix == ".wps":
        return "wps"
    return "doc" if word else _OLE_SUFFIX.get(suffix, "doc")


def extract_attachment(data: bytes, medium: Medium, *, accept: Accept, limits: Limits = LIMITS) -> Document:
    """Read an attachment into a Document; `accept` says whether a fast path's result is complete
    enough to skip the slow, faithful path (antiword before LibreOffice)."""
    if len(data) > limits.max_bytes:
        raise UnreadableInputError("attachment.too_large", medium=medium, size=len(data) / 1e6,
                                   limit=limits.max_bytes / 1e6)
    if medium == "pdf":
        from extract.pdf import pdf_document  # noqa: PLC0415 - heavy: pypdfium2, pdfplumber.table

        doc = pdf_document(data, limits)
    elif medium == "docx":
        from extract.docx import docx_document  # noqa: PLC0415 - heavy: python-docx

        doc = docx_document(data, limits)
    elif medium in {"doc", "wps", "rtf", "odt"}:
        from extract.office import word_document  # noqa: PLC0415

        doc = word_document(data, medium, limits, accept=accept)
    elif medium in {"xlsx", "xls", "ods"}:
        from extract.sheet import sheet_document  # noqa: PLC0415 - heavy: openpyxl

        doc = sheet_document(data, medium, limits)
    else:
        from extract.ocr import image_document  # noqa: PLC0415 - heavy: onnxruntime, opencv

        doc = image_document(data, limits)
    doc.medium = medium
    return doc
