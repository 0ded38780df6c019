"""How the template's row and column labels are recognised in real, messy text.

Labels are matched by keywords on white-space-free NFKC text, never by position, so that a
missing label, a label split by `<br>` or an extra column cannot shift the cells.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from extract.normalize import squash

# ---- 表三 rows: first matching keyword wins (order matters: 部分公开 before 予以公开) ----------
REQUEST_ROW_PATTERNS: Final = tuple(
    (key, re.compile(pattern))
    for key, pattern in (
        ("new", r"本年新收|新收.*申请"),
        ("carried_over", r"上年结转"),
        ("carry_forward", r"结转下年度|下年度继续办理"),
        ("partly_granted", r"部分公开"),
        ("granted", r"予以公开"),
        ("withheld_state_secret", r"国家秘密"),
        ("withheld_prohibited", r"禁止公开"),
        ("withheld_security", r"三安全|一稳定"),
        ("withheld_third_party", r"第三方"),
        ("withheld_internal", r"内部事务"),
        ("withheld_process", r"过程性"),
        ("withheld_enforcement_file", r"执法案卷"),
        ("withheld_inquiry", r"查询事项"),
        ("unavailable_not_held", r"不掌握"),
        ("unavailable_needs_creation", r"另行制作|没有现成"),
        ("unavailable_unclear", r"仍不明确|内容不明确"),
        ("rejected_petition", r"信访|举报投诉"),
        ("rejected_duplicate", r"重复申请"),
        ("rejected_publication", r"出版物"),
        ("rejected_excessive", r"大量反复"),
        ("rejected_reconfirm", r"重新出具|确认或"),
        ("other_no_correction", r"不补正"),
        ("other_unpaid_fee", r"缴纳费用|收费通知"),
        ("total", r"^(?:\(七\)|七、|7\.)?总计$|^\(七\)"),
    )
)
# Group headings of the result rows: never rows themselves (except a single-row (六) in 2019).
REQUEST_GROUPS: Final = re.compile(r"本年度办理结果|^\(三\)不予公开$|^\(四\)无法提供$|^\(五\)不予处理$")
OTHER_GROUP: Final = re.compile(r"其他处理")
OTHER_LEAF: Final = re.compile(r"^(?:\d[.、]?|\(\d\))?其他(?:情形)?$")



def tolerant(*words: str) -> str:
    """A pattern for words as printed, one stray character inside allowed (「行政法复议」)."""
    out = []
    for word in words:
        out.append(re.escape(word))
        out.extend(f"{re.escape(word[:k])}.{re.escape(word[k:])}" for k in range(1, len(word)) if len(word) >= 4)
    return "|".join(out)


def _first_key(text: str) -> str | None:
    return next((k for k, p in REQUEST_ROW_PATTERNS if p.search(text)), None)


@lru_cache(maxsize=4096)
def request_key(labels: tuple[str, ...]) -> str | None:
    """The 表三 row a label names, from its leaf (and its group, for `3.其他`). Every report prints
    the same labels: each is matched once per process."""
    leaf = squash(labels[-1]) if labels else ""
    context = "".join(squash(t) for t in labels[:-1])
    key = _first_key(leaf)
    if key:
        return key
    if OTHER_LEAF.match(leaf) and (OTHER_GROUP.search(context) or not context or leaf[0].isdigit()):
        return "other_other"  # `3.其他` is (六)3 under any heading: no other group has a row so named
    if OTHER_GROUP.search(leaf) and not REQUEST_GROUPS.search(leaf):
        return "other_handling"
    return _first_key(context + leaf)



REQUEST_COLUMN_PATTERNS: Final = (
    ("natural_person", re.compile(r"自然人")),
    ("commercial", re.compile(r"商业")),
    ("research", re.compile(r"科研")),
    ("social_welfare", re.compile(r"公益")),
    ("legal_service", re.compile(r"法律服务")),
    ("total", re.compile(r"总计|合计")),
    ("other_org", re.compile(r"^其他$")),
)

# ---- 表四 ---------------------------------------------------------------------------
REVIEW_GROUP_PATTERNS: Final = (
    ("litigation_after_review", re.compile(r"复议后起诉")),
    ("litigation_direct", re.compile(r"直接起诉|未经复议")),
    ("review", re.compile(r"行政复议")),
)
REVIEW_COLUMN_PATTERNS: Final = (
    ("upheld", re.compile(r"维持")),
    ("corrected", re.compile(r"纠正")),
    ("other", re.compile(r"其他")),
    ("pending", re.compile(r"尚未|未审结")),
    ("total", re.compile(r"总计|合计")),
)

# ---- 表二 ---------------------------------------------------------------------------
ACTIVE_ROW_PATTERNS: Final = tuple(
    (key, re.compile(pattern))
    for key, pattern in (
        ("rules", r"^(?:\d[.、])?规章$"),
        ("normative_documents", r"规范性文件"),
        ("licensing", r"行政许可"),
        ("other_services", r"其他对外管理服务"),
        ("penalty", r"行政处罚"),
        ("coercion", r"行政强制"),
        ("fees", r"事业性收费"),
        ("procurement", r"集中采购"),
    )
)
# Column headers of 表二; `本年新` alone (a header cut at its `<br>`) is resolved by order.
ACTIVE_COLUMN_PATTERNS: Final = tuple(
    (key, re.compile(pattern))
    for key, pattern in (
        ("issued", r"制发"),
        ("repealed", r"废止"),
        ("in_force", r"现行有效"),
        ("amount", r"收费金额|采购总金额|总金额"),
        ("new_made", r"新制作"),
        ("new_published", r"新公开"),
        ("total_published", r"对外公开总"),
        ("prior_items", r"上一年项目"),
        ("change", r"增/减|增减|增/减"),
        ("items", r"采购项目"),
        ("decisions", r"处理决定"),
    )
)
ACTIVE_BLOCK: Final = re.compile(r"第二十条第\((一|五|六|八|九)\)项")
FORMAT_2021_HEADERS: Final = re.compile(r"本年制发件数|本年处理决定数量|本年收费金额|本年废止|现行有效")
FORMAT_2019_HEADERS: Final = re.compile(r"本年新制作|本年新公开|对外公开总数量|上一年项目数量|第二十条第\(九\)项")

# ---- legacy 统计表 -------------------------------------------------------------------
LEGACY_ANCHORS: Final = re.compile(r"收到申请数|申请答复数|同意公开答复数|依申请公开信息收取的费用|申请办结数")
LEGACY_NUMBERING: Final = re.compile(
    r"^(?:(?:\([一二三四五六七八九十\d]+\)|[一二三四五六七八九十]+[、.]|\d+[、.](?!\d)|其中[:：]?)\s*)+"
)
LEGACY_TRAILING_NOTE: Final = re.compile(r"\s*\([^()]*\)\s*$")

# ---- header cells: a row made only of these is a header row ----------------------------
HEADER_WORDS: Final = frozenset({
    "自然人", "法人或其他组织", "总计", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他",
    "申请人情况", "信息内容", "行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结",
    "未经复议直接起诉", "复议后起诉", "统计指标", "单位", "统计数", "指标名称", "计量单位", "数量",
    "结果", "尚未", "本期实际", "本年累计", "历年累计", "项目",
})
HEADER_PREFIXES: Final = re.compile(
    r"^(?:本年制发|本年废止|现行有效|本年处理决定|处理决定数量|本年收费金额|本年新|对外公开总|上一年项目|"
    r"本年增|采购项目|采购总金额|第二十条|\(本列数据|本列数据|\d{4}年度$)"
)
# header leaves that name label columns, not value columns
LABEL_HEADERS: Final = re.compile(r"^(?:信息内容|统计指标|指标名称|项目|单位|计量单位)$|勾稽")
