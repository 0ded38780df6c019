"""The one catalogue of what the validator tells a supervisor, in Chinese, and how it names cells.

A message key is a rule id, or `<rule id>.<variant>`. A message names the cells, rows and years it
is about, and never prints a blank cell as 0.
"""

from __future__ import annotations

from typing import Final

from extract.schema import (
    ACTIVE_COLUMN_LABELS,
    ACTIVE_ROW_LABELS,
    APPLICANT_COLUMNS,
    REQUEST_COLUMNS,
    REQUEST_ROW_LABELS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    SECTIONS,
)

TABLE_NAMES: Final[dict[str, str]] = {
    "active": "表二",
    "requests": "表三",
    "review_litigation": "表四",
    "legacy_stats": "统计表",
}
ORDINALS: Final = "一二三四五六"
LEVEL_NAMES: Final[dict[str, str]] = {
    "province": "省级人民政府",
    "city": "市级人民政府",
    "county": "县级人民政府",
    "township": "乡镇人民政府",
    "department": "县级人民政府部门",
}
FORMAT_NAMES: Final[dict[str, str]] = {
    "2021": "2021年格式（国办公开办函〔2021〕30号）",
    "2019": "2019年格式（国办公开办函〔2019〕60号，试行）",
    "legacy": "2019年以前的统计表",
}

# added to what a report read from a scan by OCR seems to contradict: a digit may be misread
SCANNED_NOTE: Final = "（报告为扫描件，可能是文字识别有误，请对照原件核对）"
_BALANCE: Final = (
    "{col_name}：第一项加第二项之和为 {expected}，第三项(七)总计加第四项之和为 {actual}，不符合表头所注的勾稽关系{note}"
)
_REVIEW_TOTAL: Final = (
    "表四『{group_name}』：结果维持、结果纠正、其他结果、尚未审结之和为 {expected}，总计为 {actual}{note}"
)
_TEXT_TABLE: Final = "正文称“{quote}”（{stated} 件），而{what}为 {actual}{part}"
_TEXT_SCOPE: Final = (
    "正文称“{quote}”（{stated} 件），{what}为 {actual}：正文所述是机关内一部分的数字，与表格口径不同，仅供参考"
)
_LEGACY_SUM: Final = "统计表『{parent}』为 {actual}，{parts}之和为 {expected}{note}"

MESSAGES: Final[dict[str, str]] = {
    # arithmetic: 表三 and 表四 sums
    "requests.row_total": "{row_name}：六类申请人之和为 {expected}，总计栏为 {actual}{note}",
    "requests.results_total": "{col_name}：三(一)至三(六)各项办理结果之和为 {expected}，三(七)总计为 {actual}{note}",
    "requests.balance": _BALANCE,
    "review_litigation.total": _REVIEW_TOTAL,
    "active.published_total": "{row_name}：本年新公开数量 {actual} 大于对外公开总数量 {expected}",
    "active.item_count": ("{row_name}：上一年项目数量 {prior} 加本年增/减 {change} 得 {actual}，项目数量不能为负数"),
    # cells
    "cell.negative": "{cell}为 {actual}，不能为负数",
    "cell.not_integer": "{cell}为 {value}，件数应为整数",
    "cell.not_integer.not_number": "{cell}的内容“{value}”不是数字",
    "blank_cell": "{block}未填写，应填 0：空白不等于 0，涉及它的合计无法核对",
    "blank_cell.block": "{block}未填写（共 {cells} 格），应填 0：空白不等于 0，涉及这些单元格的合计无法核对",
    "missing_row": "{table_name}中找不到『{label}』行，该行数据缺失",
    "ocr_uncertain": (
        "{cell}由扫描件识别为“{text}”，识别置信度 {confidence}，可能识别有误，"
        "请对照原件核对（可能的数值：{candidates}）"
    ),
    "ocr_uncertain.relation": (
        "{cell}由扫描件识别为“{text}”（识别置信度 {confidence}），所在行或栏的合计不成立；读作 {solved} 时合计成立，"
        "请对照原件核对（可能的数值：{candidates}）"
    ),
    "ocr_uncertain.failing": (
        "{cell}由扫描件识别为“{text}”（识别置信度 {confidence}），所在行或栏的合计不成立，可能识别有误，"
        "请对照原件核对（可能的数值：{candidates}）"
    ),
    "ambiguous_split": (
        "{table_name}『{label}』行的数字连写为“{raw}”，可拆分为 {candidates}，无法确定，请对照原文核对"
    ),
    "ambiguous_split.inconsistent": (
        "{table_name}『{label}』行的数字连写为“{raw}”，无论怎样拆分合计都不成立，可能有数字读错或印错"
        "（最可能的拆法：{candidates}），请对照原文核对"
    ),
    # structure and dates
    "missing_section": "报告缺少第{ordinal}部分“{heading}”（条例第五十条规定的内容）",
    "missing_table": "第{ordinal}部分“{heading}”中没有可读取的{table_name}（表格缺失、为图片或无法识别）",
    "section_order": "报告各部分的顺序为“{order}”，与年报格式规定的顺序不一致",
    "section_numbering": "“{heading}”在报告中编号为“{printed}”，按年报格式应为“{ordinal}”",
    "template_mismatch": "{year}年度的报告应使用{expected_name}，实际使用的是{actual_name}",
    "template_mismatch.hybrid": (
        "表三『(六)其他处理』{shape}，与报告所用的{format_name}不一致（各项合计按报告所列的行核对）"
    ),
    "unknown_format": "未能识别报告使用的年报格式（2021年格式、2019年格式或2019年以前的统计表）",
    "year_mismatch": "标题所署为 {expected} 年度，但{sources}，请核对",
    "year_mismatch.untitled": "报告按 {expected} 年度归档，但{sources}，请核对",
    "late_publication": "报告于 {published} 发布，晚于发布期限 {deadline}（逾期 {days} 天）",
    "thin_section": "第{ordinal}部分“{heading}”内容过少（“{text}”），未如实报告",
    # text ↔ table
    "text_table.new": _TEXT_TABLE,
    "text_table.new.scope": _TEXT_SCOPE,
    "text_table.carried_over": _TEXT_TABLE,
    "text_table.carried_over.scope": _TEXT_SCOPE,
    "text_table.completed": _TEXT_TABLE,
    "text_table.completed.scope": _TEXT_SCOPE,
    "text_table.carry_forward": _TEXT_TABLE,
    "text_table.carry_forward.scope": _TEXT_SCOPE,
    "text_table.disclosed": _TEXT_TABLE,
    "text_table.disclosed.scope": _TEXT_SCOPE,
    "text_table.granted": _TEXT_TABLE,
    "text_table.granted.scope": _TEXT_SCOPE,
    "text_table.partly_granted": _TEXT_TABLE,
    "text_table.partly_granted.scope": _TEXT_SCOPE,
    "text_table.withheld": _TEXT_TABLE,
    "text_table.withheld.scope": _TEXT_SCOPE,
    "text_table.unavailable": _TEXT_TABLE,
    "text_table.unavailable.scope": _TEXT_SCOPE,
    "text_table.rejected": _TEXT_TABLE,
    "text_table.rejected.scope": _TEXT_SCOPE,
    "text_table.review": _TEXT_TABLE,
    "text_table.review.scope": _TEXT_SCOPE,
    "text_table.litigation": _TEXT_TABLE,
    "text_table.litigation.scope": _TEXT_SCOPE,
    "text_table.all_completed": "正文称“{quote}”，但{what}为 {actual}，仍有申请结转下年度办理",
    "text_table.all_upheld": "正文称“{quote}”，而表四{shown}",
    "narrative.completed_exceeds_received": (
        "正文所述办结 {completed} 件，多于受理 {received} 件与上年结转 {carried} 件之和"
    ),
    "narrative.balance": (
        "正文所述新收 {new} 件加上年结转 {carried} 件共 {expected} 件，而办结 {completed} 件加结转下年度 {carry} 件"
        "共 {actual} 件，前后矛盾"
    ),
    # cross-year
    "requests.carry_link": ("{col_name}：本年“上年结转”为 {actual}，上一年度报告“结转下年度继续办理”为 {expected}"),
    "active.in_force_link": (
        "{row_name}：现行有效件数为 {actual}，按上一年度现行有效 {prior} 件加本年制发 {issued} 件减废止 {repealed} 件"
        "应为 {expected}"
    ),
    "active.prior_items_link": (
        "{row_name}：上一年项目数量为 {actual}，按上一年度报告（项目数量 {prior}，增/减 {change}）应为 {expected}"
    ),
    "copied_from_previous_year": ("第{ordinal}部分“{heading}”与上一年度报告的相似度为 {similarity}，疑似照抄往年内容"),
    "requests.same_as_previous_year": "表三的全部数据与上一年度报告完全相同，疑似沿用往年数据",
    "legacy.cumulative_link": (
        "统计表『{label}』历年累计为 {actual}，按上一年度累计 {prior} 加本年 {value} 应为 {expected}"
    ),
    # legacy 统计表
    "legacy.received_total": _LEGACY_SUM,
    "legacy.completed_total": _LEGACY_SUM,
    "legacy.answers_total": _LEGACY_SUM,
    "legacy.refusals_total": _LEGACY_SUM,
    "legacy.review_total": _LEGACY_SUM,
    "legacy.litigation_total": _LEGACY_SUM,
    "legacy.staff_total": _LEGACY_SUM,
    "legacy.subitem_exceeds_parent": ("统计表中“其中”项『{child}』为 {actual}，大于其上级项『{parent}』的 {expected}"),
    "legacy.cumulative_below_value": "统计表『{label}』的历年累计 {actual} 小于本年度数 {expected}",
    "legacy.blank_value": "统计表『{label}』未填写数值：空白不等于 0，涉及它的合计无法核对",
    # plausibility
    "plausibility.rules_at_low_level": (
        "{row_name}填报 {actual} 件，但{level}无权制定规章（规章只由国务院部门和省、设区的市、自治州人民政府制定），"
        "请核实是否误填"
    ),
    "plausibility.fee_unit": "乡镇报告的行政事业性收费为 {actual} 万元，疑似按“元”填报",
}


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def render(key: str, **words: object) -> str:
    """The catalogue message `key` filled with `words` (numbers printed without trailing zeros)."""
    return MESSAGES[key].format(**{k: _fmt(v) for k, v in words.items()})


# ---- names of places, as a supervisor reads them on the printed form ----------


def label_of(table: str, row: str) -> str:
    """The template label of a row (表四: of a group), or the key when the template has none."""
    if table == "active":
        return ACTIVE_ROW_LABELS.get(row, row)
    if table == "requests":
        return REQUEST_ROW_LABELS.get(row, row)
    return REVIEW_GROUPS.get(row, row)


def row_name(table: str, row: str) -> str:
    """`表三『三(一)予以公开』行`."""
    return f"{TABLE_NAMES.get(table, table)}『{label_of(table, row)}』行"


def col_name(col: str) -> str:
    """`表三『自然人』栏` (columns are named for 表三 only: the other tables have their own groups)."""
    return f"表三『{REQUEST_COLUMNS.get(col, col)}』栏"


def cell_name(table: str, row: str, col: str) -> str:
    """`表三『三(一)予以公开』行『自然人』栏`, `表四『行政复议』『总计』栏`."""
    if table == "review_litigation":
        return f"{TABLE_NAMES[table]}『{label_of(table, row)}』『{col_label(table, col)}』栏"
    return f"{row_name(table, row)}『{col_label(table, col)}』栏"


# the five columns 表三 prints under one group header
LEGAL_PERSON_COLUMNS: Final = APPLICANT_COLUMNS[1:]
LEGAL_PERSON_NAME: Final = "法人或其他组织"
_LISTED: Final = 3  # up to this many names are listed; more are "『first』等 N 栏"


def col_label(table: str, col: str) -> str:
    """A column's printed header (表二's, 表三's applicant columns, 表四's result columns)."""
    if table == "active":
        return ACTIVE_COLUMN_LABELS.get(col, col)
    if table == "requests":
        return REQUEST_COLUMNS.get(col, col)
    return REVIEW_COLUMNS.get(col, col)


def _several(labels: list[str], unit: str, *, every: bool) -> str:
    """`全部 25 行`, `『a』『b』2 栏`, `『a』等 4 行`."""
    if every and len(labels) > 1:
        return f"全部 {len(labels)} {unit}"
    if len(labels) <= _LISTED:
        return "".join(f"『{x}』" for x in labels) + (f"{len(labels)} {unit}" if len(labels) > 1 else unit)
    return f"『{labels[0]}』等 {len(labels)} {unit}"


def block_name(table: str, rows: tuple[str, ...], cols: tuple[str, ...], *, every_row: bool,
               every_col: bool) -> str:
    """A block of cells as a supervisor finds it on the form: `表三『法人或其他组织』5 栏全部 25 行`,
    `表三『总计』栏的『三(一)予以公开』等 4 行`, `表四『行政诉讼·复议后起诉』全部 5 栏`."""
    name = TABLE_NAMES.get(table, table)
    if len(rows) == 1 and len(cols) == 1:
        return cell_name(table, rows[0], cols[0])
    if table == "requests" and set(cols) == set(LEGAL_PERSON_COLUMNS):
        col_text = f"『{LEGAL_PERSON_NAME}』{len(cols)} 栏"
    else:
        col_text = _several([col_label(table, c) for c in cols], "栏", every=every_col)
    if table == "review_litigation":  # 表四's "rows" are its three groups of columns
        groups = "".join(f"『{label_of(table, g)}』" for g in rows)
        return f"{name}{groups}{col_text}"
    row_text = _several([label_of(table, r) for r in rows], "行", every=every_row)
    if len(rows) == 1:
        return f"{row_name(table, rows[0])}的{col_text}"
    if len(cols) == 1:
        return f"{name}{col_text}的{row_text}"
    return f"{name}{col_text}{row_text}"


def section_heading(key: str) -> str:
    return SECTIONS.get(key, key).split("、", 1)[-1]


def section_ordinal(key: str) -> str:
    return ORDINALS[list(SECTIONS).index(key)] if key in SECTIONS else "?"
