"""Cells read from a scan that the OCR engine was not sure of (`parse.ocr_cells`).

The parser keeps a scanned number exactly as read and records the doubtful ones with their score
and the readings a misread glyph would give. This rule names each of them; where a sum of the
template (T3-R1/R2/R3, T4-R1) fails through such a cell, it also gives the value that would make
the sum hold. It never changes the number: a person compares it with the scan.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Final

from catalogue.findings import cell_name
from extract.schema import APPLICANT_COLUMNS, REQUEST_COLUMNS, REVIEW_GROUPS, REVIEW_PARTS, result_rows
from validate.context import Context, Number
from validate.examples import cell, example, put
from validate.finding import Finding
from validate.rule import ANY, Rule, Where, at

Key = tuple[str, str, str]
Relation = tuple[tuple[Key, ...], tuple[Key, ...]]  # Σ left = Σ right
_LEGACY: Final = "legacy_stats"


def _relations(ctx: Context) -> Iterator[Relation]:
    """The template's sums over cells (format-spec §2.7)."""
    if "requests" in ctx.readable_tables:
        for row in ctx.rows["requests"]:
            yield ((("requests", row, "total"),), tuple(("requests", row, c) for c in APPLICANT_COLUMNS))
        results = result_rows(single_other=ctx.single_other)
        for col in REQUEST_COLUMNS:
            yield ((("requests", "total", col),), tuple(("requests", r, col) for r in results))
            yield ((("requests", "new", col), ("requests", "carried_over", col)),
                   (("requests", "total", col), ("requests", "carry_forward", col)))
    if "review_litigation" in ctx.readable_tables:
        for group in REVIEW_GROUPS:
            yield ((("review_litigation", group, "total"),),
                   tuple(("review_litigation", group, p) for p in REVIEW_PARTS))


def _solve(relation: Relation, doubtful: Key, ctx: Context) -> Number | None:
    """The value of `doubtful` that makes the relation hold, all other cells taken as read; None
    when another cell is blank, the relation already holds, or no count would do."""
    left, right = relation
    values: dict[Key, Number | None] = {k: ctx.value(*k) for k in (*left, *right)}
    if any(v is None for k, v in values.items() if k != doubtful):
        return None
    rest_left = sum(v or 0 for k, v in values.items() if k in left and k != doubtful)
    rest_right = sum(v or 0 for k, v in values.items() if k in right and k != doubtful)
    needed = rest_right - rest_left if doubtful in left else rest_left - rest_right
    if needed < 0 or needed == values[doubtful] or needed != int(needed):
        return None
    return int(needed)


def _fails(relation: Relation, ctx: Context) -> bool:
    values = [ctx.value(*k) for k in (*relation[0], *relation[1])]
    if any(v is None for v in values):
        return False
    left = sum(ctx.value(*k) or 0 for k in relation[0])
    return abs(left - sum(ctx.value(*k) or 0 for k in relation[1])) > ctx.settings.money_tolerance


def _ocr_uncertain(rule: Rule, ctx: Context) -> Iterator[Finding]:
    doubtful = ctx.doubtful
    if not doubtful:
        return
    solved: dict[Key, list[Number]] = {}
    failing: set[Key] = set()  # in a sum that does not hold as read (the arithmetic rules leave it to us)
    for relation in _relations(ctx):
        involved = doubtful.keys() & {*relation[0], *relation[1]}
        if involved and _fails(relation, ctx):
            failing |= involved
        for key in involved:
            value = _solve(relation, key, ctx)
            if value is not None and value not in solved.setdefault(key, []):
                solved[key].append(value)
    for (table, row, col), info in doubtful.items():
        key = (table, row, col)
        by_sum = solved.get(key, [])
        readings: Sequence[Number] = [v for v in info.get("candidates") or () if v not in by_sum]
        candidates = [*by_sum, *readings]
        where: Where = {"table": table, "row": row} if table == _LEGACY else at(table, row, col)
        name = f"统计表『{row}』" if table == _LEGACY else cell_name(table, row, col)
        yield rule.finding(
            "relation" if by_sum else "failing" if key in failing else "",
            severity=None if key in failing else "info",
            cell=name,
            text=info.get("text") or "（空白）",
            confidence=info.get("confidence"),
            candidates="、".join(str(c) for c in candidates) or "无",
            solved="、".join(str(c) for c in by_sum),
            extra={"confidence": info.get("confidence"), "text": info.get("text"), "candidates": candidates},
            **where,
        )


RULES: Final = (
    Rule(
        id="ocr_uncertain",
        severity="warning",
        basis="扫描件（图片版）经文字识别读取的单元格，识别置信度低：核对原件，数值不作自动更正",
        family="cells",
        check=_ocr_uncertain,
        passing=example(),
        failing=example(
            "2021",
            cell("requests", "granted", "natural_person", 8),
            put("record", "parse", "ocr_cells",
                value={"requests.granted.natural_person": {"confidence": 0.62, "text": "8", "candidates": [8, 0, 3]}}),
        ),
        kinds=ANY,
        lower_when="info when every sum holds as read: a doubtful reading that no sum contradicts is only worth a look",
    ),
)
