"""What every rule reads: the record, last year's record, the metadata, and facts derived once from them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any, Final, Literal

from extract.schema import (
    ACTIVE_2019,
    ACTIVE_2021,
    OTHER_2019,
    REQUEST_COLUMNS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    TABLES,
    Record,
    legacy_key,
    request_rows,
)
from validate.deadlines import DEFAULT_DEADLINES
from validate.narrative import Narrative, read_narrative

# what a record is held to: the 2019/2021 template, the pre-2019 统计表 (a report on 2018 or before keeps its
# own structure whatever the parser made of it), or nothing at all (a report found but not read yet)
Kind = Literal["template", "legacy", "unread"]
LAST_LEGACY_YEAR: Final = 2018
Number = int | float
Meta = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Settings:
    """Thresholds a deployment may tune; the defaults follow format-spec §2.7 and §5."""

    money_tolerance: float = 0.005  # 万元 amounts compare within this
    copy_threshold: float = 0.8  # shingled Jaccard at or above which a section counts as copied (E4)
    shingle_size: int = 3
    copy_min_chars: int = 50  # shorter sections (“无。”) are not compared
    thin_section_chars: int = 10  # 一 and 五 shorter than this are “thin” (E5)
    township_fee_limit: float = 10000.0  # 万元; at or above this a township probably typed 元 (P-R2)
    deadlines: Mapping[str, tuple[int, int]] = field(default_factory=lambda: DEFAULT_DEADLINES)


DEFAULT_SETTINGS: Final = Settings()


def number(value: object) -> Number | None:
    """A cell's value as a number, or None when it is blank or not a number at all (bool is not)."""
    return value if type(value) is int or type(value) is float else None


def unread(record: Record) -> bool:
    """A record of a report that was found but not read (an image awaiting OCR, a file we cannot read):
    it says where and when the report was published, nothing about what it says."""
    reading = record.get("reading")
    return isinstance(reading, dict) and reading.get("state") in ("unread", "unreadable")


def _record_kind(record: Record) -> Kind:
    if unread(record):
        return "unread"
    fmt, year = record.get("format"), record.get("year")
    old = isinstance(year, int) and year <= LAST_LEGACY_YEAR
    return "legacy" if fmt == "legacy" or (fmt is None and ("legacy_stats" in record or old)) else "template"


def _single_other(record: Record) -> bool:
    requests = record.get("requests")
    if isinstance(requests, dict) and requests:
        return OTHER_2019[0] in requests
    return record.get("format") == "2019"


def template_cells(record: Record, table: str) -> tuple[tuple[str, str], ...]:
    """Every (row, col) the record's template prints in `table`, in template order.

    For 表四 the pair is (group, col).
    """
    return _layout(table, fmt_2019=record.get("format") == "2019", single_other=_single_other(record))


@cache
def _layout(table: str, *, fmt_2019: bool, single_other: bool) -> tuple[tuple[str, str], ...]:
    if table == "active":
        layout = ACTIVE_2019 if fmt_2019 else ACTIVE_2021
        return tuple((row, col) for row, cols in layout.items() for col in cols)
    if table == "requests":
        rows = request_rows(single_other=single_other)
        return tuple((row, col) for row in rows for col in REQUEST_COLUMNS)
    return tuple((group, col) for group in REVIEW_GROUPS for col in REVIEW_COLUMNS)


@dataclass(frozen=True, slots=True)
class LegacyEntry:
    key: str  # the label, made unique: the second 被依法纠错数 is `被依法纠错数#2`
    label: str
    unit: str
    raw: object
    raw_cumulative: object

    @property
    def value(self) -> Number | None:
        return number(self.raw)

    @property
    def cumulative(self) -> Number | None:
        return number(self.raw_cumulative)


@dataclass(frozen=True)
class Context:
    record: Record
    previous: Record | None
    meta: Meta
    settings: Settings

    @cached_property
    def kind(self) -> Kind:
        return _record_kind(self.record)

    @cached_property
    def year(self) -> int | None:
        year = self.record.get("year")
        return year if isinstance(year, int) else None

    @cached_property
    def single_other(self) -> bool:
        """True when 表三 (六)其他处理 is one row (2019 format, or a hybrid)."""
        return _single_other(self.record)

    @cached_property
    def parse(self) -> Mapping[str, Any]:
        diagnostics = self.record.get("parse")
        return diagnostics if isinstance(diagnostics, dict) else {}

    @cached_property
    def scanned(self) -> bool:
        """Read from a scan by OCR: a digit may be misread, so a failing sum is a doubt, not a contradiction."""
        return "ocr_confidence" in self.parse

    @cached_property
    def doubtful(self) -> Mapping[tuple[str, str, str], Mapping[str, Any]]:
        """(table, row, col) → what OCR read in the cells it was not sure of (`parse.ocr_cells`)."""
        out: dict[tuple[str, str, str], Mapping[str, Any]] = {}
        for key, info in (self.parse.get("ocr_cells") or {}).items():
            table, _, rest = str(key).partition(".")
            row, _, col = rest.rpartition(".")
            if isinstance(info, dict) and row and col:
                out[table, row, col] = info
        return out

    @cached_property
    def unsure(self) -> frozenset[tuple[str, str, str]]:
        """Cells whose reading is in doubt (OCR's or a cut's): a sum through one is left to the finding
        that names the doubt, never reported as a contradiction."""
        return frozenset(self.doubtful) | self.uncertain_cuts

    @cached_property
    def missing_rows(self) -> frozenset[tuple[str, str]]:
        """(table, row) pairs whose label the parser did not find at all."""
        out = set()
        for item in self.parse.get("missing_rows") or ():
            table, _, row = str(item).partition(".")
            out.add((table, row))
        return frozenset(out)

    @cached_property
    def unreadable_rows(self) -> frozenset[tuple[str, str]]:
        """Rows another finding already explains (label missing, digits run together)."""
        splits = {(str(s.get("table")), str(s.get("row"))) for s in self.ambiguous_splits}
        return self.missing_rows | splits

    @cached_property
    def uncertain_cuts(self) -> frozenset[tuple[str, str, str]]:
        """Cells the parser cut from run-together digits without being sure of the cut
        (`parse.uncertain_cells`): the ambiguous-split finding names them, the sums skip them."""
        out = set()
        for key in self.parse.get("uncertain_cells") or ():
            table, _, rest = str(key).partition(".")
            row, _, col = rest.rpartition(".")
            out.add((table, row, col))
        return frozenset(out)

    @cached_property
    def ambiguous_splits(self) -> tuple[Mapping[str, Any], ...]:
        return tuple(s for s in self.parse.get("ambiguous_splits") or () if isinstance(s, dict))

    @cached_property
    def raw(self) -> dict[tuple[str, str, str], object]:
        """(table, row, col) → the value as the record has it; blank cells are None or absent."""
        out: dict[tuple[str, str, str], object] = {}
        for table in TABLES:
            rows = self.record.get(table)
            for row, cols in rows.items() if isinstance(rows, dict) else ():
                if isinstance(cols, dict):
                    for col, value in cols.items():
                        out[table, row, col] = value
        return out

    @cached_property
    def numbers(self) -> dict[tuple[str, str, str], Number | None]:
        """(table, row, col) → the value as a number; None when blank or not a number."""
        return {k: number(v) for k, v in self.raw.items()}

    def value(self, table: str, row: str, col: str) -> Number | None:
        """The cell as a number (None when blank, absent or not a number)."""
        return self.numbers.get((table, row, col))

    @cached_property
    def cells(self) -> Mapping[str, tuple[tuple[str, str], ...]]:
        """table → the (row, col) pairs its template prints (for 表四: (group, col))."""
        return {t: template_cells(self.record, t) for t in TABLES}

    @cached_property
    def odd_cells(self) -> tuple[tuple[str, str, str, object], ...]:
        """Filled template cells of readable tables that are not plain non-negative integers."""
        get = self.raw.get
        out = []
        for table in sorted(self.readable_tables):
            for row, col in self.cells[table]:
                value = get((table, row, col))
                if value is not None and not (type(value) is int and value >= 0):
                    out.append((table, row, col, value))
        return tuple(out)

    @cached_property
    def rows(self) -> Mapping[str, tuple[str, ...]]:
        """table → its template rows in order (for 表四: its groups)."""
        return {t: tuple(dict.fromkeys(r for r, _ in cells)) for t, cells in self.cells.items()}

    @cached_property
    def readable_tables(self) -> frozenset[str]:
        """Tables with at least one number in a template cell (absent or all-blank tables are not)."""
        return frozenset(t for t in TABLES if any(self.value(t, r, c) is not None for r, c in self.cells[t]))

    @cached_property
    def narrative(self) -> Narrative:
        texts = self.record.get("narrative")
        agency = self.record.get("agency") or self.meta.get("agency")
        return read_narrative(texts if isinstance(texts, dict) else {}, agency)

    @cached_property
    def legacy(self) -> tuple[LegacyEntry, ...]:
        """The 统计表 entries, each with a key that stays unique when a label repeats (`被依法纠错数#2`)."""
        stats = self.record.get("legacy_stats")
        seen: dict[str, int] = {}
        out = []
        for entry in stats if isinstance(stats, list) else ():
            if not isinstance(entry, dict):
                continue
            label = str(entry.get("label") or "")
            out.append(LegacyEntry(legacy_key(label, seen), label, str(entry.get("unit") or ""), entry.get("value"),
                                   entry.get("cumulative")))
        return tuple(out)

    @cached_property
    def prev(self) -> Context | None:
        """Last year's record, read the same way, when it is the year before (or a year is unknown)."""
        if self.previous is None:
            return None
        prev_year = self.previous.get("year")
        if isinstance(prev_year, int) and self.year is not None and prev_year != self.year - 1:
            return None
        return Context(self.previous, None, {}, self.settings)
