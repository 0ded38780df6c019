"""Figures as a person reads them: ratios in per cent, money with two decimals, counts whole.

Exports that can hold numbers (JSON, XLSX) keep the numbers themselves; only text goes through here.
"""

from __future__ import annotations

from analytics.benchmark import Jump
from analytics.document import Num
from analytics.metrics import Metric
from catalogue.analytics import METRIC_NAMES, NO_VALUE, UNITS, words


def show(metric: Metric, value: float | None, *, unit: bool = False, exact: bool = False) -> str:
    """`82.4%`, `12.35 万元` (with `unit`), `3`; a quartile of counts may fall between two whole
    numbers (`exact`: one decimal then)."""
    text = Num(value, metric.unit, exact=exact).text(NO_VALUE)
    return f"{text} {UNITS[metric.unit]}" if unit and value is not None and metric.unit != "ratio" else text


def _change(jump: Jump) -> str:
    if jump.factor == float("inf"):
        return words("jump.from_zero" if jump.rising else "jump.to_zero")
    return words("jump.up" if jump.rising else "jump.down", factor=Num(jump.factor, "factor").text(NO_VALUE))


def jump_message(metric: Metric, jump: Jump) -> str:
    """The plausibility finding: what changed, by how much, and where the agency's peers stand."""
    return words(
        "jump", agency=jump.agency, metric=METRIC_NAMES[metric.key], prev_year=jump.year - 1,
        prev=show(metric, jump.previous, unit=True), year=jump.year, value=show(metric, jump.value, unit=True),
        change=_change(jump), peers=jump.peers.n, p50=show(metric, jump.peers.p50, unit=True, exact=True),
        p25=show(metric, jump.peers.p25, exact=True), p75=show(metric, jump.peers.p75, exact=True),
    )
