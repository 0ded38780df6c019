"""The canonical record `xxgk.report/1`: its keys, their template labels and their order.

This module is the contract where parser, validator, store and alerts meet
(see docs/record.md). It holds data only: no parsing logic.
"""

from __future__ import annotations

from typing import Any, Final

SCHEMA: Final = "xxgk.report/1"

FORMATS: Final = ("2021", "2019", "legacy")

# The six template sections, in order, with their canonical headings.
SECTIONS: Final[dict[str, str]] = {
    "overview": "一、总体情况",
    "active": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}

TABLES: Final = ("active", "requests", "review_litigation")

# The record's fields that docs/record.md fixes (the rest — title, narrative, source, parse — are ours).
SPEC_KEYS: Final = ("schema", "agency", "year", "format", "sections", *TABLES, "legacy_stats")

# ---- 表二 (active) ---------------------------------------------------------

ACTIVE_COLUMN_LABELS: Final[dict[str, str]] = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "本年处理决定数量",
    "amount": "本年收费金额(万元)",
    "new_made": "本年新制作数量",
    "new_published": "本年新公开数量",
    "total_published": "对外公开总数量",
    "prior_items": "上一年项目数量",
    "change": "本年增/减",
    "items": "采购项目数量",
}

ACTIVE_ROW_LABELS: Final[dict[str, str]] = {
    "rules": "规章",
    "normative_documents": "行政规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
}

# row -> columns, per format
ACTIVE_2021: Final[dict[str, tuple[str, ...]]] = {
    "rules": ("issued", "repealed", "in_force"),
    "normative_documents": ("issued", "repealed", "in_force"),
    "licensing": ("decisions",),
    "penalty": ("decisions",),
    "coercion": ("decisions",),
    "fees": ("amount",),
}

ACTIVE_2019: Final[dict[str, tuple[str, ...]]] = {
    "rules": ("new_made", "new_published", "total_published"),
    "normative_documents": ("new_made", "new_published", "total_published"),
    "licensing": ("prior_items", "change", "decisions"),
    "other_services": ("prior_items", "change", "decisions"),
    "penalty": ("prior_items", "change", "decisions"),
    "coercion": ("prior_items", "change", "decisions"),
    "fees": ("prior_items", "change"),
    "procurement": ("items", "amount"),
}

# Cells that hold money (万元, decimals allowed); every other cell is a count.
MONEY_CELLS: Final = frozenset({("fees", "amount"), ("procurement", "amount")})
# Cells that may be negative (本年增/减).
SIGNED_CELLS: Final = frozenset({"change"})

# ---- 表三 (requests) -------------------------------------------------------

REQUEST_COLUMNS: Final[dict[str, str]] = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "social_welfare": "社会公益组织",
    "legal_service": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}
APPLICANT_COLUMNS: Final = tuple(k for k in REQUEST_COLUMNS if k != "total")

REQUEST_ROW_LABELS: Final[dict[str, str]] = {
    "new": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "三(一)予以公开",
    "partly_granted": "三(二)部分公开",
    "withheld_state_secret": "三(三)1.属于国家秘密",
    "withheld_prohibited": "三(三)2.其他法律行政法规禁止公开",
    "withheld_security": "三(三)3.危及“三安全一稳定”",
    "withheld_third_party": "三(三)4.保护第三方合法权益",
    "withheld_internal": "三(三)5.属于三类内部事务信息",
    "withheld_process": "三(三)6.属于四类过程性信息",
    "withheld_enforcement_file": "三(三)7.属于行政执法案卷",
    "withheld_inquiry": "三(三)8.属于行政查询事项",
    "unavailable_not_held": "三(四)1.本机关不掌握相关政府信息",
    "unavailable_needs_creation": "三(四)2.没有现成信息需要另行制作",
    "unavailable_unclear": "三(四)3.补正后申请内容仍不明确",
    "rejected_petition": "三(五)1.信访举报投诉类申请",
    "rejected_duplicate": "三(五)2.重复申请",
    "rejected_publication": "三(五)3.要求提供公开出版物",
    "rejected_excessive": "三(五)4.无正当理由大量反复申请",
    "rejected_reconfirm": "三(五)5.要求行政机关确认或重新出具已获取信息",
    "other_no_correction": "三(六)1.申请人无正当理由逾期不补正",
    "other_unpaid_fee": "三(六)2.申请人逾期未按收费通知要求缴纳费用",
    "other_other": "三(六)3.其他",
    "other_handling": "三(六)其他处理",
    "total": "三(七)总计",
    "carry_forward": "四、结转下年度继续办理",
}

_RESULTS_HEAD: Final = (
    "granted", "partly_granted",
    "withheld_state_secret", "withheld_prohibited", "withheld_security", "withheld_third_party",
    "withheld_internal", "withheld_process", "withheld_enforcement_file", "withheld_inquiry",
    "unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear",
    "rejected_petition", "rejected_duplicate", "rejected_publication", "rejected_excessive",
    "rejected_reconfirm",
)
OTHER_2021: Final = ("other_no_correction", "other_unpaid_fee", "other_other")
OTHER_2019: Final = ("other_handling",)


def result_rows(*, single_other: bool) -> tuple[str, ...]:
    """The result rows granted … (六) that add up to row `total` (T3-R2)."""
    return _RESULTS_HEAD + (OTHER_2019 if single_other else OTHER_2021)


def request_rows(*, single_other: bool) -> tuple[str, ...]:
    """All rows of 表三 in template order; 2019 (and the hybrid) has one (六) row."""
    return ("new", "carried_over", *result_rows(single_other=single_other), "total", "carry_forward")


# ---- 表四 (review_litigation) ----------------------------------------------

REVIEW_GROUPS: Final[dict[str, str]] = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼·未经复议直接起诉",
    "litigation_after_review": "行政诉讼·复议后起诉",
}
REVIEW_COLUMNS: Final[dict[str, str]] = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}
REVIEW_PARTS: Final = ("upheld", "corrected", "other", "pending")

# ---- legacy 统计表 -----------------------------------------------------------

LEGACY_UNITS: Final = frozenset(
    {"条", "件", "次", "篇", "个", "人", "人次", "万元", "元", "项", "家", "份", "期", "场", "天", "%"}
)

Record = dict[str, Any]


def legacy_key(label: str, seen: dict[str, int]) -> str:
    """The key of the next 统计表 entry labelled `label`: the label, or `label#2`, `label#3` … for a repeat,
    so that every entry's cells can be named (parser, validator and archive key them alike); `seen` counts."""
    seen[label] = seen.get(label, 0) + 1
    return label if seen[label] == 1 else f"{label}#{seen[label]}"


def table_cells(record: Record, table: str) -> dict[tuple[str, str], Any]:
    """Flatten one table of a record to {(row, col): value}."""
    rows = record.get(table) or {}
    return {(r, c): v for r, cols in rows.items() if isinstance(cols, dict) for c, v in cols.items()}


# ---- template order --------------------------------------------------------

# the record's own keys in the order the parser writes them (spec fields first)
_RECORD_KEYS: Final = ("schema", "agency", "year", "format", "sections", *TABLES, "legacy_stats",
                       "title", "narrative", "source", "parse")


# `source` and `parse` in the order the parser writes them; what they hold below is free-form
_SOURCE_KEYS: Final = ("medium", "extractor", "parser", "page_meta", "path", "pages")
_PARSE_KEYS: Final = ("missing_rows", "notes", "marks", "ambiguous_splits", "uncertain_cells", "format_evidence",
                      "section_order", "section_numbers", "title_year", "period_years", "body_years",
                      "ocr_confidence", "ocr_cells", "places", "decoding")


def canonical(value: Any) -> Any:
    """Free-form JSON with every object's keys sorted, so that it reads the same from any database."""
    if isinstance(value, dict):
        return {k: canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def in_order(mapping: dict[str, Any], order: Any) -> dict[str, Any]:
    """`mapping` with the keys of `order` first, in that order, then the others sorted (free-form)."""
    known = [k for k in order if k in mapping]
    rest = sorted(k for k in mapping if k not in order)
    return {**{k: mapping[k] for k in known}, **{k: canonical(mapping[k]) for k in rest}}


def _active_columns(row: str, fmt: str | None) -> tuple[str, ...]:
    layout = ACTIVE_2019 if fmt == "2019" else ACTIVE_2021
    return layout.get(row) or ACTIVE_2019.get(row) or tuple(ACTIVE_COLUMN_LABELS)


def ordered(record: Record) -> Record:
    """The record with sections, tables, rows and columns in the template's order.

    A database may hand a stored record back with its keys in another order (PostgreSQL's JSONB
    sorts them by length), and people read tables row by row: whatever renders or prints a record
    takes its order from here, never from a stored dict.
    """
    if not isinstance(record, dict):
        return record
    out = in_order(record, _RECORD_KEYS)
    fmt = out.get("format")
    if isinstance(out.get("sections"), dict):
        out["sections"] = in_order(out["sections"], SECTIONS)
    if isinstance(out.get("narrative"), dict):
        out["narrative"] = in_order(out["narrative"], ("preamble", *SECTIONS))
    if isinstance(out.get("source"), dict):
        out["source"] = {k: canonical(v) for k, v in in_order(out["source"], _SOURCE_KEYS).items()}
    if isinstance(out.get("parse"), dict):
        parse = {k: canonical(v) for k, v in in_order(out["parse"], _PARSE_KEYS).items()}
        if isinstance(parse.get("section_numbers"), dict):
            parse["section_numbers"] = in_order(parse["section_numbers"], SECTIONS)
        out["parse"] = parse
    layouts: dict[str, tuple[Any, Any]] = {
        "active": (ACTIVE_ROW_LABELS, lambda row: _active_columns(row, fmt)),
        "requests": (REQUEST_ROW_LABELS, lambda _row: REQUEST_COLUMNS),
        "review_litigation": (REVIEW_GROUPS, lambda _row: REVIEW_COLUMNS),
    }
    for table, (rows, columns) in layouts.items():
        cells = out.get(table)
        if isinstance(cells, dict):
            out[table] = {
                row: in_order(cols, columns(row)) if isinstance(cols, dict) else cols
                for row, cols in in_order(cells, rows).items()
            }
    return out
