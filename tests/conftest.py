"""Shared test helpers: the seeds, their gold records and how a record is compared to gold; and the guard
that keeps every crawl a test starts on its portals."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
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


@pytest.fixture(scope="session", autouse=True)
def crawls_stay_on_their_portals(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every crawl child of the session runs with tests/crawl_settings.py: the probe on the wire refuses, and
    writes down, any request to a host no portal of the crawl names or to an address off loopback, and its
    resolver looks up no outside name. The session fails if anything was written down."""
    outside = tmp_path_factory.mktemp("probe") / "outside.txt"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCRAPY_SETTINGS_MODULE", "crawl_settings")
        mp.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(TESTS), os.environ.get("PYTHONPATH")) if p))
        mp.setenv("XXGK_PROBE_OUTSIDE", str(outside))
        yield
    left = outside.read_text(encoding="utf-8") if outside.exists() else ""
    assert left == "", f"a crawl asked for what is not its portals':\n{left}"
