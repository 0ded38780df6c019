"""The gold records (../shared/gold, copied into tests/fixtures/gold): real report tables as content.

Five real reports, one of them with real arithmetic errors and blank cells, give the world
content no generator invented. The world works without them (a checkout without the fixtures
gets random records only); with them it is deterministic for the files present.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Final

from extract.schema import Record

_ROOT: Final = Path(__file__).resolve().parents[1]
GOLD_DIRS: Final = (_ROOT / "tests" / "fixtures" / "gold", _ROOT.parent / "shared" / "gold")


@cache
def records() -> dict[str, Record]:
    """Gold records by file stem, without their `expected_findings` (the validator's business)."""
    for folder in GOLD_DIRS:
        files = sorted(folder.glob("*.json"))
        if files:
            return {
                f.stem: {k: v for k, v in json.loads(f.read_text(encoding="utf-8")).items() if k != "expected_findings"}
                for f in files
            }
    return {}


def formats() -> dict[str, str]:
    """Gold record name → the template its tables follow."""
    return {name: str(record["format"]) for name, record in records().items()}
