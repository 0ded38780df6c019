"""This year's report against last year's (format-spec X-R1…X-R3, E4)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from extract.schema import REQUEST_COLUMNS
from validate.context import Context
from validate.examples import cell, example, put, stat
from validate.finding import Finding
from validate.messages import col_name, row_name, section_heading, section_ordinal
from validate.rule import ANY, LEGACY, Rule
from validate.similarity import jaccard, letters, shingles

_COMPARED_SECTIONS: Final = ("overview", "problems", "other")  # 一、五、六: the free-text parts
_IN_FORCE_ROWS: Final = ("rules", "normative_documents")
_PROJECT_ROWS: Final = ("licensing", "other_services", "penalty", "coercion", "fees")


def _both(ctx: Context, table: str) -> Context | None:
    """Last year's context when both years have `table` readable in the same template."""
    prev = ctx.prev
    if prev is None or table not in ctx.readable_tables or table not in prev.readable_tables:
        return None
    return prev


def _carry_link(rule: Rule, ctx: Context) -> Iterator[Finding]:
    prev = _both(ctx, "requests")
    if prev is None:
        return
    for col in REQUEST_COLUMNS:
        now, before = ctx.value("requests", "carried_over", col), prev.value("requests", "carry_forward", col)
        if now is not None and before is not None and now != before:
            yield rule.finding(
                col=col_name(col), expected=before, actual=now, table="requests", row="carried_over", **{"col": col}
            ) if False else rule.finding(col_name(col) and "", expected=before, actual=now)
