"""Logical rows → the record's tables: rows by their labels, columns by their headers."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from extract.cells import is_blank, parse_value
from extract.document import Place
from extract.labels import (
    ACTIVE_COLUMN_PATTERNS,
    ACTIVE_ROW_PATTERNS,
    FORMAT_2019_HEADERS,
    FORMAT_2021_HEADERS,
    LEGACY_NUMBERING,
    LEGACY_TRAILING_NOTE,
    REQUEST_COLUMN_PATTERNS,
    REVIEW_COLUMN_PATTERNS,
    REVIEW_GROUP_PATTERNS,
    request_key,
)
from extract.mentions import Figure, legacy_evidence
from extract.normalize import squash
from extract.rows import PATH_SEP, LogicalRow
from extract.schema import (
    ACTIVE_2019,
    ACTIVE_2021,
    APPLICANT_COLUMNS,
    MONEY_CELLS,
    OTHER_2021,
    REQUEST_COLUMNS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    REVIEW_PARTS,
    SIGNED_CELLS,
    legacy_key,
    request_rows,
    result_rows,
)
from extract.splits import AMBIGUOUS, HARD, Reading, Relation, Run, flattened, solve

Cells = dict[str, dict[str, Any]]
Evidence = Sequence[Relation]


def cell_key(table: str, row: str, col: str) -> str:
    """`requests.new.total`: how a cell is named in the record's `parse` keys and to the cutter."""
    return f"{table}.{row}.{col}"


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
    # `table.row.col` → the run it was cut from, its candidates and why it is uncertain
    uncertain: dict[str, dict[str, Any]] = field(default_factory=dict)

    def merge(self, other: Diagnostics) -> None:
        self.missing_rows += other.missing_rows
        self.notes.update(other.notes)
        self.format_evidence += other.format_evidence
        self.ambiguous_splits += other.ambiguous_splits
        self.read_scores.update(other.read_scores)
        self.marks.update(other.marks)
        self.places.update(other.places)
        self.uncertain.update(other.uncertain)

    def take(self, table: str, runs: Mapping[str, Run], reading: Reading) -> None:
        """What cutting found: the notes, the uncertain cells, and each row it could not settle
        (an ambiguous split, with the row's possible readings)."""
        self.notes.update(reading.notes)
        self.marks.update(reading.marks)
        rows = list(runs)
        for r in reading.cut:
            if r not in reading.alternatives:
                text = runs[rows[r]].text.strip()
                self.notes.setdefault(f"{table}.{rows[r]}", f"cells recovered from the run-together digits {text}")
        for r, readings in reading.alternatives.items():
            run = runs[rows[r]]
            doubtful = [k for k in run.cells if k in reading.uncertain]
            self.uncertain.update({k: reading.uncertain[k] for k in doubtful})
            row = rows[r] if rows[r] != "all" else (doubtful or run.cells)[0].split(".")[1]  # 表四: a group
            self.ambiguous_splits.append({
                "table": table, "row": row, "raw": run.text.strip(), "candidates": [list(v) for v in readings],
                "reason": reading.uncertain[doubtful[0]]["reason"] if doubtful else AMBIGUOUS,
            })


def _cut(
    table: str, runs: Mapping[str, Run], relations: Sequence[Relation], diag: Diagnostics, *,
    evidence: Evidence = (), soft: Sequence[Relation] = (),
) -> dict[str, Any]:
    """Cut a table's runs together and record the doubt; `table.row.col` → value."""
    cells = {k for run in runs.values() for k in run.cells}

    def usable(rels: Sequence[Relation]) -> list[Relation]:
        return [r for r in rels if all(k in cells for k in (*r.left, *r.right))]

    reading = solve(list(runs.values()), usable(relations), evidence=usable(evidence),
                    soft=usable(soft))
    diag.take(table, runs, reading)
    return reading.values


def previous_evidence(previous: Mapping[str, Any] | None) -> list[Relation]:
    """What last year's record says this year's cells should be: 上年结转 = last year's 结转下年度
    (X-R1), 现行有效 = last year's + 制发 − 废止 (X-R2), 上一年项目数量 = last year's + 增/减 (X-R3)."""
    if not previous:
        return []
    out: list[Relation] = []

    doubtful = (previous.get("parse") or {}).get("uncertain_cells") or {}

    def last(table: str, row: str, col: str) -> Any:
        """Last year's value of the cell, unless it was itself a doubtful cut: no evidence then."""
        value = ((previous.get(table) or {}).get(row) or {}).get(col)
        return value if isinstance(value, int | float) and f"{table}.{row}.{col}" not in doubtful else None

    for col in REQUEST_COLUMNS:
        if (v := last("requests", "carry_forward", col)) is not None:
            out.append(Relation((cell_key("requests", "carried_over", col),), (), const=-v))
    for row in ("rules", "normative_documents"):
        if (v := last("active", row, "in_force")) is not None:
            out.append(Relation((cell_key("active", row, "in_force"), cell_key("active", row, "repealed")),
                                (cell_key("active", row, "issued"),), const=-v))
    for row, cols in ACTIVE_2019.items():
        prior, change = last("active", row, "prior_items"), last("active", row, "change")
        if "prior_items" in cols and prior is not None and change is not None:
            out.append(Relation((cell_key("active", row, "prior_items"),), (), const=-(prior + change)))
    return out


def failures(table: str, cells: Cells, relations: Sequence[Relation]) -> int:
    """How many of the relations a table's values break (a blank cell breaks none)."""
    values = {cell_key(table, r, c): v for r, cols in cells.items() for c, v in cols.items()}
    return sum(not rel.holds(values) for rel in relations if all(k in values for k in (*rel.left, *rel.right)))


def run_text(values: Sequence[str]) -> str:
    """A row's cell texts as a run: each cell a piece of its own, a blank cell a blank mark."""
    return HARD.join(v if v.strip() and not is_blank(v) else "/" for v in values)


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
    return request_key(row.labels)


_REQUEST_POSITION: Final = {col: k for k, col in enumerate(REQUEST_COLUMNS)}  # a column's place in a run


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


def map_requests(rows: Sequence[LogicalRow], diag: Diagnostics, evidence: Evidence = ()) -> tuple[Cells, bool]:
    found: Cells = {}
    texts: dict[str, list[str]] = {}  # row → its cell texts in column order, when a row must be cut
    for row in rows:
        key = request_row_key(row)
        if key is None or key in found:
            continue
        found[key] = {}
        columns = _request_columns(row.columns, len(row.values))
        texts[key] = ["/"] * len(REQUEST_COLUMNS)
        for k, (col, raw) in enumerate(zip(columns, row.values, strict=False)):
            if col is not None:
                texts[key][_REQUEST_POSITION[col]] = raw
                _put(found, diag, "requests", key, col, raw, row.confidence(k), row.place(k))
        if flattened(row.values, len(REQUEST_COLUMNS)):
            texts[key] = [row.values[0]]
    if any(len(t) == 1 for t in texts.values()):  # cells ran together: the table's arithmetic cuts them
        runs = {key: t[0] if len(t) == 1 else run_text(t) for key, t in texts.items()}
        return requests_from_runs(runs, diag, evidence)
    return _requests_table(found, diag)


def single_other(rows: Mapping[str, Any]) -> bool:
    """Whether 表三's (六)其他处理 is one row (the 2019 format, or a 2021 report keeping it)."""
    return "other_handling" in rows and not any(k in rows for k in OTHER_2021)


def _requests_table(found: Cells, diag: Diagnostics) -> tuple[Cells, bool]:
    single = single_other(found)
    if single:
        diag.format_evidence.append("表三(六)其他处理 is a single row")
    out: Cells = {}
    for key in request_rows(single_other=single):
        got = found.get(key)
        if got is None:
            diag.missing_rows.append(f"requests.{key}")
            got = {}
        out[key] = {c: got.get(c) for c in REQUEST_COLUMNS}
    return out, single


@lru_cache(maxsize=64)
def requests_relations(rows: tuple[str, ...], *, single_other: bool) -> list[Relation]:
    """Row totals, the results' column sums and 收办平衡 (format-spec §2.7, T3-R1..R3)."""
    def k(row: str, col: str) -> str:
        return cell_key("requests", row, col)

    out = [Relation((k(r, "total"),), tuple(k(r, c) for c in APPLICANT_COLUMNS)) for r in rows]
    results = result_rows(single_other=single_other)
    for col in REQUEST_COLUMNS:
        out.append(Relation((k("total", col),), tuple(k(r, col) for r in results)))
        out.append(Relation((k("new", col), k("carried_over", col)), (k("total", col), k("carry_forward", col))))
    return out


def requests_from_runs(runs: Mapping[str, str], diag: Diagnostics, evidence: Evidence = ()) -> tuple[Cells, bool]:
    """表三 from each row's run of values (row key → text), cut by the table's arithmetic."""
    single = single_other(runs)
    cut = {
        row: Run(text, tuple(cell_key("requests", row, c) for c in REQUEST_COLUMNS))
        for row, text in runs.items()
    }
    values = _cut("requests", cut, requests_relations(tuple(runs), single_other=single), diag,
                  evidence=evidence)
    found: Cells = {row: {c: values.get(cell_key("requests", row, c)) for c in REQUEST_COLUMNS} for row in runs}
    return _requests_table(found, diag)


# ---------------------------------------------------------------------------- 表四

# several values in one cell: digits apart, a sign, a blank mark or a note between them
_SEVERAL: Final = re.compile(r"\d[\s+\-/—–]+\d|[/—–]\s*\d|[/—–-]\s+[\d/—–-]|\d\s*[/—–-]|\d\([^()]*\)\s*\d")
_MARKS_ONLY: Final = re.compile(r"[\s/—–-]*")
_REVIEW_CELLS: Final = tuple((g, c) for g in REVIEW_GROUPS for c in REVIEW_COLUMNS)


def map_review(row: LogicalRow, diag: Diagnostics, evidence: Evidence = ()) -> Cells:
    if flattened(row.values, len(_REVIEW_CELLS)):
        return review_from_run(row.values[0], diag, evidence)
    out: Cells = {g: dict.fromkeys(REVIEW_COLUMNS) for g in REVIEW_GROUPS}
    places: list[tuple[str, str] | None] = list(_REVIEW_CELLS[: len(row.values)])
    if row.columns is not None:
        mapped = [(_first(REVIEW_GROUP_PATTERNS, c), _first(REVIEW_COLUMN_PATTERNS, _leaf(c))) for c in row.columns]
        if sum(g is not None and c is not None for g, c in mapped) >= 10:
            places = [(g, c) if g and c else None for g, c in mapped]
    for k, (place, raw) in enumerate(zip(places, row.values, strict=False)):
        if place is not None:
            _put(out, diag, "review_litigation", place[0], place[1], raw, row.confidence(k), row.place(k))
    return out


def review_relations() -> list[Relation]:
    """维持 + 纠正 + 其他 + 尚未审结 = 总计 in each of the three groups (T4-R1)."""
    return [
        Relation((cell_key("review_litigation", g, "total"),),
                 tuple(cell_key("review_litigation", g, p) for p in REVIEW_PARTS))
        for g in REVIEW_GROUPS
    ]


def review_from_run(text: str, diag: Diagnostics, evidence: Evidence = ()) -> Cells:
    """表四's fifteen values from one run, cut by the three groups' totals."""
    run = Run(text, tuple(cell_key("review_litigation", g, c) for g, c in _REVIEW_CELLS))
    values = _cut("review_litigation", {"all": run}, review_relations(), diag, evidence=evidence)
    return {g: {c: values.get(cell_key("review_litigation", g, c)) for c in REVIEW_COLUMNS} for g in REVIEW_GROUPS}


# ---------------------------------------------------------------------------- 表二

def active_row_key(row: LogicalRow) -> str | None:
    """The 表二 row a logical row is, from its leaf label."""
    return _first(ACTIVE_ROW_PATTERNS, squash(row.leaf))


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


def map_active(
    rows: Sequence[LogicalRow], fmt: str, diag: Diagnostics, evidence: Evidence = (), *, collapsible: bool = False,
) -> Cells:
    """表二 by row labels and column headers. In text from a PDF converter (`collapsible`) a row's
    values may sit in its first cell (`1 2 330`): when the cell shows several values (a space, a
    sign or a note between digits) or every row came so, the rows are cut instead."""
    layout = ACTIVE_2019 if fmt == "2019" else ACTIVE_2021
    found: Cells = {}
    texts: dict[str, tuple[str, tuple[str, ...]]] = {}  # row → (run, columns), for cutting
    collapsed: list[str] = []  # rows whose values sit in one cell
    wide = 0  # rows with a value in a block of several columns
    for row in rows:
        key = active_row_key(row)
        if key is None or key not in layout or key in found:
            continue
        found[key] = {}
        columns = _active_columns(row, layout[key])
        pairs = [(col, raw) for col, raw in zip(columns, row.values, strict=False) if col is not None]
        for k, (col, raw) in enumerate(zip(columns, row.values, strict=False)):
            if col is not None:
                _put(found, diag, "active", key, col, raw, row.confidence(k), row.place(k))
        cols = tuple(c for c, _ in pairs)
        wide += len(cols) > 1 and any(not _MARKS_ONLY.fullmatch(raw) for _, raw in pairs)
        if collapsible and len(cols) > 1 and flattened(tuple(raw for _, raw in pairs), len(cols)):
            collapsed.append(pairs[0][1])
            texts[key] = (pairs[0][1], cols)
        else:
            texts[key] = (run_text([raw for _, raw in pairs]), cols)
    if collapsed and (len(collapsed) == wide > 1 or any(_SEVERAL.search(t) for t in collapsed)):
        return active_from_runs(texts, fmt, diag, evidence)
    out: Cells = {}
    for key, cols in layout.items():
        if key not in found:
            diag.missing_rows.append(f"active.{key}")
        out[key] = {c: found.get(key, {}).get(c) for c in cols}
    return out


def active_soft(fmt: str) -> list[Relation]:
    """What usually holds in 表二 (现行有效 ≥ 本年制发; 本年新公开 ≤ 对外公开总数量): ranks cuts only."""
    def k(row: str, col: str) -> str:
        return cell_key("active", row, col)

    docs = ("rules", "normative_documents")
    if fmt == "2019":
        return [rel for r in docs for rel in (
            Relation((k(r, "new_published"),), (k(r, "total_published"),), le=True),
            Relation((k(r, "new_published"),), (k(r, "new_made"),), le=True),
        )]
    return [Relation((k(r, "issued"),), (k(r, "in_force"),), le=True) for r in docs]


def active_from_runs(
    rows: Mapping[str, tuple[str, tuple[str, ...]]], fmt: str, diag: Diagnostics, evidence: Evidence = (),
) -> Cells:
    """表二 from each row's run and its columns (row key → (text, column keys))."""
    layout = ACTIVE_2019 if fmt == "2019" else ACTIVE_2021
    runs: dict[str, Run] = {}
    for row, (text, columns) in rows.items():
        if row not in layout:
            continue
        cols = tuple(c for c in columns if c in layout[row]) or layout[row]
        keys = tuple(cell_key("active", row, c) for c in cols)
        runs[row] = Run(
            text, keys,
            signed=frozenset(k for k, c in zip(keys, cols, strict=True) if c in SIGNED_CELLS),
            money=frozenset(k for k, c in zip(keys, cols, strict=True) if (row, c) in MONEY_CELLS),
        )
    values = _cut("active", runs, (), diag, evidence=evidence, soft=active_soft(fmt))
    out: Cells = {}
    for key, cols in layout.items():
        if key not in runs:
            diag.missing_rows.append(f"active.{key}")
        out[key] = {c: values.get(cell_key("active", key, c)) for c in cols}
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
        key = legacy_key(entry["label"], seen)
        score = row.confidence(0)
        if score is not None:
            diag.read_scores[f"legacy_stats.{key}.value"] = (score, row.values[0])
    return out


def legacy_rows(rows: Sequence[tuple[str, str, str]]) -> list[tuple[str, str, str, str]]:
    """(printed label, unit, run) → (entry key, label, unit, run) for the 统计表 rows that carry values;
    a repeated label is keyed `label#2` as the validator keys it."""
    out = []
    seen: dict[str, int] = {}
    for printed, unit, text in rows:
        if unit == "/" or not unit:
            continue
        label = legacy_label(printed)
        out.append((legacy_key(label, seen), label, unit, text))
    return out


_SUBITEM: Final = re.compile(r"^(?:其中[:：]?)?\d+[、.]")


def legacy_parts(rows: Sequence[tuple[str, str, str]]) -> list[tuple[int, list[int]]]:
    """`受理…总数` followed by `其中:1、当面… 2、网上… 3、信函…`: (parent, its numbered parts),
    for groups of two parts or more."""
    out: list[tuple[int, list[int]]] = []
    k = 0
    while k < len(rows):
        if squash(rows[k][0]).startswith("其中") and k > 0 and _SUBITEM.match(squash(rows[k][0])):
            parts = [k]
            while k + 1 < len(rows) and _SUBITEM.match(squash(rows[k + 1][0])) and not squash(
                    rows[k + 1][0]).startswith("其中"):
                k += 1
                parts.append(k)
            if len(parts) > 1:
                out.append((parts[0] - 1, parts))
        k += 1
    return out


def legacy_from_runs(
    rows: Sequence[tuple[str, str, str]], cumulative: bool, diag: Diagnostics,
    figures: Sequence[Figure] = (), previous: Sequence[Mapping[str, Any]] = (),
) -> list[dict[str, Any]]:
    """The 统计表 from (printed label, unit, run) rows: one value each, or 本年度 and 历年累计."""
    keyed = legacy_rows(rows)
    columns = ("value", "cumulative") if cumulative else ("value",)
    runs: dict[str, Run] = {}
    for key, _, unit, text in keyed:
        cells = tuple(f"legacy_stats.{key}.{c}" for c in columns)
        runs[key] = Run(text, cells, money=frozenset(cells) if unit in {"万元", "元"} else frozenset())
    relations = [Relation((run.cells[0],), (run.cells[1],), le=True) for run in runs.values() if cumulative]
    evidence = legacy_evidence(figures, [(f"legacy_stats.{key}.value", label, unit) for key, label, unit, _ in keyed])
    valued = [row for row in rows if row[1] not in {"", "/"}]
    names = [key for key, *_ in keyed]
    for parent, parts in legacy_parts(valued):
        for c in columns:
            evidence.append(Relation((f"legacy_stats.{names[parent]}.{c}",),
                                     tuple(f"legacy_stats.{names[p]}.{c}" for p in parts)))
    if cumulative:
        before = {legacy_label(str(e.get("label"))): e.get("cumulative") for e in previous}
        for key, label, _, _ in keyed:
            last = before.get(label)
            if isinstance(last, int | float):
                evidence.append(Relation((f"legacy_stats.{key}.cumulative",), (f"legacy_stats.{key}.value",),
                                         const=-last))
    values = _cut("legacy_stats", runs, relations, diag, evidence=evidence)
    out: list[dict[str, Any]] = []
    for key, label, unit, _ in keyed:
        entry: dict[str, Any] = {"label": label, "unit": unit, "value": values.get(f"legacy_stats.{key}.value")}
        if cumulative:
            entry["cumulative"] = values.get(f"legacy_stats.{key}.cumulative")
        out.append(entry)
    return out
