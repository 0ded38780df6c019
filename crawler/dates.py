"""Publication date candidates of a report page, all kept, in the order we trust them.

Order (portals.md §4.4): page 发布日期/发布时间 → `<meta name="PubDate">` → list-page date → URL date
→ first seen. 成文日期 is the signing date, not the publication date, and is never taken.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from extract.normalize import nfkc

SOURCES = ("page", "meta", "list", "url", "first_seen")

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_CN_NUM = "[一二三四五六七八九十]{1,3}"
_CN_DATE = re.compile(rf"([〇零○O一二三四五六七八九]{{4}})年({_CN_NUM})月({_CN_NUM})日")
_PAGE_LABEL = re.compile(r"(?<!成文)(?<!生成)(?:发布日期|发布时间|公开日期|发文日期|更新时间|时间|日期)\s*[:：]?\s*")
_URL_PATTERNS = (
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+"),               # TRS t20240117_4405804
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/art_"),     # Hanweb /art/2024/1/16/art_
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})\d{6}\d{5}/"),         # 19-digit timestamp ids
    re.compile(r"/((?:19|20)\d{2})-(\d{2})-(\d{2})/"),                 # old CMS /2013-01-25/
)
_META_NAMES = ("PubDate", "firstpublishedtime", "Maketime")


@dataclass(frozen=True, slots=True)
class DateCandidate:
    source: str
    date: dt.date
    raw: str


def _cn_number(text: str) -> int:
    if len(text) == 4:  # 二〇二四
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGITS[text[1]]
    if text.endswith("十"):
        return 10 * _CN_DIGITS[text[0]]
    if "十" in text:
        return 10 * _CN_DIGITS[text[0]] + _CN_DIGITS[text[2]]
    return _CN_DIGITS[text]


def _date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def parse_date(text: str) -> dt.date | None:
    """The first date in a string: `2024-01-17 09:30`, `2024年1月17日`, `二〇二四年一月十七日`, `2024.01.17`."""
    text = nfkc(text)
    if m := _DATE.search(text):
        return _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _CN_DATE.search(text):
        return _date(*(_cn_number(g) for g in m.groups()))
    return None


def from_page_text(text: str) -> list[DateCandidate]:
    """`发布日期：2024-01-17`, `发布时间:2024-01-19 11:04`, `时间:2024-01-31` — not 成文日期."""
    out = []
    for m in _PAGE_LABEL.finditer(nfkc(text)):
        tail = text[m.end(): m.end() + 24]
        d = parse_date(tail) if _DATE.match(nfkc(tail)) or _CN_DATE.match(tail) else None
        if d:
            out.append(DateCandidate("page", d, (m.group(0) + tail).strip()))
    return out


def from_meta(meta: Mapping[str, str]) -> list[DateCandidate]:
    return [DateCandidate("meta", d, f"{n}={meta[n]}") for n in _META_NAMES if n in meta and (d := parse_date(meta[n]))]


def from_url(url: str) -> list[DateCandidate]:
    for pattern in _URL_PATTERNS:
        if m := pattern.search(url):
            d = _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if d:
                return [DateCandidate("url", d, m.group(0))]
    return []


def candidates(
    *, page_text: str = "", meta: Mapping[str, str] | None = None, list_date: str | None = None,
    url: str = "", first_seen: dt.date | None = None,
) -> list[DateCandidate]:
    """Every publication-date candidate we can find, in trust order (duplicates within a source dropped)."""
    found: list[DateCandidate] = [*from_page_text(page_text[:20000]), *from_meta(meta or {})]
    if list_date and (d := parse_date(list_date)):
        found.append(DateCandidate("list", d, list_date))
    found += from_url(url)
    if first_seen:
        found.append(DateCandidate("first_seen", first_seen, first_seen.isoformat()))
    seen: set[tuple[str, dt.date]] = set()
    unique = []
    for c in found:
        if (c.source, c.date) not in seen:
            seen.add((c.source, c.date))
            unique.append(c)
    return unique


def effective(found: Iterable[DateCandidate]) -> DateCandidate | None:
    """The candidate we report as 'published': the most trusted source, its first date."""
    by_source = {c.source: c for c in reversed(list(found))}
    return next((by_source[s] for s in SOURCES if s in by_source), None)
