"""Render → parse is the identity on the spec fields, for every layout of every record.

The gold records and random valid records (every format, some blank cells) are
rendered in each layout of `sim.render.LAYOUTS` and parsed back with
`extract.parse.parse_bytes`; the record must come back field for field.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from conftest import GOLD, spec_fields
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.parse import parse_bytes
from extract.schema import SPEC_KEYS
from sim.render import EXTENSIONS, FORMATS, LAYOUTS, random_record


def roundtrip(record: dict[str, Any], layout: str) -> dict[str, Any]:
    return parse_bytes(LAYOUTS[layout](record), name=f"x.{EXTENSIONS[layout]}")


def expected(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record[k] for k in SPEC_KEYS if k in record}


def assert_same(record: dict[str, Any], want: dict[str, Any]) -> None:
    got = {k: record.get(k, "<absent>") for k in want}
    assert got == want


@pytest.mark.parametrize("name", sorted(GOLD))
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_gold_roundtrips(layout: str, name: str) -> None:
    gold = GOLD[name]
    assert_same(roundtrip(gold, layout), spec_fields(gold))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.randoms(use_true_random=False),
    st.sampled_from(FORMATS),
    st.sampled_from(sorted(LAYOUTS)),
    st.sampled_from((0.0, 0.0, 0.05)),
)
def test_random_records_roundtrip(rng: random.Random, fmt: str, layout: str, blanks: float) -> None:
    record = random_record(rng, fmt=fmt, blanks=blanks)
    assert_same(roundtrip(record, layout), expected(record))
