"""The one catalogue of what the monitor tells people, in Chinese: titles, subjects, table wording.

Templates and code take every user-facing Chinese string from here, so that wording is reviewed in
one place and a digest, its subject and `xxgk alerts list` always name a thing the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

SUBJECT_PREFIX: Final = "【政务公开监测】"

# What each kind of alert is called: a digest section heading, and the `alerts list` column.
TITLES: Final[dict[str, str]] = {
    "missing_report": "未按期发布年度报告",
    "late_report": "逾期发布年度报告",
    "inconsistent_report": "年度报告数据不一致",
    "changed_after_publication": "年度报告发布后被修改",
    "unreadable_report": "年度报告无法读取，需人工查看",
    "unregistered_agency": "报告署名不在登记表中",
    "portal_unreachable": "网站无法访问",
    "spider_no_reports": "网站不再找到年度报告",
    "spider_challenge": "网站出现反爬虫验证",
    "crawl_failed": "抓取进程未正常结束",
}

# A subject counts agencies, the current report year first: “2025年度：3个单位未发布，2个单位逾期发布；
# 往年：5个单位未发布”; then what the staff must see (“2个网站无法访问”). Parts in the order of TITLES.
SUBJECT_PARTS: Final[dict[str, str]] = {
    "missing_report": "{n}个单位未发布",
    "late_report": "{n}个单位逾期发布",
    "inconsistent_report": "{n}个单位数据有误",
    "changed_after_publication": "{n}个单位发布后修改",
    "unreadable_report": "{n}份年度报告无法读取",
    "unregistered_agency": "{n}个报告署名不在登记表中",
    "portal_unreachable": "{n}个网站无法访问",
    "spider_no_reports": "{n}个网站不再找到年度报告",
    "spider_challenge": "{n}个网站出现反爬虫验证",
    "crawl_failed": "{n}个网站抓取失败",
}
SUBJECT_JOIN: Final = "，"
SUBJECT_YEAR: Final = "{year}年度：{parts}"
SUBJECT_HISTORY: Final = "往年：{parts}"
SUBJECT_GROUPS: Final = "；"
SUBJECT_AS_OF: Final = "（截至{month}月{day}日）"
SUBJECT_REMINDER: Final = "【提醒】"

# One line per alert in the digest's table: what happened, with the numbers that matter.
DETAILS: Final[dict[str, str]] = {
    "missing_report": "截止日期{deadline}，已过{days}天，网站上仍未找到",
    "late_report": "{published}发布，逾期{days}天",
    "inconsistent_report": "{n}处数据不一致",
    "changed_after_publication": "{changed_on}发现新版本：{what}",
    "unreadable_report": "报告已发布，但{reason}，系统读不出其内容，请人工查看原文",
    "unregistered_agency": (
        "网站上有{reports}份年度报告署名“{name}”，登记表中该网站没有叫这个名字的单位；"
        "请在登记表中为对应单位添加别名（aliases）或登记该单位，下次抓取即按该单位归档"
    ),
    "portal_unreachable": "自{since}起连续{n}次抓取失败（{kinds}）",
    "spider_no_reports": "此前找到{before}个年报链接，自{since}起连续{n}次抓取一个也没有找到",
    "spider_challenge": "自{since}起连续{n}次遇到验证页面（{kinds}），此前没有",
    "crawl_failed": "自{since}起连续{n}次抓取进程超时或出错，未正常结束，请查看抓取日志",
}
CHANGE_PARTS: Final = {"cells": "{n}个单元格", "text": "{n}段文字", "fields": "{names}"}
CHANGE_NOTHING: Final = "内容有变化"
CHANGE_FIELDS: Final[dict[str, str]] = {
    "agency": "单位名称", "year": "年度", "format": "格式", "title": "标题", "sections": "章节",
}
# narrative parts that are not one of the six template sections (catalogue.findings names those)
SECTION_NAMES: Final[dict[str, str]] = {"preamble": "开头（编制依据和统计期限）"}
REMINDER: Final = "第{n}次提醒"
PUBLISHED_UNKNOWN: Final = "发布日期不详"
LIST_SEPARATOR: Final = "、"
# why a found report could not be read (store.models.Report.reading_note), as a person reads it
READING_NOTES: Final[dict[str, str]] = {
    "image": "为图片版，尚未完成文字识别",
    "pages replaced": "为图片版，其页面图片已更换，待重新识别",
    "no report text or tables found in the document": "文件中找不到报告的文字和表格",
}
READING_NOTE_OTHER: Final = "文件无法读取（{note}）"

# The current year's sections of a supervisor's digest.
YEAR_TITLES: Final[dict[str, str]] = {
    "missing_report": "{year}年度报告未按期发布",
    "late_report": "{year}年度报告逾期发布",
    "inconsistent_report": "{year}年度报告数据有误",
    "changed_after_publication": "{year}年度报告发布后被修改",
}

# The history of a supervisor's agencies, one line per agency: “某局：2016、2017年度未发布；2018年度逾期发布”.
HISTORY_KINDS: Final[dict[str, str]] = {
    "missing_report": "{years}年度未发布",
    "late_report": "{years}年度逾期发布",
    "inconsistent_report": "{years}年度数据有误",
    "changed_after_publication": "{years}年度发布后被修改",
}
HISTORY_JOIN: Final = "；"

# The digest around the table.
DIGEST: Final[dict[str, str]] = {
    "greeting": "{name}：",
    "greeting_supervisor": "您好：",
    "greeting_staff": "运维负责同志：",
    "intro": "截至{as_of}，政务公开监测发现以下需要关注的情况：",
    "history_section": "往年情况（每个单位一行）",
    "action": "核实处理",
    "findings_more": "另有{n}处，见监测平台",
    "agency": "单位", "portal": "网站", "year": "年度", "what": "情况", "link": "链接",
    "open_link": "查看", "column_link": "年报栏目",
    "cell": "单元格", "old": "原值", "new": "现值", "removed": "删除", "added": "新增",
    "alert_id": "编号",
    "footer": "本邮件由政务公开监测系统自动发送。",
    "footer_dashboard": "可在监测平台（{url}）查看详情，在“预警”中逐条确认或排除，此后不再提醒。",
    "footer_reply": "如某条情况已核实或无需处理，请直接回复本邮件（{address}）并注明编号，此后不再提醒。",
    "cadence.immediate": "即时通知", "cadence.daily": "每日汇总", "cadence.weekly": "每周汇总",
}

# Failure kinds of the crawler (crawler.failures), as an operator reads them.
FAILURE_KINDS: Final[dict[str, str]] = {
    "timeout": "超时", "dns": "域名解析失败", "tls": "证书错误", "connection": "连接失败",
    "http_3xx": "异常跳转", "http_4xx": "HTTP 4xx", "http_5xx": "服务器错误", "challenge_412": "412验证页面",
    "challenge_js": "JS验证页面", "soft_404": "页面不存在", "redirect_loop": "循环跳转", "oversized": "页面过大",
    "truncated": "传输中断", "robots": "robots.txt禁止", "offsite": "站外地址（已拒绝）",
    "private_address": "内网或本机地址（已拒绝）", "other": "其他错误", "crawl_failed": "抓取进程失败",
}


def chinese_date(day: dt.date) -> str:
    """`2026年3月31日`: how a date reads in a sentence."""
    return f"{day.year}年{day.month}月{day.day}日"


def years_text(years: set[int]) -> str:
    return LIST_SEPARATOR.join(str(y) for y in sorted(years))


def failure_kinds(kinds: list[str]) -> str:
    return LIST_SEPARATOR.join(FAILURE_KINDS.get(k, k) for k in kinds)


# `xxgk alerts list` and `xxgk monitor --once`, for people (errors stay in English on stderr, like every command).
STATES: Final[dict[str, str]] = {
    "queued": "待发送", "sent": "已发送", "failed": "发送失败", "acknowledged": "已确认", "dismissed": "已忽略",
}
LIST_TITLE: Final = "告警发件箱"
LIST_COLUMNS: Final = ("编号", "类型", "状态", "单位或网站", "年度", "收件人", "失败次数", "最近错误")
ONCE_SUMMARY: Final = "{as_of}：抓取{crawled}个网站；新告警{queued}条{kinds}；提醒{reminders}条；发出邮件{digests}封"
ONCE_BACKLOG: Final = "；图片版报告文字识别：本次读出{read}份，无法读取{unreadable}份，尚待识别{left}份"
ONCE_KINDS: Final = "（{parts}）"
ONCE_KIND: Final = "{title}{n}条"
