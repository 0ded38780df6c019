"""Who published the report, for which year, and which of the six sections it has."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from extract.labels import tolerant
from extract.normalize import squash
from extract.schema import SECTIONS

_KEYWORD = r"(?:政府信息公开|政务信息公开|政务公开|信息公开)"
_TAIL = r"(?:[工作年度报告]{0,8}?(?:报告|年报)|工作[告年度报]{2,6})"
# `湘乡市民政局2024年政府信息公开工作年度报告`, garbled `…2023年政府信息公开工作告年度报`
_TITLE_ORG_FIRST = re.compile(rf"(?P<org>[^\d,。:;!?]{{2,40}}?)(?P<year>(?:19|20)\d{{2}})年度?{_KEYWORD}{_TAIL}")
# `2025年楠木坪镇政府信息公开工作年度报告`
_TITLE_YEAR_FIRST = re.compile(rf"(?P<year>(?:19|20)\d{{2}})年度?(?P<org>[^\d,。:;!?]{{2,40}}?){_KEYWORD}{_TAIL}")
_ORG_JUNK = re.compile(r"^(?:关于|印发|发布|公布|转发|[(\[【].*?[)\]】])+|[的之]$")
# an organ's name ends like one: `…局`, `…人民政府`, `…镇`; `做好`, `政府` alone are not names
_ORG_END = re.compile(
    r"(?:局|委|办|厅|院|中心|政府|镇|乡|街道|县|市|区|州|盟|旗|省|办公室|委员会|处|所|馆|署|队|站|室|会)$"
)

_SECTION_HEAD = re.compile(r"^(?P<num>[一二三四五六七八九十]{1,3})\s*[、.]\s*")
HEADING_MAX = 48  # a heading line; longer lines are a heading with its first paragraph run on
_SECTION_KEYS = (
    ("overview", re.compile(r"^(?:总体情况|概述|总体)")),
    ("active", re.compile(r"主动公开")),
    ("requests", re.compile(r"收到和处理|依申请公开")),
    ("review_litigation", re.compile(tolerant("行政复议", "行政诉讼"))),
    ("problems", re.compile(r"存在的主要问题|主要问题|问题及改进|改进情况|存在问题")),
    ("other", re.compile(r"其他需要报告|其他事项")),
)

# characters that occur in running text but (almost) never inside a place name
_NOT_PLACE = "按照据于我的与及在对向由将为是了等其此该各年月日这那们把被从给让使以也都要有局委"
_PLACE = rf"(?:(?:(?![{_NOT_PLACE}])[\u4e00-\u9fff]){{2,9}}?(?:省|自治区|市|自治州|地区|盟|县|自治县|区|旗))"
# organs that stand alone after a place (`XX县人民政府`) and those that need a field (`XX市民政局`)
_GOVERNMENT = r"(?:人民政府办公厅|人民政府办公室|人民政府|政府办公室)"
_OFFICE = r"(?:委员会|办公室|局|厅|委|院|中心|馆|所|署|处)"
_AGENCY = re.compile(
    rf"(?:^|(?<=[\s,。:;、“”()年度]))(?P<org>{_PLACE}{{1,3}}(?:{_GOVERNMENT}|(?:人民政府)?[\u4e00-\u9fff]{{1,12}}?{_OFFICE})"
    rf"|[\u4e00-\u9fff]{{2,6}}?(?:镇|乡|街道办事处|街道)(?:人民政府)?)"
)
_NOT_AGENCY_AFTER = re.compile(r"^(?:网站|网|门户|公众号|微信|微博|官网|平台|APP|客户端|报)")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_PERIOD = re.compile(r"统计期限[^。]{0,6}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")


@dataclass(slots=True)
class Meta:
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    title_year: int | None = None
    sections: dict[str, bool] = field(default_factory=dict)
    section_order: list[str] = field(default_factory=list)
    section_numbers: dict[str, str] = field(default_factory=dict)
    narrative: dict[str, str] = field(default_factory=dict)
    period_years: list[int] = field(default_factory=list)
    body_years: list[int] = field(default_factory=list)


def match_title(text: str) -> tuple[str | None, int] | None:
    """(agency or None, year) from a title-like string, in either word order."""
    s = squash(text)[:200]
    for rx in (_TITLE_ORG_FIRST, _TITLE_YEAR_FIRST):
        m = rx.search(s)
        if m:
            org = _ORG_JUNK.sub("", m.group("org")).strip() or None
            if org and (org == "政府" or not _ORG_END.search(org) or not re.search(r"[\u4e00-\u9fff]{2}", org)):
                org = None
            return org, int(m.group("year"))
    return None


def section_of(line: str) -> tuple[str, str, str] | None:
    """(section key, printed ordinal, rest of the line) when a line opens one of the six sections."""
    m = _SECTION_HEAD.match(line)
    if not m:
        return None
    remainder = line[m.end():]
    # a heading with its paragraph run on must name the section at once
    title = squash(remainder if len(remainder) <= HEADING_MAX else remainder[:20])
    for key, rx in _SECTION_KEYS:
        if rx.search(title):
            rest = "" if len(remainder) <= HEADING_MAX else remainder
            return key, m.group("num"), rest.strip(" :：")
    return None


def _agency_from_body(prose: Sequence[str]) -> str | None:
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    pos = 0
    for line in prose:
        for m in _AGENCY.finditer(line):
            org = m.group("org")
            if _NOT_AGENCY_AFTER.match(line[m.end():]) or "网" in org:
                continue
            counts[org] += 1
            first.setdefault(org, pos + m.start())
        pos += len(line) + 1
    if not counts:
        return None
    return max(counts, key=lambda o: (counts[o], -first[o]))


def _years(texts: Sequence[str]) -> list[int]:
    counts: Counter[int] = Counter()
    order: dict[int, int] = {}
    for text in texts:
        for m in _YEAR.finditer(text):
            y = int(m.group(1))
            counts[y] += 1
            order.setdefault(y, len(order))
    return sorted(counts, key=lambda y: (-counts[y], order[y]))


def read_meta(prose: Sequence[str], title_candidates: Sequence[str]) -> Meta:
    meta = Meta()
    # sections and the narrative under each heading
    current = "preamble"
    texts: dict[str, list[str]] = {"preamble": []}
    for line in prose:
        sec = section_of(line)
        if sec and sec[0] not in meta.sections:
            key, num, rest = sec
            meta.sections[key] = True
            meta.section_order.append(key)
            meta.section_numbers[key] = num
            current = key
            texts.setdefault(key, [])
            if rest:
                texts[key].append(rest)
            continue
        texts.setdefault(current, []).append(line)
    meta.narrative = {k: "\n".join(v) for k, v in texts.items() if v}
    meta.sections = {k: k in meta.sections for k in SECTIONS}

    # title: page metadata first, then the first short lines before the first heading
    head_lines = [ln for ln in texts.get("preamble", [])[:4] if len(ln) <= 60]
    candidates = [*title_candidates, *head_lines, "".join(head_lines[:3])]
    for cand in candidates:
        got = match_title(cand)
        if got:
            meta.title = cand
            meta.agency, meta.title_year = got
            break
    joined = "\n".join(prose)
    meta.period_years = [int(y) for y in _PERIOD.findall(squash(joined))]
    meta.body_years = _years([meta.narrative.get("preamble", ""), meta.narrative.get("overview", "")])
    meta.body_years = meta.body_years or _years(prose)
    meta.year = meta.title_year or (meta.period_years[0] if meta.period_years else None) or (
        meta.body_years[0] if meta.body_years else None
    )
    if meta.agency is None:
        meta.agency = _agency_from_body(prose)
    return meta
