"""The strings a real report prints: template labels as they appear on the page.

`extract.schema` holds the canonical keys and the cleaned labels a parser reports;
this module holds the printed forms (full-width numbering, line breaks in header
cells, notes in parentheses), which is what a renderer must write.

A header label is a tuple of parts: the source breaks the line between parts
(`商业<br/>企业`), and a text pipeline may keep only the first part.
"""

from __future__ import annotations

from typing import Final, NamedTuple

Parts = tuple[str, ...]

# ---- section headings ------------------------------------------------------

# section key -> printed heading variants; the first is the canonical one.
SECTION_HEADINGS: Final[dict[str, tuple[str, ...]]] = {
    "overview": ("一、总体情况",),
    "active": ("二、主动公开政府信息情况", "二、行政机关主动公开政府信息情况"),
    "requests": (
        "三、收到和处理政府信息公开申请情况",
        "三、行政机关收到和处理政府信息公开申请情况",
    ),
    "review_litigation": (
        "四、政府信息公开行政复议、行政诉讼情况",
        "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
    ),
    "problems": ("五、存在的主要问题及改进情况", "五、政府信息公开工作存在的主要问题及改进情况"),
    "other": ("六、其他需要报告的事项",),
}

TABLE_INTRO: Final = "该部分以表格形式报告。表格如下："

# ---- 表二 ------------------------------------------------------------------


class ActiveBlock(NamedTuple):
    """One block of 表二: its 第二十条 header, column headers and rows (key, printed label)."""

    header: str
    columns: tuple[tuple[str, Parts], ...]
    rows: tuple[tuple[str, str], ...]


_ITEM: Final = "第二十条第（{}）项"
_DECISIONS_2021: Final = (("decisions", ("本年处理决定数量",)),)
_PRIOR_CHANGE: Final = (("prior_items", ("上一年", "项目数量")), ("change", ("本年增/减",)))

ACTIVE_BLOCKS_2021: Final = (
    ActiveBlock(
        _ITEM.format("一"),
        (("issued", ("本年制发件数",)), ("repealed", ("本年废止件数",)), ("in_force", ("现行有效件数",))),
        (("rules", "规章"), ("normative_documents", "行政规范性文件")),
    ),
    ActiveBlock(_ITEM.format("五"), _DECISIONS_2021, (("licensing", "行政许可"),)),
    ActiveBlock(_ITEM.format("六"), _DECISIONS_2021, (("penalty", "行政处罚"), ("coercion", "行政强制"))),
    ActiveBlock(_ITEM.format("八"), (("amount", ("本年收费金额（单位：万元）",)),), (("fees", "行政事业性收费"),)),
)

ACTIVE_BLOCKS_2019: Final = (
    ActiveBlock(
        _ITEM.format("一"),
        (
            ("new_made", ("本年新", "制作数量")),
            ("new_published", ("本年新", "公开数量")),
            ("total_published", ("对外公开总数量",)),
        ),
        (("rules", "规章"), ("normative_documents", "规范性文件")),
    ),
    ActiveBlock(
        _ITEM.format("五"),
        (*_PRIOR_CHANGE, ("decisions", ("处理决定数量",))),
        (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")),
    ),
    ActiveBlock(
        _ITEM.format("六"),
        (*_PRIOR_CHANGE, ("decisions", ("处理决定数量",))),
        (("penalty", "行政处罚"), ("coercion", "行政强制")),
    ),
    ActiveBlock(_ITEM.format("八"), _PRIOR_CHANGE, (("fees", "行政事业性收费"),)),
    ActiveBlock(
        _ITEM.format("九"),
        (("items", ("采购项目数量",)), ("amount", ("采购总金额",))),
        (("procurement", "政府集中采购"),),
    ),
)

ACTIVE_CONTENT_HEADER: Final = "信息内容"
# Older 2021-format reports keep the 2019 row label (seed 001).
NORMATIVE_OLD_LABEL: Final = "规范性文件"

# ---- 表三 ------------------------------------------------------------------

REQUESTS_NOTE: Final = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANTS: Final = "申请人情况"
ORGANISATIONS: Final = "法人或其他组织"

# column key -> printed header (parts)
REQUEST_COLUMN_HEADERS: Final[dict[str, Parts]] = {
    "natural_person": ("自然人",),
    "commercial": ("商业", "企业"),
    "research": ("科研", "机构"),
    "social_welfare": ("社会公益", "组织"),
    "legal_service": ("法律服务", "机构"),
    "other_org": ("其他",),
    "total": ("总计",),
}

RESULTS_LABEL: Final = "三、本年度办理结果"

# Rows printed with their own label spanning the label columns.
REQUEST_LEVEL1: Final[dict[str, str]] = {
    "new": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "carry_forward": "四、结转下年度继续办理",
}
# Result rows printed with a level-2 label spanning two columns.
REQUEST_LEVEL2: Final[dict[str, str]] = {
    "granted": "（一）予以公开",
    "partly_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "other_handling": "（六）其他处理",
    "total": "（七）总计",
}


class RequestGroup(NamedTuple):
    """A level-2 group of 表三 result rows: (三) … (六) with numbered sub-rows."""

    label: str
    rows: tuple[tuple[str, str], ...]


REQUEST_GROUPS: Final[dict[str, RequestGroup]] = {
    "withheld": RequestGroup(
        "（三）不予公开",
        (
            ("withheld_state_secret", "1.属于国家秘密"),
            ("withheld_prohibited", "2.其他法律行政法规禁止公开"),
            ("withheld_security", "3.危及“三安全一稳定”"),
            ("withheld_third_party", "4.保护第三方合法权益"),
            ("withheld_internal", "5.属于三类内部事务信息"),
            ("withheld_process", "6.属于四类过程性信息"),
            ("withheld_enforcement_file", "7.属于行政执法案卷"),
            ("withheld_inquiry", "8.属于行政查询事项"),
        ),
    ),
    "unavailable": RequestGroup(
        "（四）无法提供",
        (
            ("unavailable_not_held", "1.本机关不掌握相关政府信息"),
            ("unavailable_needs_creation", "2.没有现成信息需要另行制作"),
            ("unavailable_unclear", "3.补正后申请内容仍不明确"),
        ),
    ),
    "rejected": RequestGroup(
        "（五）不予处理",
        (
            ("rejected_petition", "1.信访举报投诉类申请"),
            ("rejected_duplicate", "2.重复申请"),
            ("rejected_publication", "3.要求提供公开出版物"),
            ("rejected_excessive", "4.无正当理由大量反复申请"),
            ("rejected_reconfirm", "5.要求行政机关确认或重新出具已获取信息"),
        ),
    ),
    "other": RequestGroup(
        "（六）其他处理",
        (
            ("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
            ("other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
            ("other_other", "3.其他"),
        ),
    ),
}

# ---- 表四 ------------------------------------------------------------------

REVIEW: Final = "行政复议"
LITIGATION: Final = "行政诉讼"
LITIGATION_GROUPS: Final[dict[str, str]] = {
    "litigation_direct": "未经复议直接起诉",
    "litigation_after_review": "复议后起诉",
}
REVIEW_HEADERS: Final[dict[str, Parts]] = {
    "upheld": ("结果", "维持"),
    "corrected": ("结果", "纠正"),
    "other": ("其他", "结果"),
    "pending": ("尚未", "审结"),
    "total": ("总计",),
}

# ---- legacy 统计表 (format-spec §4.2, printed as in seed 004) ------------------

LEGACY_TITLE: Final = "政府信息公开情况统计表"
LEGACY_HEADERS: Final[tuple[Parts, ...]] = (("统 计 指 标",), ("单 位",), ("统计数",))
GROUP_UNIT: Final = "/"


class LegacyRow(NamedTuple):
    """One printed line of the 统计表. `label` is None for group rows (unit `/`, no value)."""

    printed: str
    unit: str
    label: str | None


def _g(printed: str) -> LegacyRow:
    return LegacyRow(printed, GROUP_UNIT, None)


def _v(printed: str, unit: str, label: str) -> LegacyRow:
    return LegacyRow(printed, unit, label)


LEGACY_ROWS: Final[tuple[LegacyRow, ...]] = (
    _g("一、主动公开情况"),
    _v("（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条", "主动公开政府信息数"),
    _v("其中：主动公开规范性文件数", "条", "主动公开规范性文件数"),
    _v("制发规范性文件总数", "件", "制发规范性文件总数"),
    _g("（二）通过不同渠道和方式公开政府信息的情况"),
    _v("1、政府公报公开政府信息数", "条", "政府公报公开政府信息数"),
    _v("2、政府网站公开政府信息数", "条", "政府网站公开政府信息数"),
    _v("3、政务微博公开政府信息数", "条", "政务微博公开政府信息数"),
    _v("4、政务微信公开政府信息数", "条", "政务微信公开政府信息数"),
    _v("5、其他方式公开政府信息数", "条", "其他方式公开政府信息数"),
    _g("二、回应解读情况"),
    _v(
        "（一）回应公众关注热点或重大舆情数（不同方式回应同一热点或舆情计1次）",
        "次",
        "回应公众关注热点或重大舆情数",
    ),
    _v("（二）通过不同渠道和方式回应解决的情况", "次", "通过不同渠道和方式回应解决的情况"),
    _v("1、参加或举办新闻发布会总次数", "次", "参加或举办新闻发布会总次数"),
    _v("其中：主要负责同志参加新闻发布会次数", "次", "主要负责同志参加新闻发布会次数"),
    _v("2、政府网站在线访谈次数", "次", "政府网站在线访谈次数"),
    _v("其中：主要负责同志参加政府网站在线访谈次数", "次", "主要负责同志参加政府网站在线访谈次数"),
    _v("3、政策解读稿件发布数", "篇", "政策解读稿件发布数"),
    _v("4、微博微信回应事件数", "次", "微博微信回应事件数"),
    _v("5、其他方式回应事件数", "次", "其他方式回应事件数"),
    _g("三、依申请公开情况"),
    _v("（一）收到申请数", "件", "收到申请数"),
    _v("1、当面申请数", "件", "当面申请数"),
    _v("2、传真申请数", "件", "传真申请数"),
    _v("3、网络申请数", "件", "网络申请数"),
    _v("4、信函申请数", "件", "信函申请数"),
    _v("（二）申请办结数", "件", "申请办结数"),
    _v("1、按时办结数", "件", "按时办结数"),
    _v("2、延期办结数", "件", "延期办结数"),
    _v("（三）申请答复数", "件", "申请答复数"),
    _v("1、属于已主动公开范围数", "件", "属于已主动公开范围数"),
    _v("2、同意公开答复数", "件", "同意公开答复数"),
    _v("3、同意部分公开答复数", "件", "同意部分公开答复数"),
    _v("4、不同意公开答复数", "件", "不同意公开答复数"),
    _v("其中：涉及国家秘密", "件", "涉及国家秘密"),
    _v("涉及商业秘密", "件", "涉及商业秘密"),
    _v("涉及个人隐私", "件", "涉及个人隐私"),
    _v("危及国家安全、公共安全、经济安全和社会稳定", "件", "危及国家安全、公共安全、经济安全和社会稳定"),
    _v("不是《条例》所指政府信息", "件", "不是《条例》所指政府信息"),
    _v("法律法规规定的其他情形", "件", "法律法规规定的其他情形"),
    _v("5、不属于本行政机关公开数", "件", "不属于本行政机关公开数"),
    _v("6、申请信息不存在数", "件", "申请信息不存在数"),
    _v("7、告知作出更改补充数", "件", "告知作出更改补充数"),
    _v("8、告知通过其他途径办理数", "件", "告知通过其他途径办理数"),
    _v("四、行政复议数量", "件", "行政复议数量"),
    _v("（一）维持具体行政行为数", "件", "维持具体行政行为数"),
    _v("（二）被依法纠错数", "件", "被依法纠错数"),
    _v("（三）其他情形数", "件", "其他情形数"),
    _v("五、行政诉讼数量", "件", "行政诉讼数量"),
    _v("（一）维持具体行政行为或者驳回原告诉讼请求数", "件", "维持具体行政行为或者驳回原告诉讼请求数"),
    _v("（二）被依法纠错数", "件", "被依法纠错数"),
    _v("（三）其他情形数", "件", "其他情形数"),
    _v("六、举报投诉数量", "件", "举报投诉数量"),
    _v("七、依申请公开信息收取的费用", "万元", "依申请公开信息收取的费用"),
    _g("八、机构建设和保障经费情况"),
    _v("（一）政府信息公开工作专门机构数", "个", "政府信息公开工作专门机构数"),
    _v("（二）设置政府信息公开查阅点数", "个", "设置政府信息公开查阅点数"),
    _v("（三）从事政府信息公开工作人员数", "人", "从事政府信息公开工作人员数"),
    _v("1、专职人员数（不包括政府公报及政府网站工作人员数）", "人", "专职人员数"),
    _v("2、兼职人员数", "人", "兼职人员数"),
    _v(
        "（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）",
        "万元",
        "政府信息公开专项经费",
    ),
    _g("九、政府信息公开会议和培训情况"),
    _v("（一）召开政府信息公开工作会议或专题会议数", "次", "召开政府信息公开工作会议或专题会议数"),
    _v("（二）举办各类培训班数", "次", "举办各类培训班数"),
    _v("（三）接受培训人员数", "人次", "接受培训人员数"),
)

LEGACY_VALUE_ROWS: Final = tuple(r for r in LEGACY_ROWS if r.label is not None)
LEGACY_LABELS: Final = tuple(r.label for r in LEGACY_VALUE_ROWS if r.label is not None)

# The sections of a pre-2019 report (free structure under the 2007 regulation, §4.1).
LEGACY_HEADINGS: Final[dict[str, str]] = {
    "overview": "一、概述",
    "active": "二、主动公开政府信息情况",
    "requests": "三、依申请公开政府信息办理情况",
    "fees": "四、政府信息公开收费及减免情况",
    "review_litigation": "五、因政府信息公开申请行政复议和提起行政诉讼的情况",
    "problems": "六、政府信息公开工作存在的主要问题及改进措施",
    "annex": "七、附表",
}
