"""What the narrative states against what the tables say (format-spec TX-R1, E12), naming the figures
compared.

A mismatch is an error only when the statement is unambiguous and about the whole agency (“新收…17件”);
“共受理…17件”, which may include last year's carry-over, is a warning; a figure of a part of the agency
(“区政府办受理17件” in a district government's report whose tables count the whole district) is another
scope, not a contradiction: a note.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Final

from catalogue.findings import cell_name, label_of
from extract.schema import APPLICANT_COLUMNS, REVIEW_GROUPS, result_rows
from validate.context import Context, Number
from validate.examples import example, put
from validate.finding import Finding, Severity
from validate.narrative import Statement
from validate.rule import ANY, Rule, Where

_QUOTE_CHARS: Final = 60
_RESULTS: Final = result_rows(single_other=False)


def _total(*rows: str) -> Callable[[Context], Number | None]:
    """The 总计 column of `rows`, summed; None when one of them is blank."""

    def get(ctx: Context) -> Number | None:
        values = [ctx.value("requests", row, "total") for row in rows]
        return None if any(v is None for v in values) else sum(v for v in values if v is not None)

    return get


def _review(ctx: Context) -> Number | None:
    return ctx.value("review_litigation", "review", "total")


def _litigation(ctx: Context) -> Number | None:
    direct = ctx.value("review_litigation", "litigation_direct", "total")
    after = ctx.value("review_litigation", "litigation_after_review", "total")
    return None if direct is None or after is None else direct + after


@dataclass(frozen=True, slots=True)
class Figure:
    """The table figure a kind of statement describes, in the 2019/2021 tables and in the legacy 统计表."""

    what: str  # its name in a message
    where: Where
    template: Callable[[Context], Number | None]
    legacy: re.Pattern[str] | None = None  # the 统计表 labels holding it
    rows: tuple[str, ...] = ()  # the 表三 rows it adds up (a text figure equal to one of their cells is named)


def _rows(prefix: str) -> tuple[str, ...]:
    return tuple(r for r in _RESULTS if r.startswith(prefix))


def _results(what: str, *rows: str) -> Figure:
    where: Where = {"table": "requests", "row": rows[0], "col": "total"}
    return Figure(what, where, _total(*rows), rows=rows)


FIGURES: Final[dict[str, Figure]] = {
    "new": Figure(
        "表三『一、本年新收政府信息公开申请数量』行『总计』栏",
        {"table": "requests", "row": "new", "col": "total"},
        _total("new"),
        re.compile(r"收到申请数|申请总数|受理.*申请.*总数"),
    ),
    "carried_over": Figure(
        "表三『二、上年结转政府信息公开申请数量』行『总计』栏",
        {"table": "requests", "row": "carried_over", "col": "total"},
        _total("carried_over"),
    ),
    "completed": Figure(
        "表三『三(七)总计』行『总计』栏",
        {"table": "requests", "row": "total", "col": "total"},
        _total("total"),
        re.compile(r"申请办结数"),
    ),
    "carry_forward": Figure(
        "表三『四、结转下年度继续办理』行『总计』栏",
        {"table": "requests", "row": "carry_forward", "col": "total"},
        _total("carry_forward"),
    ),
    "disclosed": _results("表三三(一)予以公开与三(二)部分公开的『总计』栏之和", "granted", "partly_granted"),
    "granted": _results("表三『三(一)予以公开』行『总计』栏", "granted"),
    "partly_granted": _results("表三『三(二)部分公开』行『总计』栏", "partly_granted"),
    "withheld": _results("表三三(三)不予公开 8 项的『总计』栏之和", *_rows("withheld_")),
    "unavailable": _results("表三三(四)无法提供 3 项的『总计』栏之和", *_rows("unavailable_")),
    "rejected": _results("表三三(五)不予处理 5 项的『总计』栏之和", *_rows("rejected_")),
    "review": Figure(
        "表四『行政复议』『总计』栏",
        {"table": "review_litigation", "group": "review"},
        _review,
        re.compile(r"行政复议数量?"),
    ),
    "litigation": Figure(
        "表四两类行政诉讼（未经复议直接起诉、复议后起诉）的总计之和",
        {"table": "review_litigation"},
        _litigation,
        re.compile(r"行政诉讼数量?"),
    ),
}


def _figure(ctx: Context, kind: str) -> tuple[Number | None, str, Where]:
    """The table's value for a statement kind, its name and where it sits."""
    figure = FIGURES[kind]
    if ctx.kind == "template":
        return figure.template(ctx), figure.what, figure.where
    pattern = figure.legacy
    entry = next((e for e in ctx.legacy if pattern and pattern.fullmatch(e.label)), None)
    if entry is None:
        return None, "", {}
    return entry.value, f"统计表『{entry.label}』", {"table": "legacy_stats", "row": entry.key}


def _accepted(ctx: Context, statement: Statement) -> tuple[Number, ...]:
    """The table values the statement may stand for; empty when the table cannot tell."""
    if statement.kind != "received":
        value = _figure(ctx, statement.kind)[0]
        return () if value is None else (value,)
    new = _figure(ctx, "new")[0]
    carried = _figure(ctx, "carried_over")[0] if ctx.kind == "template" else None
    # “共受理/收到…N件” is 一 alone or, in many reports, 一 + 二
    return () if new is None else (new,) if carried is None else (new, new + carried)


def _quote(text: str) -> str:
    return text if len(text) <= _QUOTE_CHARS else text[:_QUOTE_CHARS] + "…"


def _part_of(ctx: Context, figure: Figure, stated: int) -> str:
    """`；正文的 265 与表三『三(四)1.本机关不掌握相关政府信息』行『总计』栏相同…` when the text's figure is one
    part of what the table adds up (a sub-row, one applicant column): say which, it explains the gap."""
    if ctx.kind != "template":
        return ""
    parts = [(r, "total") for r in figure.rows if len(figure.rows) > 1]
    parts += [(r, c) for r in figure.rows for c in APPLICANT_COLUMNS]
    hit = next(((r, c) for r, c in parts if ctx.value("requests", r, c) == stated), None)
    return "" if hit is None else f"；正文的 {stated} 与{cell_name('requests', *hit)}相同，可能只计了其中一部分"


def _text_vs_table(kinds: frozenset[str], figure_kind: str, rule: Rule, ctx: Context) -> Iterator[Finding]:
    wrong = [s for s in ctx.narrative.of(kinds) if (ok := _accepted(ctx, s)) and s.value not in ok]
    if not wrong:
        return
    # the strongest claim first: whole agency and unambiguous
    first = min(wrong, key=lambda s: (not s.whole, s.kind == "received"))
    actual, what, where = _figure(ctx, figure_kind)
    severity: Severity | None = "info" if not first.whole else "warning" if first.kind == "received" else None
    yield rule.finding(
        "" if first.whole else "scope",
        severity=severity,
        quote=_quote(first.quote),
        stated=first.value,
        what=what,
        part=_part_of(ctx, FIGURES[figure_kind], first.value),
        expected=first.value,
        actual=actual,
        section=first.section,
        extra={"quote": first.quote},
        **where,
    )


_LOWER_WHEN: Final = (
    "warning when the statement may include last year's carry-over (“共受理…”); info when it is about a part "
    "of the agency (“其中…”, a named sub-unit such as 区政府办 in a district's report): another scope, not a "
    "contradiction"
)


def _text_rule(kind: str, basis: str, failing_text: str, *also: str, passing_text: str | None = None,
               note: str = "") -> Rule:
    passing = example() if passing_text is None else example(
        "2021", put("record", "narrative", "overview", value=passing_text), note=note)
    return Rule(
        id=f"text_table.{kind}",
        severity="error",
        basis=basis,
        family="text_table",
        check=partial(_text_vs_table, frozenset({kind, *also}), kind),
        passing=passing,
        failing=example("2021", put("record", "narrative", "overview", value=failing_text)),
        kinds=ANY,
        lower_when=_LOWER_WHEN,
    )


def _all_completed(rule: Rule, ctx: Context) -> Iterator[Finding]:
    claim = ctx.narrative.all_completed
    left = ctx.value("requests", "carry_forward", "total")
    if claim is not None and left is not None and left > 0:
        figure = FIGURES["carry_forward"]
        yield rule.finding(
            quote=_quote(claim.quote), what=figure.what, actual=left, section=claim.section, **figure.where
        )


_UPHELD_GROUPS: Final = {
    "review": ("review",),
    "litigation": ("litigation_direct", "litigation_after_review"),
    "cases": tuple(REVIEW_GROUPS),
}


def _all_upheld(rule: Rule, ctx: Context) -> Iterator[Finding]:
    """“复议N件、诉讼M件，均获维持” while 表四 shows cases corrected or still pending."""
    claim = ctx.narrative.all_upheld
    if claim is None or "review_litigation" not in ctx.readable_tables:
        return
    shown = []
    for group in _UPHELD_GROUPS[claim.kind]:
        counts = [(col, n) for col in ("corrected", "pending") if (n := ctx.value("review_litigation", group, col))]
        if counts:
            words = "、".join(f"{'结果纠正' if col == 'corrected' else '尚未审结'} {n} 件" for col, n in counts)
            shown.append(f"『{label_of('review_litigation', group)}』{words}")
    if shown:
        yield rule.finding(quote=_quote(claim.quote), shown="，".join(shown), section=claim.section,
                           table="review_litigation", extra={"quote": claim.quote})


def _first(ctx: Context, *kinds: str) -> Statement | None:
    return next((s for k in kinds if (s := ctx.narrative.first(k))), None)


def _completed_exceeds_received(rule: Rule, ctx: Context) -> Iterator[Finding]:
    completed, received = _first(ctx, "completed"), _first(ctx, "new", "received")
    if completed is None or received is None:
        return
    stated = _first(ctx, "carried_over")
    table = ctx.value("requests", "carried_over", "total") if ctx.kind == "template" else None
    carried = stated.value if stated else int(table) if table is not None else 0
    if completed.value > received.value + carried:
        known = stated is not None or table is not None or ctx.kind != "template"
        yield rule.finding(
            severity=None if known else "warning",
            completed=completed.value,
            received=received.value,
            carried=carried,
            expected=received.value + carried,
            actual=completed.value,
            section=completed.section,
        )


def _narrative_balance(rule: Rule, ctx: Context) -> Iterator[Finding]:
    found = [_first(ctx, k) for k in ("new", "carried_over", "completed", "carry_forward")]
    if any(s is None for s in found):
        return
    new, carried, completed, carry = (s.value for s in found if s is not None)
    if new + carried != completed + carry:
        yield rule.finding(
            new=new,
            carried=carried,
            completed=completed,
            carry=carry,
            expected=new + carried,
            actual=completed + carry,
        )


RULES: Final = (
    _text_rule(
        "new",
        "正文所述本年新收（受理、收到）申请数 = 表三第一项总计（“共受理”也可含上年结转）（TX-R1）",
        "本年度共新收政府信息公开申请18件。",
        "received",
        passing_text="全年共受理政府信息公开申请20件（含上年结转3件）。",
        note="“共受理…20件（含上年结转3件）”：新收 17 件加上年结转 3 件",
    ),
    _text_rule(
        "carried_over",
        "正文所述上年结转申请数 = 表三第二项总计（TX-R1）",
        "本年度共新收政府信息公开申请17件，上年结转2件。",
    ),
    _text_rule(
        "completed",
        "正文所述办结（答复）申请数 = 表三三(七)总计（TX-R1）",
        "本年度共新收政府信息公开申请17件，全年办结20件。",
    ),
    _text_rule(
        "carry_forward",
        "正文所述结转下年度申请数 = 表三第四项总计（TX-R1）",
        "本年度政府信息公开申请结转下年度办理2件。",
    ),
    _text_rule(
        "disclosed",
        "正文所述“予以公开及部分公开”申请数 = 表三三(一)与三(二)的总计之和（TX-R1、E12）",
        "办结政府信息公开申请19件，其中予以公开及部分公开12件。",
        passing_text="办结政府信息公开申请19件，其中予以公开及部分公开13件。",
        note="“予以公开及部分公开13件”：三(一) 10 件加三(二) 3 件",
    ),
    _text_rule(
        "granted",
        "正文所述“予以公开”申请数 = 表三三(一)总计（TX-R1）",
        "办结政府信息公开申请19件，其中予以公开9件。",
    ),
    _text_rule(
        "partly_granted",
        "正文所述“部分公开”申请数 = 表三三(二)总计（TX-R1）",
        "办结政府信息公开申请19件，其中部分公开4件。",
    ),
    _text_rule(
        "withheld",
        "正文所述“不予公开”申请数 = 表三三(三)八项的总计之和（TX-R1）",
        "办结政府信息公开申请19件，其中不予公开2件。",
    ),
    _text_rule(
        "unavailable",
        "正文所述“无法提供”申请数 = 表三三(四)三项的总计之和，而非其中一项（TX-R1、E12）",
        "办结政府信息公开申请19件，其中因本机关不掌握等原因无法提供1件。",
        passing_text="办结政府信息公开申请19件，其中因本机关不掌握等原因无法提供2件。",
        note="“无法提供2件”：三(四)三项之和",
    ),
    _text_rule(
        "rejected",
        "正文所述“不予处理”申请数 = 表三三(五)五项的总计之和（TX-R1）",
        "办结政府信息公开申请19件，其中不予处理3件。",
    ),
    _text_rule(
        "review",
        "正文所述因政府信息公开被申请行政复议数 = 表四行政复议总计（TX-R1）",
        "因政府信息公开被申请行政复议3件。",
    ),
    _text_rule(
        "litigation",
        "正文所述行政诉讼数 = 表四未经复议直接起诉与复议后起诉的总计之和（TX-R1）",
        "本年度未发生因政府信息公开引起的行政诉讼。",
    ),
    Rule(
        id="text_table.all_completed",
        severity="error",
        basis="正文称申请“全部办结”“办结率100%”时，表三第四项“结转下年度继续办理”应为 0",
        family="text_table",
        check=_all_completed,
        passing=example("2021", put("record", "narrative", "overview",
                                    value="收到的政府信息公开申请未能全部办结，1件结转下年度继续办理。"),
                        note="“未能全部办结，1件结转下年度”"),
        failing=example(
            "2021", put("record", "narrative", "overview", value="本年度收到的政府信息公开申请均已按时办结。")
        ),
    ),
    Rule(
        id="text_table.all_upheld",
        severity="error",
        basis="正文称复议、诉讼案件“均获维持”时，表四相应各组不应有“结果纠正”或“尚未审结”",
        family="text_table",
        check=_all_upheld,
        passing=example("2021", put("record", "narrative", "review_litigation",
                                    value="因政府信息公开被提起行政诉讼1件，均获维持。另有行政复议2件，其中1件尚未审结。"),
                        note="诉讼“均获维持”而复议另句说明尚未审结"),
        failing=example("2021", put("record", "narrative", "review_litigation",
                                    value="因政府信息公开被申请行政复议2件、被提起行政诉讼1件，均获维持。")),
    ),
    Rule(
        id="narrative.completed_exceeds_received",
        severity="error",
        basis="正文所述办结数不能多于受理数与上年结转数之和（如“受理117件、办结171件”）",
        family="text_table",
        check=_completed_exceeds_received,
        passing=example(),
        failing=example(
            "2021", put("record", "narrative", "overview", value="本年度新受理政府信息公开申请10件，办结15件。")
        ),
        kinds=ANY,
        lower_when="warning when neither the text nor the table gives last year's carry-over",
    ),
    Rule(
        id="narrative.balance",
        severity="error",
        basis="正文所述新收 + 上年结转 = 办结 + 结转下年度（表三表头勾稽关系在正文中的体现，E7）",
        family="text_table",
        check=_narrative_balance,
        passing=example(),
        failing=example(
            "2021",
            put(
                "record",
                "narrative",
                "overview",
                value="新受理政府信息公开申请10件，上年转结0件，全年办结0件，转下一年办理0件。",
            ),
        ),
        kinds=ANY,
    ),
)
