"""Figures as a person reads them: ratios in per cent, money with two decimals, counts whole.

Exports that can hold numbers (JSON, XLSX) keep the numbers themselves; only text goes through here.
"""

from __future__ import annotations

from typing import Final

from analytics.benchmark import Jump
from analytics.metrics import Metric
from catalogue.analytics import METRIC_NAMES, NO_VALUE, STATES, UNITS, words

# decimals shown per unit (a ratio in per cent)
DECIMALS: Final = {"count": 0, "money": 2, "ratio": 1, "days": 1, "cells": 0}


def show(metric: Metric, value: float | None, *, unit: bool = False, exact: bool = False) -> str:
    """`82.4%`, `12.35 万元` (with `unit`), `3`; quartiles of counts may fall between two whole numbers
    (`exact`: one decimal then)."""
    if value is None:
        return NO_VALUE
    decimals = DECIMALS[metric.unit]
    if metric.unit == "ratio":
        return f"{value * 100:.{decimals}f}%"
    if exact and decimals == 0 and not float(value).is_integer():
        decimals = 1
    text = f"{value:.{decimals}f}"
    return f"{text} {UNITS[metric.unit]}" if unit else text


def show_state(metric: Metric, value: float | None, state: str) -> str:
    return show(metric, value) if state == "value" else STATES.get(state, state)


def factor_text(factor: float) -> str:
    return "∞" if factor == float("inf") else f"{factor:.1f}"


def jump_message(metric: Metric, jump: Jump) -> str:
    """The plausibility finding: what changed, by how much, and where the agency's peers stand."""
    return words(
        "jump", agency=jump.agency, metric=METRIC_NAMES[metric.key], prev_year=jump.year - 1,
        prev=show(metric, jump.previous, unit=True), year=jump.year, value=show(metric, jump.value, unit=True),
        direction=words("jump.rose" if jump.rising else "jump.fell"), factor=factor_text(jump.factor),
        peers=jump.peers.n, p50=show(metric, jump.peers.p50, unit=True, exact=True),
        p25=show(metric, jump.peers.p25, exact=True), p75=show(metric, jump.peers.p75, exact=True),
    )
