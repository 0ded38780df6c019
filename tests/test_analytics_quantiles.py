"""Quartiles, ranks and percentile ranks against reference computations, blanks and not-applicable left out."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.benchmark import distribution, ranked
from analytics.metrics import BY_KEY
from analytics.quantiles import percent_rank, percentile, quartiles, rank
from analytics.values import Value

values = st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=60)


@given(values, st.sampled_from([0, 0.1, 0.25, 0.5, 0.75, 0.9, 1]))
def test_percentile_is_numpy_linear(data: list[float], p: float) -> None:
    assert percentile(data, p) == pytest.approx(float(np.percentile(data, p * 100, method="linear")), abs=1e-6)


@given(values)
def test_percent_rank_is_percentrank_inc(data: list[float]) -> None:
    ordered = sorted(data)
    for x in data:
        expected = sum(v < x for v in data) / (len(data) - 1) if len(data) > 1 else None
        assert percent_rank(ordered, x) == expected
        assert rank(ordered, x) == 1 + sum(v > x for v in data)


def test_known_values() -> None:
    assert quartiles([1, 2, 3, 4]) == (1.75, 2.5, 3.25)  # Excel: PERCENTILE.INC({1,2,3,4}, 0.25) = 1.75
    assert quartiles([7]) == (7, 7, 7)
    assert quartiles([]) == (None, None, None)
    assert rank([1, 5, 5, 9], 5) == 2  # 9 first, then the two 5s share second place
    assert rank([1, 5, 5, 9], 1) == 4
    with pytest.raises(ValueError, match="outside"):
        percentile([1], 1.5)


STATES = ("value", "value", "value", "blank", "not_applicable", "zero_denominator", "text", "other_format", "no_report")


@pytest.mark.parametrize("seed", range(20))
def test_distribution_leaves_out_what_has_no_value(seed: int) -> None:
    rng = random.Random(seed)
    metric = BY_KEY["granted_rate"]
    group = []
    for k in range(rng.randint(1, 80)):
        state = rng.choice(STATES)
        numerator, denominator = rng.randint(0, 50), rng.randint(1, 60)
        value = numerator / denominator if state == "value" else None
        group.append(Value(f"机关{k}", "county", "430381", 2024, state, value, numerator, denominator))
    have = [v.value for v in group if v.state == "value"]
    got = distribution(metric, group)
    assert got.n == len(have)
    assert sum(got.states.values()) == len(group) - len(have)
    if have:
        for p, q in (("p25", 25), ("p50", 50), ("p75", 75)):
            assert getattr(got, p) == pytest.approx(float(np.percentile(have, q, method="linear")))
        pooled = sum(v.numerator for v in group if v.state == "value") / sum(
            v.denominator for v in group if v.state == "value")
        assert got.total == pytest.approx(pooled)
    else:
        assert (got.p25, got.p50, got.p75, got.total) == (None, None, None, None)
    ranks = ranked(group)
    assert [r.value.agency for r in ranks if r.rank is not None] == [
        v.agency for v in sorted((v for v in group if v.state == "value"), key=lambda v: (-(v.value or 0), v.agency))]
