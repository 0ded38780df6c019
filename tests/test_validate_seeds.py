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
    """The gold file's expected errors; its blank cells (listed one by one) are ours to group in blocks."""
    gold = json.loads(path.read_text(encoding="utf-8"))
    return Counter(_key(f) for f in gold["expected_findings"]
                   if f.get("severity", "error") == "error" and f["rule"] != "blank_cell")


def expected_blanks(path) -> set[tuple[str, str, str]]:
    gold = json.loads(path.read_text(encoding="utf-8"))
    return {(f.get("table", "requests"), f["row"], f["col"]) for f in gold["expected_findings"]
            if f["rule"] == "blank_cell"}


def errors(record: dict) -> Counter:
    return Counter(_key(f.to_dict()) for f in validate(record) if f.severity == "error")


def blanks(record: dict) -> set[tuple[str, str, str]]:
    """Every cell the blank-block findings cover."""
    return {(f.table, row, col) for f in validate(record) if f.rule == "blank_cell"
            for row in f.extra["rows"] for col in f.extra["cols"]}


@pytest.mark.parametrize("path", GOLD, ids=lambda p: p.stem)
def test_gold_record_gives_exactly_the_expected_errors(path):
    assert errors(load(path)) == expected_errors(path)
    assert blanks(load(path)) == expected_blanks(path)


@pytest.mark.parametrize("path", GOLD, ids=lambda p: p.stem)
def test_parsed_record_with_real_narrative_gives_the_same_errors(path):
    assert errors(parsed(path)) == expected_errors(path)
    assert blanks(parsed(path)) == expected_blanks(path)


@pytest.mark.parametrize("path", GOLD, ids=lambda p: p.stem)
def test_real_narrative_agrees_with_the_tables(path):
    text_rules = [f.rule for f in validate(parsed(path)) if f.rule.startswith(("text_table.", "narrative."))]
    assert text_rules == []


def test_seed_002_blank_cells_are_one_warning_and_its_sums_are_not_guessed():
    findings = validate(load(GOLD[2]))
    assert sum(f.severity == "error" for f in findings) == 5
    [blank] = [f for f in findings if f.rule == "blank_cell"]
    assert (blank.severity, blank.extra["rows"], blank.extra["cols"]) == (
        "warning", ["withheld_enforcement_file"], ["social_welfare", "legal_service"])
    assert not [f for f in findings if f.status == "uncertain"]


def test_seed_002_social_welfare_column_fails_despite_a_blank():
    # 予以公开 5 already exceeds the column's total 0, whatever the blank cell holds
    finding = next(f for f in validate(load(GOLD[2])) if f.rule == "requests.results_total")
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
