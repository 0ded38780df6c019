"""Run-together cells are cut by the template arithmetic; more than one surviving cut is never guessed."""

from __future__ import annotations

import pytest
from conftest import FIXTURES

from extract.parse import parse_bytes
from extract.splits import candidates, flattened, row_total_check

SEED = (FIXTURES / "seeds" / "000_1c536831da56b3ac.txt").read_text(encoding="utf-8")


def with_new_row(run: str) -> dict:
    start = SEED.index("一、本年新收政府信息公开申请数量 |")
    end = SEED.index("二、上年结转")
    text = SEED[:start] + f"一、本年新收政府信息公开申请数量 |\n{run} |\n||\n|\n" + SEED[end:]
    return parse_bytes(text.encode(), name="a.txt")


@pytest.mark.parametrize(
    ("run", "cells"),
    [("4000004", [4, 0, 0, 0, 0, 0, 4]), ("640020470", [64, 0, 0, 2, 0, 4, 70])],
)
def test_unique_split_is_recovered(run: str, cells: list[int]) -> None:
    record = with_new_row(run)
    assert list(record["requests"]["new"].values()) == cells
    assert record["parse"]["ambiguous_splits"] == []
    assert run in record["parse"]["notes"]["requests.new"]


def test_ambiguous_split_is_recorded_not_guessed() -> None:
    record = with_new_row("102202227")
    assert set(record["requests"]["new"].values()) == {None}
    [split] = record["parse"]["ambiguous_splits"]
    assert split["table"] == "requests"
    assert split["row"] == "new"
    assert split["raw"] == "102202227"
    assert len(split["candidates"]) == 3


def test_review_table_run_together() -> None:
    assert candidates("10203120001200000", 15, row_total_check(4)) == [
        (1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0)
    ]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (("640020470", "", "", "", "", "", ""), "640020470"),
        (("14", "", "", "", "", "", ""), None),  # a real single value, not a run
        (("0", "0", "", "", "", "", ""), None),
        (("90",), None),  # one-cell rows are never runs
    ],
)
def test_what_counts_as_run_together(values: tuple[str, ...], expected: str | None) -> None:
    assert flattened(values, len(values)) == expected
