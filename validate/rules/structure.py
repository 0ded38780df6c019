"""The shape of the report: its six sections, its three tables, its template, its year and its date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Final

from catalogue.findings import FORMAT_NAMES, TABLE_NAMES, section_heading, section_ordinal
from extract.schema import FORMATS, SECTIONS, TABLES
from validate.context import Context
from validate.deadlines import deadline_for
from validate.examples import drop, example, put
from validate.finding import Finding
from validate.rule import ANY, FOUND, Rule

_THIN_SECTIONS: Final = ("overview", "problems")
_EMPTY_WORDS: Final = frozenset({"无", "暂无", "没有", "无其他需要报告的事项"})


def expected_format(year: int) -> str:
    """The template a report on `year` must follow (format-spec §1.4)."""
    if year <= 2018:
        return "legacy"
    return "2019" if year <= 2020 else "2021"


def _iso_date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _missing_section(rule: Rule, ctx: Context) -> Iterator[Finding]:
    sections = ctx.record.get("sections")
    if not isinstance(sections, dict):
        return
    for key in SECTIONS:
        if not sections.get(key):
            yield rule.finding(ordinal=section_ordinal(key), heading=SECTIONS[key], section=key)


def _missing_table(rule: Rule, ctx: Context) -> Iterator[Finding]:
    sections = ctx.record.get("sections")
    present = sections if isinstance(sections, dict) else {}
    for table in TABLES:
        if present.get(table, True) and table not in ctx.readable_tables:
            yield rule.finding(
                ordinal=section_ordinal(table), heading=SECTIONS[table], table_name=TABLE_NAMES[table], table=table
            )


def _section_order(rule: Rule, ctx: Context) -> Iterator[Finding]:
    order = [k for k in ctx.parse.get("section_order") or () if k in SECTIONS]
    keys = list(SECTIONS)
    if order != sorted(order, key=keys.index):
        yield rule.finding(order="、".join(section_ordinal(k) for k in order), extra={"order": order})


def _section_numbering(rule: Rule, ctx: Context) -> Iterator[Finding]:
    numbers = ctx.parse.get("section_numbers") or {}
    for key in SECTIONS:
        printed = numbers.get(key)
        if printed is not None and printed != section_ordinal(key):
            yield rule.finding(heading=section_heading(key), printed=printed, ordinal=section_ordinal(key), section=key)


def _template_mismatch(rule: Rule, ctx: Context) -> Iterator[Finding]:
    fmt = ctx.record.get("format")
    if ctx.year is not None and fmt in FORMATS and fmt != expected_format(ctx.year):
        yield rule.finding(
            year=ctx.year,
            expected_name=FORMAT_NAMES[expected_format(ctx.year)],
            actual_name=FORMAT_NAMES[fmt],
        )
    if "requests" in ctx.readable_tables and fmt in ("2019", "2021"):
        hybrid = ctx.single_other if fmt == "2021" else not ctx.single_other
        if hybrid:
            shape = "只有一行（2019 年格式）" if ctx.single_other else "分为三个子项（2021 年格式）"
            yield rule.finding("hybrid", shape=shape, format_name=FORMAT_NAMES[fmt], table="requests")


def _unknown_format(rule: Rule, ctx: Context) -> Iterator[Finding]:
    if ctx.record.get("format") not in FORMATS:
        yield rule.finding()


def _year_mismatch(rule: Rule, ctx: Context) -> Iterator[Finding]:
    filed = ctx.meta.get("year")  # the year the report was filed under (its list entry), when it was filed
    year = filed if isinstance(filed, int) else ctx.year
    if year is None:
        return
    claims: list[tuple[str, int]] = []
    title_year = ctx.parse.get("title_year")
    if isinstance(title_year, int) and title_year != year:
        claims.append((f"标题所署为 {title_year} 年", title_year))
    if isinstance(ctx.year, int) and ctx.year != year and not isinstance(title_year, int):
        claims.append((f"报告正文按 {ctx.year} 年度编写", ctx.year))
    claims.extend((f"统计期限为 {y} 年", y) for y in ctx.parse.get("period_years") or () if y != year)
    body = ctx.parse.get("body_years") or ()
    if body and body[0] != year:
        claims.append((f"正文所述年度为 {body[0]} 年", body[0]))
    published = _iso_date(ctx.meta.get("published"))
    if published is not None and published.year <= year:
        claims.append((f"发布日期 {published.isoformat()} 早于该年度结束", published.year))
    if claims:
        yield rule.finding(
            "" if title_year == year else "untitled",
            expected=year,
            actual=claims[0][1],
            sources="、".join(text for text, _ in claims),
            extra={"years": [y for _, y in claims]},
        )


def _deadline(ctx: Context) -> date | None:
    given = _iso_date(ctx.meta.get("deadline"))
    level = ctx.meta.get("level")
    if given is not None or ctx.year is None or level not in ctx.settings.deadlines:
        return given
    return deadline_for(str(level), ctx.year, ctx.settings.deadlines)


def _late_publication(rule: Rule, ctx: Context) -> Iterator[Finding]:
    published, deadline = _iso_date(ctx.meta.get("published")), _deadline(ctx)
    if published is not None and deadline is not None and published > deadline:
        days = (published - deadline).days
        yield rule.finding(
            published=published.isoformat(),
            deadline=deadline.isoformat(),
            days=days,
            extra={"published": published.isoformat(), "deadline": deadline.isoformat(), "days_late": days},
        )


def _thin_section(rule: Rule, ctx: Context) -> Iterator[Finding]:
    narrative = ctx.record.get("narrative")
    if not isinstance(narrative, dict):
        return
    for key in _THIN_SECTIONS:
        text = narrative.get(key)
        if not isinstance(text, str):
            continue
        body = text.strip()
        if len(body) < ctx.settings.thin_section_chars or body.rstrip("。.") in _EMPTY_WORDS:
            yield rule.finding(ordinal=section_ordinal(key), heading=SECTIONS[key], text=body, section=key)


RULES: Final = (
    Rule(
        id="missing_section",
        severity="warning",
        basis="条例第五十条：年度报告须包括总体情况、主动公开、依申请、复议诉讼、问题改进、其他事项六部分",
        family="structure",
        check=_missing_section,
        passing=example(),
        failing=example("2021", put("record", "sections", "problems", value=False)),
    ),
    Rule(
        id="missing_table",
        severity="warning",
        basis="年报格式第二、三、四部分以表格报告；表格缺失、为图片或无法识别（E9）",
        family="structure",
        check=_missing_table,
        passing=example(),
        failing=example("2021", drop("record", "review_litigation")),
    ),
    Rule(
        id="section_order",
        severity="warning",
        basis="年报格式规定六部分的顺序：一、总体情况 …… 六、其他需要报告的事项",
        family="structure",
        check=_section_order,
        passing=example(),
        failing=example(
            "2021",
            put(
                "record",
                "parse",
                "section_order",
                value=["overview", "active", "review_litigation", "requests", "problems", "other"],
            ),
        ),
    ),
    Rule(
        id="section_numbering",
        severity="warning",
        basis="年报格式规定六部分依次编号为一至六",
        family="structure",
        check=_section_numbering,
        passing=example(),
        failing=example("2021", put("record", "parse", "section_numbers", "problems", value="四")),
    ),
    Rule(
        id="template_mismatch",
        severity="warning",
        basis="2021 年度起用国办公开办函〔2021〕30号格式，2019、2020 年度用〔2019〕60号格式（M-R2、E10）",
        family="structure",
        check=_template_mismatch,
        passing=example("2019"),
        failing=example("2019", put("record", "year", value=2022)),
        kinds=ANY,
    ),
    Rule(
        id="unknown_format",
        severity="warning",
        basis="报告须按全国统一的年报格式编制（条例第五十条第二款）",
        family="structure",
        check=_unknown_format,
        passing=example("2021", put("record", "format", value=None), put("record", "year", value=2016),
                        note="2016 年度的报告：2019 年以前没有全国统一格式"),
        failing=example("2021", put("record", "format", value=None)),
    ),
    Rule(
        id="year_mismatch",
        severity="warning",
        basis="标题和栏目列表所署年度即报告年度；统计期限、正文和发布日期指向别的年度时提醒核对，不因此改变报告年度（M-R1、E11）",
        family="structure",
        check=_year_mismatch,
        passing=example(),
        failing=example("2021", put("record", "parse", "body_years", value=[2023])),
        kinds=ANY,
    ),
    Rule(
        id="late_publication",
        severity="warning",
        basis="条例第四十九条：部门 1 月 31 日前、县级以上政府 3 月 31 日前公布上一年度报告（乡镇默认 1 月 31 日）",
        family="structure",
        check=_late_publication,
        passing=example(),
        failing=example("2021", put("meta", "published", value="2025-02-03")),
        kinds=FOUND,
    ),
    Rule(
        id="thin_section",
        severity="warning",
        basis="年报格式：第一部分综述全年工作，第五部分报告问题和改进情况，不能只写“无”（E5）",
        family="structure",
        check=_thin_section,
        passing=example(),
        failing=example("2021", put("record", "narrative", "problems", value="无。")),
    ),
)
