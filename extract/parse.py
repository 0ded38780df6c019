"""bytes → canonical record: decode, lay out, read the tables, name the agency and year."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from extract.decode import decode, ungzip
from extract.document import Document, Grid, Line
from extract.errors import UnreadableInputError
from extract.html_layout import html_document
from extract.limits import LIMITS, Limits
from extract.media import sniff
from extract.meta import read_meta
from extract.normalize import squash
from extract.rows import (
    LogicalRow,
    grid_rows,
    stream_active,
    stream_legacy,
    stream_requests,
    stream_review,
)
from extract.schema import SCHEMA, SECTIONS
from extract.tables import (
    Diagnostics,
    active_format,
    map_active,
    map_legacy,
    map_requests,
    map_review,
    request_row_key,
)
from extract.text_layout import text_document
from extract.uncertain import ocr_keys

PARSER_VERSION = "xxgk-parser/1"
_HTML_HINT = (b"<html", b"<table", b"<body", b"<div", b"<p>", b"<p ", b"<!doctype", b"<meta", b"<tr")


def _is_html(data: bytes, name: str) -> bool:
    suffix = Path(name).suffix.lower()
    if suffix in {".html", ".htm", ".shtml", ".xhtml", ".jsp", ".asp", ".aspx", ".php"}:
        return True
    if suffix in {".txt", ".md", ".text"}:
        return False
    head = data[:2048].lower()
    return any(h in head for h in _HTML_HINT)


def load(data: bytes, *, name: str = "", charset: str | None = None, limits: Limits = LIMITS) -> Document:
    """Bytes of a report → Document (the layout-neutral lines and grids).

    Attachments (PDF, Word, WPS, spreadsheets, images) are recognised by their magic bytes and
    read by their medium's extractor, within `limits` (a caller that cannot wait for OCR passes
    `Limits(max_ocr_pages=0)`); everything else is decoded as text or HTML.
    """
    if not data.strip():
        raise UnreadableInputError("empty file")
    data = ungzip(data)  # a server's gzip without Content-Encoding hides the medium's magic bytes
    medium = sniff(data, name)
    if medium is not None:
        from extract.media import extract_attachment  # noqa: PLC0415 - keeps text parsing free of heavy imports

        return extract_attachment(data, medium, accept=_complete, limits=limits)
    text, _codec = decode(data, charset)
    if _is_html(data, name):
        return html_document(text)
    return text_document(text)


def _classify_grids(grids: list[Grid]) -> dict[str, list[LogicalRow]]:
    """Which report table each grid holds, by the labels it carries."""
    found: dict[str, list[LogicalRow]] = {}
    for grid in grids:
        rows = grid_rows(grid)
        text = squash("".join(grid.texts()))
        if "自然人" in text and ("本年新收" in text or "予以公开" in text):
            kind = "requests"
        elif "行政复议" in text and ("结果维持" in text or "尚未审结" in text):
            kind = "review"
        elif "第二十条" in text or ("信息内容" in text and ("规章" in text or "行政许可" in text)):
            kind = "active"
        elif "收到申请数" in text or "申请答复数" in text or "统计指标" in text:
            kind = "legacy"
        else:
            continue
        found.setdefault(kind, []).extend(rows)
    return found


class _Lazy:
    """The document's stream of lines, made only when a table is not found among the grids."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.lines: list[Line] | None = None

    def get(self) -> list[Line]:
        if self.lines is None:
            self.lines = self.doc.lines()
        return self.lines


def read_tables(doc: Document) -> tuple[dict[str, Any], Diagnostics]:
    """The three tables (or the legacy 统计表) and the template they follow."""
    diag = Diagnostics()
    by_grid = _classify_grids(doc.grids())
    lines = _Lazy(doc)
    out: dict[str, Any] = {"format": None, "active": {}, "requests": {}, "review_litigation": {}}

    req_rows = by_grid.get("requests")
    if not req_rows or not any(request_row_key(r) for r in req_rows):
        streamed = stream_requests(lines.get())
        req_rows = streamed[0] if streamed else None
    single_other = False
    if req_rows:
        out["requests"], single_other = map_requests(req_rows, diag)

    review = by_grid.get("review")
    review_row = next((r for r in review or [] if len(r.values) >= 10), None)
    if review_row is None:
        review_row = stream_review(lines.get())
    if review_row is not None:
        out["review_litigation"] = map_review(review_row, diag)
        if review_row.missing:
            diag.missing_rows.append("review_litigation.all")

    act_rows = by_grid.get("active") or stream_active(lines.get())
    fmt = active_format(act_rows) if act_rows else None
    if fmt:
        diag.format_evidence.append(f"表二 headers follow the {fmt} template")
    elif req_rows:
        fmt = "2019" if single_other else "2021"
    if act_rows:
        out["active"] = map_active(act_rows, fmt or "2021", diag)

    if not req_rows and not act_rows:
        legacy_rows = by_grid.get("legacy") or stream_legacy(lines.get())
        if legacy_rows:
            stats = map_legacy(legacy_rows, diag)
            if stats:
                diag.format_evidence.append("pre-2019 统计表 indicators")
                return {"format": "legacy", "legacy_stats": stats}, diag
    out["format"] = fmt
    return out, diag


def _complete(doc: Document) -> bool:
    """Whether a fast extraction (antiword's text) read the report's tables whole; if not, the
    file goes through the slow, faithful path (LibreOffice) instead."""
    tables, diag = read_tables(doc)
    if tables["format"] == "legacy":
        return bool(tables["legacy_stats"])
    return tables["format"] is not None and not diag.missing_rows and bool(tables["review_litigation"])


def parse_document(doc: Document) -> dict[str, Any]:
    meta = read_meta(doc.prose(), doc.title_candidates)
    tables, diag = read_tables(doc)
    if not meta.sections or (
        not any(meta.sections.values()) and tables["format"] is None and meta.year is None
    ):
        raise UnreadableInputError("not an annual report: no title, section headings or report tables found")
    record: dict[str, Any] = {"schema": SCHEMA, "agency": meta.agency, "year": meta.year, "format": tables["format"]}
    if tables["format"] == "legacy":
        record["legacy_stats"] = tables["legacy_stats"]
    else:
        record["sections"] = {k: meta.sections.get(k, False) for k in SECTIONS}
        for key in ("active", "requests", "review_litigation"):
            record[key] = tables[key]
    record["title"] = meta.title
    record["narrative"] = meta.narrative
    record["source"] = {"medium": doc.medium, "extractor": doc.extractor, "parser": PARSER_VERSION}
    if doc.page_meta:
        record["source"]["page_meta"] = doc.page_meta
    record["parse"] = {
        "missing_rows": diag.missing_rows,
        "notes": diag.notes,
        "marks": diag.marks,
        "ambiguous_splits": diag.ambiguous_splits,
        "format_evidence": diag.format_evidence,
        "section_order": meta.section_order,
        "section_numbers": meta.section_numbers,
        "title_year": meta.title_year,
        "period_years": meta.period_years,
        "body_years": meta.body_years[:5],
        **ocr_keys(diag.read_scores),
        **({"places": diag.places} if diag.places else {}),
    }
    return record


def parse_bytes(
    data: bytes, *, name: str = "", charset: str | None = None, limits: Limits = LIMITS
) -> dict[str, Any]:
    """Parse one report file's bytes into the canonical record (raises UnreadableInputError)."""
    return parse_document(load(data, name=name, charset=charset, limits=limits))


def parse_path(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableInputError(f"cannot read {path}: {exc.strerror or exc}") from None
    record = parse_bytes(data, name=path.name)
    record["source"]["path"] = str(path)
    return record
