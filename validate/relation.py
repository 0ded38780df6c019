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


def compare(left: Sequence[Number | None], right: Sequence[Number | None], tolerance: float) -> Verdict | None:
    """None when the relation holds; otherwise how it fails or why it cannot be decided.

    Integer sums compare exactly; `tolerance` applies as soon as a decimal (万元) takes part.
    """
    left_known = [v for v in left if v is not None]
    right_known = [v for v in right if v is not None]
    lsum, rsum = sum(left_known), sum(right_known)
    left_blank, right_blank = len(left_known) < len(left), len(right_known) < len(right)
    exact = all(type(v) is int for v in (*left_known, *right_known))
    tol = 0.0 if exact else tolerance
    if not (left_blank or right_blank):
        return None if abs(lsum - rsum) <= tol else Verdict("fail", lsum, rsum, blanks=False)
    if (left_blank and not right_blank and lsum > rsum + tol) or (right_blank and not left_blank and rsum > lsum + tol):
        return Verdict("fail", lsum, rsum, blanks=True)
    return Verdict("uncertain", lsum, rsum, blanks=True)
