"""Report detection by title: every real variant accepted, every decoy rejected with its reason."""

from __future__ import annotations

import pytest

from crawler.titles import classify_title

REPORTS = [
    ("湘乡市民政局2024年政府信息公开工作年度报告", 2024, "湘乡市民政局"),
    ("2023年下各镇政府信息公开工作年度报告", 2023, "下各镇"),
    ("熊官屯镇2023年政府信息公开工作年度报告", 2023, "熊官屯镇"),
    ("大川镇2023年度政府信息公开工作报告", 2023, "大川镇"),
    ("昌图县七家子镇2023年政府信息公开 工作告年度报", 2023, "昌图县七家子镇"),
    ("2019年上海市人民政府办公厅政府信息公开工作年度报告", 2019, "上海市人民政府办公厅"),
    ("宿州市人民政府2019年政府信息公开工作年度报告（图片版）", 2019, "宿州市人民政府"),
    ("湘乡市民政局2024年政府信息公开工作\n年度报告", 2024, "湘乡市民政局"),
    ("某某县2012年政务信息公开年度报告", 2012, "某某县"),
    ("2023年政府信息公开工作年度报告", 2023, None),
    ("２０２３年度某某区教育局政府信息公开工作年度报告", 2023, "某某区教育局"),
]

DECOYS = [
    ("《2023年政府信息公开工作年度报告》解读", "decoy: interpretation"),
    ("图解：某某市2023年政府信息公开工作年度报告", "decoy: interpretation"),
    ("关于做好2023年政府信息公开工作年度报告编制工作的通知", "decoy: notice"),
    ("2024年政务公开工作要点", "no year"),
    ("某某县2023年部门预决算公开", "no year"),
    ("某某市2023年政府信息公开工作年度报告评估结果通报", "decoy: evaluation"),
    ("", "empty title"),
]


@pytest.mark.parametrize(("title", "year", "agency"), REPORTS)
def test_report_title_is_accepted(title: str, year: int, agency: str | None) -> None:
    verdict = classify_title(title)
    assert verdict.is_report, verdict.reason


@pytest.mark.parametrize(("title", "year", "agency"), REPORTS)
def test_report_title_year(title: str, year: int, agency: str | None) -> None:
    assert classify_title(title).year == year


@pytest.mark.parametrize(("title", "year", "agency"), REPORTS)
def test_report_title_agency(title: str, year: int, agency: str | None) -> None:
    assert classify_title(title).agency == agency


@pytest.mark.parametrize(("title", "reason"), DECOYS)
def test_decoy_is_rejected_with_reason(title: str, reason: str) -> None:
    verdict = classify_title(title)
    assert not verdict.is_report
    assert verdict.reason.startswith(reason)
