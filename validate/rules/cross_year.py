"""This year's report against last year's (format-spec X-R1…X-R3, E4)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from catalogue.findings import col_name, row_name, section_heading, section_ordinal
from extract.schema import REQUEST_COLUMNS
from validate.context import Context
from validate.examples import cell, copy_to_previous, example, put, stat
from validate.finding import Finding
from validate.rule import ANY, LEGACY, Rule
from validate.similarity import jaccard, letters, shingles

_COMPARED_SECTIONS: Final = ("overview", "problems", "other")  # 一、五、六: the free-text parts
_IN_FORCE_ROWS: Final = ("rules", "normative_documents")
_PROJECT_ROWS: Final = ("licensing", "other_services", "penalty", "coercion", "fees")


def _both(ctx: Context, table: str, fmt: str | None = None) -> Context | None:
    """Last year's context when both years have `table` readable (and, if given, both use `fmt`)."""
    prev = ctx.prev
    if prev is None or table not in ctx.readable_tables or table not in prev.readable_tables:
        return None
    if fmt is not None and not (ctx.record.get("format") == prev.record.get("format") == fmt):
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
                col_name=col_name(col), expected=before, actual=now, table="requests", row="carried_over", col=col
            )


def _in_force_link(rule: Rule, ctx: Context) -> Iterator[Finding]:
    prev = _both(ctx, "active", "2021")
    if prev is None:
        return
    for row in _IN_FORCE_ROWS:
        now, prior = ctx.value("active", row, "in_force"), prev.value("active", row, "in_force")
        issued, repealed = ctx.value("active", row, "issued"), ctx.value("active", row, "repealed")
        if now is None or prior is None or issued is None or repealed is None:
            continue
        expected = prior + issued - repealed
        if now != expected:
            yield rule.finding(
                row_name=row_name("active", row),
                prior=prior,
                issued=issued,
                repealed=repealed,
                expected=expected,
                actual=now,
                table="active",
                row=row,
                col="in_force",
            )


def _prior_items_link(rule: Rule, ctx: Context) -> Iterator[Finding]:
    prev = _both(ctx, "active", "2019")
    if prev is None:
        return
    for row in _PROJECT_ROWS:
        now = ctx.value("active", row, "prior_items")
        prior, change = prev.value("active", row, "prior_items"), prev.value("active", row, "change")
        if now is None or prior is None or change is None:
            continue
        if now != prior + change:
            yield rule.finding(
                row_name=row_name("active", row),
                prior=prior,
                change=change,
                expected=prior + change,
                actual=now,
                table="active",
                row=row,
                col="prior_items",
            )


def _copied(rule: Rule, ctx: Context) -> Iterator[Finding]:
    prev = ctx.prev
    now_texts, prev_texts = ctx.record.get("narrative"), prev.record.get("narrative") if prev else None
    if not isinstance(now_texts, dict) or not isinstance(prev_texts, dict):
        return
    settings = ctx.settings
    for key in _COMPARED_SECTIONS:
        now, before = now_texts.get(key), prev_texts.get(key)
        if not isinstance(now, str) or not isinstance(before, str) or letters(now) < settings.copy_min_chars:
            continue
        score = jaccard(shingles(now, settings.shingle_size), shingles(before, settings.shingle_size))
        if score >= settings.copy_threshold:
            yield rule.finding(
                ordinal=section_ordinal(key),
                heading=section_heading(key),
                similarity=f"{score:.0%}",
                section=key,
                extra={"similarity": round(score, 3)},
            )


def _same_table(rule: Rule, ctx: Context) -> Iterator[Finding]:
    prev = _both(ctx, "requests")
    if prev is None or ctx.cells["requests"] != prev.cells["requests"]:
        return
    now, before = ctx.numbers.get, prev.numbers.get
    keys = [("requests", r, c) for r, c in ctx.cells["requests"]]
    if all(now(k) == before(k) for k in keys) and any(now(k) for k in keys):
        yield rule.finding(table="requests")


def _cumulative_link(rule: Rule, ctx: Context) -> Iterator[Finding]:
    prev = ctx.prev
    if prev is None or prev.kind != "legacy":
        return
    before = {e.key: e for e in prev.legacy}
    tol = ctx.settings.money_tolerance
    for entry in ctx.legacy:
        old = before.get(entry.key)
        now, value = entry.cumulative, entry.value
        if old is None or old.cumulative is None or now is None or value is None:
            continue
        expected = old.cumulative + value
        if abs(now - expected) > tol:
            yield rule.finding(
                label=entry.label,
                prior=old.cumulative,
                value=value,
                expected=expected,
                actual=now,
                table="legacy_stats",
                row=entry.key,
            )


RULES: Final = (
    Rule(
        id="requests.carry_link",
        severity="error",
        basis="表三第二项“上年结转” = 上一年度报告第四项“结转下年度继续办理”，七栏逐一核对（X-R1）",
        family="cross_year",
        check=_carry_link,
        passing=example(),
        failing=example("2021", put("previous", "requests", "carry_forward", "commercial", value=0)),
        needs_previous=True,
    ),
    Rule(
        id="active.in_force_link",
        severity="warning",
        basis="表二现行有效件数 ≈ 上年现行有效 + 本年制发 − 本年废止（X-R2；各机关统计口径不一，只作提示）",
        family="cross_year",
        check=_in_force_link,
        passing=example(),
        failing=example("2021", cell("active", "normative_documents", "in_force", 14)),
        needs_previous=True,
    ),
    Rule(
        id="active.prior_items_link",
        severity="warning",
        basis="2019 年格式表二：上一年项目数量 = 上一年度报告的上一年项目数量 + 本年增/减（X-R3）",
        family="cross_year",
        check=_prior_items_link,
        passing=example("2019"),
        failing=example("2019", cell("active", "penalty", "prior_items", 90)),
        needs_previous=True,
    ),
    Rule(
        id="copied_from_previous_year",
        severity="warning",
        basis="第一、五、六部分与上一年度报告高度雷同（分片 Jaccard 相似度达到阈值，默认 0.8）即疑似照抄（E4）",
        family="cross_year",
        check=_copied,
        passing=example(),
        failing=example(
            "2021",
            put(
                "previous",
                "narrative",
                "problems",
                value="一是公开内容的解读还不够深入，二是依申请公开办理的规范化水平有待提高。"
                "下一步，我局将加强业务培训，完善工作机制，提升信息公开质量和实效。",
            ),
        ),
        kinds=ANY,
        needs_previous=True,
    ),
    Rule(
        id="requests.same_as_previous_year",
        severity="warning",
        basis="表三的全部数据与上一年度完全相同（且不全为 0）即疑似沿用往年数据（E4）",
        family="cross_year",
        check=_same_table,
        passing=example(),
        failing=example("2021", copy_to_previous("requests")),
        needs_previous=True,
    ),
    Rule(
        id="legacy.cumulative_link",
        severity="warning",
        basis="统计表历年累计 = 上一年度的历年累计 + 本年度数（format-spec §4.3）",
        family="cross_year",
        check=_cumulative_link,
        passing=example("legacy"),
        failing=example("legacy", stat("收到申请数", "cumulative", 41)),
        kinds=LEGACY,
        needs_previous=True,
    ),
)
