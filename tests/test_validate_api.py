"""The API's contract: blank ≠ zero, stable fingerprints and order, robustness, deadlines, cross-year pairs."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from validate_fixtures import GOLD, load

from catalogue.findings import LEGAL_PERSON_COLUMNS as LEGAL_PERSON
from extract.schema import REVIEW_COLUMNS
from validate import validate
from validate.context import Settings
from validate.deadlines import deadline_for
from validate.examples import base_case
from validate.relation import compare


def rules_of(record, previous=None, meta=None, **kw) -> list[tuple[str, str]]:
    return [(f.rule, f.severity) for f in validate(record, previous, meta, **kw)]


# ---- one relation with blank ≠ zero -------------------------------------------


@pytest.mark.parametrize(
    ("left", "right", "status"),
    [
        ([4], [1, 3], None),
        ([4], [1, 2], "fail"),
        ([4], [1, None], "uncertain"),  # the blank may be 3
        ([4], [5, None], "fail"),  # known parts already exceed the total
        ([None], [1, 2], "uncertain"),  # a blank total is never decided
        ([1, None], [0, None], "uncertain"),
        ([1, 2], [3, None], "uncertain"),
        ([1, 2], [4, None], "fail"),
    ],
)
def test_compare(left, right, status):
    verdict = compare(left, right, 0.005)
    assert (verdict.status if verdict else None) == status


def test_money_tolerance_applies_to_decimals_only():
    assert compare([10.0], [3.333, 6.663], 0.005) is None
    assert compare([10.0], [3.33, 6.66], 0.005) is not None
    assert compare([10], [9], 0.005) is not None


def test_a_blank_part_is_one_warning_that_says_the_sums_cannot_be_checked():
    case = base_case("2021")
    case.record["requests"]["granted"]["research"] = None  # holds 1; row and column now undecided
    findings = validate(case.record)
    assert [(f.rule, f.severity, f.row, f.col) for f in findings] == [("blank_cell", "warning", "granted", "research")]
    assert findings[0].message == (
        "表三『三(一)予以公开』行『科研机构』栏未填写，应填 0：空白不等于 0，涉及它的合计无法核对"
    )


def test_blank_cells_are_one_finding_per_block():
    case = base_case("2021")
    requests = case.record["requests"]
    for row in ("granted", "partly_granted", "total"):
        requests[row]["total"] = None  # the 总计 column of three rows
    for col in ("commercial", "research", "social_welfare", "legal_service", "other_org"):
        requests["carry_forward"][col] = None  # 法人或其他组织 of one row
    case.record["review_litigation"]["litigation_after_review"] = dict.fromkeys(REVIEW_COLUMNS)  # a 表四 group
    blanks = [(f.row, f.col, f.extra["rows"], f.extra["cols"], f.message) for f in validate(case.record)
              if f.rule == "blank_cell"]
    assert blanks == [
        ("granted", "total", ["granted", "partly_granted", "total"], ["total"],
         ("表三『总计』栏的『三(一)予以公开』『三(二)部分公开』『三(七)总计』3 行未填写（共 3 格），"
          "应填 0：空白不等于 0，涉及这些单元格的合计无法核对")),
        ("carry_forward", "commercial", ["carry_forward"], list(LEGAL_PERSON),
         ("表三『四、结转下年度继续办理』行的『法人或其他组织』5 栏未填写（共 5 格），"
          "应填 0：空白不等于 0，涉及这些单元格的合计无法核对")),
        (None, "upheld", ["litigation_after_review"], list(REVIEW_COLUMNS),
         "表四『行政诉讼·复议后起诉』全部 5 栏未填写（共 5 格），应填 0：空白不等于 0，涉及这些单元格的合计无法核对"),
    ]


def test_missing_row_replaces_blank_cells():
    case = base_case("2021")
    del case.record["requests"]["withheld_security"]
    assert rules_of(case.record).count(("missing_row", "warning")) == 1
    assert ("blank_cell", "warning") not in rules_of(case.record)


def test_unreadable_table_is_one_finding_not_a_flood():
    case = base_case("2021")
    for cols in case.record["requests"].values():
        for col in cols:
            cols[col] = None
    assert rules_of(case.record) == [("missing_table", "warning")]


def test_ambiguous_split_row_is_not_also_reported_blank():
    case = base_case("2021")
    case.record["requests"]["new"] = dict.fromkeys(case.record["requests"]["new"])
    case.record["parse"]["ambiguous_splits"] = [
        {"table": "requests", "row": "new", "raw": "640020470", "candidates": [[6, 4, 0, 0, 2, 0, 470]]}
    ]
    rules = rules_of(case.record)
    assert ("ambiguous_split", "warning") in rules
    assert ("blank_cell", "warning") not in rules


# ---- formats ------------------------------------------------------------------


def test_2019_format_sums_use_the_single_other_handling_row():
    case = base_case("2019")
    case.record["requests"]["other_handling"]["other_org"] = 2
    findings = {(f.rule, f.row, f.col) for f in validate(case.record) if f.severity == "error"}
    assert findings == {
        ("requests.row_total", "other_handling", None),
        ("requests.results_total", None, "other_org"),
    }


def test_hybrid_and_outdated_templates():
    case = base_case("2021")
    requests = case.record["requests"]
    requests["other_handling"] = requests.pop("other_other")
    for row in ("other_no_correction", "other_unpaid_fee"):
        del requests[row]
    # one warning, and the sums checked with the single row
    [finding] = validate(case.record)
    assert (finding.rule, finding.severity) == ("template_mismatch", "warning")
    assert "其他处理』只有一行" in finding.message
    case.record["requests"]["other_handling"]["other_org"] = 2
    assert {f.rule for f in validate(case.record) if f.severity == "error"} == {
        "requests.row_total", "requests.results_total"}
    legacy = base_case("legacy").record
    legacy["year"] = 2020
    assert ("template_mismatch", "warning") in rules_of(legacy)


def test_pre_2019_reports_are_held_to_their_own_structure():
    # a 2014 report whose 统计表 the parser could not read: no six sections, no national tables asked for
    record = {"schema": "xxgk.report/1", "agency": "平潭综合实验区管委会", "year": 2014, "format": None,
              "sections": dict.fromkeys(("overview", "active", "requests", "review_litigation", "problems",
                                         "other"), False)}
    assert validate(record) == []


def test_a_report_found_but_not_read_is_held_only_to_its_date():
    record = {"schema": "xxgk.report/1", "agency": None, "year": 2024, "format": None, "title": "…（图片版）",
              "reading": {"state": "unread", "reason": "image"}}
    assert validate(record, meta={"published": "2025-01-20", "level": "department"}) == []
    assert rules_of(record, meta={"published": "2025-03-20", "level": "department"}) == [
        ("late_publication", "warning")]


def test_negative_change_is_allowed_only_in_2019_change_cells():
    case = base_case("2019")
    assert case.record["active"]["fees"]["change"] == -1
    assert rules_of(case.record) == []


# ---- robustness -----------------------------------------------------------------


@pytest.mark.parametrize(
    "record",
    [
        {},
        {"schema": "xxgk.report/1", "year": None, "format": None},
        {"format": "2021", "requests": [], "active": "x", "review_litigation": {"review": None}},
        {"format": "2021", "narrative": None, "parse": "junk", "sections": None, "title": 5},
        {"format": "legacy", "legacy_stats": [None, {"label": None, "value": "x"}, {"value": -1}]},
        {"format": "legacy", "legacy_stats": "junk"},
    ],
)
def test_odd_records_do_not_crash(record):
    assert isinstance(validate(record, previous=copy.deepcopy(record), meta={"published": "not a date"}), list)


def test_gold_files_validate_without_optional_keys():
    for path in GOLD:
        validate(load(path), previous=load(path), meta={})


def test_non_numbers_are_reported():
    case = base_case("2021")
    case.record["active"]["penalty"]["decisions"] = "十五"
    finding = next(f for f in validate(case.record) if f.rule == "cell.not_integer")
    assert "不是数字" in finding.message
    assert (finding.table, finding.row, finding.col) == ("active", "penalty", "decisions")


# ---- order, fingerprints, JSON ------------------------------------------------------


def test_findings_are_sorted_and_deterministic():
    findings = validate(load(GOLD[2]))
    ranks = [("error", "warning", "info").index(f.severity) for f in findings]
    assert ranks == sorted(ranks)
    assert findings == validate(load(GOLD[2]))


def test_fingerprint_depends_on_report_rule_and_place_only():
    first = validate(load(GOLD[2]))
    record = load(GOLD[2])
    record["requests"]["granted"]["social_welfare"] = 4  # other numbers, the same broken row and column
    second = validate(record)
    fp = {f.fingerprint("r1") for f in first}
    assert fp == {f.fingerprint("r1") for f in second}
    assert len(fp) == len(first)  # one place, one finding
    assert fp.isdisjoint({f.fingerprint("r2") for f in first})


def test_to_dict_has_only_the_locations_that_apply():
    by_rule = {f.rule: f.to_dict() for f in validate(load(GOLD[2])) if f.status == "fail"}
    row_total = by_rule["requests.row_total"]
    assert row_total["table"] == "requests"
    assert "col" not in row_total
    assert {"rule", "severity", "message", "row", "expected", "actual"} <= row_total.keys()
    assert set(by_rule["blank_cell"]) == {"rule", "severity", "message", "status", "table", "row", "col", "rows",
                                          "cols", "cells"}


# ---- deadlines and dates ------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "year", "deadline"),
    [
        ("department", 2024, date(2025, 1, 31)),
        ("township", 2024, date(2025, 1, 31)),
        ("county", 2024, date(2025, 3, 31)),
        ("city", 2019, date(2020, 3, 31)),
        ("province", 2021, date(2022, 3, 31)),
        ("department", 2018, date(2019, 3, 31)),  # 国务院令第492号: 3月31日 for every organ
    ],
)
def test_deadline_for(level, year, deadline):
    assert deadline_for(level, year) == deadline


def test_deadlines_are_data():
    assert deadline_for("county", 2024, {"county": (2, 20)}) == date(2025, 2, 20)
    with pytest.raises(ValueError, match="unknown publisher level"):
        deadline_for("village", 2024)


def test_late_publication_uses_the_given_deadline_first():
    case = base_case("2021")
    case.meta["published"] = "2025-02-15"
    late = ("late_publication", "warning")
    assert late in rules_of(case.record, meta=case.meta)
    case.meta["deadline"] = "2025-02-20"
    assert late not in rules_of(case.record, meta=case.meta)
    case.meta.pop("deadline")
    case.meta["level"] = "county"
    assert late not in rules_of(case.record, meta=case.meta)
    settings = Settings(deadlines={"county": (2, 10)})
    assert late in rules_of(case.record, meta=case.meta, settings=settings)


def test_published_before_the_year_ended_is_a_year_mismatch():
    case = base_case("2021")
    case.meta["published"] = "2024-12-30"
    finding = next(f for f in validate(case.record, meta=case.meta) if f.rule == "year_mismatch")
    assert "2024-12-30" in finding.message


# ---- cross-year pairs -----------------------------------------------------------------


def test_carry_link_checks_all_seven_columns():
    case = base_case("2021")
    case.previous["requests"]["carry_forward"]["natural_person"] = 3
    case.previous["requests"]["carry_forward"]["total"] = 4
    cols = [f.col for f in validate(case.record, case.previous) if f.rule == "requests.carry_link"]
    assert cols == ["natural_person", "total"]


def test_previous_record_of_another_year_is_not_compared():
    case = base_case("2021")
    case.previous["requests"]["carry_forward"]["total"] = 9
    case.previous["year"] = 2022
    assert "requests.carry_link" not in {f.rule for f in validate(case.record, case.previous)}


def test_copy_threshold_is_configurable():
    case = base_case("2021")
    case.previous["narrative"]["problems"] = case.record["narrative"]["problems"][:-12] + "切实加强政务公开队伍建设。"
    strict, lax = Settings(copy_threshold=0.95), Settings(copy_threshold=0.5)
    assert "copied_from_previous_year" not in {f.rule for f in validate(case.record, case.previous, settings=strict)}
    assert "copied_from_previous_year" in {f.rule for f in validate(case.record, case.previous, settings=lax)}


def test_plausibility_needs_the_level():
    case = base_case("2021")
    case.record["active"]["rules"]["in_force"] = 6
    assert "plausibility.rules_at_low_level" not in {f.rule for f in validate(case.record)}
    city = {"level": "department", "region": "430300"}  # a department of 湘潭市: may report 规章
    assert "plausibility.rules_at_low_level" not in {f.rule for f in validate(case.record, meta=city)}
    township = {"level": "township"}
    assert "plausibility.rules_at_low_level" in {f.rule for f in validate(case.record, meta=township)}


def test_a_scan_never_makes_a_confident_contradiction():
    # read by OCR: a digit may be misread, so what the numbers seem to contradict is a warning that says so
    case = base_case("2021")
    case.record["requests"]["granted"]["natural_person"] = 7  # the row no longer adds up
    case.record["narrative"]["overview"] += "因政府信息公开被申请行政复议9件。"
    case.record["parse"]["ocr_confidence"] = 0.97
    findings = [f for f in validate(case.record) if f.rule in ("requests.row_total", "text_table.review")]
    assert {(f.rule, f.severity) for f in findings} == {("requests.row_total", "warning"), ("text_table.review", "warning")}
    assert all(f.message.endswith("（报告为扫描件，可能是文字识别有误，请对照原件核对）") for f in findings)
    del case.record["parse"]["ocr_confidence"]
    assert {f.severity for f in validate(case.record) if f.rule == "requests.row_total"} == {"error"}


def test_a_number_split_by_a_space_is_not_read_as_its_last_digits():
    case = base_case("2021")
    case.record["narrative"]["overview"] = "全年因政府信息公开工作被申请行政复议 2 件，被提起行政诉讼0 1件。"
    assert not [f for f in validate(case.record) if f.rule.startswith("text_table.")]
