"""What the metrics, benchmarks and monitoring reports say to people, in Chinese.

Metric names, units, caveats and the words of the generated reports live here; the metric registry
(analytics/metrics.py) holds only keys and formulas. `words(key, **values)` fills a sentence.
"""

from __future__ import annotations

from typing import Final

METRIC_NAMES: Final[dict[str, str]] = {
    "requests_new": "本年新收申请数",
    "requests_handled": "本年办结申请数",
    "granted_rate": "予以公开率",
    "disclosed_rate": "公开率（含部分公开）",
    "withheld_rate": "不予公开率",
    "review_cases": "行政复议案件数",
    "review_correction_rate": "复议纠错率",
    "litigation_cases": "行政诉讼案件数",
    "litigation_correction_rate": "诉讼纠错率",
    "normative_in_force": "现行有效规范性文件数",
    "licensing_decisions": "行政许可处理决定数",
    "penalty_decisions": "行政处罚决定数",
    "coercion_decisions": "行政强制决定数",
    "fee_amount": "行政事业性收费金额",
    "on_time_rate": "按时发布率",
    "days_late": "逾期天数",
    "data_errors": "数据差错数",
    "blank_cells": "空白单元格数",
}

METRIC_CAVEATS: Final[dict[str, str]] = {
    "requests_new": "只计本年新收，不含上年结转；以总计栏为准，不用六类申请人之和替代。",
    "requests_handled": "即表三“三(七)总计”，含上年结转申请在本年办结的部分。",
    "granted_rate": "分母为全部办理结果（含不予处理、其他处理），部分公开不计入分子。",
    "disclosed_rate": "予以公开与部分公开之和占全部办理结果的比例。",
    "withheld_rate": "只计“三(三)不予公开”八项，不含无法提供、不予处理。",
    "review_cases": "因政府信息公开被申请行政复议的总数，含尚未审结。",
    "review_correction_rate": "分母为已审结案件（维持、纠正、其他结果），尚未审结不计；案件少时比率波动大。",
    "litigation_cases": "未经复议直接起诉与复议后起诉之和，含尚未审结。",
    "litigation_correction_rate": "两类行政诉讼合并计算；分母为已审结案件，尚未审结不计；案件少时比率波动大。",
    "normative_in_force": "2021年格式才有“现行有效件数”；2019年格式的“对外公开总数量”口径不同，不纳入。",
    "licensing_decisions": "乡镇、部分部门无行政许可职权，填“/”的按不适用处理，不计为 0。",
    "penalty_decisions": "无行政处罚职权的机关填“/”的按不适用处理，不计为 0。",
    "coercion_decisions": "无行政强制职权的机关填“/”的按不适用处理，不计为 0。",
    "fee_amount": "单位为万元；2019年格式只有收费项目数量，没有金额，不纳入。乡镇数额过大时可能误按“元”填报。",
    "on_time_rate": "按期限（部门1月31日、县级以上政府3月31日，或登记表中的本地期限）判断；未发布计为未按时，"
                    "未到期限、网站无法访问或未能完整抓取的不计入。",
    "days_late": "只计已发布的报告，按时发布为 0 天；未发布的报告计入按时发布率，不计入本指标。",
    "data_errors": "当前版本中未被人工排除的、关于报告内容的错误数（勾稽关系、空白、结构等），不含逾期发布。",
    "blank_cells": "当前版本表二、表三、表四中空白的单元格数；填“/”“—”等标记的计为不适用，不计入。",
}

UNITS: Final[dict[str, str]] = {"count": "件", "money": "万元", "ratio": "%", "days": "天", "cells": "个"}
TOTALS: Final[dict[str, str]] = {
    "sum": "各机关数值相加",
    "pooled": "各机关分子之和除以分母之和",
    "mean": "各机关数值的平均数",
}
POLICIES: Final[dict[str, str]] = {
    "unknown": "视为未知：该机关不计入分布，单列计数",
    "zero": "计为 0",
}
FACTS: Final[dict[str, str]] = {
    "on_time": "按时发布的报告（1 或 0）",
    "due": "已到期应发布的报告（1）",
    "days_late": "发布日期晚于期限的天数",
    "content_errors": "当前版本中关于内容的错误数",
    "blank_cells": "当前版本中空白单元格的个数",
}
FORMAT_SHORT: Final[dict[str, str]] = {"2021": "2021年格式", "2019": "2019年格式", "legacy": "2019年以前统计表"}

# an agency's value for a metric, when it has none
STATES: Final[dict[str, str]] = {
    "value": "有数值",
    "blank": "空白",
    "not_applicable": "不适用",
    "text": "文字说明",
    "zero_denominator": "不适用（分母为 0）",
    "other_format": "格式不适用",
    "no_report": "无报告",
    "not_due": "未到期",
    "unreachable": "网站无法访问",
    "unconfirmed": "网站抓取不完整",
}
BETTER: Final[dict[str, str]] = {"higher": "越高越好", "lower": "越低越好"}
CELL_KINDS: Final[dict[str, str]] = {
    "number": "数值",
    "zero": "0",
    "blank": "空白",
    "not_applicable": "不适用（/、—）",
    "text": "文字",
}
RULE_FAMILIES: Final[dict[str, str]] = {
    "arithmetic": "勾稽关系",
    "cells": "单元格填报",
    "structure": "结构与格式",
    "text_table": "正文与表格不一致",
    "cross_year": "跨年度衔接",
    "legacy": "旧格式统计表",
    "plausibility": "合理性",
    "other": "其他",
}

METHOD: Final = (
    "四分位数（P25、中位数、P75）按线性插值计算，与 Excel 的 PERCENTILE.INC 相同：数值由小到大排序，"
    "第 p 分位数位于 (n−1)·p 处，在相邻两个数值之间按比例插值。排名按数值由高到低，数值相同并列；"
    "百分位按 Excel 的 PERCENTRANK.INC，即小于该值的机关数除以 (n−1)。空白、不适用、分母为 0 的机关不参与计算。"
)
JUMP_RULE: Final = "同比变化超过 {factor} 倍（且较大的一年不少于 {floor}{unit}）视为异常波动，需核实。"

MESSAGES: Final[dict[str, str]] = {
    # stats
    "stats.title": "{metric}（{year}年度，{scope}）",
    "stats.scope_all": "全部机关",
    "stats.scope": "{region}{level}",
    "stats.summary": (
        "有数值 {n} 个机关；合计/总体 {total}；最小 {min}，P25 {p25}，中位数 {p50}，P75 {p75}，最大 {max}"
    ),
    "stats.states": "无数值：{states}",
    "stats.unknown_metric": "没有指标“{metric}”；可用的指标：{known}",
    "stats.no_agency": "区域和级别范围内没有名称含“{agency}”的机关",
    "stats.many_agencies": "名称含“{agency}”的机关有 {n} 个（{names}）：请给出完整名称",
    "stats.series_title": "{agency}：{metric}（{first}—{last}年）",
    "stats.bad_years": "--years 应在 3 到 10 之间",
    # jumps: a plausibility finding with the peers' context
    "jump": (
        "{agency}的{metric}由 {prev_year} 年的 {prev}变为 {year} 年的 {value}（{change}），"
        "同级 {peers} 个机关 {year} 年的中位数为 {p50}（P25 {p25}，P75 {p75}），请核实是否填报有误"
    ),
    "jump.up": "是上年的 {factor} 倍",
    "jump.down": "仅为上年的 {factor} 分之一",
    "jump.from_zero": "上年为 0",
    "jump.to_zero": "本年为 0",
    # reports
    "report.unknown_region": "归档中没有区划代码以 {code} 开头的机关",
    "report.unknown_agency": "归档中没有名称含“{agency}”的机关",
    "report.no_office": "无法生成 PDF：未找到 LibreOffice（soffice）",
    "report.office_failed": "LibreOffice 未能把报告转换为 PDF：{reason}",
    "report.written": "已生成 {path}（{size} 字节）",
    "report.tty": "报告是二进制文件：请用 --out 指定文件名",
    "region.title": "{region}{year}年度政府信息公开工作年度报告监测报告",
    "region.subtitle": "监测范围：区划代码 {code} 开头的 {agencies} 个机关　　数据截至 {as_of}　　由 xxgk 自动生成",
    "agency.title": "{agency}{year}年度政府信息公开工作年度报告监测档案",
    "agency.subtitle": "{level}　　区划代码 {region}　　数据截至 {as_of}　　由 xxgk 自动生成",
    # region report, section by section
    "region.h.summary": "一、总体情况",
    "region.summary": (
        "本区域纳入监测的机关共 {agencies} 个（{levels}）。{year}年度报告应发布 {due} 份，已按时发布 {on_time} 份，"
        "逾期发布 {late} 份，未发布 {missing} 份，按时发布率为 {rate}。"
    ),
    "region.summary.not_due": "另有 {n} 份尚未到发布期限。",
    "region.summary.unreachable": "另有 {n} 个机关的网站无法访问，无法判断是否发布。",
    "region.summary.unconfirmed": "另有 {n} 个机关的网站未能完整抓取，暂无法判断是否发布。",
    "region.summary.changed": "发布后又修改内容的报告 {n} 份。",
    "region.t.summary": "年报发布情况统计",
    "region.h.quality": "二、数据质量",
    "region.quality": (
        "已发布的 {reports} 份报告中，{with_errors} 份存在数据错误，错误共 {errors} 处；"
        "表格中空白单元格 {blank} 个，标注不适用的 {na} 个，以文字代替数字的 {text} 个。"
    ),
    "region.quality.none": "本年度没有已发布的报告。",
    "region.h.families": "（一）错误类别",
    "region.h.worst": "（二）错误最多的机关",
    "region.h.figures": "三、主要数据",
    "region.figures": "下表为本区域各机关数据的合计（比率为总体比率）与同比变化；各级别机关的四分位数见其后各表。",
    "region.t.figures": "主要数据合计",
    "region.h.levels": "（{ordinal}）{level}机关",
    "region.h.trends": "四、近五年趋势",
    "region.h.jumps": "五、需核实的异常波动",
    "region.jumps.none": "未发现同比变化超过阈值的数据。",
    "region.jumps": (
        "以下数据与上年相比变化超过阈值（见附表4各指标的“异常波动”），可能是填报错误，也可能是真实变化，"
        "请各机关核实。共 {n} 项，按变化倍数由大到小排列。"
    ),
    "table.more": "（本表共 {n} 行，此处列出前 {shown} 行；全部数据见 XLSX 版。）",
    "region.h.annex": "附表",
    "region.h.annex.status": "附表1　各机关年报发布情况",
    "region.h.annex.findings": "附表2　各机关检查发现",
    "region.h.annex.values": "附表3　各机关主要指标取值",
    "region.h.annex.metrics": "附表4　指标定义",
    "region.method": "说明：" + METHOD,
    # agency profile
    "agency.h.history": "一、发布情况",
    "agency.h.figures": "二、主要数据与同级比较",
    "agency.figures": "同级比较对象：{peers}（{n} 个机关）。",
    "agency.t.profile": "本机关数据与同级机关四分位数",
    "agency.h.trends": "三、历年趋势",
    "agency.h.findings": "四、检查发现",
    "agency.findings.none": "当前版本未发现问题。",
    "agency.findings.no_report": "本年度没有归档的报告。",
    "agency.h.jumps": "五、需核实的异常波动",
    "agency.jumps.none": "未发现同比变化超过阈值的数据。",
    "agency.peers": "{region}的{level}机关",
    "agency.peers.all": "全部{level}机关",
    # the dashboard
    "web.panel": "同级比较与趋势（{year}年度）",
    "web.download_profile": "下载本机关监测档案：",
    # charts
    "chart.region": "{metric}（{first}—{last}年）",
    "chart.median": "同级中位数",
    "chart.band": "同级 P25—P75",
    "chart.year": "年度",
}

HEADS: Final[dict[str, tuple[str, ...]]] = {
    "stats": ("机关", "级别", "区划代码", "数值", "状态", "排名", "百分位", "报告编号", "版本"),
    "distribution": ("项目", "数值"),
    "series": ("年度", "数值", "状态", "同级机关数", "排名", "P25", "中位数", "P75"),
    "summary": ("项目", "份数"),
    "families": ("错误类别", "错误数", "涉及报告数"),
    "worst": ("机关", "级别", "错误数", "警告数"),
    "figures": ("指标", "单位", "本年", "上年", "同比", "有数值机关数"),
    "levels": ("指标", "单位", "机关数", "P25", "中位数", "P75"),
    "trend": ("指标", "单位"),
    "jumps": ("机关", "级别", "指标", "单位", "上年", "本年", "变化倍数", "同级P25", "同级中位数", "同级P75"),
    "status": ("机关", "级别", "区划代码", "状态", "发布日期", "期限", "逾期天数", "错误", "警告", "发布后修改"),
    "findings": ("机关", "级别", "规则", "位置", "原文", "说明"),
    "values": ("机关", "级别", "报告编号", "版本"),
    "metrics": ("指标", "单位", "公式", "适用格式", "空白", "不适用", "合计方式", "说明"),
    "history": ("年度", "状态", "发布日期", "期限", "逾期天数", "版本数", "错误", "发布后修改"),
    "profile": ("指标", "单位", "本机关", "排名", "百分位", "P25", "中位数", "P75", "状态"),
    "panel": ("指标", "单位", "本机关", "排名", "P25", "中位数", "P75"),
}
YES: Final = "是"
NO_VALUE: Final = "—"
SUMMARY_ROWS: Final[dict[str, str]] = {
    "agencies": "纳入监测的机关",
    "due": "应发布",
    "on_time": "按时发布",
    "late": "逾期发布",
    "missing": "未发布",
    "not_due": "未到期",
    "unreachable": "网站无法访问",
    "unconfirmed": "网站抓取不完整",
    "changed": "发布后修改",
}
DISTRIBUTION_ROWS: Final[dict[str, str]] = {
    "n": "有数值的机关数",
    "total": "合计/总体",
    "min": "最小值",
    "p25": "P25",
    "p50": "中位数",
    "p75": "P75",
    "max": "最大值",
    "mean": "平均数",
}
SHEETS: Final[dict[str, str]] = {
    "stats": "各机关",
    "distribution": "分布",
    "series": "历年",
    "definition": "指标定义",
}
LEVEL_ORDINALS: Final = "一二三四五六七八九十"
# 行政区划代码 of the provinces (GB/T 2260): a region report on "43" is 湖南省's
PROVINCES: Final[dict[str, str]] = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区", "21": "辽宁省",
    "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省",
    "35": "福建省", "36": "江西省", "37": "山东省", "41": "河南省", "42": "湖北省", "43": "湖南省",
    "44": "广东省", "45": "广西壮族自治区", "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省",
    "53": "云南省", "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}
REGION_CODE: Final = "区划 {code}"


def words(key: str, **values: object) -> str:
    """The sentence `key` filled with `values`."""
    return MESSAGES[key].format(**values)
