"""Logical rows → the record's tables: rows by their labels, columns by their headers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from extract.cells import parse_value
from extract.document import Place
from extract.labels import (
    ACTIVE_COLUMN_PATTERNS,
    ACTIVE_ROW_PATTERNS,
    FORMAT_2019_HEADERS,
    FORMAT_2021_HEADERS,
    LEGACY_NUMBERING,
    LEGACY_TRAILING_NOTE,
    OTHER_GROUP,
    OTHER_LEAF,
    REQUEST_COLUMN_PATTERNS,
    REQUEST_GROUPS,
    REQUEST_ROW_PATTERNS,
    REVIEW_COLUMN_PATTERNS,
    REVIEW_GROUP_PATTERNS,
)
from extract.normalize import squash
from extract.rows import PATH_SEP, LogicalRow
from extract.schema import (
    ACTIVE_2019,
    ACTIVE_2021,
    MONEY_CELLS,
    REQUEST_COLUMNS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    request_rows,
)
from extract.splits import Check, candidates, flattened, row_total_check

Cells = dict[str, dict[str, Any]]
_ROW_TOTAL = row_total_check(len(REQUEST_COLUMNS) - 1)  # six applicant columns add up to 总计
_GROUP_TOTAL = row_total_check(len(REVIEW_COLUMNS) - 1)  # 维持+纠正+其他+尚未审结 = 总计, per group


@dataclass(slots=True)
class Diagnostics:
    """What the mapping noticed; it travels in the record's `parse` key for the validator."""

    missing_rows: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    format_evidence: list[str] = field(default_factory=list)
    ambiguous_splits: list[dict[str, Any]] = field(default_factory=list)
    # `table.row.col` → (OCR score, the text read) for every cell a scan gave us
    read_scores: dict[str, tuple[float, str]] = field(default_factory=dict)
    # `table.row.col` → the mark printed in a cell without a number (`/`, `—`, `无`): not the same as
    # a cell left empty, and the record's null cannot say which
    marks: dict[str, str] = field(default_factory=dict)
    # `table.row.col` → where the cell was read: [page, x0, top, x1, bottom]
    places: dict[str, list[float]] = field(default_factory=dict)

    def unflatten(self, table: str, row: str, values: tuple[str, ...], n: int, check: Check) -> tuple[str, ...]:
        """A row whose cells ran together: cut it by the template arithmetic, or record the doubt."""
        run = flattened(values, n)
        if run is None:
            return values
        found = candidates(run, n, check)
        if len(found) == 1:
            self.notes[f"{table}.{row}"] = f"cells recovered from the run-together digits {run}"
            return tuple(str(v) for v in found[0])
        self.ambiguous_splits.append(
            {"table": table, "row": row, "raw": run, "candidates": [list(c) for c in found]}
        )
        return ("",) * n


def _first(patterns: Sequence[tuple[str, re.Pattern[str]]], text: str) -> str | None:
    return next((k for k, p in patterns if p.search(text)), None)


def _leaf(column: str) -> str:
    return column.rsplit(PATH_SEP, 1)[-1]


def _put(
    cells: Cells, diag: Diagnostics, table: str, row: str, col: str, raw: str, score: float | None = None,
    place: Place | None = None,
) -> None:
    cv = parse_value(raw, money=(row, col) in MONEY_CELLS)
    cells.setdefault(row, {})[col] = cv.value
    if cv.note:
        diag.notes[f"{table}.{row}.{col}"] = cv.note
    elif cv.value is None and raw.strip():
        diag.marks[f"{table}.{row}.{col}"] = raw.strip()
    if score is not None:
        diag.read_scores[f"{table}.{row}.{col}"] = (score, raw)
    if place is not None:
        diag.places[f"{table}.{row}.{col}"] = place.compact()


# ---------------------------------------------------------------------------- 表三

def request_row_key(row: LogicalRow) -> str | None:
    """The template row a logical row is, from its leaf label (and its group for `3.其他`)."""
    return _row_key(row.labels)


@lru_cache(maxsize=4096)
def _row_key(labels: tuple[str, ...]) -> str | None:
    """Every report prints the same labels: each is matched once per process."""
    leaf = squash(labels[-1]) if labels else ""
    context = "".join(squash(t) for t in labels[:-1])
    key = _first(REQUEST_ROW_PATTERNS, leaf)
    if key:
        return key
    if OTHER_LEAF.match(leaf) and (OTHER_GROUP.search(context) or not context):
        return "other_other"
    if OTHER_GROUP.search(leaf) and not REQUEST_GROUPS.search(leaf):
        return "other_handling"
    return _first(REQUEST_ROW_PATTERNS, context + leaf)


@lru_cache(maxsize=256)
def _request_columns(columns: tuple[str, ...] | None, n: int) -> tuple[str | None, ...]:
    """The column of each value, by its header (a table's rows share one header: computed once)."""
    order = list(REQUEST_COLUMNS)
    if columns is None:
        return (*order[:n], *([None] * max(0, n - len(order))))
    mapped = tuple(_first(REQUEST_COLUMN_PATTERNS, _leaf(c)) for c in columns)
    if sum(m is not None for m in mapped) < 4:  # headers we cannot read: trust the template order
        return (*order[:n], *([None] * max(0, n - len(order))))
    return mapped


def map_requests(rows: Sequence[LogicalRow], diag: Diagnostics) -> tuple[Cells, bool]:
    found: Cells = {}
    for row in rows:
        key = request_row_key(row)
        if key is None or key in found:
            continue
        values = diag.unflatten("requests", key, row.values, len(REQUEST_COLUMNS), _ROW_TOTAL)
        for k, (col, raw) in enumerate(zip(_request_columns(row.columns, len(values)), values, strict=False)):
            if col is not None:
                _put(found, diag, "requests", key, col, raw, row.confidence(k), row.place(k))
    single_other = "other_handling" in found and not any(
        k in found for k in ("other_no_correction", "other_unpaid_fee", "other_other")
    )
    if single_other:
        diag.format_evidence.append("表三(六)其他处理 is a single row")
    out: Cells = {}
    for key in request_rows(single_other=single_other):
        got = found.get(key)
        if got is None:
            diag.missing_rows.append(f"requests.{key}")
            got = {}
        out[key] = {c: got.get(c) for c in REQUEST_COLUMNS}
    return out, single_other


# ---------------------------------------------------------------------------- 表四

def map_review(row: LogicalRow, diag: Diagnostics) -> Cells:
    out: Cells = {g: dict.fromkeys(REVIEW_COLUMNS) for g in REVIEW_GROUPS}
    template = [(g, c) for g in REVIEW_GROUPS for c in REVIEW_COLUMNS]
    values = diag.unflatten("review_litigation", "all", row.values, len(template), _GROUP_TOTAL)
    places: list[tuple[str, str] | None] = list(template[: len(values)])
    if row.columns is not None:
        mapped = [(_first(REVIEW_GROUP_PATTERNS, c), _first(REVIEW_COLUMN_PATTERNS, _leaf(c))) for c in row.columns]
        if sum(g is not None and c is not None for g, c in mapped) >= 10:
            places = [(g, c) if g and c else None for g, c in mapped]
    for k, (place, raw) in enumerate(zip(places, values, strict=False)):
        if place is not None:
            _put(out, diag, "review_litigation", place[0], place[1], raw, row.confidence(k), row.place(k))
    return out


# ---------------------------------------------------------------------------- 表二

def active_format(rows: Sequence[LogicalRow]) -> str | None:
    text = " ".join(" ".join(r.columns or ()) + " " + " ".join(r.labels) for r in rows)
    if FORMAT_2019_HEADERS.search(text):
        return "2019"
    if FORMAT_2021_HEADERS.search(text):
        return "2021"
    return None


def _active_columns(row: LogicalRow, default: tuple[str, ...]) -> list[str | None]:
    """Columns by their headers; a header we cannot read (`本年新`, cut at its <br>) takes the
    template's column at its position, when the block has the template's number of columns."""
    if not row.columns:
        return list(default[: len(row.values)])
    mapped: list[str | None] = []
    for c in row.columns:
        key = _first(ACTIVE_COLUMN_PATTERNS, _leaf(c))
        mapped.append(key if key in default else None)
    if len(mapped) == len(default):
        mapped = [
            m if m is not None else (d if d not in mapped else None) for m, d in zip(mapped, default, strict=True)
        ]
    if not any(mapped):
        return list(default[: len(row.values)])
    return mapped


def map_active(rows: Sequence[LogicalRow], fmt: str, diag: Diagnostics) -> Cells:
    layout = ACTIVE_2019 if fmt == "2019" else ACTIVE_2021
    found: Cells = {}
    for row in rows:
        key = _first(ACTIVE_ROW_PATTERNS, squash(row.leaf))
        if key is None or key not in layout or key in found:
            continue
        found[key] = {}
        # no arithmetic ties 表二's cells together, so a lone long number there is taken as it is
        for k, (col, raw) in enumerate(zip(_active_columns(row, layout[key]), row.values, strict=False)):
            if col is not None:
                _put(found, diag, "active", key, col, raw, row.confidence(k), row.place(k))
    out: Cells = {}
    for key, cols in layout.items():
        if key not in found:
            diag.missing_rows.append(f"active.{key}")
        out[key] = {c: found.get(key, {}).get(c) for c in cols}
    return out


# ---------------------------------------------------------------------------- legacy

def legacy_label(text: str) -> str:
    """`(一)主动公开政府信息数 (不同渠道…计1条)` → `主动公开政府信息数`."""
    label = squash(text)
    label = LEGACY_NUMBERING.sub("", label)
    while True:
        shorter = LEGACY_TRAILING_NOTE.sub("", label)
        if shorter == label or not shorter:
            break
        label = shorter
    return label


def map_legacy(rows: Sequence[LogicalRow], diag: Diagnostics) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for row in rows:
        if len(row.labels) < 2:
            continue
        label, unit = row.labels[0], squash(row.labels[-1])
        if unit == "/" or not row.values:
            continue
        entry: dict[str, Any] = {
            "label": legacy_label(label),
            "unit": unit,
            "value": parse_value(row.values[0], money=unit in {"万元", "元"}).value,
        }
        if len(row.values) > 1 and row.columns and "累计" in row.columns[-1]:
            entry["cumulative"] = parse_value(row.values[-1]).value
        out.append(entry)
        seen[entry["label"]] = seen.get(entry["label"], 0) + 1
        score = row.confidence(0)
        if score is not None:  # keyed like the validator's entries: a repeated label is `label#2`
            key = entry["label"] if seen[entry["label"]] == 1 else f"{entry['label']}#{seen[entry['label']]}"
            diag.read_scores[f"legacy_stats.{key}.value"] = (score, row.values[0])
    return out
