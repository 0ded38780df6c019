"""Is a link title an annual report? Year and agency from the title; decoys rejected with a reason.

Real titles vary (format-spec §6): year first or last, 年度, garbled `工作告年度报`, stray spaces and
line breaks, `（图片版）`. Decoys that share the words — 解读, 工作要点, 预决算, notices about compiling
the report — must never be stored as reports.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from extract.meta import match_title
from extract.normalize import nfkc, squash

_DECOYS = (
    ("interpretation", re.compile(r"解读|图解|答记者问|问答|一图读懂|解析")),
    ("work_plan", re.compile(r"工作要点|要点|工作方案|工作计划|实施方案|任务分工")),
    ("budget", re.compile(r"预算|决算|预决算|三公经费")),
    ("notice", re.compile(r"通知|通告|公告|征求意见|函$|关于(?:做好|开展|报送|编制|印发)")),
    ("evaluation", re.compile(r"评估|考核|测评|通报|检查|排名")),
    ("guide", re.compile(r"指南|目录|制度|办法|规定")),
)


@dataclass(frozen=True, slots=True)
class TitleVerdict:
    is_report: bool
    year: int | None = None
    agency: str | None = None  # the organ the title names, when it reads as one
    reason: str = ""
    # the words where a title names its organ, when they do not read as an organ's name (`泰州市司法扃`, a
    # misread 局): the registry may still know whose they are (crawler.agencies.resolve)
    named: str | None = None


# where the organ stands: before the year, or between the year and the report's name
_ORG_SLOT = (re.compile(r"^(?P<org>[^0-9]{2,30}?)(?:19|20)[0-9]{2}\s*年"),
             re.compile(r"^(?:19|20)[0-9]{2}\s*年度?(?P<org>[^0-9]{2,30}?)(?:政府信息公开|政务公开|信息公开)"))


_MIN_NAMED = 4  # characters: fewer are no organ's name (`政府` in `2023年政府信息公开工作年度报告`)


def _named(text: str) -> str | None:
    for pattern in _ORG_SLOT:
        m = pattern.search(text)
        if m and len(m.group("org")) >= _MIN_NAMED:
            return m.group("org")
    return None


@functools.lru_cache(maxsize=1 << 16)  # a list page's titles are judged up to three times, re-crawls see them again
def classify_title(title: str) -> TitleVerdict:
    """Accept a 政府信息公开工作年度报告 title; say why anything else is not one."""
    text = squash(nfkc(title))
    if not text:
        return TitleVerdict(is_report=False, reason="empty title")
    got = match_title(text)
    if got is None:
        return TitleVerdict(is_report=False, reason="no year + 信息公开…年度报告 in the title")
    agency, year = got
    for kind, pattern in _DECOYS:
        if pattern.search(text):
            return TitleVerdict(is_report=False, year=year, agency=agency, reason=f"decoy: {kind}")
    named = agency or _named(text)
    return TitleVerdict(is_report=True, year=year, agency=agency, reason="annual report title", named=named)
