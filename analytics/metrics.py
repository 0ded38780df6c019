"""The metric dictionary: every figure the CLI, the exports, the dashboard and the reports compute.

A metric is data: a numerator and an optional denominator, each a sum of template cells (read from
the `cell` table) or a fact of the compliance matrix; which formats carry its cells; what a blank
or a not-applicable cell counts as; how a group's figure is made from its agencies' values. Its
Chinese name and caveats are in catalogue/analytics.py; docs/metrics.md is generated from both.

A ratio whose denominator is 0 has no value (不适用), never 0 or 100 %.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from catalogue.analytics import METRIC_NAMES
from extract.schema import REVIEW_PARTS

Policy = Literal["unknown", "zero"]
Unit = Literal["count", "money", "ratio", "days", "cells"]
Total = Literal["sum", "pooled", "mean"]
FactName = Literal["on_time", "due", "days_late", "content_errors", "blank_cells"]

TEMPLATE_FORMATS: Final = ("2021", "2019")
ALL_FORMATS: Final = ("2021", "2019", "legacy")
_WITHHELD: Final = (
    "withheld_state_secret", "withheld_prohibited", "withheld_security", "withheld_third_party",
    "withheld_internal", "withheld_process", "withheld_enforcement_file", "withheld_inquiry",
)
_CONCLUDED: Final = tuple(p for p in REVIEW_PARTS if p != "pending")  # 维持, 纠正, 其他结果
_LITIGATION: Final = ("litigation_direct", "litigation_after_review")


@dataclass(frozen=True, slots=True)
class Cells:
    """The sum of template cells of one table: (row, col) pairs (表四: (group, col))."""

    table: str
    cells: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Fact:
    """A figure of the compliance matrix or of the version as a whole, not of one cell."""

    name: FactName


Term = Cells | Fact


@dataclass(frozen=True, slots=True)
class Metric:
    key: str
    unit: Unit
    numerator: Term
    denominator: Term | None = None
    formats: tuple[str, ...] = TEMPLATE_FORMATS  # whose tables carry the cells (the others: 格式不适用)
    blank: Policy = "unknown"  # a blank cell: unknown (blank is not zero) or counted as 0
    not_applicable: Policy = "unknown"  # a cell marked `/`, `—`
    total: Total = "sum"  # a group's figure from its agencies' values
    better: Literal["higher", "lower"] | None = None
    jump_factor: float | None = 5.0  # a year-on-year change by this factor or more is worth checking
    jump_floor: float = 10.0  # …when the larger of the two years is at least this
    key_figure: bool = True  # in the region report's key figures and annex

    @property
    def is_ratio(self) -> bool:
        return self.denominator is not None

    def terms(self) -> tuple[Term, ...]:
        return (self.numerator,) if self.denominator is None else (self.numerator, self.denominator)

    def cell_terms(self) -> tuple[Cells, ...]:
        return tuple(t for t in self.terms() if isinstance(t, Cells))

    def facts(self) -> tuple[FactName, ...]:
        return tuple(t.name for t in self.terms() if isinstance(t, Fact))


def _one(table: str, row: str, col: str = "total") -> Cells:
    return Cells(table, ((row, col),))


def _rows(table: str, rows: tuple[str, ...], col: str = "total") -> Cells:
    return Cells(table, tuple((row, col) for row in rows))


def _groups(groups: tuple[str, ...], cols: tuple[str, ...]) -> Cells:
    return Cells("review_litigation", tuple((g, c) for g in groups for c in cols))


METRICS: Final[tuple[Metric, ...]] = (
    Metric("requests_new", "count", _one("requests", "new")),
    Metric("requests_handled", "count", _one("requests", "total")),
    Metric("granted_rate", "ratio", _one("requests", "granted"), _one("requests", "total"), total="pooled",
           jump_factor=None),
    Metric("disclosed_rate", "ratio", _rows("requests", ("granted", "partly_granted")), _one("requests", "total"),
           total="pooled", jump_factor=None, key_figure=False),
    Metric("withheld_rate", "ratio", _rows("requests", _WITHHELD), _one("requests", "total"), total="pooled",
           jump_factor=None),
    Metric("review_cases", "count", _one("review_litigation", "review")),
    Metric("review_correction_rate", "ratio", _one("review_litigation", "review", "corrected"),
           _groups(("review",), _CONCLUDED), total="pooled", better="lower", jump_factor=None),
    Metric("litigation_cases", "count", _groups(_LITIGATION, ("total",))),
    Metric("litigation_correction_rate", "ratio", _groups(_LITIGATION, ("corrected",)),
           _groups(_LITIGATION, _CONCLUDED), total="pooled", better="lower", jump_factor=None),
    Metric("normative_in_force", "count", _one("active", "normative_documents", "in_force"), formats=("2021",)),
    Metric("licensing_decisions", "count", _one("active", "licensing", "decisions")),
    Metric("penalty_decisions", "count", _one("active", "penalty", "decisions")),
    Metric("coercion_decisions", "count", _one("active", "coercion", "decisions"), key_figure=False),
    Metric("fee_amount", "money", _one("active", "fees", "amount"), formats=("2021",), jump_floor=1.0),
    Metric("on_time_rate", "ratio", Fact("on_time"), Fact("due"), formats=ALL_FORMATS, total="pooled",
           better="higher", jump_factor=None),
    Metric("days_late", "days", Fact("days_late"), formats=ALL_FORMATS, total="mean", better="lower",
           jump_factor=None),
    Metric("data_errors", "count", Fact("content_errors"), formats=ALL_FORMATS, better="lower", jump_factor=None),
    Metric("blank_cells", "cells", Fact("blank_cells"), better="lower", jump_factor=None),
)
BY_KEY: Final[Mapping[str, Metric]] = {m.key: m for m in METRICS}


def find_metric(name: str) -> Metric | None:
    """A metric by its key or by its Chinese name."""
    if name in BY_KEY:
        return BY_KEY[name]
    return next((BY_KEY[k] for k, v in METRIC_NAMES.items() if v == name and k in BY_KEY), None)
