"""A metric described in words: its formula with the cells' printed names, and its whole definition."""

from __future__ import annotations

from typing import Any

from analytics.metrics import Cells, Metric, Term
from catalogue.analytics import BETTER, FACTS, METRIC_CAVEATS, METRIC_NAMES, POLICIES, TOTALS, UNITS
from catalogue.findings import cell_name


def formula(term: Term) -> str:
    if isinstance(term, Cells):
        return " + ".join(cell_name(term.table, row, col) for row, col in term.cells)
    return FACTS[term.name]


def metric_formula(metric: Metric) -> str:
    if metric.denominator is None:
        return formula(metric.numerator)
    return f"（{formula(metric.numerator)}）÷（{formula(metric.denominator)}）"


def definition(metric: Metric) -> dict[str, Any]:
    """The metric as `--json` gives it: ids for machines, the Chinese words beside them."""
    return {
        "key": metric.key, "name": METRIC_NAMES[metric.key], "unit": metric.unit, "unit_name": UNITS[metric.unit],
        "formula": metric_formula(metric), "formats": list(metric.formats), "blank": metric.blank,
        "not_applicable": metric.not_applicable, "total": metric.total, "total_name": TOTALS[metric.total],
        "blank_name": POLICIES[metric.blank], "better": metric.better, "better_name": BETTER.get(metric.better or ""),
        "jump_factor": metric.jump_factor, "jump_floor": metric.jump_floor, "caveat": METRIC_CAVEATS[metric.key],
    }
