"""Cut run-together digits into a table's cells by the relations that bind them.

Real text forms lose the separators between cells: a row of seven arrives as `640020470`, a whole
表四 as `100011200002000000`, a 统计表 line as `294981916`. The template's arithmetic decides where
the cuts go — a row's total, the columns' sums, 收办平衡, 表四's totals, 历年累计 ≥ 本年度 — and, where
that leaves a choice, the figures the text states and last year's numbers. Every reading that
satisfies the relations is found within a budget: one → the values; several → the most plausible,
with the cells that differ reported as uncertain and all their candidates; none → the most
plausible cut, its cells reported as possibly misread. Spaces are hints (a cell border the page
kept, or a stray space inside a number), never separators; `|` is a border the layout kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from extract.cells import is_blank, parse_value

Number = int | float
Value = Number | None

MAX_DIGITS: Final = 9  # a count of ten digits is no count
MAX_MONEY: Final = 16  # characters of an amount, its decimals included (`5394432.52`)
NODE_BUDGET: Final = 20_000  # cut positions examined per run: a pathological run stops in milliseconds
FALLBACK_BUDGET: Final = 2_000  # … and when no cut satisfies the relations, for the likeliest few
COMBINE_BUDGET: Final = 100_000  # partial table readings examined when rows are cut together
MAX_SOLUTIONS: Final = 256  # whole readings kept; past that the candidates come from each run alone
MAX_CANDIDATES: Final = 64  # values listed for one uncertain cell (all of them, in practice)
MAX_ALTERNATIVES: Final = 12  # whole-row readings listed for a row with uncertain cells

ZERO_WEIGHT = 0.5  # plausibility of a count of 0 (a space where a reading cuts: 1)

HARD: Final = "|"  # a cell border the layout kept (markdown pipes, tabs, separate lines)
AMBIGUOUS: Final = "ambiguous"  # several cuts satisfy every relation
INCONSISTENT: Final = "inconsistent"  # no cut satisfies the relations: a digit may be misread


@dataclass(frozen=True, slots=True)
class Run:
    """The value text of one row (or of several rows whose labels were lost) and the cells it fills."""

    text: str
    cells: tuple[str, ...]
    signed: frozenset[str] = frozenset()  # cells that may be negative (本年增/减)
    money: frozenset[str] = frozenset()  # cells that may hold decimals (万元)


@dataclass(frozen=True, slots=True)
class Relation:
    """Σ left + const = Σ right (or ≤ when `le`); a blank cell may leave it undecided (`_holds`)."""

    left: tuple[str, ...]
    right: tuple[str, ...]
    const: Number = 0
    le: bool = False

    def holds(self, values: Mapping[str, Value]) -> bool:
        return _holds([values[k] for k in self.left], [values[k] for k in self.right], self.const, le=self.le)


def _holds(left: Sequence[Value], right: Sequence[Value], const: Number, *, le: bool) -> bool:
    """Σ left + const = Σ right (≤ with `le`). A blank cell leaves it undecided, unless the side
    holding the blanks already exceeds the other: blanks stand for counts, never negative."""
    lsum: Number = const + sum(v for v in left if v is not None)
    rsum: Number = sum(v for v in right if v is not None)
    lblank, rblank = None in left, None in right
    if lblank and rblank:
        return True
    if lblank:  # Σ known left + blanks ≥ Σ known left: it may not exceed the right already
        return lsum <= rsum + 1e-6
    if rblank:
        return le or rsum <= lsum + 1e-6
    return lsum <= rsum + 1e-6 if le else abs(lsum - rsum) < 1e-6


@dataclass(slots=True)
class Reading:
    """What the cells hold, which of them are uncertain (with every candidate), and notes."""

    values: dict[str, Value] = field(default_factory=dict)
    uncertain: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    marks: dict[str, str] = field(default_factory=dict)  # blank cells read from a mark (`/`, `—`)
    cut: list[int] = field(default_factory=list)  # the runs (by index) that had to be cut
    # run index → its readings still possible (the chosen one first), for runs with uncertain cells
    alternatives: dict[int, list[tuple[Value, ...]]] = field(default_factory=dict)


# ---------------------------------------------------------------------------- pieces of a run

@dataclass(frozen=True, slots=True)
class _Piece:
    """Characters between two hard borders: digits, a sign or a decimal point; '' is a blank mark."""

    chars: str
    spaces: frozenset[int]  # offsets where the source had a space before the character
    note: str | None = None  # written after the piece's last cell: `22(其中修订16件)`
    unit: str | None = None  # `元` / `万元` after the last cell
    mark: str = ""  # a blank mark's text (`/`, `—`)


_TOKEN: Final = re.compile(
    r"(?P<num>[+-]?\d[\d.,]*)|(?P<space>[ \t\u3000]+)|(?P<note>\([^()]*\)?)|(?P<unit>万元|元|%)"
    r"|(?P<blank>——|[/—–]|-(?!\d)|无)|(?P<hard>.)",
    re.DOTALL,
)


@lru_cache(maxsize=4096)
def pieces(text: str) -> tuple[_Piece, ...]:
    """A run's text → its pieces. A sign always starts a cell, so it starts a piece."""
    out: list[_Piece] = []
    chars = ""
    spaces: set[int] = set()
    pending_space = False

    def close(note: str | None = None, unit: str | None = None) -> None:
        nonlocal chars, spaces, pending_space
        if chars:
            out.append(_Piece(chars, frozenset(spaces), note, unit))
        elif (note or unit) and out:  # `12 (note)`: the note belongs to the piece before
            last = out[-1]
            out[-1] = _Piece(last.chars, last.spaces, note or last.note, unit or last.unit)
        chars, spaces, pending_space = "", set(), False

    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        token = m.group()
        if kind == "num":
            token = token.replace(",", "")
            if token[0] in "+-":
                close()
            elif pending_space and chars:
                spaces.add(len(chars))
            chars += token
            pending_space = False
        elif kind == "space":
            pending_space = True
        elif kind == "note":
            close(note=token.strip("()").strip() or None)
        elif kind == "unit":
            close(unit=token)
        elif kind == "blank":
            close()
            out.append(_Piece("", frozenset(), mark=token))
        else:
            close()
    close()
    return tuple(out)


def capacity(text: str) -> int:
    """How many cells a run can hold at most: a digit or a blank mark each."""
    return sum(ch.isdigit() or ch in "/—–-" for ch in text)


# ---------------------------------------------------------------------------- cutting one run

_SIGNED: Final = re.compile(r"0|[+-]?[1-9]\d*")
_AMOUNT: Final = re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?")


@dataclass(frozen=True, slots=True)
class _Cut:
    values: tuple[Value, ...]
    score: float  # plausibility: spaces at cuts, balanced lengths
    notes: tuple[tuple[int, str], ...] = ()
    marks: tuple[tuple[int, str], ...] = ()  # the blank marks its blank cells were read from


@dataclass(frozen=True, slots=True)
class _Check:
    """A relation over one run's cells, by index."""

    left: tuple[int, ...]
    right: tuple[int, ...]
    const: Number
    le: bool

    def holds(self, values: list[Value]) -> bool:
        return _holds([values[i] for i in self.left], [values[i] for i in self.right], self.const, le=self.le)


@dataclass(slots=True)
class _Local:
    """Relations of one run, by cell index: checked when their last cell is read."""

    at: list[list[_Check]]
    # total index → its part indices, for `total = Σ parts` with the parts before it and never
    # negative: the total's value is forced once they are read, and bounds the length before that
    totals: dict[int, tuple[int, ...]]


def _local(run: Run, relations: Sequence[Relation]) -> _Local:
    index = {k: i for i, k in enumerate(run.cells)}
    at: list[list[_Check]] = [[] for _ in run.cells]
    totals: dict[int, tuple[int, ...]] = {}
    for rel in relations:
        keys = (*rel.left, *rel.right)
        if not all(k in index for k in keys):
            continue
        left = tuple(index[k] for k in rel.left)
        right = tuple(index[k] for k in rel.right)
        at[max((*left, *right))].append(_Check(left, right, rel.const, rel.le))
        if rel.le or rel.const or len(left) != 1:
            continue
        total = left[0]
        if all(p < total for p in right) and not any(run.cells[p] in run.signed | run.money for p in right) and (
            run.cells[total] not in run.money
        ):
            totals[total] = right
    return _Local(at, totals)


def _value(text: str, key: str, run: Run, unit: str | None) -> Value | bool:
    """The value of a cell's characters, or False when they cannot be that cell."""
    if text.isdigit() and key not in run.money:  # the common case: a count
        return int(text) if len(text) <= MAX_DIGITS and (len(text) == 1 or text[0] != "0") else False
    if key in run.money:
        if len(text) > MAX_MONEY or not _AMOUNT.fullmatch(text):
            return False
        return parse_value(text + (unit or ""), money=True).value
    if len(text.lstrip("+-")) > MAX_DIGITS or key not in run.signed or not _SIGNED.fullmatch(text):
        return False
    return int(text)


def _groups(run: Run, parts: Sequence[_Piece], local: _Local) -> list[int] | None:
    """The run's shape when it is one piece of plain digits whose cells form consecutive groups,
    each `parts…, total` with the total their sum and no other relation (表三's rows, 表四): the
    sizes of the groups' parts. Such a run is cut total first (see `_cut_groups`)."""
    if len(parts) != 1 or parts[0].note or parts[0].unit or not parts[0].chars.isdigit():
        return None
    if run.signed or run.money or sum(len(c) for c in local.at) != len(local.totals):
        return None
    sizes: list[int] = []
    start = 0
    for total in sorted(local.totals):
        if local.totals[total] != tuple(range(start, total)) or total == start:
            return None
        sizes.append(total - start)
        start = total + 1
    return sizes if start == len(run.cells) else None


def _cut_groups(chars: str, sizes: Sequence[int], budget: int) -> tuple[list[tuple[int, ...]], bool]:
    """Every cut of `chars` into groups of `size` parts and their total: the total is read first
    (each length it could have), then parts no larger than what is left of it."""
    nodes = 0
    exhausted = False
    # a number is its digits' sum modulo 9, so parts add up to the sum of all their digits modulo 9,
    # wherever the cuts fall: a total that does not agree is no total of those parts
    nines = [0]
    for ch in chars:
        nines.append(nines[-1] + int(ch))

    def number(a: int, b: int) -> int | None:
        if b - a > MAX_DIGITS or (b - a > 1 and chars[a] == "0"):
            return None
        return int(chars[a:b])

    def split(a: int, b: int, k: int, remaining: int) -> Iterator[tuple[int, ...]]:
        nonlocal nodes, exhausted
        nodes += 1
        if nodes > budget:
            exhausted = True
        if exhausted:
            return
        # some part has at least `longest` digits (so is ≥ 10^(longest-1)), none more than `widest`
        longest, widest, size = -(-(b - a) // k), b - a - (k - 1), len(str(remaining))
        if b - a > k * size or (longest > 1 and 10 ** (longest - 1) > remaining) or size > widest + 1:
            return
        if k == 1:
            if number(a, b) == remaining:
                yield (remaining,)
            return
        for end in range(a + 1, min(b - k + 1, a + len(str(remaining))) + 1):
            v = number(a, end)
            if v is None or v > remaining:
                break
            for rest in split(end, b, k - 1, remaining - v):
                yield (v, *rest)

    def groups(g: int, a: int) -> Iterator[tuple[int, ...]]:
        if g == len(sizes):
            if a == len(chars):
                yield ()
            return
        k = sizes[g]
        after = sum(s + 1 for s in sizes[g + 1:])
        ends = [len(chars)] if g == len(sizes) - 1 else range(a + k + 1, len(chars) - after + 1)
        for end in ends:
            for width in range(1, end - a - k + 1):
                total = number(end - width, end)
                if total is None or (total - (nines[end - width] - nines[a])) % 9:
                    continue
                for parts in split(a, end - width, k, total):
                    for rest in groups(g + 1, end):
                        yield (*parts, total, *rest)
                if exhausted:
                    return

    found = list(groups(0, 0))
    return found, exhausted


def cut_run(
    run: Run, relations: Sequence[Relation] = (), budget: int = NODE_BUDGET,
) -> tuple[list[_Cut], bool]:
    """Every cut of `run` that satisfies the relations local to it; and whether the budget ran out."""
    parts = pieces(run.text)
    n = len(run.cells)
    local = _local(run, relations)
    at, totals = local.at, local.totals
    sizes = _groups(run, parts, local)
    if sizes is not None:
        found, exhausted = _cut_groups(parts[0].chars, sizes, budget)
        return [_Cut(v, _plausibility(parts, [len(str(x)) for x in v], _zeros(run, v))) for v in found], exhausted
    chars_after = [0] * (len(parts) + 1)
    for k in range(len(parts) - 1, -1, -1):
        chars_after[k] = chars_after[k + 1] + max(1, len(parts[k].chars))
    values: list[Value] = [None] * n
    lengths: list[int] = [0] * n
    shown: list[str] = [""] * n  # what each cell printed, for the blank ones
    ends: list[int] = [0] * len(parts)  # the cell that ends each piece
    out: list[_Cut] = []
    nodes = 0
    exhausted = False

    # where a blank mark may still come, a total may be blank: no bound on its length from there on
    marks_from = [False] * (len(parts) + 1)
    for k in range(len(parts) - 1, -1, -1):
        marks_from[k] = marks_from[k + 1] or not parts[k].chars or "-" in parts[k].chars

    def need(i: int, k: int) -> int:
        """Characters the cells from i on need at least: one each, and a total as long as its parts' sum."""
        if marks_from[k]:
            return n - i
        extra = 0
        for t, idx in totals.items():
            if t >= i:
                partial = sum(values[q] or 0 for q in idx if q < i)
                if partial >= 10:
                    extra += len(str(partial)) - 1
        return (n - i) + extra

    def step(i: int, k: int, p: int, length: int, got: Value) -> None:
        values[i], lengths[i] = got, length
        shown[i] = parts[k].mark or parts[k].chars[p:p + length]
        for check in at[i]:
            if not check.holds(values):
                return
        if not parts[k].chars or p + length == len(parts[k].chars):
            ends[k] = i
            walk(i + 1, k + 1, 0)
        else:
            walk(i + 1, k, p + length)

    def options(i: int, k: int, p: int) -> Iterator[tuple[int, Value]]:
        """The lengths (and values) cell i may take at position p of piece k."""
        piece = parts[k]
        chars = piece.chars
        if not chars or chars[p] == "-":  # a blank mark is one blank cell; a dash before digits may be
            yield 1, None  # one too (or a minus sign, below)
        if not chars:
            return
        if i in totals and all(values[q] is not None for q in totals[i]):  # forced: the sum of its parts
            text = str(sum(values[q] or 0 for q in totals[i]))
            if chars.startswith(text, p):
                yield len(text), int(text)
        elif chars[p] == "0" and run.cells[i] not in run.money:  # `0…` is a single 0
            yield 1, 0
        else:
            for length in range(1, len(chars) - p + 1):
                last = p + length == len(chars)
                got = _value(chars[p:p + length], run.cells[i], run, piece.unit if last else None)
                if got is not False:
                    yield length, got

    def walk(i: int, k: int, p: int) -> None:
        nonlocal nodes, exhausted
        nodes += 1
        exhausted = exhausted or nodes > budget
        if exhausted:
            return
        if k == len(parts) or i == n:
            if k == len(parts) and i == n:
                notes = tuple((ends[q], piece.note) for q, piece in enumerate(parts) if piece.note)
                marks = tuple((j, m) for j, m in enumerate(shown) if m and values[j] is None)
                out.append(_Cut(tuple(values), _plausibility(parts, lengths, _zeros(run, values)), notes, marks))
            return
        left = chars_after[k] - p  # characters still to read (a blank mark counts as one)
        if left < (need(i, k) if totals else n - i) or len(parts) - k > n - i:
            return
        for length, got in options(i, k, p):
            step(i, k, p, length, got)
            if exhausted:
                return

    walk(0, 0, 0)
    return out, exhausted


def _zeros(run: Run, values: Sequence[Value]) -> int:
    """Cells of 0 in a reading: 0 is most cells of these tables (87–99 % of the real reports' with
    gold), so `264 0` is likelier than `26 40`. An amount of 0 beside a count that is not 0 is not
    likely (the amount is 0 when its count is): it does not count."""
    counts = [v for k, v in zip(run.cells, values, strict=True) if k not in run.money]
    amounts = [v for k, v in zip(run.cells, values, strict=True) if k in run.money]
    return counts.count(0) + (amounts.count(0) if all(v == 0 for v in counts) else 0)


def _plausibility(parts: Sequence[_Piece], lengths: list[int], zeros: int) -> float:
    """Spaces at cuts count for a reading, spaces inside a number against it; a count of 0 counts for
    it (`_zeros`); long cells beside short ones count against it a little (cells of one row are usually
    of one magnitude)."""
    score = ZERO_WEIGHT * zeros
    cell = 0
    for piece in parts:
        if not piece.chars:
            cell += 1
            continue
        offset = 0
        starts = set()
        while offset < len(piece.chars) and cell < len(lengths):
            starts.add(offset)
            offset += lengths[cell]
            cell += 1
        for s in piece.spaces:
            score += 1.0 if s in starts else -1.0
    score -= 0.01 * sum((n - 1) ** 2 for n in lengths)
    return score


# ---------------------------------------------------------------------------- a whole table

def solve(
    runs: Sequence[Run],
    relations: Sequence[Relation] = (),
    *,
    evidence: Sequence[Relation] = (),
    soft: Sequence[Relation] = (),
) -> Reading:
    """Cut every run so that the relations hold across the whole table.

    `relations` must hold (the template's sums); `evidence` decides between readings that satisfy
    them (the text's figures, last year's numbers) when some reading agrees with it; `soft` only
    ranks readings (plausibility such as 现行有效 ≥ 本年制发).
    """
    reading = Reading()
    local: list[list[_Cut]] = []
    failed: list[bool] = []  # no cut satisfies the run's own relations
    open_runs: list[int] = []  # runs with more cuts than the budget let us see
    by_key: dict[str, list[Relation]] = {}
    for rel in relations:
        for k in (*rel.left, *rel.right):
            by_key.setdefault(k, []).append(rel)
    for run in runs:
        mine = list({id(r): r for k in run.cells for r in by_key.get(k, ())}.values())
        cuts, exhausted = cut_run(run, mine)
        failed.append(not cuts)
        if not cuts:
            cuts, exhausted = cut_run(run, (), budget=FALLBACK_BUDGET)
            cuts.sort(key=lambda c: -c.score)
            cuts = cuts[:MAX_ALTERNATIVES]
        if exhausted:
            open_runs.append(len(local))
        local.append(cuts)
        if len(pieces(run.text)) != len(run.cells) and cuts:
            reading.cut.append(len(local) - 1)
    for group in _components(runs, [*relations, *evidence, *soft]):
        part = [runs[r] for r in group]
        cells = {k for run in part for k in run.cells}
        _solve_group(reading, group, part, [local[r] for r in group], [failed[r] for r in group],
                     [r for r in _touching(relations, cells) if not _inside_one(r, part)],
                     _touching(evidence, cells), _touching(soft, cells))
    for r in open_runs:  # the cuts seen are not all there are: every cell of the run is in doubt
        run = runs[r]
        seen = [dict(zip(run.cells, c.values, strict=True)) for c in local[r]]
        _doubt(reading, r, run, run.cells, seen, reading.uncertain.get(run.cells[0], {}).get("reason", AMBIGUOUS),
               more=True)
    for run, cuts in zip(runs, local, strict=True):
        chosen = next((c for c in cuts if dict(zip(run.cells, c.values, strict=True)).items()
                       <= reading.values.items()), None)
        for idx, note in (chosen.notes if chosen else ()):
            reading.notes[run.cells[idx]] = note
        for idx, mark in (chosen.marks if chosen else ()):
            reading.marks[run.cells[idx]] = mark
    return reading


def _components(runs: Sequence[Run], relations: Sequence[Relation]) -> list[list[int]]:
    """Runs tied together by a relation (their cuts must be chosen together), each tie-free run alone."""
    owner = {k: r for r, run in enumerate(runs) for k in run.cells}
    parent = list(range(len(runs)))

    def root(r: int) -> int:
        while parent[r] != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    for rel in relations:
        tied = sorted({owner[k] for k in (*rel.left, *rel.right) if k in owner})
        for r in tied[1:]:
            parent[root(r)] = root(tied[0])
    groups: dict[int, list[int]] = {}
    for r in range(len(runs)):
        groups.setdefault(root(r), []).append(r)
    return list(groups.values())


def _touching(relations: Sequence[Relation], cells: set[str]) -> list[Relation]:
    return [r for r in relations if any(k in cells for k in (*r.left, *r.right))]


def _solve_group(
    reading: Reading, indices: list[int], runs: list[Run], local: list[list[_Cut]], failed: list[bool],
    cross: Sequence[Relation], evidence: Sequence[Relation], soft: Sequence[Relation],
) -> None:
    """The readings of runs that must be cut together: the one kept, and the cells left in doubt."""
    solutions = _combine(runs, local, cross)
    rank = [*evidence, *soft]
    if solutions:
        solutions = _decide(solutions, evidence)
        solutions.sort(key=lambda s: -(s[1] + 0.5 * sum(r.holds(s[0]) for r in rank)))
        reading.values.update(solutions[0][0])
        _mark(reading, indices, runs, [s[0] for s in solutions], failed, local)
        return
    for r, run, cuts, bad in zip(indices, runs, local, failed, strict=True):  # the sums fail however cut
        if not cuts:
            reading.values.update(dict.fromkeys(run.cells))
            _doubt(reading, r, run, run.cells, [], INCONSISTENT)
            continue
        ranked = sorted(cuts, key=lambda c: -c.score)
        reading.values.update(zip(run.cells, ranked[0].values, strict=True))
        readings = [dict(zip(run.cells, c.values, strict=True)) for c in ranked]
        _mark(reading, [r], [run], readings, [bad], [cuts])


def _inside_one(rel: Relation, runs: Sequence[Run]) -> bool:
    keys = (*rel.left, *rel.right)
    return any(all(k in run.cells for k in keys) for run in runs)


def _combine(
    runs: Sequence[Run], local: list[list[_Cut]], cross: Sequence[Relation],
) -> list[tuple[dict[str, Value], float]]:
    """Whole readings (one cut per run) that satisfy the relations across runs, best effort."""
    if any(not cuts for cuts in local):
        return []
    if len(runs) == 1:  # nothing to combine: the run's own cuts are the readings
        return [(dict(zip(runs[0].cells, c.values, strict=True)), c.score) for c in local[0]]
    order = sorted(range(len(runs)), key=lambda r: len(local[r]))
    position = {r: n for n, r in enumerate(order)}
    owner = {k: r for r, run in enumerate(runs) for k in run.cells}
    due: list[list[Relation]] = [[] for _ in order]
    for rel in cross:
        owners = [owner[k] for k in (*rel.left, *rel.right) if k in owner]
        if owners:
            due[max(position[r] for r in owners)].append(rel)
    out: list[tuple[dict[str, Value], float]] = []
    view: dict[str, Value] = {}
    nodes = 0
    truncated = False

    def walk(n: int, score: float) -> None:
        nonlocal nodes, truncated
        if truncated:
            return
        if n == len(order):
            out.append(({k: view[k] for run in runs for k in run.cells}, score))
            if len(out) >= MAX_SOLUTIONS:
                truncated = True
            return
        r = order[n]
        for cut in local[r]:
            nodes += 1
            if nodes > COMBINE_BUDGET:
                truncated = True
                return
            view.update(zip(runs[r].cells, cut.values, strict=True))
            if all(rel.holds(view) for rel in due[n]):
                walk(n + 1, score + cut.score)
            if truncated:
                return

    walk(0, 0.0)
    if truncated and len(out) < MAX_SOLUTIONS:
        return []  # the budget ran out before the readings were all seen: judge each run alone
    if truncated:  # too many readings: keep them, every alternative of each run stays a candidate
        floor = min(s for _, s in out) - 1
        for r, run in enumerate(runs):
            if len(local[r]) > 1:
                out += [({**out[0][0], **dict(zip(run.cells, c.values, strict=True))}, floor) for c in local[r]]
    return out


def _decide(solutions: list[tuple[dict[str, Value], float]], evidence: Sequence[Relation]) -> list[
        tuple[dict[str, Value], float]]:
    """Keep the readings that agree with the most of the text's figures and last year's numbers."""
    if not evidence or len(solutions) < 2:
        return solutions
    agree = [sum(rel.holds(s) for rel in evidence) for s, _ in solutions]
    best = max(agree)
    if best == 0:
        return solutions
    return [s for s, a in zip(solutions, agree, strict=True) if a == best]


def _mark(
    reading: Reading, indices: Sequence[int], runs: Sequence[Run], solutions: list[dict[str, Value]],
    failed: list[bool], local: list[list[_Cut]],
) -> None:
    """Cells whose value differs between the remaining readings are uncertain; so is every cell of a
    run that no cut could make satisfy its own relations (when it could be cut more than one way)."""
    for r, run, bad, cuts in zip(indices, runs, failed, local, strict=True):
        if bad and len(cuts) > 1:
            _doubt(reading, r, run, run.cells, [dict(zip(run.cells, c.values, strict=True)) for c in cuts],
                   INCONSISTENT)
            continue
        differ = [k for k in run.cells if len({_hashable(s.get(k)) for s in solutions}) > 1]
        if differ:
            _doubt(reading, r, run, tuple(differ), solutions, AMBIGUOUS)


def _hashable(v: Value) -> Value:
    return round(v, 6) if isinstance(v, float) else v


def _doubt(
    reading: Reading, index: int, run: Run, cells: Sequence[str], solutions: list[dict[str, Value]], reason: str,
    *, more: bool = False,
) -> None:
    """Record cells as uncertain with the values they take in `solutions`; `more` when those are
    not all the cuts there are (the list of candidates is then incomplete, and says so)."""
    rows: list[tuple[Value, ...]] = [tuple(reading.values.get(k) for k in run.cells)]
    for s in solutions:
        row = tuple(s.get(k) for k in run.cells)
        if row not in rows:
            rows.append(row)
    reading.alternatives[index] = rows[:MAX_ALTERNATIVES]
    for key in cells:
        candidates: list[Value] = []
        for v in [reading.values.get(key), *(s.get(key) for s in solutions)]:
            if v not in candidates:
                candidates.append(v)
        reading.uncertain[key] = {
            "text": run.text.strip(), "candidates": candidates[:MAX_CANDIDATES], "reason": reason,
        }
        if more or len(candidates) > MAX_CANDIDATES:
            reading.uncertain[key]["more"] = True


# ---------------------------------------------------------------------------- the rows of a grid

_NOTES: Final = re.compile(r"\([^()]*\)")
_RUN: Final = re.compile(r"[\d .+\-/—–]*\d[\d .+\-/—–]*(?:\([^()]*\)[\d .+\-/—–]*)*")


def flattened(values: Sequence[str], n: int) -> str | None:
    """The run (digits, spaces as hints, signs, decimal points, notes) when a row's n ≥ 2 cells
    arrived as its first cell, the others blank, else None."""
    if n < 2 or not values or any(not is_blank(v) for v in values[1:]):
        return None
    run = values[0].strip()
    return run if _RUN.fullmatch(run) and capacity(_NOTES.sub("", run)) >= n else None


def row_sums(cells: Sequence[str], parts: int) -> list[Relation]:
    """Cells come in groups of parts+1 whose last cell is the sum of the others (表三 rows, 表四 groups)."""
    size = parts + 1
    return [
        Relation((cells[i + parts],), tuple(cells[i:i + parts]))
        for i in range(0, len(cells) - parts, size)
    ]
