"""The pre-2019 统计表 (format-spec §4.2, §4.3): sums of indicators, “其中” lines, 历年累计.

The schemes differ by province and year, so labels are matched by pattern, parts are looked up
in a window after their parent, and every rule only warns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Final

from validate.context import Context, LegacyEntry
from validate.examples import example, stat
from validate.finding import Finding
from validate.relation import compare
from validate.rule import LEGACY, Rule

_WINDOW: Final = 16  # parts sit within this many entries after their parent


@dataclass(frozen=True, slots=True)
class LegacySum:
    """`parent = Σ parts`, each part the first entry after the parent that matches its pattern."""

    rule_id: str
    basis: str
    parent: re.Pattern[str]
    parts: tuple[re.Pattern[str], ...]
    stop: re.Pattern[str]  # the next block begins: parts are not looked for past it

    def find(self, entries: tuple[LegacyEntry, ...]) -> Iterator[tuple[LegacyEntry, list[LegacyEntry]]]:
        for i, parent in enumerate(entries):
            if not self.parent.fullmatch(parent.label):
                continue
            window: list[LegacyEntry] = []
            for entry in entries[i + 1 : i + 1 + _WINDOW]:
                if self.stop.fullmatch(entry.label) or self.parent.fullmatch(entry.label):
                    break
                window.append(entry)
            parts = [e for p in self.parts if (e := next((w for w in window if p.fullmatch(w.label)), None))]
            if parts:
                yield parent, parts


def _p(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


REFUSALS: Final = LegacySum(
    "legacy.refusals_total",
    "统计表：不同意公开答复数 = 各项不予公开理由之和（有的口径允许理由重叠）",
    re.compile(r"不同意公开答复数|否决公开答复总数"),
    _p(
        r"涉及国家秘密",
        r"涉及商业秘密",
        r"涉及个人隐私",
        r"危及.*",
        r"(?:不是|非)《.*》所指政府信息",
        r"法律法规规定的其他情形",
    ),
    re.compile(r"不属于本行政机关公开数|申请信息不存在数|行政复议.*"),
)

SUMS: Final = (
    LegacySum(
        "legacy.received_total",
        "统计表：收到申请数 = 当面 + 传真 + 网络（网上、电子邮件）+ 信函 + 其他形式申请数",
        re.compile(r"收到申请数|申请总数|受理.*申请.*总数"),
        _p(r"当面.*", r"传真.*", r"(?:网络|网上).*", r"电子邮件.*", r"信函.*", r"电话.*", r"其[他它]形式.*"),
        re.compile(r"申请办结数|申请答复数|.*答复总数"),
    ),
    LegacySum(
        "legacy.completed_total",
        "统计表：申请办结数 = 按时办结数 + 延期办结数",
        re.compile(r"申请办结数"),
        _p(r"按时办结数", r"延期办结数"),
        re.compile(r"申请答复数|.*答复总数|行政复议.*"),
    ),
    LegacySum(
        "legacy.answers_total",
        "统计表：申请答复数 = 已主动公开 + 同意公开 + 同意部分公开 +"
        " 不同意公开 + 非本机关 + 信息不存在 + 告知更改补充 + 告知其他途径",
        re.compile(r"申请答复数|.*对申请的答复总数"),
        _p(
            r"属于已主动公开范围数",
            r"同意公开答复数|同意公开",
            r"同意部分公开答复数|同意部分公开",
            r"不同意公开答复数|否决公开答复总数",
            r"不属于本行政机关公开数",
            r"申请信息不存在数",
            r"告知作出更改补充数",
            r"告知通过其他途径办理数",
        ),
        re.compile(r"行政复议.*|行政诉讼.*"),
    ),
    REFUSALS,
    LegacySum(
        "legacy.review_total",
        "统计表：行政复议数量 = 维持具体行政行为数 + 被依法纠错数 + 其他情形数",
        re.compile(r"行政复议数量?"),
        _p(r"维持具体行政行为数", r"被依法纠错数", r"其他情形数"),
        re.compile(r"行政诉讼.*"),
    ),
    LegacySum(
        "legacy.litigation_total",
        "统计表：行政诉讼数量 = 维持具体行政行为或者驳回原告诉讼请求数 + 被依法纠错数 + 其他情形数",
        re.compile(r"行政诉讼数量?"),
        _p(r"维持具体行政行为(?:或者驳回原告诉讼请求)?数", r"被依法纠错数", r"其他情形数"),
        re.compile(r"举报投诉.*|行政申诉.*|.*收取的费用"),
    ),
    LegacySum(
        "legacy.staff_total",
        "统计表：从事政府信息公开工作人员数 = 专职人员数 + 兼职人员数",
        re.compile(r"(?:从事)?政府信息公开工作人员数|工作人员数"),
        _p(r"专职人员数", r"兼职人员数"),
        re.compile(r".*经费.*|.*会议.*"),
    ),
)

# “其中” lines and the line they belong to: (child, parent); the parent is the nearest one above.
_ACTIVE_TOTAL: Final = re.compile(r"主动公开政府信息数|主动公开信息数")
SUBITEMS: Final = (
    (re.compile(r"主动公开规范性文件数"), _ACTIVE_TOTAL),
    (re.compile(r"(?:其中)?全文电子化.*"), _ACTIVE_TOTAL),
    (re.compile(r"主要负责同志参加新闻发布会次数"), re.compile(r"参加或举办新闻发布会总次数")),
    (re.compile(r"主要负责同志参加政府网站在线访谈次数"), re.compile(r"政府网站在线访谈次数")),
    *((reason, REFUSALS.parent) for reason in REFUSALS.parts),
)


def _sum(spec: LegacySum, rule: Rule, ctx: Context) -> Iterator[Finding]:
    tol = ctx.settings.money_tolerance
    for parent, parts in spec.find(ctx.legacy):
        verdict = compare([parent.value], [p.value for p in parts], tol)
        if verdict and verdict.status == "fail":  # an undecided sum: legacy.blank_value says why
            yield rule.finding(
                parent=parent.label,
                parts="、".join(p.label for p in parts),
                expected=verdict.right,
                actual=verdict.left,
                note="（另有空白，已填分项之和已超出）" if verdict.blanks else "",
                table="legacy_stats",
                row=parent.key,
            )


def _subitems(rule: Rule, ctx: Context) -> Iterator[Finding]:
    entries = ctx.legacy
    for i, child in enumerate(entries):
        for child_pattern, parent_pattern in SUBITEMS:
            if not child_pattern.fullmatch(child.label):
                continue
            parent = next((e for e in reversed(entries[:i]) if parent_pattern.fullmatch(e.label)), None)
            if parent and parent.value is not None and child.value is not None and child.value > parent.value:
                yield rule.finding(
                    child=child.label,
                    parent=parent.label,
                    expected=parent.value,
                    actual=child.value,
                    table="legacy_stats",
                    row=child.key,
                )


def _cumulative_below_value(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for entry in ctx.legacy:
        if entry.cumulative is not None and entry.value is not None and entry.cumulative < entry.value:
            yield rule.finding(
                label=entry.label, expected=entry.value, actual=entry.cumulative, table="legacy_stats", row=entry.key
            )


def _blank_value(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for entry in ctx.legacy:
        if entry.raw is None:
            yield rule.finding(label=entry.label, table="legacy_stats", row=entry.key)


_SUM_FAILURES: Final = {
    "legacy.received_total": stat("网络申请数", "value", 3),
    "legacy.completed_total": stat("延期办结数", "value", 2),
    "legacy.answers_total": stat("同意公开答复数", "value", 3),
    "legacy.refusals_total": stat("涉及个人隐私", "value", 0),
    "legacy.review_total": stat("被依法纠错数", "value", 1),
    "legacy.litigation_total": stat("行政诉讼数量", "value", 1),
    "legacy.staff_total": stat("兼职人员数", "value", 3),
}

RULES: Final = (
    *(
        Rule(
            id=spec.rule_id,
            severity="warning",
            basis=spec.basis,
            family="legacy",
            check=partial(_sum, spec),
            passing=example("legacy"),
            failing=example("legacy", _SUM_FAILURES[spec.rule_id]),
            kinds=LEGACY,
        )
        for spec in SUMS
    ),
    Rule(
        id="legacy.subitem_exceeds_parent",
        severity="warning",
        basis="统计表中每个“其中”项不超过其上级项（如主动公开规范性文件数 ≤ 主动公开政府信息数）",
        family="legacy",
        check=_subitems,
        passing=example("legacy"),
        failing=example("legacy", stat("主动公开规范性文件数", "value", 130)),
        kinds=LEGACY,
    ),
    Rule(
        id="legacy.cumulative_below_value",
        severity="warning",
        basis="统计表的历年累计不小于本年度数（format-spec §4.3）",
        family="legacy",
        check=_cumulative_below_value,
        passing=example("legacy"),
        failing=example("legacy", stat("主动公开政府信息数", "cumulative", 100)),
        kinds=LEGACY,
    ),
    Rule(
        id="legacy.blank_value",
        severity="warning",
        basis="统计表的指标应填数值，空白不等于 0（旧统计表口径各异，只作提示）",
        family="legacy",
        check=_blank_value,
        passing=example("legacy"),
        failing=example("legacy", stat("申请办结数", "value", None)),
        kinds=LEGACY,
    ),
)
