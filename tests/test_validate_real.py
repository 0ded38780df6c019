"""Real report forms: blank column groups, pre-2019 reports, and the text-against-table conflicts seen in
real reports (real-world-forms §4, §5), each one finding that names what it compared.

The real reports are read from ../shared/real (never copied here); their tests skip when it is absent.
The conflicts are shown on a report built for them: a record rendered as a portal page and parsed back.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from catalogue.findings import LEGAL_PERSON_COLUMNS
from extract.parse import parse_bytes, parse_path
from extract.schema import APPLICANT_COLUMNS, REVIEW_COLUMNS, REVIEW_GROUPS, SCHEMA, SECTIONS, request_rows
from sim.render import render_html
from validate import validate
from validate.finding import Finding

REAL = Path(__file__).resolve().parents[2] / "shared" / "real" / "reports"


def real(name: str) -> Path:
    path = REAL / name
    if not path.exists():
        pytest.skip(f"{path} is not here")
    return path


def test_blank_legal_person_columns_are_one_finding():
    # 沭阳县发展和改革局 2023: every 法人或其他组织 cell of 表三 left blank (125 cells)
    findings = validate(parse_path(real("shuyang-fgj_2023.html")))
    blanks = [f for f in findings if f.rule == "blank_cell"]
    assert [(f.severity, f.extra["cols"], len(f.extra["rows"])) for f in blanks] == [
        ("warning", list(LEGAL_PERSON_COLUMNS), 25)]
    assert blanks[0].message.startswith("表三『法人或其他组织』5 栏全部 25 行未填写（共 125 格），应填 0")
    assert not [f for f in findings if f.severity == "error"]
    assert not [f for f in findings if f.status == "uncertain" or "为 0" in f.message]


@pytest.mark.parametrize("name", ["pingtan_2014.txt", "pingtan_2015.txt"])
def test_pre_2019_reports_are_not_asked_for_the_2021_sections(name):
    rules = {f.rule for f in validate(parse_path(real(name)))}
    assert not rules & {"missing_section", "missing_table", "unknown_format", "blank_cell"}


# ---- a report built to show the real conflicts --------------------------------------------------


def _requests(rows: dict[str, list[int]]) -> dict[str, dict[str, int]]:
    """表三 from the applicant columns of its result rows, 二 and 四; 一 = (七) + 四 − 二."""
    out: dict[str, dict[str, int]] = {r: dict.fromkeys(APPLICANT_COLUMNS, 0) for r in request_rows(single_other=False)}
    for row, values in rows.items():
        out[row] = dict(zip(APPLICANT_COLUMNS, values, strict=True))
    for col in APPLICANT_COLUMNS:
        out["total"][col] = sum(out[r][col] for r in out if r not in ("new", "carried_over", "total", "carry_forward"))
        out["new"][col] = out["total"][col] + out["carry_forward"][col] - out["carried_over"][col]
    for cells in out.values():
        cells["total"] = sum(cells[c] for c in APPLICANT_COLUMNS)
    return out


def _review(**groups: list[int]) -> dict[str, dict[str, int]]:
    out = {}
    for group in REVIEW_GROUPS:
        parts = groups.get(group, [0, 0, 0, 0])
        out[group] = dict(zip(REVIEW_COLUMNS, [*parts, sum(parts)], strict=True))
    return out


OVERVIEW = (
    "2019年，市政府办公厅共受理政府信息公开申请859件，答复805件。其中，予以公开及部分公开258件，"
    "因本机关不掌握等原因无法提供265件，不予处理193件。"
    "全年因政府信息公开工作被申请行政复议7件、提起行政诉讼9件，均获维持。"
)


def _conflicts() -> dict[str, Any]:
    return {
        "schema": SCHEMA, "agency": "某市人民政府办公厅", "year": 2024, "format": "2021",
        "title": "某市人民政府办公厅2024年政府信息公开工作年度报告",
        "sections": dict.fromkeys(SECTIONS, True),
        "active": {"rules": {"issued": 0, "repealed": 0, "in_force": 3},
                   "normative_documents": {"issued": 5, "repealed": 1, "in_force": 40},
                   "licensing": {"decisions": 0}, "penalty": {"decisions": 0}, "coercion": {"decisions": 0},
                   "fees": {"amount": 0}},
        "requests": _requests({
            "granted": [258, 10, 0, 1, 2, 1],  # 272: the text's 258 is the 自然人 cell
            "partly_granted": [3, 0, 0, 0, 0, 0],
            "unavailable_not_held": [252, 12, 0, 0, 0, 1],  # 265: the text's figure is this one row
            "unavailable_needs_creation": [60, 0, 0, 0, 0, 0],
            "unavailable_unclear": [12, 0, 0, 0, 0, 0],
            "rejected_duplicate": [150, 33, 0, 0, 8, 2],
            "carried_over": [18, 0, 0, 0, 0, 0],
            "carry_forward": [70, 2, 0, 0, 0, 0],
        }),
        "review_litigation": _review(review=[5, 0, 0, 2], litigation_direct=[6, 1, 0, 2]),
        "narrative": {"overview": OVERVIEW, "problems": "一是政策解读形式单一，二是公开时效有待提高。下一步将加强培训。",
                      "other": "无。"},
    }


@pytest.fixture(scope="module")
def conflicts() -> list[Finding]:
    page = render_html(_conflicts(), style="clean", rng=random.Random(5)).encode("utf-8")
    return validate(parse_bytes(page, name="report.html"))


def _by_rule(findings: list[Finding]) -> dict[str, Finding]:
    return {f.rule: f for f in findings if f.rule.startswith(("text_table.", "narrative."))}


def test_disclosed_against_granted_and_partly_granted(conflicts):
    finding = _by_rule(conflicts)["text_table.disclosed"]
    assert (finding.severity, finding.expected, finding.actual) == ("error", 258, 275)
    assert "三(一)予以公开与三(二)部分公开的『总计』栏之和为 275" in finding.message
    assert "正文的 258 与表三『三(一)予以公开』行『自然人』栏相同" in finding.message


def test_unavailable_is_the_block_not_one_sub_row(conflicts):
    finding = _by_rule(conflicts)["text_table.unavailable"]
    assert (finding.severity, finding.expected, finding.actual) == ("error", 265, 337)
    assert "正文的 265 与表三『三(四)1.本机关不掌握相关政府信息』行『总计』栏相同" in finding.message


def test_all_upheld_against_cases_corrected_or_pending(conflicts):
    finding = _by_rule(conflicts)["text_table.all_upheld"]
    assert finding.severity == "error"
    assert finding.message.endswith(
        "而表四『行政复议』尚未审结 2 件，『行政诉讼·未经复议直接起诉』结果纠正 1 件、尚未审结 2 件")


def test_the_conflicts_are_the_only_contradictions(conflicts):
    # the office's own figures in a city office report: no scope note; the tables add up
    assert sorted(f.rule for f in conflicts if f.severity == "error") == [
        "text_table.all_upheld", "text_table.disclosed", "text_table.unavailable"]


def test_narrative_contradictions():
    record = _conflicts()
    record["narrative"]["overview"] = "全年受理政府信息公开申请117件，办结171件，办结率100%。"
    record["requests"]["carried_over"] = dict.fromkeys(REQUEST_ALL, 0)
    found = {f.rule: f for f in validate(record)}
    assert found["narrative.completed_exceeds_received"].message == "正文所述办结 171 件，多于受理 117 件与上年结转 0 件之和"
    assert found["narrative.completed_exceeds_received"].severity == "error"
    assert "仍有申请结转下年度办理" in found["text_table.all_completed"].message
    record["narrative"]["overview"] = "所有申请均已办理完成。"
    assert "text_table.all_completed" in {f.rule for f in validate(record)}


REQUEST_ALL = (*APPLICANT_COLUMNS, "total")
