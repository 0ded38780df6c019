"""Records shaped like the parser's output, for the validator's tests and benchmark.

The gold files hold the tables; the seed texts give the narrative, split at the section headings
the way the parser does (NFKC-normalised), so the text↔table rules meet real report prose.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
GOLD = sorted((FIXTURES / "gold").glob("*.json"))

_HEADING = re.compile(r"^\s*([一二三四五六七八九十]+)、(.*)$", re.MULTILINE)
# legacy reports name their sections freely: classify a heading by its words
_KEYS = (
    ("依申请", "requests"),
    ("申请情况", "requests"),
    ("复议", "review_litigation"),
    ("主动公开", "active"),
    ("问题", "problems"),
    ("其他", "other"),
)


def load(path: Path) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    record.pop("expected_findings", None)
    return record


def narrative(text: str) -> dict[str, str]:
    text = unicodedata.normalize("NFKC", text)
    marks = list(_HEADING.finditer(text))
    out = {"preamble": text[: marks[0].start()]} if marks else {"preamble": text}
    for i, mark in enumerate(marks):
        body = text[mark.end() : marks[i + 1].start() if i + 1 < len(marks) else len(text)]
        key = next((k for word, k in _KEYS if word in mark.group(2)), "overview")
        out[key] = out.get(key, "") + body
    return out


def parsed(path: Path) -> dict[str, Any]:
    """The gold record of a seed plus what the parser adds: title, narrative, diagnostics."""
    record = load(path)
    text = (FIXTURES / "seeds" / f"{path.stem}.txt").read_text(encoding="utf-8")
    record["narrative"] = narrative(text)
    record["title"] = f"{record.get('agency') or ''}{record['year']}年政府信息公开工作年度报告"
    record["parse"] = {"title_year": record["year"], "body_years": [record["year"]]}
    return record
