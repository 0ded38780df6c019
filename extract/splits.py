"""Recover cells that an archive ran together (`640020470` for a row of seven).

Real archived pages lose the separators between a row's cells. The template's own arithmetic
decides where the cuts go; when more than one way survives we say so instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from extract.cells import is_blank

MAX_CANDIDATES = 20
MAX_TRIES = 200_000  # compositions examined before giving up (a 30-digit run into 7 cells is ~600k)

Check = Callable[[Sequence[int]], bool]


def _cuts(digits: str, n: int) -> Iterator[tuple[int, ...]]:
    """Every way to cut `digits` into n numbers without leading zeros (a lone `0` is fine)."""
    if n == 1:
        if digits and (digits == "0" or digits[0] != "0"):
            yield (int(digits),)
        return
    max_len = len(digits) - (n - 1)
    for k in range(1, max_len + 1):
        head = digits[:k]
        if len(head) > 1 and head[0] == "0":
            break
        for rest in _cuts(digits[k:], n - 1):
            yield (int(head), *rest)


def candidates(digits: str, n: int, check: Check) -> list[tuple[int, ...]]:
    out: list[tuple[int, ...]] = []
    for tries, cut in enumerate(_cuts(digits, n)):
        if tries >= MAX_TRIES or len(out) >= MAX_CANDIDATES:
            break
        if check(cut):
            out.append(cut)
    return out


def flattened(values: Sequence[str], n: int) -> str | None:
    """The digit run when a row's n ≥ 2 cells arrived as its first cell, the others blank, else None."""
    if n < 2 or not values or any(not is_blank(v) for v in values[1:]):
        return None
    run = values[0].strip()
    return run if run.isdigit() and len(run) >= n else None


def row_total_check(parts: int) -> Check:
    """Cells come in groups of parts+1 whose last cell is the sum of the others."""
    size = parts + 1

    def check(cut: Sequence[int]) -> bool:
        return all(sum(cut[i:i + parts]) == cut[i + parts] for i in range(0, len(cut), size))

    return check

