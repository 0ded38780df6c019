"""Values that are possible but unlikely for the publisher's level (format-spec P-R1, P-R2, E13)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from catalogue.findings import LEVEL_NAMES, row_name
from validate.context import Context
from validate.examples import cell, example, put
from validate.finding import Finding
from validate.rule import Rule

# A 6-digit 行政区划代码 whose last two digits are not 00 names a county-level area.
_COUNTY_CODE: Final = re.compile(r"\d{4}(?!00)\d{2}")


def _below_city(ctx: Context) -> str | None:
    """The level's name when the publisher cannot make 规章 (county, township, county-level department)."""
    level = ctx.meta.get("level")
    region = str(ctx.meta.get("region") or "")
    if level in ("county", "township") or (level == "department" and _COUNTY_CODE.match(region)):
        return LEVEL_NAMES[str(level)]
    return None


def _rules_at_low_level(rule: Rule, ctx: Context) -> Iterator[Finding]:
    level = _below_city(ctx)
    if level is None or "active" not in ctx.readable_tables:
        return
    for row, col in ctx.cells["active"]:
        value = ctx.value("active", row, col)
        if row == "rules" and value:
            yield rule.finding(
                row_name=row_name("active", row), level=level, actual=value, table="active", row=row, col=col
            )
            return


def _fee_unit(rule: Rule, ctx: Context) -> Iterator[Finding]:
    amount = ctx.value("active", "fees", "amount")
    if ctx.meta.get("level") == "township" and amount is not None and amount >= ctx.settings.township_fee_limit:
        yield rule.finding(actual=amount, table="active", row="fees", col="amount")


RULES: Final = (
    Rule(
        id="plausibility.rules_at_low_level",
        severity="info",
        basis="立法法：规章只由国务院部门和省、设区的市、自治州人民政府制定，县乡两级填报规章多为误填（P-R1）",
        family="plausibility",
        check=_rules_at_low_level,
        passing=example("2021", cell("active", "rules", "in_force", 6), put("meta", "region", value="430300"),
                        note="设区的市的部门填报规章"),
        failing=example("2021", cell("active", "rules", "in_force", 6)),
    ),
    Rule(
        id="plausibility.fee_unit",
        severity="info",
        basis="表二第二十条第(八)项以万元填报；乡镇收费达 10000 万元多为按元误填（P-R2）",
        family="plausibility",
        check=_fee_unit,
        passing=example("2021", put("meta", "level", value="township"), note="乡镇收费 12.35 万元"),
        failing=example("2021", put("meta", "level", value="township"), cell("active", "fees", "amount", 123500)),
    ),
)
