"""One sum relation, with blank ≠ zero: `Σ left = Σ right` over cells that may be blank (None).

A blank part keeps the relation undecided (`uncertain`), unless the side holding the blanks
already exceeds the other: blanks are non-negative counts, so they can only make it larger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from validate.context import Number
from validate.finding import Status


@dataclass(frozen=True, slots=True)
class Verdict:
    status: Status
    left: Number  # sum of the known values on the left
    right: Number
    blanks: bool  # some part was blank


def _total(values: Sequence[Number | None]) -> tuple[Number, bool, bool]:
    """(sum of the known values, some value blank, every known value an integer)."""
    total: Number = 0
    blank, exact = False, True
    for v in values:
        if v is None:
            blank = True
        else:
            total += v
            exact = exact and type(v) is int
    return total, blank, exact


def compare(left: Sequence[Number | None], right: Sequence[Number | None], tolerance: float) -> Verdict | None:
    """None when the relation holds; otherwise how it fails or why it cannot be decided.

    Integer sums compare exactly; `tolerance` applies as soon as a decimal (万元) takes part.
    """
    lsum, left_blank, left_exact = _total(left)
    rsum, right_blank, right_exact = _total(right)
    tol = 0.0 if left_exact and right_exact else tolerance
    if not (left_blank or right_blank):
        return None if abs(lsum - rsum) <= tol else Verdict("fail", lsum, rsum, blanks=False)
    if (left_blank and not right_blank and lsum > rsum + tol) or (right_blank and not left_blank and rsum > lsum + tol):
        return Verdict("fail", lsum, rsum, blanks=True)
    return Verdict("uncertain", lsum, rsum, blanks=True)
