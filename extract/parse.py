"""bytes → canonical record: decode, lay out, read the tables, name the agency and year."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, Final

from lxml import etree

from extract.decode import decode_text, ungzip
from extract.document import Document, Grid, Line
from extract.errors import UnreadableInputError
from extract.files import read_file
from extract.html_layout import HTML_PARSER, html_document
from extract.limits import LIMITS, Limits
from extract.media import sniff
from extract.mentions import Figure, figures, template_evidence
from extract.meta import read_meta
from extract.normalize import squash
from extract.page_images import page_images
from extract.rows import (
    LogicalRow,
    grid_rows,
    stream_active,
    stream_legacy,
    stream_requests,
    stream_review,
)
from extract.schema import SCHEMA, SECTIONS, Record, legacy_key
from extract.splits import Relation
from extract.stream import Streamed, read_stream, stream_of
from extract.tables import (
    Cells,
    Diagnostics,
    active_format,
    active_from_runs,
    active_row_key,
    failures,
    legacy_from_runs,
    map_active,
    map_legacy,
    map_requests,
    map_review,
    previous_evidence,
    request_row_key,
    requests_from_runs,
    requests_relations,
    review_from_run,
    review_relations,
)
from extract.tables import single_other as _single_other
from extract.text_layout import text_document
from extract.uncertain import ocr_keys

PARSER_VERSION = "xxgk-parser/1"
MAX_PROSE = 120  # longer lines of running text hold no table label
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
        raise UnreadableInputError("input.empty")
    data = ungzip(data, limits)  # a server's gzip without Content-Encoding hides the medium's magic bytes
    medium = sniff(data, name)
    if medium is not None:
        from extract.media import extract_attachment  # noqa: PLC0415 - keeps text parsing free of heavy imports

        return extract_attachment(data, medium, accept=_complete, limits=limits)
    decoded = decode_text(data, charset, limits)
    doc = html_document(decoded.text, limits) if _is_html(data, name) else text_document(decoded.text)
    if decoded.replaced:  # bytes the codec could not read: the record says how many, and in which codec
        doc.parse_info["decoding"] = {"codec": decoded.codec, "replaced": decoded.replaced}
    return doc


def page_image_urls(data: bytes, *, name: str, charset: str | None, base: str) -> list[str]:
    """The images of an HTML report page that may be pages of its report (`extract.page_images`), in page
    order; none for any other file."""
    if sniff(data, name) is not None or not _is_html(data, name):
        return []
    root = etree.fromstring(decode_text(data, charset).text, HTML_PARSER)
    return page_images(root, base) if root is not None else []



def parse_pages(images: Sequence[bytes], limits: Limits = LIMITS, previous: Record | None = None) -> dict[str, Any]:
    """Parse the page images of one report, read in order as one document (`extract.ocr.pages_document`)."""
    from extract.ocr import pages_document  # noqa: PLC0415 - heavy: onnxruntime, opencv

    return parse_document(pages_document(images, limits), previous)


# a grid with none of a table's header words that names that table's rows continues it (a table
# cut by a page break whose second part has other outer edges, and so stayed a grid of its own)
_CONTINUES: Final = {"requests": request_row_key, "active": active_row_key}


def _classify_grids(grids: list[Grid]) -> dict[str, list[LogicalRow]]:
    """Which report table each grid holds, by the labels it carries."""
    found: dict[str, list[LogicalRow]] = {}
    last: str | None = None
    for grid in grids:
        rows = grid_rows(grid)
        text = squash("".join(grid.texts()))
        if "自然人" in text and ("本年新收" in text or "予以公开" in text):
            kind: str | None = "requests"
        elif "行政复议" in text and ("结果维持" in text or "尚未审结" in text):
            kind = "review"
        elif "第二十条" in text or ("信息内容" in text and ("规章" in text or "行政许可" in text)):
            kind = "active"
        elif "收到申请数" in text or "申请答复数" in text or "统计指标" in text:
            kind = "legacy"
        elif last in _CONTINUES and any(_CONTINUES[last](r) for r in rows):
            kind = last
        else:
            kind = None
        last = kind
        if kind is not None:
            found.setdefault(kind, []).extend(rows)
    return found


class _Lazy:
    """The document's stream of lines, made only when a table is not found among the grids, and
    the tables read from it (each once)."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    @cached_property
    def lines(self) -> list[Line]:
        return self.doc.lines()

    def get(self) -> list[Line]:
        return self.lines

    @cached_property
    def requests(self) -> list[LogicalRow] | None:
        found = stream_requests(self.lines)
        return found[0] if found else None

    @cached_property
    def active(self) -> list[LogicalRow] | None:
        return stream_active(self.lines)


class _Text:
    """The document read as one character stream, and the figures its text states: made only when
    the lines and grids did not give a table whole (or its cells ran together)."""

    def __init__(self, doc: Document, lines: _Lazy, previous: Record | None) -> None:
        self.doc, self.lines, self.previous = doc, lines, previous
        self._streamed: Streamed | None = None
        self._figures: list[Figure] | None = None

    def streamed(self) -> Streamed:
        if self._streamed is None:
            self._streamed = read_stream(stream_of(self.lines.get(), MAX_PROSE))
        return self._streamed

    def figures(self) -> list[Figure]:
        if self._figures is None:
            self._figures = figures(self.doc.prose())
        return self._figures

    def evidence(self) -> list[Relation]:
        return template_evidence(self.figures()) + previous_evidence(self.previous)


def _missing(diag: Diagnostics, table: str) -> int:
    return sum(m.startswith(f"{table}.") for m in diag.missing_rows)


def _quality(
    diag: Diagnostics, table: str, cells: Cells, relations: Sequence[Relation], *, padded: bool = False,
) -> tuple[int, int, int, float]:
    """How well a reading of a table went: rows missing, sums that fail, cells in doubt, blank
    cells (fewer is better). The blanks of a `padded` reading (rows that came up short) may not be
    the report's: a reading of as sure a kind that reads them from marks in the text beats it."""
    blanks = float("inf") if padded else _blanks(cells)
    return _missing(diag, table), failures(table, cells, relations), len(diag.uncertain), blanks


def _blanks(cells: Cells) -> int:
    return sum(v is None for cols in cells.values() for v in cols.values())


def _padded(rows: Sequence[LogicalRow]) -> bool:
    """A row read from lines that ends in empty cells after its text: OCR lines put rows under
    another table's header, and a row read there came up short (blank marks are the report's,
    cells with no text at all are padding)."""
    for row in rows:
        written = [k for k, v in enumerate(row.values) if v.strip()]
        if written and len(row.values) - 1 - written[-1] >= 2:
            return True
    return False


def _requests(by_grid: dict[str, list[LogicalRow]], lines: _Lazy, text: _Text) -> tuple[Cells, bool, Diagnostics]:
    diag = Diagnostics()
    rows = by_grid.get("requests")
    gridded = bool(rows) and any(request_row_key(r) for r in rows or ())
    if not gridded:
        rows = lines.requests
    cells: Cells = {}
    single_other = False
    if rows:
        cells, single_other = map_requests(rows, diag, _Deferred(text))

    def relations(cells: Cells) -> list[Relation]:
        return requests_relations(tuple(cells), single_other=_single_other(cells))

    # a table read from lines may hold another table's rows (OCR): rows missing or short tell
    padded = not gridded and _padded(rows or ())
    if not cells or _missing(diag, "requests") or padded:
        runs = text.streamed().requests
        if runs:
            other = Diagnostics()
            alt, alt_single = requests_from_runs(runs, other, text.evidence())
            if not cells or _quality(other, "requests", alt, relations(alt)) < _quality(
                    diag, "requests", cells, relations(cells), padded=padded):
                return alt, alt_single, other
    return cells, single_other, diag


def _review(by_grid: dict[str, list[LogicalRow]], lines: _Lazy, text: _Text) -> tuple[Cells, Diagnostics]:
    diag = Diagnostics()
    row = next((r for r in by_grid.get("review") or [] if len(r.values) >= 10), None)
    gridded = row is not None
    if row is None:
        row = stream_review(lines.get())
    cells: Cells = {}
    if row is not None and not row.missing:
        cells = map_review(row, diag, _Deferred(text))
        if gridded or not _padded([row]):
            return cells, diag
    run = text.streamed().review
    if run is not None:
        other = Diagnostics()
        alt = review_from_run(run, other, text.evidence())
        if not cells or _quality(other, "review_litigation", alt, review_relations()) < _quality(
                diag, "review_litigation", cells, review_relations(), padded=bool(cells)):
            return alt, other
    if cells:
        return cells, diag
    if row is not None:
        diag.missing_rows.append("review_litigation.all")
        return map_review(row, diag), diag
    return {}, diag


def _active(
    by_grid: dict[str, list[LogicalRow]], lines: _Lazy, text: _Text, fallback: str | None,
) -> tuple[Cells, str | None, Diagnostics]:
    diag = Diagnostics()
    rows = by_grid.get("active") or lines.active
    fmt = active_format(rows) if rows else None
    cells: Cells = {}
    if rows:
        cells = map_active(rows, fmt or fallback or "2021", diag, _Deferred(text),
                           collapsible=text.doc.medium in {"text", "pdf", "image"})
    if not cells or _missing(diag, "active"):
        streamed = text.streamed()
        if streamed.active:
            other = Diagnostics()
            alt_fmt = streamed.active_format or fmt or fallback or "2021"
            alt = active_from_runs(streamed.active, alt_fmt, other, text.evidence())
            if not cells or _missing(other, "active") < _missing(diag, "active"):
                cells, fmt, diag = alt, streamed.active_format or fmt, other
    if fmt:
        diag.format_evidence.append(f"表二 headers follow the {fmt} template")
    return cells, fmt, diag


def _legacy(
    by_grid: dict[str, list[LogicalRow]], lines: _Lazy, text: _Text | None,
) -> tuple[list[dict[str, Any]], Diagnostics]:
    """The 统计表 from grids or lines; failing that (and given `text`), from the character stream."""
    diag = Diagnostics()
    rows = by_grid.get("legacy") or stream_legacy(lines.get())
    stats = map_legacy(rows, diag) if rows else []
    if not stats and text is not None:
        streamed = text.streamed()
        if streamed.legacy:
            diag = Diagnostics()
            previous = _certain_cumulatives(text.previous or {})
            stats = legacy_from_runs(streamed.legacy, streamed.legacy_cumulative, diag, text.figures(), previous)
    return stats, diag


def _certain_cumulatives(previous: Record) -> list[dict[str, Any]]:
    """Last year's 统计表 entries, without the 历年累计 values that were themselves doubtful cuts (keyed
    `label`, `label#2` for a repeat, as the parser keys them): no evidence for this year's cut."""
    doubtful = (previous.get("parse") or {}).get("uncertain_cells") or {}
    seen: dict[str, int] = {}
    out = []
    for entry in previous.get("legacy_stats") or ():
        key = legacy_key(str(entry.get("label")), seen)
        out.append({k: v for k, v in entry.items()
                    if k != "cumulative" or f"legacy_stats.{key}.cumulative" not in doubtful})
    return out


class _Deferred(Sequence[Relation]):
    """The text's figures as evidence, worked out only if a table's cells must be cut."""

    def __init__(self, text: _Text) -> None:
        self.text = text
        self._items: list[Relation] | None = None

    def _get(self) -> list[Relation]:
        if self._items is None:
            self._items = self.text.evidence()
        return self._items

    def __len__(self) -> int:
        return len(self._get())

    def __getitem__(self, k: Any) -> Any:
        return self._get()[k]


def read_tables(doc: Document, previous: Record | None = None) -> tuple[dict[str, Any], Diagnostics]:
    """The three tables (or the legacy 统计表) and the template they follow.

    Grids and line layouts are read first; a table they miss, or read with rows missing, is read
    again from the document as one character stream (text on one line, broken markdown, OCR).
    `previous` (last year's record, when the archive has it) helps cut run-together digits.
    """
    diag = Diagnostics()
    by_grid = _classify_grids(doc.grids())
    lines = _Lazy(doc)
    text = _Text(doc, lines, previous)
    out: dict[str, Any] = {"format": None, "active": {}, "requests": {}, "review_litigation": {}}
    if not any(k in by_grid for k in ("requests", "active")) and not lines.requests and not lines.active:
        stats, part = _legacy(by_grid, lines, None)  # a pre-2019 report whose lines hold its 统计表
        if stats:
            part.format_evidence.append("pre-2019 统计表 indicators")
            return {"format": "legacy", "legacy_stats": stats}, part

    out["requests"], single_other, part = _requests(by_grid, lines, text)
    diag.merge(part)
    out["review_litigation"], part = _review(by_grid, lines, text)
    diag.merge(part)
    fallback = ("2019" if single_other else "2021") if out["requests"] else None
    out["active"], fmt, part = _active(by_grid, lines, text, fallback)
    diag.merge(part)
    fmt = fmt or fallback

    if not out["requests"] and not out["active"]:
        stats, part = _legacy(by_grid, lines, text)
        if stats:
            diag.merge(part)
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


def parse_document(doc: Document, previous: Record | None = None) -> dict[str, Any]:
    meta = read_meta(doc.prose(), doc.title_candidates)
    tables, diag = read_tables(doc, previous)
    if not meta.sections or (
        not any(meta.sections.values()) and tables["format"] is None and meta.year is None
    ):
        raise UnreadableInputError("input.not_report")
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
        "uncertain_cells": diag.uncertain,
        "format_evidence": diag.format_evidence,
        "section_order": meta.section_order,
        "section_numbers": meta.section_numbers,
        "title_year": meta.title_year,
        "period_years": meta.period_years,
        "body_years": meta.body_years[:5],
        **ocr_keys(diag.read_scores),
        **({"places": diag.places} if diag.places else {}),
        **doc.parse_info,
    }
    return record


def parse_bytes(
    data: bytes, *, name: str = "", charset: str | None = None, limits: Limits = LIMITS,
    previous: Record | None = None,
) -> dict[str, Any]:
    """Parse one report file's bytes into the canonical record (raises UnreadableInputError).

    `previous`, last year's record of the same agency, lets run-together digits be cut by the
    cross-year relations (历年累计, 现行有效).
    """
    return parse_document(load(data, name=name, charset=charset, limits=limits), previous)


def parse_path(path: Path, previous: Record | None = None, limits: Limits = LIMITS) -> dict[str, Any]:
    """Parse a report file on disk: a regular file, read no further than the limit (`extract.files`)."""
    record = parse_bytes(read_file(path, limits.max_bytes), name=path.name, limits=limits, previous=previous)
    record["source"]["path"] = str(path)
    return record
