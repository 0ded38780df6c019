"""What the narrative says against what the tables say (format-spec TX-R1, E12).

A mismatch is an error only when the statement is unambiguous (“新收…17件”, not “共受理…17件”,
which may include last year's carry-over) and about the whole agency; otherwise a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Final

from validate.context import Context, Number
from validate.examples import example, put
from validate.finding import Finding
from validate.narrative import Statement
from validate.rule import ANY, Rule, Where

_QUOTE_CHARS: Final = 60


def _total(row: str) -> Callable[[Context], Number | None]:
    return lambda ctx: ctx.value("requests", row, "total")


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


def _text_vs_table(kinds: frozenset[str], figure_kind: str, rule: Rule, ctx: Context) -> Iterator[Finding]:
    wrong = [s for s in ctx.narrative.of(kinds) if (ok := _accepted(ctx, s)) and s.value not in ok]
    if not wrong:
        return
    # the strongest claim first: whole agency and unambiguous
    first = min(wrong, key=lambda s: (not s.whole, s.kind == "received"))
    actual, what, where = _figure(ctx, figure_kind)
    strong = first.whole and first.kind != "received"
    yield rule.finding(
        severity=None if strong else "warning",
        quote=_quote(first.quote),
        stated=first.value,
        what=what,
        expected=first.value,
        actual=actual,
        section=first.section,
        extra={"quote": first.quote},
        **where,
    )


def _text_rule(kind: str, basis: str, failing_text: str, *also: str) -> Rule:
    return Rule(
        id=f"text_table.{kind}",
        severity="error",
        basis=basis,
        family="text_table",
        check=partial(_text_vs_table, frozenset({kind, *also}), kind),
        passing=example(),
        failing=example("2021", put("record", "narrative", "overview", value=failing_text)),
        kinds=ANY,
        lower_when="the statement covers only part of the agency (“其中…”, a named sub-unit) "
        "or may include last year's carry-over (“共受理…”)",
    )


def _all_completed(rule: Rule, ctx: Context) -> Iterator[Finding]:
    claim = ctx.narrative.all_completed
    left = ctx.value("requests", "carry_forward", "total")
    if claim is not None and left is not None and left > 0:
        figure = FIGURES["carry_forward"]
        yield rule.finding(
            quote=_quote(claim.quote), what=figure.what, actual=left, section=claim.section, **figure.where
        )


def _first_value(ctx: Context, *kinds: str) -> int | None:
    statement = next((s for k in kinds if (s := ctx.narrative.first(k))), None)
    return None if statement is None else statement.value


def _completed_exceeds_received(rule: Rule, ctx: Context) -> Iterator[Finding]:
    completed, received = _first_value(ctx, "completed"), _first_value(ctx, "new", "received")
    if completed is None or received is None:
        return
    carried = _first_value(ctx, "carried_over")
    if carried is None:
        carried = int(ctx.value("requests", "carried_over", "total") or 0) if ctx.kind == "template" else 0
    if completed > received + carried:
        yield rule.finding(
            completed=completed, received=received, carried=carried, expected=received + carried, actual=completed
        )


def _narrative_balance(rule: Rule, ctx: Context) -> Iterator[Finding]:
    values = [_first_value(ctx, k) for k in ("new", "carried_over", "completed", "carry_forward")]
    new, carried, completed, carry = values
    if new is None or carried is None or completed is None or carry is None:
        return
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
        severity="warning",
        basis="正文称申请“全部办结”时，表三第四项“结转下年度继续办理”应为 0",
        family="text_table",
        check=_all_completed,
        passing=example(),
        failing=example(
            "2021", put("record", "narrative", "overview", value="本年度收到的政府信息公开申请均已按时办结。")
        ),
    ),
    Rule(
        id="narrative.completed_exceeds_received",
        severity="warning",
        basis="正文所述办结数不能多于受理数与上年结转数之和",
        family="text_table",
        check=_completed_exceeds_received,
        passing=example(),
        failing=example(
            "2021", put("record", "narrative", "overview", value="本年度新受理政府信息公开申请10件，办结15件。")
        ),
        kinds=ANY,
    ),
    Rule(
        id="narrative.balance",
        severity="warning",
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
