"""Publication-date candidates and the effective date (E1 late publication hangs on it).

Sources in order of trust: the date printed on the report page (or given by an operator with
`--published`, which counts as the page), the page's meta tags, the list page's date, a date in the
URL, and last the day we first saw the report. All candidates are kept; the best one is effective.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Final

from store.terms import DATE_SOURCES

# "cli" ranks with "page": an operator states what the page said; placed first so that a correction wins.
SOURCE_RANK: Final = DATE_SOURCES
# Meta tags of the common CMS families that carry the publication time, most specific first.
META_KEYS: Final = ("PubDate", "firstpublishedtime", "Maketime")

_DAY = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
# /202401/t20240120_123.html, /2024-01-20/, /20240120/ — a full date only, never a bare year or month
_URL_DAY = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_/]?(0[1-9]|1[0-2])[-_/]?(0[1-9]|[12]\d|3[01])(?!\d)")


def _day(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_day(text: str) -> dt.date | None:
    """The first real calendar date in `text` (2024-01-20, 2024/1/20, 2024年1月20日)."""
    for match in _DAY.finditer(text):
        found = _day(*match.groups())
        if found is not None:
            return found
    return None


def from_meta(page_meta: Mapping[str, str]) -> dt.date | None:
    for key in META_KEYS:
        found = parse_day(page_meta.get(key) or "")
        if found is not None:
            return found
    return None


def from_url(url: str) -> dt.date | None:
    for match in _URL_DAY.finditer(url):
        found = _day(*match.groups())
        if found is not None:
            return found
    return None


def effective(candidates: Mapping[str, dt.date]) -> tuple[dt.date, str] | None:
    """(date, source) of the most trusted candidate, or None when no source gave a date."""
    for source in SOURCE_RANK:
        if source in candidates:
            return candidates[source], source
    return None
