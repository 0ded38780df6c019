"""All rules, in one place and one order (the order findings are listed in)."""

from __future__ import annotations

from typing import Final

from validate.rule import Rule
from validate.rules import arithmetic, cells, cross_year, legacy, ocr, plausibility, structure, text_table

RULES: Final[tuple[Rule, ...]] = (
    *cells.RULES,
    *ocr.RULES,
    *arithmetic.RULES,
    *structure.RULES,
    *text_table.RULES,
    *cross_year.RULES,
    *legacy.RULES,
    *plausibility.RULES,
)
BY_ID: Final[dict[str, Rule]] = {rule.id: rule for rule in RULES}
ORDER: Final[dict[str, int]] = {rule.id: i for i, rule in enumerate(RULES)}

if len(BY_ID) != len(RULES):
    raise RuntimeError("two rules share an id")
