"""Peers, quartiles, ranks, series and year-on-year jumps, from agencies' values (pure functions).

Everything here works on `Value`s already read from the archive, so that the CLI, the reports and
a web page compute the same figures the same way. See analytics/quantiles.py for the method.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Any

from analytics.metrics import Metric
from analytics.quantiles import percent_rank, percentile, rank
from analytics.values import Value


@dataclass(frozen=True, slots=True)
class Distribution:
    """A group's values: how many have one, why the others have none, its figure and its quartiles."""

    n: int
    states: Mapping[str, int]  # agencies without a value, by reason
    total: float | None  # the group's figure: sum, pooled ratio or mean (Metric.total)
    min: float | None
    p25: float | None
    p50: float | None
    p75: float | None
    max: float | None
    mean: float | None

    def to_dict(self) -> dict[str, Any]:
        return {k: dict(v) if isinstance(v := getattr(self, k), Mapping) else v for k in self.__slots__}


@dataclass(frozen=True, slots=True)
class Ranked:
    """An agency's value with its place among the group's values."""

    value: Value
    rank: int | None  # 1 = the largest value
    percentile: float | None  # PERCENTRANK.INC, 0…1
    peers: int  # values it was ranked among

    def to_dict(self) -> dict[str, Any]:
        return {**self.value.to_dict(), "rank": self.rank, "percentile": self.percentile, "peers": self.peers}


def group_total(metric: Metric, values: Sequence[Value]) -> float | None:
    """The group's figure: the sum, the pooled ratio (Σ numerators ÷ Σ denominators) or the mean."""
    have = [v for v in values if v.state == "value" and v.value is not None]
    if not have:
        return None
    if metric.total == "mean":
        return fmean(v.value for v in have if v.value is not None)
    if metric.total == "pooled":
        denominator = sum(v.denominator or 0 for v in have)
        return sum(v.numerator or 0 for v in have) / denominator if denominator else None
    return sum(v.value for v in have if v.value is not None)


def distribution(metric: Metric, values: Sequence[Value]) -> Distribution:
    numbers = sorted(v.value for v in values if v.state == "value" and v.value is not None)
    states = Counter(v.state for v in values if v.state != "value")
    return Distribution(
        n=len(numbers), states=dict(sorted(states.items())), total=group_total(metric, values),
        min=numbers[0] if numbers else None, p25=percentile(numbers, 0.25), p50=percentile(numbers, 0.5),
        p75=percentile(numbers, 0.75), max=numbers[-1] if numbers else None,
        mean=fmean(numbers) if numbers else None,
    )


def ranked(values: Sequence[Value]) -> list[Ranked]:
    """Each value ranked among the group's (largest first), in that order; the others after, by name."""
    numbers = sorted(v.value for v in values if v.state == "value" and v.value is not None)
    out = []
    for v in values:
        if v.state == "value" and v.value is not None:
            out.append(Ranked(v, rank(numbers, v.value), percent_rank(numbers, v.value), len(numbers)))
        else:
            out.append(Ranked(v, None, None, len(numbers)))
    out.sort(key=lambda r: (r.rank is None, r.rank or 0, r.value.agency))
    return out


def by_year(values: Iterable[Value]) -> dict[int, list[Value]]:
    out: dict[int, list[Value]] = {}
    for v in values:
        out.setdefault(v.year, []).append(v)
    return dict(sorted(out.items()))


def peers_of(values: Iterable[Value], level: str) -> list[Value]:
    return [v for v in values if v.level == level]


@dataclass(frozen=True, slots=True)
class Jump:
    """A year-on-year change by the metric's factor or more: worth checking before anyone relies on it."""

    agency: str
    level: str
    year: int
    previous: float
    value: float
    factor: float  # larger ÷ smaller (inf from 0)
    peers: Distribution  # the same level in the same group, in `year`
    report_id: int | None

    @property
    def rising(self) -> bool:
        return self.value > self.previous

    def to_dict(self) -> dict[str, Any]:
        return {"agency": self.agency, "level": self.level, "year": self.year, "previous": self.previous,
                "value": self.value, "factor": None if self.factor == float("inf") else self.factor,
                "report_id": self.report_id, "peers": self.peers.to_dict()}


def change_factor(previous: float, value: float) -> float:
    low, high = sorted((abs(previous), abs(value)))
    return float("inf") if low == 0 else high / low


def jumps(metric: Metric, previous: Sequence[Value], current: Sequence[Value]) -> list[Jump]:
    """Agencies whose value changed by `metric.jump_factor` or more from the year before (the larger of
    the two at least `metric.jump_floor`), with the distribution of their level's values this year."""
    if metric.jump_factor is None:
        return []
    before = {v.agency: v.value for v in previous if v.state == "value" and v.value is not None}
    levels: dict[str, Distribution] = {}
    out = []
    for v in current:
        old = before.get(v.agency)
        if v.state != "value" or v.value is None or old is None:
            continue
        factor = change_factor(old, v.value)
        if factor < metric.jump_factor or max(abs(old), abs(v.value)) < metric.jump_floor:
            continue
        if v.level not in levels:
            levels[v.level] = distribution(metric, peers_of(current, v.level))
        out.append(Jump(v.agency, v.level, v.year, old, v.value, factor, levels[v.level], v.report_id))
    out.sort(key=lambda j: (-j.factor, j.agency))
    return out
