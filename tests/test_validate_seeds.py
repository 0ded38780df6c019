"""The seed reports: exactly the gold file's expected error findings, none on the consistent ones."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from validate_fixtures import GOLD, load, parsed

from validate import validate
from validate.context import DEFAULT_SETTINGS, Context


def _key(item: dict) -> tuple:
    return item["rule"], item.get("row"), item.get("col")


def expected_errors(path) -> Counter:
    gold = json.loads(path.read_text(encoding="utf-8"))
    return Counter(_key(f) for f in gold["expected_findings"] if f.get("severity", "error") == "error")


def errors(record: dict) -> Counter:
    return Counter(_key(f.to_dict()) for f in validate(record) if f.severity == "error")


@pytest.mark.parametrize("path", GOLD, ids=lambda p: p.stem)
def test_gold_record_gives_exactly_the_expected_errors(path):
    assert errors(load(path)) == expected_errors(path)


@pytest.mark.parametrize("path", GOLD, ids=lambda p: p.stem)
def test_parsed_record_with_real_narrative_gives_the_same_errors(path):
    assert errors(parsed(path)) == expected_errors(path)


@pytest.mark.parametrize("path", GOLD, ids=lambda p: p.stem)
def test_real_narrative_agrees_with_the_tables(path):
    text_rules = [f.rule for f in validate(parsed(path)) if f.rule.startswith(("text_table.", "narrative."))]
    assert text_rules == []


def test_seed_002_has_seven_errors_and_blank_parts_are_uncertain():
    findings = validate(load(GOLD[2]))
    assert sum(f.severity == "error" for f in findings) == 7
    uncertain = [(f.rule, f.row, f.col) for f in findings if f.status == "uncertain"]
    assert uncertain == [
        ("requests.row_total", "withheld_enforcement_file", None),
        ("requests.results_total", None, "legal_service"),
    ]
    assert all(f.severity == "info" for f in findings if f.status == "uncertain")


def test_seed_002_social_welfare_column_fails_despite_a_blank():
    # 予以公开 5 already exceeds the column's total 0, whatever the blank cell holds
    finding = next(f for f in validate(load(GOLD[2])) if f.rule == "requests.results_total" and f.status == "fail")
    assert (finding.col, finding.expected, finding.actual) == ("social_welfare", 5, 0)


def test_seed_statements_are_read():
    ctx = Context(parsed(GOLD[3]), None, {}, DEFAULT_SETTINGS)
    said = {(s.kind, s.value, s.whole) for s in ctx.narrative.statements}
    # “2025年度我镇未收到提出公开政府信息的申请，未发生因政府信息公开引起的行政复议和行政诉讼”
    assert said == {("new", 0, True), ("review", 0, True), ("litigation", 0, True)}


def test_legacy_seed_blanks_are_warnings_not_errors():
    findings = validate(load(GOLD[4]))
    assert {(f.rule, f.severity) for f in findings if f.status == "fail"} == {("legacy.blank_value", "warning")}
    ctx = Context(parsed(GOLD[4]), None, {}, DEFAULT_SETTINGS)
    assert {(s.kind, s.value) for s in ctx.narrative.statements} == {("new", 0), ("review", 0), ("litigation", 0)}
