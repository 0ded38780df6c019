"""Shared test helpers: the seeds, their gold records and how a record is compared to gold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))
GOLD = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((FIXTURES / "gold").glob("*.json"))}


def spec_fields(gold: dict[str, Any]) -> dict[str, Any]:
    """The fields of docs/record.md that a gold file fixes (its findings are the validator's)."""
    return {k: v for k, v in gold.items() if k != "expected_findings"}


def assert_matches(record: dict[str, Any], expected: dict[str, Any]) -> None:
    want = spec_fields(expected)
    got = {k: record.get(k, "<absent>") for k in want}
    assert got == want


@pytest.fixture(params=sorted(GOLD), ids=sorted(GOLD))
def seed_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)
