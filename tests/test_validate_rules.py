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


def test_spec_severities():
    assert BY_ID["active.in_force_link"].severity == "warning"
    for rule_id in REQUIRED_IDS - {"active.in_force_link"}:
        assert BY_ID[rule_id].severity == "error", rule_id


@pytest.mark.parametrize("base", ["2021", "2019", "legacy"])
def test_worked_examples_are_clean(base):
    case = base_case(base)
    assert validate(case.record, case.previous, case.meta) == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_is_declared(rule: Rule):
    assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)?", rule.id)
    assert rule.severity in ("error", "warning")
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
    for finding in found:
        assert finding.status == "fail"
        assert finding.severity == rule.severity or (rule.lower_when and finding.severity == "warning")
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


def test_uncertain_messages_exist_for_sum_rules():
    # the sum rules may report `uncertain`; their catalogue must say so in words
    for rule_id in ("requests.row_total", "requests.results_total", "requests.balance", "review_litigation.total"):
        assert f"{rule_id}.uncertain" in MESSAGES


def test_docs_are_fresh():
    assert DOC.read_text(encoding="utf-8") == render(), "run: .venv/bin/python -m validate.docs"


def test_docs_list_every_rule():
    text = DOC.read_text(encoding="utf-8")
    for rule in RULES:
        assert f"`{rule.id}`" in text
