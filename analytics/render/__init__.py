"""Writers of a generated Document: DOCX (python-docx), PDF (LibreOffice from the DOCX), XLSX (openpyxl),
CSV and the terminal (one table)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from analytics.document import Document

FORMATS: Final = ("docx", "xlsx", "pdf")
MEDIA_TYPES: Final = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def render(document: Document, fmt: str) -> bytes:
    """The document as DOCX, XLSX, or PDF (LibreOffice from the DOCX; raises render.pdf.ConversionError)."""
    from analytics.render.docx import to_docx  # noqa: PLC0415 - each format imports only its own library
    from analytics.render.pdf import docx_to_pdf  # noqa: PLC0415
    from analytics.render.xlsx import to_xlsx  # noqa: PLC0415

    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "xlsx":
        return to_xlsx(document)
    if fmt == "docx":
        return to_docx(document)
    return docx_to_pdf(to_docx(document, font=pdf_font()))


def pdf_font() -> str | None:
    """The CJK font the charts use, when installed: the PDF is set in it rather than in a substitute."""
    from analytics.charts import cjk_font  # noqa: PLC0415

    return cjk_font()
