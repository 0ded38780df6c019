"""The rule registry as a family: every rule declared, documented, and shown to fire and not to fire."""

from __future__ import annotations

import re

import pytest

from catalogue.findings import MESSAGES
from validate import validate
from validate.docs import DOC, FAMILIES, render
from validate.examples import Example, base_case
from validate.finding import Finding
from validate.registry import BY_ID, RULES
from validate.rule import Rule

CJK = re.compile(r"[\u4e00-\u9fff]")
# docs/record.md: ids that must exist with exactly these names
REQUIRED_IDS = {
    "requests.row_total",
    "requests.results_total",
    "requests.balance",
    "review_litigation.total",
    "blank_cell",
    "missing_section",
    "missing_table",
    "year_mismatch",
    "late_publication",
    "requests.carry_link",
    "active.in_force_link",
}


def run(example: Example, *, with_previous: bool = True) -> list[Finding]:
    case = example.build()
    return validate(case.record, case.previous if with_previous else None, case.meta)


def test_required_ids_exist():
    assert BY_ID.keys() >= REQUIRED_IDS


# Severity means one thing: error — numbers contradict each other; warning — the template is not followed
# (blanks, missing parts, another template, a disagreeing year, late); info — worth a look.
CONTRADICTIONS = {
    "requests.row_total", "requests.results_total", "requests.balance", "review_litigation.total",
    "requests.carry_link", "text_table.new", "text_table.disclosed", "text_table.unavailable",
    "text_table.all_upheld", "text_table.all_completed", "narrative.balance",
}
TEMPLATE_NOT_FOLLOWED = {
    "blank_cell", "missing_row", "missing_section", "missing_table", "template_mismatch", "year_mismatch",
    "late_publication", "legacy.blank_value",
}
WORTH_A_LOOK = {"plausibility.rules_at_low_level", "plausibility.fee_unit"}


def test_severities_have_their_defined_meaning():
    assert {r: BY_ID[r].severity for r in CONTRADICTIONS} == dict.fromkeys(CONTRADICTIONS, "error")
    assert {r: BY_ID[r].severity for r in TEMPLATE_NOT_FOLLOWED} == dict.fromkeys(TEMPLATE_NOT_FOLLOWED, "warning")
    assert {r: BY_ID[r].severity for r in WORTH_A_LOOK} == dict.fromkeys(WORTH_A_LOOK, "info")
    assert BY_ID["active.in_force_link"].severity == "warning"  # spec/report-json.md


@pytest.mark.parametrize("base", ["2021", "2019", "legacy"])
def test_worked_examples_are_clean(base):
    case = base_case(base)
    assert validate(case.record, case.previous, case.meta) == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_is_declared(rule: Rule):
    assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)?", rule.id)
    assert rule.severity in ("error", "warning", "info")
    assert rule.basis
    assert "\n" not in rule.basis
    assert CJK.search(rule.basis)
    assert rule.family in FAMILIES
    assert rule.id in MESSAGES
    assert rule.kinds


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_failing_example_fires(rule: Rule):
    found = [f for f in run(rule.failing) if f.rule == rule.id]
    assert found, f"{rule.id}: its failing example produced no finding"
    ranks = ("error", "warning", "info")
    for finding in found:
        assert finding.status == "fail"
        lower = ranks.index(finding.severity) > ranks.index(rule.severity)
        assert finding.severity == rule.severity or (rule.lower_when and lower)
        assert CJK.search(finding.message)
        assert "{" not in finding.message


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_passing_example_is_silent(rule: Rule):
    assert not [f for f in run(rule.passing) if f.rule == rule.id]


@pytest.mark.parametrize("rule", [r for r in RULES if r.needs_previous], ids=lambda r: r.id)
def test_cross_year_rules_need_last_year(rule: Rule):
    assert not [f for f in run(rule.failing, with_previous=False) if f.rule == rule.id]


def test_every_message_belongs_to_a_rule():
    for key in MESSAGES:
        assert key in BY_ID or key.rsplit(".", 1)[0] in BY_ID, key


def test_no_message_prints_a_blank_as_zero():
    # a blank 总计 with filled parts: nothing may say “总计…为 0”
    case = base_case("2021")
    for row in case.record["requests"].values():
        row["total"] = None
    messages = [f.message for f in validate(case.record, case.previous, case.meta)]
    assert messages == ["表三『总计』栏的全部 25 行未填写（共 25 格），应填 0：空白不等于 0，涉及这些单元格的合计无法核对"]


def test_docs_are_fresh():
    assert DOC.read_text(encoding="utf-8") == render(), "run: .venv/bin/python -m validate.docs"


def test_docs_list_every_rule():
    text = DOC.read_text(encoding="utf-8")
    for rule in RULES:
        assert f"`{rule.id}`" in text
