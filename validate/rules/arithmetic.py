"""The sums of 表三 and 表四 (format-spec §2.7) and the relations of the 2019 表二 (§3.1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final, TypedDict

from catalogue.findings import col_name, row_name
from extract.schema import APPLICANT_COLUMNS, REQUEST_COLUMNS, REVIEW_GROUPS, REVIEW_PARTS, result_rows
from validate.context import Context
from validate.examples import cell, example, shift_row
from validate.finding import Finding
from validate.relation import Verdict, compare
from validate.rule import Rule, Where

_BLANKS_NOTE: Final = "（另有空白单元格，已填部分之和已超出）"

Key = tuple[str, str, str]


class _Names(TypedDict, total=False):
    row_name: str
    col_name: str
    group_name: str


def _sum_finding(rule: Rule, ctx: Context, verdict: Verdict | None, cells: tuple[Key, ...], *,
                 total_left: bool, where: Where, names: _Names) -> Iterator[Finding]:
    """The finding of a broken sum, if it is one to report.

    Undecided sums (a blank part) are left to the blank block's finding, which says they cannot be
    checked; a sum through a cell OCR doubted is left to `ocr_uncertain`, which names the reading that
    makes it hold (validate.api lowers what else a scan contradicts to a warning that says why), and
    one through digits the parser could not cut for sure to the ambiguous-split finding.
    """
    if verdict is None or verdict.status != "fail" or not ctx.unsure.isdisjoint(cells):
        return
    expected, actual = (verdict.right, verdict.left) if total_left else (verdict.left, verdict.right)
    note = _BLANKS_NOTE if verdict.blanks else ""
    yield rule.finding(expected=expected, actual=actual, note=note, **where, **names)


def _row_total(rule: Rule, ctx: Context) -> Iterator[Finding]:
    if "requests" not in ctx.readable_tables:
        return
    tol, get = ctx.settings.money_tolerance, ctx.numbers.get
    for row in ctx.rows["requests"]:
        cells = (("requests", row, "total"), *(("requests", row, c) for c in APPLICANT_COLUMNS))
        verdict = compare([get(cells[0])], [get(k) for k in cells[1:]], tol)
        yield from _sum_finding(rule, ctx, verdict, cells, total_left=True, where={"table": "requests", "row": row},
                                names={"row_name": row_name("requests", row)})


def _results_total(rule: Rule, ctx: Context) -> Iterator[Finding]:
    if "requests" not in ctx.readable_tables:
        return
    tol, get = ctx.settings.money_tolerance, ctx.numbers.get
    results = result_rows(single_other=ctx.single_other)
    for col in REQUEST_COLUMNS:
        cells = (("requests", "total", col), *(("requests", r, col) for r in results))
        verdict = compare([get(cells[0])], [get(k) for k in cells[1:]], tol)
        yield from _sum_finding(rule, ctx, verdict, cells, total_left=True, where={"table": "requests", "col": col},
                                names={"col_name": col_name(col)})


def _balance(rule: Rule, ctx: Context) -> Iterator[Finding]:
    if "requests" not in ctx.readable_tables:
        return
    tol, get = ctx.settings.money_tolerance, ctx.numbers.get
    for col in REQUEST_COLUMNS:
        cells = tuple(("requests", r, col) for r in ("new", "carried_over", "total", "carry_forward"))
        verdict = compare([get(k) for k in cells[:2]], [get(k) for k in cells[2:]], tol)
        yield from _sum_finding(rule, ctx, verdict, cells, total_left=False, where={"table": "requests", "col": col},
                                names={"col_name": col_name(col)})


def _review_total(rule: Rule, ctx: Context) -> Iterator[Finding]:
    if "review_litigation" not in ctx.readable_tables:
        return
    tol, get = ctx.settings.money_tolerance, ctx.numbers.get
    for group, name in REVIEW_GROUPS.items():
        cells = (("review_litigation", group, "total"), *(("review_litigation", group, p) for p in REVIEW_PARTS))
        verdict = compare([get(cells[0])], [get(k) for k in cells[1:]], tol)
        where: Where = {"table": "review_litigation", "group": group}
        yield from _sum_finding(rule, ctx, verdict, cells, total_left=True, where=where,
                                names={"group_name": name})


def _active_2019_rows(ctx: Context, *cols: str) -> Iterator[tuple[str, list[float]]]:
    """Rows of the 2019 表二 that have every column in `cols` filled, with those values."""
    if ctx.record.get("format") != "2019" or "active" not in ctx.readable_tables:
        return
    for row in dict.fromkeys(r for r, c in ctx.cells["active"] if c == cols[0]):
        values = [ctx.value("active", row, c) for c in cols]
        known = [v for v in values if v is not None]
        if len(known) == len(cols):
            yield row, known


def _published_total(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for row, (new, total) in _active_2019_rows(ctx, "new_published", "total_published"):
        if new > total:
            yield rule.finding(
                row_name=row_name("active", row),
                expected=total,
                actual=new,
                table="active",
                row=row,
                col="new_published",
            )


def _item_count(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for row, (prior, change) in _active_2019_rows(ctx, "prior_items", "change"):
        if prior + change < 0:
            yield rule.finding(
                row_name=row_name("active", row),
                prior=prior,
                change=change,
                actual=prior + change,
                table="active",
                row=row,
                col="change",
            )


RULES: Final = (
    Rule(
        id="requests.row_total",
        severity="error",
        basis="表三每一行：总计 = 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他（T3-R3）",
        family="arithmetic",
        check=_row_total,
        passing=example(),
        failing=example("2021", cell("requests", "granted", "natural_person", 7)),
    ),
    Rule(
        id="requests.results_total",
        severity="error",
        basis="表三每一栏：三(七)总计 = 三(一)至三(六)各项之和，2019 年格式的(六)为单行（T3-R2）",
        family="arithmetic",
        check=_results_total,
        passing=example("2019"),
        failing=example("2021", shift_row("granted", 1)),
    ),
    Rule(
        id="requests.balance",
        severity="error",
        basis="表三表头注：第一项加第二项之和，等于第三项加第四项之和（T3-R1）",
        family="arithmetic",
        check=_balance,
        passing=example(),
        failing=example("2021", shift_row("new", 1)),
    ),
    Rule(
        id="review_litigation.total",
        severity="error",
        basis="表四每组：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结（T4-R1）",
        family="arithmetic",
        check=_review_total,
        passing=example(),
        failing=example("2021", cell("review_litigation", "review", "pending", 2)),
    ),
    Rule(
        id="active.published_total",
        severity="warning",
        basis="2019 年格式表二第二十条第(一)项：本年新公开数量不超过对外公开总数量",
        family="arithmetic",
        check=_published_total,
        passing=example("2019"),
        failing=example("2019", cell("active", "normative_documents", "new_published", 16)),
    ),
    Rule(
        id="active.item_count",
        severity="error",
        basis="2019 年格式表二：上一年项目数量 + 本年增/减 = 本年项目数量，不能为负",
        family="arithmetic",
        check=_item_count,
        passing=example("2019"),
        failing=example("2019", cell("active", "fees", "change", -4)),
    ),
)
