"""The Chinese name of every id the archive stores, as a supervisor reads it in tables and e-mails.

The ids themselves (store.terms) stay in `--json` output and in databases; everything printed for a
person goes through `name()` so that a level, a status or a date source is always called the same.
"""

from __future__ import annotations

from typing import Final

LEVELS: Final[dict[str, str]] = {
    "province": "省级",
    "city": "市级",
    "county": "县级",
    "township": "乡镇",
    "department": "部门",
}
STATUSES: Final[dict[str, str]] = {
    "on_time": "按时发布",
    "late": "逾期发布",
    "missing": "未发布",
    "not_due": "未到期",
    "unreachable": "网站不可达",
    "unconfirmed": "抓取不完整",
    "inconsistent": "数据有误",
    "changed": "已修改",
}
SEVERITIES: Final[dict[str, str]] = {"error": "错误", "warning": "警告", "info": "提示"}
DATE_SOURCES: Final[dict[str, str]] = {
    "cli": "导入时指定",
    "page": "页面所署日期",
    "meta": "页面元数据",
    "list": "栏目列表日期",
    "url": "网址中的日期",
    "first_seen": "首次发现日期",
}
# whether a found report could be read (a found report is published whatever the answer)
READINGS: Final[dict[str, str]] = {"read": "已读取", "unread": "待读取", "unreadable": "无法读取"}
REVIEW_STATES: Final[dict[str, str]] = {"open": "待核实", "confirmed": "已核实", "dismissed": "已排除"}
ALERT_STATES: Final[dict[str, str]] = {
    "queued": "待发送",
    "sent": "已发送",
    "failed": "发送失败",
    "acknowledged": "已确认",
    "dismissed": "已排除",
}
FORMATS: Final[dict[str, str]] = {"2021": "2021年格式", "2019": "2019年格式（试行）", "legacy": "2019年以前统计表"}
VERSION_KINDS: Final[dict[str, str]] = {
    "first": "首次发现",
    "revised": "发布后修改",
    "reparsed": "重新解析",
    "correction": "人工更正",
}
ROLES: Final[dict[str, str]] = {"admin": "管理员", "editor": "编辑", "viewer": "只读"}
TABLES: Final[dict[str, str]] = {
    "active": "表二",
    "requests": "表三",
    "review_litigation": "表四",
    "legacy_stats": "统计表",
}
# why a page or file could not be read (crawler.failures' kinds; `unfinished`: the crawl did not run to its end)
FAULTS: Final[dict[str, str]] = {
    "timeout": "超时无响应",
    "dns": "域名无法解析",
    "tls": "加密连接失败",
    "connection": "连接中断",
    "http_3xx": "异常跳转",
    "http_4xx": "页面不存在（4xx）",
    "http_5xx": "服务器错误（5xx）",
    "challenge_412": "反爬验证（412）",
    "challenge_js": "反爬验证（脚本）",
    "soft_404": "页面不存在（软404）",
    "redirect_loop": "循环跳转",
    "oversized": "文件过大",
    "truncated": "内容不完整",
    "garbled": "乱码无法解读",
    "robots": "robots.txt 禁止抓取",
    "offsite": "站外地址（已拒绝）",
    "private_address": "内网或本机地址（已拒绝）",
    "other": "其他错误",
    "unfinished": "抓取未完成",
}
# which check showed a body cut short (crawler.integrity)
CUTS: Final[dict[str, str]] = {
    "short_body": "实收字节少于 Content-Length",
    "pdf_trailer": "PDF 缺少结尾（%%EOF/xref）",
    "zip_directory": "Word/Excel 文件缺少中央目录",
    "png_end": "PNG 图片缺少结束块",
    "jpeg_end": "JPEG 图片缺少结束标记",
    "html_table": "网页在表格中途截断",
}
# the columns of compliance rows in CSV, XLSX and terminal tables (JSON keeps the keys)
FIELDS: Final[dict[str, str]] = {
    "agency": "单位",
    "level": "层级",
    "region": "区划代码",
    "year": "年度",
    "status": "状态",
    "deadline": "截止日期",
    "published": "发布日期",
    "days_late": "逾期天数",
    "errors": "错误",
    "warnings": "警告",
    "flags": "标记",
    "versions": "版本数",
    "url": "网址",
    "report_id": "报告编号",
    "evidence": "抓取依据",
}
UNKNOWN: Final = "未识别"
# distributed mode's queues and the jobs in them (jobs/)
QUEUES: Final = {"crawl": "抓取", "parse": "解析入库", "ocr": "图片识别"}

_VOCABULARIES: Final[dict[str, dict[str, str]]] = {
    "level": LEVELS,
    "status": STATUSES,
    "severity": SEVERITIES,
    "date_source": DATE_SOURCES,
    "review_state": REVIEW_STATES,
    "reading": READINGS,
    "alert_state": ALERT_STATES,
    "format": FORMATS,
    "version_kind": VERSION_KINDS,
    "role": ROLES,
    "table": TABLES,
    "fault": FAULTS,
    "cut": CUTS,
    "queue": QUEUES,
}


def name(vocabulary: str, key: str | None) -> str:
    """The Chinese name of `key` in `vocabulary` (`name("level", "county")` → 县级); 未识别 for none."""
    if key is None or key == "":
        return UNKNOWN
    return _VOCABULARIES[vocabulary].get(key, key)


def fault(kind: str, detail: str = "") -> str:
    """A crawl fault as a person reads it: its kind, and for a body cut short the check that showed it."""
    if kind == "truncated" and detail in CUTS:
        return f"{FAULTS[kind]}：{CUTS[detail]}"
    return name("fault", kind)
