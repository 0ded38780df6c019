"""Reading the narrative: what it states, about whom, and the text↔table findings that follow."""

from __future__ import annotations

import pytest

from validate import validate
from validate.examples import base_case
from validate.narrative import read_narrative


def said(text: str, agency: str | None = "示例县民政局", section: str = "overview") -> set[tuple[str, int, bool]]:
    return {(s.kind, s.value, s.whole) for s in read_narrative({section: text}, agency).statements}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("本年度共新收政府信息公开申请17件，上年结转3件。", {("new", 17, True), ("carried_over", 3, True)}),
        ("全年共受理政府信息公开申请20件(含上年结转3件)。", {("received", 20, True), ("carried_over", 3, True)}),
        ("全年办结19件，结转下年度继续办理1件。", set()),  # no 申请 in the sentence, outside 三: not about requests
        ("依申请公开:全年办结申请19件，结转下年度继续办理1件。", {("completed", 19, True), ("carry_forward", 1, True)}),
        (
            "新受理申请10件，上年转结0件，全年办结0件，转下一年办理0件。",
            {("new", 10, True), ("carried_over", 0, True), ("completed", 0, True), ("carry_forward", 0, True)},
        ),
        ("共收到政府信息公开申请12件，其中自然人申请10件，法人申请2件。", {("received", 12, True)}),
        ("收到政府信息公开申请10余件。", set()),  # no exact number
        ("不予受理政府信息公开申请3件。", set()),  # not “受理”
        ("收到并办结政府信息公开申请12件。", set()),  # two figures in one phrase: not placed
        ("全年受理市长信箱11件，受理热线等平台市民留言96条。", set()),  # not 政府信息公开 requests
        ("2025年度我镇未收到提出公开政府信息的申请。", {("new", 0, True)}),
        ("无正当理由大量反复申请的，不予处理。", set()),
        ("因政府信息公开被申请行政复议2件，被提起行政诉讼1件。", {("review", 2, True), ("litigation", 1, True)}),
        ("未发生因政府信息公开引起的行政复议和行政诉讼。", {("review", 0, True), ("litigation", 0, True)}),
        ("因政府信息公开未经复议直接提起行政诉讼1件。", {("litigation", 1, True)}),
        ("全年办理行政复议案件120件。", set()),  # the agency's own 行政复议 work, not about 公开
    ],
)
def test_statements(text, expected):
    assert said(text) == expected


def test_scope_named_sub_unit_is_not_the_whole_agency():
    assert said("区政府办受理政府信息公开申请17件。", agency="某某区人民政府") == {("received", 17, False)}
    assert said("全区共受理政府信息公开申请95件。", agency="某某区人民政府") == {("received", 95, True)}
    assert said("示例县民政局共新收政府信息公开申请17件。") == {("new", 17, True)}


def _with_overview(text: str, new_total: int | None = None):
    case = base_case("2021")
    case.record["narrative"]["overview"] = text
    if new_total is not None:
        case.record["agency"] = "某某区人民政府"
        for row in ("new", "granted", "total"):
            for col in ("natural_person", "total"):
                case.record["requests"][row][col] += new_total - 17
    return [f for f in validate(case.record, case.previous, case.meta) if f.rule.startswith(("text_table", "narr"))]


def test_district_office_statement_against_district_table_is_a_note():
    # “区政府办受理17件” in a district report whose table says 95: another scope, not a contradiction
    findings = _with_overview("区政府办受理政府信息公开申请17件。", new_total=95)
    assert [(f.rule, f.severity, f.expected, f.actual) for f in findings] == [("text_table.new", "info", 17, 95)]
    assert "口径不同" in findings[0].message


def test_whole_agency_unambiguous_mismatch_is_an_error():
    findings = _with_overview("本年度共新收政府信息公开申请17件。", new_total=95)
    assert [(f.rule, f.severity, f.row, f.col, f.section) for f in findings] == [
        ("text_table.new", "error", "new", "total", "overview")
    ]


def test_received_may_include_carry_over():
    assert _with_overview("全年共受理政府信息公开申请20件。") == []  # 17 new + 3 carried over
    assert _with_overview("全年共受理政府信息公开申请17件。") == []
    assert [f.severity for f in _with_overview("全年共受理政府信息公开申请21件。")] == ["warning"]


def test_all_completed_claims():
    assert [f.rule for f in _with_overview("收到的政府信息公开申请已全部按时办结。")] == ["text_table.all_completed"]
    assert _with_overview("收到的政府信息公开申请未全部办结。") == []


def test_narrative_contradiction_maojian():
    # 大川镇2023: “新受理政府信息公开申请10件，上年转结…0件，全年办结0件，转下一年办理0件”
    rules = {f.rule for f in _with_overview("新受理政府信息公开申请10件，上年转结0件，全年办结0件，转下一年办理0件。")}
    assert "narrative.balance" in rules


def test_legacy_statements_are_checked_against_the_statistics():
    case = base_case("legacy")
    case.record["narrative"]["requests"] = "2017年，我局共收到政府信息公开申请6件。"
    findings = [f for f in validate(case.record) if f.rule == "text_table.new"]
    assert [(f.table, f.row, f.expected, f.actual) for f in findings] == [("legacy_stats", "收到申请数", 6, 5)]
