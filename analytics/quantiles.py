"""Quartiles, ranks and percentile ranks, defined as a spreadsheet user knows them.

P25/P50/P75 are Excel's PERCENTILE.INC (numpy's `method="linear"`): sort the n values, take the
position h = (n − 1)·p counted from 0, and interpolate linearly between the values on either side.
An agency's percentile rank is Excel's PERCENTRANK.INC: the share of the other values that are
smaller, (number of values < x) / (n − 1). Ranks count from the largest value ("competition"
ranking: equal values share a rank, the next rank skips).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from typing import Final

QUARTILES: Final = (0.25, 0.5, 0.75)


def percentile(values: Sequence[float], p: float) -> float | None:
    """PERCENTILE.INC of `values` at `p` (0…1); None for no values."""
    if not 0 <= p <= 1:
        raise ValueError(f"percentile {p} is outside 0…1")
    ordered = sorted(values)
    if not ordered:
        return None
    h = (len(ordered) - 1) * p
    low = math.floor(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


def quartiles(values: Sequence[float]) -> tuple[float | None, float | None, float | None]:
    p25, p50, p75 = (percentile(values, p) for p in QUARTILES)
    return p25, p50, p75


def rank(ordered: Sequence[float], x: float) -> int:
    """1 + how many values are larger than x, in values sorted ascending."""
    return len(ordered) - bisect.bisect_right(ordered, x) + 1


def percent_rank(ordered: Sequence[float], x: float) -> float | None:
    """PERCENTRANK.INC of x among values sorted ascending; None with fewer than two values."""
    if len(ordered) < 2:
        return None
    return bisect.bisect_left(ordered, x) / (len(ordered) - 1)
