"""Fuzzing decode → parse → validate, at the suite's size: every mutation of `sim.hostile` applied
to the corpus (seeds, gold records in several layouts, every real-world form, a DOCX, the real
reports beside the repository) ends in a record the validator can check, or in one line of
`UnreadableInputError` — never in another exception. The time and memory of each input are
measured by `make fuzz` (100,000 inputs, bench/fuzz_parse.py), not asserted here."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.errors import UnreadableInputError
from extract.parse import parse_bytes
from sim.hostile import MUTATIONS, corpus, mutate
from validate import validate

ROOT = Path(__file__).resolve().parent.parent
CORPUS = corpus(ROOT)


def read_or_refuse(data: bytes, name: str) -> str:
    """How one input ends: "record" (validated) or the refusal's key, its message one line."""
    try:
        record = parse_bytes(data, name=name)
    except UnreadableInputError as exc:
        message, key = str(exc), exc.key
    else:
        validate(record)
        return "record"
    assert message
    assert "\n" not in message
    return key


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CORPUS), st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=3),
       st.randoms(use_true_random=False))
def test_any_mutation_of_any_report_is_a_record_or_one_line(
        item: tuple[str, bytes], names: list[str], rng: random.Random) -> None:
    name, data = item
    for mutation in names:
        data = MUTATIONS[mutation](data, rng)
    read_or_refuse(data, name)


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_each_mutation_keeps_to_the_contract(mutation: str) -> None:
    rng = random.Random(mutation)
    for name, data in rng.sample(CORPUS, 3):
        read_or_refuse(MUTATIONS[mutation](data, rng), name)


def test_an_input_is_reproduced_from_its_number() -> None:
    assert mutate(CORPUS[0][1], 1234) == mutate(CORPUS[0][1], 1234)
    assert mutate(CORPUS[0][1], 1234) != mutate(CORPUS[0][1], 1235)


def test_the_fuzz_run_reports_its_inputs_and_their_worst_cases() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "fuzz_parse.py"), "--inputs", "12", "--jobs", "1"],
        capture_output=True, text=True, timeout=600, check=False, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.stdout.startswith("12 inputs in "), result.stdout + result.stderr
    assert "unhandled exceptions and hangs: 0\n" in result.stdout
    assert "worst time:  #" in result.stdout
    assert "peak memory: #" in result.stdout
