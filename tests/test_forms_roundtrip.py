"""Render → degrade → parse, for every real-world form of every record (sim.render.FORMS).

The parser must return the record, or the record with exactly its ambiguous cells marked
uncertain and the true value among their candidates: never a silent wrong value. Run-together
digits leave some cuts open (a row of 表二 has no sum to check it); that is allowed, a wrong value
that is not marked is not.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from conftest import GOLD, spec_fields
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.parse import parse_bytes
from sim.render import FORM_REGISTRY, FORMATS, FORMS, random_record
from sim.render.forms import annotated, silent_errors

EXTENSION = {form.name: form.ext for form in FORM_REGISTRY}


def read(record: dict[str, Any], form: str) -> dict[str, Any]:
    return parse_bytes(FORMS[form](record), name=f"report.{EXTENSION[form]}")


@pytest.mark.parametrize("name", sorted(GOLD))
@pytest.mark.parametrize("form", sorted(FORMS))
def test_gold_reads_back_from_every_form(form: str, name: str) -> None:
    record = spec_fields(GOLD[name])
    assert silent_errors(record, read(record, form)) == []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.randoms(use_true_random=False),
    st.sampled_from(FORMATS),
    st.sampled_from(sorted(FORMS)),
    st.sampled_from((0.0, 0.0, 0.05)),
)
def test_random_records_read_back_or_say_what_is_uncertain(
    rng: random.Random, fmt: str, form: str, blanks: float,
) -> None:
    record = random_record(rng, fmt=fmt, blanks=blanks)
    assert silent_errors(record, read(record, form)) == []


@pytest.mark.parametrize("seed", range(6))
def test_annotated_cells_keep_their_notes(seed: int) -> None:
    record = random_record(random.Random(seed), fmt="2021")
    want = annotated(record)
    got = read(record, "annotated")
    assert silent_errors(want, got) == []
    for key, note in (want.get("parse") or {}).get("notes", {}).items():
        assert got["parse"]["notes"][key] == note


def test_page_text_keeps_the_archive_header_out_of_the_report() -> None:
    record = random_record(random.Random(3), fmt="2021")
    text = FORMS["page_text"](record).decode()
    assert text.count("\n") <= 9  # the header block, then the whole body on one line
    got = read(record, "page_text")
    assert silent_errors(record, got) == []
    if text.startswith("标题:"):
        assert got["source"]["page_meta"]["PubDate"] == text.split("\n")[1].split(": ", 1)[1]


@pytest.mark.parametrize("form", sorted(FORMS))
def test_forms_are_deterministic(form: str) -> None:
    record = random_record(random.Random(5), fmt="2021")
    assert FORMS[form](record) == FORMS[form](record)


def test_page_text_runs_the_cells_of_a_row_together() -> None:
    record = random_record(random.Random(3), fmt="2021")
    body = FORMS["page_text"](record).decode().rsplit("\n", 2)[-2]
    row = "".join(str(v) for v in record["requests"]["new"].values())
    assert f"一、本年新收政府信息公开申请数量{row}" in body
