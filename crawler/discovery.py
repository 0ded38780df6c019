"""Finding the annual-report column when the registry names none (portals.md §1.1).

Links are scored by their title (年报, 年度报告, 政府信息公开) and slug (nb, ndbg, xxgknb); the common
column paths are probed. Opaque column ids cannot be guessed: those portals need `columns:` in YAML.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlsplit

from crawler.adapters.base import Link

PROBE_PATHS: Final = (
    "/zfxxgk/zfxxgknb/", "/xxgk/xxgknb/", "/zwgk/zfxxgk/zfxxgknb/", "/zwgk/zfxxgknb/", "/zfxxgk/zfxxgkndbg/",
    "/xxgk/zfxxgkndbg/", "/zwgk/xxgknb/", "/gknb/", "/zfxxgknb/",
)
_TITLE_SCORES: Final = (
    (re.compile(r"政府信息公开(?:工作)?年(?:度)?报|信息公开年报|公开年报"), 10),
    (re.compile(r"年度报告|年报"), 6),
    (re.compile(r"政府信息公开|信息公开目录|政务公开|法定主动公开"), 3),
)
_SLUG_SCORES: Final = (
    (re.compile(r"(?:zfxxgk|xxgk)nb|zfxxgkndbg|xxgkndbg|gknb"), 8),
    (re.compile(r"(?:^|[/_-])(?:nb|ndbg)(?:[/_.-]|$)"), 5),
    (re.compile(r"zfxxgk|xxgk|zwgk|gkml"), 2),
)
_NOT_A_COLUMN: Final = re.compile(r"解读|要点|预决算|通知|公告")


def score_link(link: Link) -> int:
    """How likely a link on a home or hub page leads to the annual-report column."""
    if _NOT_A_COLUMN.search(link.title):
        return 0
    path = urlsplit(link.url).path.lower()
    score = next((s for rx, s in _TITLE_SCORES if rx.search(link.title)), 0)
    score += next((s for rx, s in _SLUG_SCORES if rx.search(path)), 0)
    return score
