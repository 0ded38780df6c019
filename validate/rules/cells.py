"""Cells that cannot be read as the template wants: blank, missing, run together, negative, fractional."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from catalogue.findings import LEGAL_PERSON_COLUMNS, TABLE_NAMES, block_name, cell_name, label_of
from extract.schema import MONEY_CELLS, SIGNED_CELLS
from validate.context import Context, number
from validate.examples import blank_columns, cell, example, put
from validate.finding import Finding
from validate.rule import ANY, Rule, Where, at

# legacy 统计表 units whose values may be fractional
DECIMAL_UNITS: Final = frozenset({"万元", "元", "%"})


def blank_blocks(ctx: Context) -> Iterator[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(table, rows, columns) of every block of blank template cells: the rows of a table whose blank
    cells lie in the same columns (a whole 法人或其他组织 group, the 总计 column of the result rows, an
    empty 表四 group) are one block, so that one problem is one finding. Rows another finding explains
    (label not found, digits run together) are left out."""
    raw = ctx.raw
    for table in sorted(ctx.readable_tables):
        present = ctx.record[table]
        blank: dict[str, list[str]] = {}
        for row, col in ctx.cells[table]:
            if raw.get((table, row, col)) is None and row in present and (table, row) not in ctx.unreadable_rows:
                blank.setdefault(row, []).append(col)
        blocks: dict[tuple[str, ...], list[str]] = {}
        for row, blank_cols in blank.items():
            blocks.setdefault(tuple(blank_cols), []).append(row)
        for cols, rows in blocks.items():
            yield table, tuple(rows), cols


def _blank_cell(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for table, rows, cols in blank_blocks(ctx):
        every_col = {c for r, c in ctx.cells[table] if r == rows[0]} == set(cols)
        name = block_name(table, rows, cols, every_row=len(rows) == len(ctx.rows[table]), every_col=every_col)
        cells = len(rows) * len(cols)
        yield rule.finding(
            "" if cells == 1 else "block",
            block=name,
            cells=cells,
            extra={"rows": list(rows), "cols": list(cols), "cells": cells},
            **at(table, rows[0], cols[0]),  # its top-left cell: blocks never share one
        )


def _missing_row(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for table in sorted(ctx.readable_tables):
        rows = ctx.record[table]
        for row in ctx.rows[table]:
            if row not in rows or (table, row) in ctx.missing_rows:
                yield rule.finding(table_name=TABLE_NAMES[table], label=label_of(table, row), **at(table, row))


def _ambiguous_split(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for split in ctx.ambiguous_splits:
        table, row = str(split.get("table")), str(split.get("row"))
        candidates = [list(c) for c in split.get("candidates") or ()]
        yield rule.finding(
            "inconsistent" if split.get("reason") == "inconsistent" else "",
            table_name=TABLE_NAMES.get(table, table),
            label=label_of(table, row),
            raw=split.get("raw"),
            candidates=" 或 ".join(str(c) for c in candidates),
            extra={"raw": split.get("raw"), "candidates": candidates},
            **at(table, row),
        )


@dataclass(frozen=True, slots=True)
class _Value:
    """One value the record prints, and what the template allows it to be."""

    raw: object
    fractional: bool  # 万元 amounts, legacy 万元/元/% indicators
    signed: bool  # 2019 本年增/减
    where: Where
    name: str


def _suspects(ctx: Context) -> Iterator[_Value]:
    """The values that are not plain non-negative integers (the only ones two rules need to look at)."""
    for table, row, col, value in ctx.odd_cells:
        name = cell_name(table, row, col)
        yield _Value(value, (row, col) in MONEY_CELLS, col in SIGNED_CELLS, at(table, row, col), name)
    for entry in ctx.legacy:
        if entry.raw is not None and not (type(entry.raw) is int and entry.raw >= 0):
            where: Where = {"table": "legacy_stats", "row": entry.key}
            name = f"统计表『{entry.label}』"
            yield _Value(entry.raw, entry.unit in DECIMAL_UNITS, signed=False, where=where, name=name)


def _negative(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for v in _suspects(ctx):
        value = number(v.raw)
        if value is not None and value < 0 and not v.signed:
            yield rule.finding(cell=v.name, actual=value, **v.where)


def _not_integer(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for v in _suspects(ctx):
        value = number(v.raw)
        if value is None:
            yield rule.finding("not_number", cell=v.name, value=v.raw, **v.where)
        elif not v.fractional and isinstance(value, float) and not value.is_integer():
            yield rule.finding(cell=v.name, value=value, **v.where)


RULES: Final = (
    Rule(
        id="blank_cell",
        severity="warning",
        basis="年报格式每栏都须填写，无数据填 0，空白不等于 0；空白栏目相同的各行合为一处（format-spec §2.6、E8）",
        family="cells",
        check=_blank_cell,
        passing=example("2021", cell("requests", "withheld_enforcement_file", "social_welfare", 0),
                        note="没有数据的栏目填了 0"),
        failing=example("2021", blank_columns("requests", LEGAL_PERSON_COLUMNS)),
    ),
    Rule(
        id="missing_row",
        severity="warning",
        basis="表二、表三、表四须保留年报格式的全部行（国办公开办函〔2021〕30号）",
        family="cells",
        check=_missing_row,
        passing=example(),
        failing=example(
            "2021",
            cell("requests", "withheld_security", "total", None),
            put("record", "parse", "missing_rows", value=["requests.withheld_security"]),
        ),
    ),
    Rule(
        id="ambiguous_split",
        severity="warning",
        basis="连写在一起的数字（如“640020470”）有多种拆法时不作猜测，交人工核对",
        family="cells",
        check=_ambiguous_split,
        passing=example(),
        failing=example(
            "2021",
            put(
                "record",
                "parse",
                "ambiguous_splits",
                value=[
                    {
                        "table": "requests",
                        "row": "new",
                        "raw": "6400204",
                        "candidates": [[6, 4, 0, 0, 2, 0, 4], [64, 0, 0, 2, 0, 0, 4]],
                    }
                ],
            ),
        ),
        kinds=ANY,
    ),
    Rule(
        id="cell.negative",
        severity="error",
        basis="件数和金额都不能为负（T3-R4、T4-R2、T2-R1）；只有 2019 年格式的“本年增/减”可为负",
        family="cells",
        check=_negative,
        passing=example("2019"),
        failing=example("2021", cell("review_litigation", "litigation_after_review", "other", -1)),
        kinds=ANY,
    ),
    Rule(
        id="cell.not_integer",
        severity="error",
        basis="件数是整数，只有万元金额可有小数（T3-R4、T2-R1）；单元格须为数字",
        family="cells",
        check=_not_integer,
        passing=example("legacy"),
        failing=example("2021", cell("active", "licensing", "decisions", 12.5)),
        kinds=ANY,
    ),
)
