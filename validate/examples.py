"""Worked examples for the rules: three consistent reports (2021, 2019, legacy), each with last
year's report and metadata, and small patches that break exactly one thing.

Every rule names a passing and a failing example built from these; the tests run both through
`validate`, and docs/rules.md quotes the failing example's message.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from extract.schema import (
    APPLICANT_COLUMNS,
    REQUEST_COLUMNS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    SCHEMA,
    SECTIONS,
    Record,
    request_rows,
)

Base = Literal["2021", "2019", "legacy"]


@dataclass
class Case:
    """What `validate` receives: the record, last year's record and the metadata."""

    record: Record
    previous: Record | None
    meta: dict[str, Any] = field(default_factory=dict)


Patch = Callable[[Case], None]

AGENCY = "示例县民政局"


def _requests(rows: dict[str, list[int]], *, single_other: bool) -> dict[str, dict[str, int]]:
    zero = [0] * len(REQUEST_COLUMNS)
    return {
        r: dict(zip(REQUEST_COLUMNS, rows.get(r, zero), strict=True)) for r in request_rows(single_other=single_other)
    }


def _requests_this_year(*, single_other: bool) -> dict[str, dict[str, int]]:
    other = "other_handling" if single_other else "other_other"
    return _requests(
        {
            "new": [10, 3, 1, 0, 2, 1, 17],
            "carried_over": [2, 1, 0, 0, 0, 0, 3],
            "granted": [6, 2, 1, 0, 1, 0, 10],
            "partly_granted": [2, 1, 0, 0, 0, 0, 3],
            "withheld_third_party": [1, 0, 0, 0, 0, 0, 1],
            "unavailable_not_held": [1, 0, 0, 0, 1, 0, 2],
            "rejected_duplicate": [1, 1, 0, 0, 0, 0, 2],
            other: [0, 0, 0, 0, 0, 1, 1],
            "total": [11, 4, 1, 0, 2, 1, 19],
            "carry_forward": [1, 0, 0, 0, 0, 0, 1],
        },
        single_other=single_other,
    )


def _requests_last_year(*, single_other: bool) -> dict[str, dict[str, int]]:
    return _requests(
        {
            "new": [8, 2, 0, 0, 1, 0, 11],
            "granted": [6, 1, 0, 0, 1, 0, 8],
            "total": [6, 1, 0, 0, 1, 0, 8],
            "carry_forward": [2, 1, 0, 0, 0, 0, 3],
        },
        single_other=single_other,
    )


def _review(review: list[int], direct: list[int]) -> dict[str, dict[str, int]]:
    values = {"review": review, "litigation_direct": direct}
    zero = [0] * len(REVIEW_COLUMNS)
    return {g: dict(zip(REVIEW_COLUMNS, values.get(g, zero), strict=True)) for g in REVIEW_GROUPS}


def _narrative(year: int, *, last_year: bool) -> dict[str, str]:
    if last_year:
        return {
            "overview": f"{year}年，{AGENCY}持续推进政务公开标准化规范化建设，共新收政府信息公开申请11件，"
            "均依法依规按时答复。",
            "problems": (
                "主要问题是政策解读形式较为单一。改进措施：丰富图解、视频等解读形式，增强解读的针对性和可读性。"
            ),
            "other": "无。",
        }
    return {
        "preamble": f"本报告依据《中华人民共和国政府信息公开条例》编制，统计期限为{year}年1月1日至12月31日。",
        "overview": f"{year}年，{AGENCY}认真贯彻落实《中华人民共和国政府信息公开条例》，全年主动公开政府信息156条。"
        "本年度共新收政府信息公开申请17件，上年结转3件，全年办结19件，结转下年度继续办理1件。"
        "因政府信息公开工作被申请行政复议2件，被提起行政诉讼1件。",
        "problems": "一是公开内容的解读还不够深入，二是依申请公开办理的规范化水平有待提高。"
        "下一步，我局将加强业务培训，完善工作机制，提升信息公开质量和实效。",
        "other": "本年度未收取信息处理费。",
    }


def _parse(year: int) -> dict[str, Any]:
    return {
        "section_order": list(SECTIONS),
        "section_numbers": dict(zip(SECTIONS, "一二三四五六", strict=True)),
        "period_years": [year],
        "title_year": year,
        "body_years": [year],
    }


def _template(fmt: Literal["2021", "2019"], year: int, *, last_year: bool) -> Record:
    single_other = fmt == "2019"
    if fmt == "2021":
        active: dict[str, dict[str, Any]] = {
            "rules": {"issued": 0, "repealed": 0, "in_force": 0},
            "normative_documents": {"issued": 3, "repealed": 1, "in_force": 10 if last_year else 12},
            "licensing": {"decisions": 120},
            "penalty": {"decisions": 15},
            "coercion": {"decisions": 2},
            "fees": {"amount": 12.35},
        }
    else:
        shift = 0 if last_year else 1
        active = {
            "rules": {"new_made": 0, "new_published": 0, "total_published": 0},
            "normative_documents": {"new_made": 2, "new_published": 2, "total_published": 15},
            "licensing": {"prior_items": (38, 40)[shift], "change": 2, "decisions": 300},
            "other_services": {"prior_items": (11, 10)[shift], "change": -1, "decisions": 50},
            "penalty": {"prior_items": (95, 100)[shift], "change": 5, "decisions": 20},
            "coercion": {"prior_items": 8, "change": 0, "decisions": 1},
            "fees": {"prior_items": (4, 3)[shift], "change": -1},
            "procurement": {"items": 4, "amount": 56.8},
        }
    requests = (_requests_last_year if last_year else _requests_this_year)(single_other=single_other)
    return {
        "schema": SCHEMA,
        "agency": AGENCY,
        "year": year,
        "format": fmt,
        "title": f"{AGENCY}{year}年政府信息公开工作年度报告",
        "sections": dict.fromkeys(SECTIONS, True),
        "active": active,
        "requests": requests,
        "review_litigation": _review([0] * 5, [0] * 5) if last_year else _review([1, 0, 0, 1, 2], [1, 0, 0, 0, 1]),
        "narrative": _narrative(year, last_year=last_year),
        "parse": _parse(year),
    }


def _stat(label: str, unit: str, value: float | None, cumulative: float | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"label": label, "unit": unit, "value": value}
    if cumulative is not None:
        entry["cumulative"] = cumulative
    return entry


def _legacy(year: int, *, last_year: bool) -> Record:
    stats = [
        _stat("主动公开政府信息数", "条", 128, 1372 if last_year else 1500),
        _stat("主动公开规范性文件数", "条", 34),
        _stat("制发规范性文件总数", "件", 16),
        _stat("收到申请数", "件", 5, 35 if last_year else 40),
        _stat("当面申请数", "件", 2),
        _stat("传真申请数", "件", 0),
        _stat("网络申请数", "件", 2),
        _stat("信函申请数", "件", 1),
        _stat("申请办结数", "件", 5),
        _stat("按时办结数", "件", 4),
        _stat("延期办结数", "件", 1),
        _stat("申请答复数", "件", 5),
        _stat("属于已主动公开范围数", "件", 1),
        _stat("同意公开答复数", "件", 2),
        _stat("同意部分公开答复数", "件", 1),
        _stat("不同意公开答复数", "件", 1),
        _stat("涉及国家秘密", "件", 0),
        _stat("涉及商业秘密", "件", 0),
        _stat("涉及个人隐私", "件", 1),
        _stat("危及国家安全、公共安全、经济安全和社会稳定", "件", 0),
        _stat("不是《条例》所指政府信息", "件", 0),
        _stat("法律法规规定的其他情形", "件", 0),
        _stat("不属于本行政机关公开数", "件", 0),
        _stat("申请信息不存在数", "件", 0),
        _stat("告知作出更改补充数", "件", 0),
        _stat("告知通过其他途径办理数", "件", 0),
        _stat("行政复议数量", "件", 1),
        _stat("维持具体行政行为数", "件", 1),
        _stat("被依法纠错数", "件", 0),
        _stat("其他情形数", "件", 0),
        _stat("行政诉讼数量", "件", 0),
        _stat("维持具体行政行为或者驳回原告诉讼请求数", "件", 0),
        _stat("被依法纠错数", "件", 0),
        _stat("其他情形数", "件", 0),
        _stat("依申请公开信息收取的费用", "万元", 0),
        _stat("从事政府信息公开工作人员数", "人", 3),
        _stat("专职人员数", "人", 1),
        _stat("兼职人员数", "人", 2),
    ]
    return {
        "schema": SCHEMA,
        "agency": AGENCY,
        "year": year,
        "format": "legacy",
        "title": f"{AGENCY}{year}年政府信息公开工作年度报告",
        "legacy_stats": stats,
        "narrative": {
            "requests": f"{year}年，我局共收到政府信息公开申请5件，办结5件。",
            "review_litigation": "因政府信息公开申请行政复议1件，未发生行政诉讼。",
        },
        "parse": {"title_year": year, "period_years": [year], "body_years": [year]},
    }


def base_case(base: Base) -> Case:
    """A fresh, fully consistent case: no rule fires on it."""
    if base == "legacy":
        record, previous = _legacy(2017, last_year=False), _legacy(2016, last_year=True)
        published = "2018-03-20"
    else:
        year = 2024 if base == "2021" else 2020
        record, previous = _template(base, year, last_year=False), _template(base, year - 1, last_year=True)
        published = f"{year + 1}-01-20"
    meta = {"level": "department", "published": published, "agency": AGENCY, "region": "430381"}
    return Case(record, previous, meta)


@dataclass(frozen=True, slots=True)
class Example:
    base: Base = "2021"
    patches: tuple[Patch, ...] = ()
    note: str = ""  # what the example shows, for docs/rules.md (a near miss the rule must let pass)

    def build(self) -> Case:
        case = base_case(self.base)
        for patch in self.patches:
            patch(case)
        return case


def example(base: Base = "2021", *patches: Patch, note: str = "") -> Example:
    return Example(base, patches, note)


# ---- patches ------------------------------------------------------------------


def put(*path: str, value: Any) -> Patch:
    """Set `case.<path[0]>[path[1]]…` (e.g. `put("record", "parse", "title_year", value=2023)`)."""

    def patch(case: Case) -> None:
        if len(path) == 1:
            setattr(case, path[0], value)
            return
        target: Any = getattr(case, path[0])
        for key in path[1:-1]:
            target = target[key]
        target[path[-1]] = value

    return patch


def drop(*path: str) -> Patch:
    """Remove `case.<path[0]>[path[1]]…[path[-1]]`."""

    def patch(case: Case) -> None:
        target: Any = getattr(case, path[0])
        for key in path[1:-1]:
            target = target[key]
        del target[path[-1]]

    return patch


def cell(table: str, row: str, col: str, value: Any) -> Patch:
    """Set one cell of this year's record."""
    return put("record", table, row, col, value=value)


def blank_columns(table: str, cols: tuple[str, ...]) -> Patch:
    """Leave `cols` blank in every row of this year's `table` (a whole column group left empty)."""

    def patch(case: Case) -> None:
        for cells in case.record[table].values():
            for col in cols:
                cells[col] = None

    return patch


def shift_row(row: str, delta: int) -> Patch:
    """Add `delta` to the 自然人 cell of a 表三 row and to its total: the row still adds up."""

    def patch(case: Case) -> None:
        cells = case.record["requests"][row]
        for col in (APPLICANT_COLUMNS[0], "total"):
            cells[col] += delta

    return patch


def stat(label: str, key: str, value: Any) -> Patch:
    """Set `value` or `cumulative` of the first legacy entry with `label`."""

    def patch(case: Case) -> None:
        entry = next(e for e in case.record["legacy_stats"] if e["label"] == label)
        entry[key] = value

    return patch


def copy_to_previous(table: str) -> Patch:
    """Give last year's record this year's `table` unchanged."""

    def patch(case: Case) -> None:
        if case.previous is None:
            raise ValueError("this example needs last year's record")
        case.previous[table] = copy.deepcopy(case.record[table])

    return patch
