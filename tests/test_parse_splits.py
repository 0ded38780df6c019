"""Run-together cells are cut by the template arithmetic; a cut the relations do not settle is
reported as uncertain, with every candidate, never guessed silently."""

from __future__ import annotations

import pytest
from conftest import FIXTURES

from extract.parse import parse_bytes
from extract.splits import AMBIGUOUS, INCONSISTENT, Relation, Run, cut_run, flattened, pieces, row_sums, solve

SEED = (FIXTURES / "seeds" / "000_1c536831da56b3ac.txt").read_text(encoding="utf-8")
ROW = tuple(f"c{i}" for i in range(7))
REVIEW = tuple(f"g{i}" for i in range(15))


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
    assert record["parse"]["uncertain_cells"] == {}
    assert run in record["parse"]["notes"]["requests.new"]


def test_ambiguous_split_takes_the_likeliest_and_marks_the_cells_that_differ() -> None:
    # 1|0|2|2|0|22|27, 1|0|2|20|2|2|27 and 1|0|22|0|2|2|27 all add up; 表三's other rows fix
    # neither, so the three cells that differ are uncertain and list every value they could hold
    record = with_new_row("102202227")
    row = record["requests"]["new"]
    assert (row["natural_person"], row["commercial"], row["total"]) == (1, 0, 27)
    uncertain = record["parse"]["uncertain_cells"]
    assert set(uncertain) == {"requests.new.research", "requests.new.social_welfare",
                              "requests.new.legal_service", "requests.new.other_org"}
    assert sorted(uncertain["requests.new.research"]["candidates"]) == [2, 22]
    assert all(u["reason"] == AMBIGUOUS and u["text"] == "102202227" for u in uncertain.values())
    [split] = record["parse"]["ambiguous_splits"]
    assert (split["table"], split["row"], split["raw"]) == ("requests", "new", "102202227")
    assert len(split["candidates"]) == 3


def test_of_cuts_that_all_hold_a_cell_of_0_is_likelier() -> None:
    # 上年项目数量 and 本年增/减 of a 2019 表二 row, run together: `2640` is 264|0 far more often than 26|40
    # (0 is most cells of a real report), but the text alone cannot tell: both cells stay uncertain
    reading = solve([Run("2640", ("prior", "change"))])
    assert (reading.values["prior"], reading.values["change"]) == (264, 0)
    assert reading.uncertain["change"]["candidates"] == [0, 40, 640]
    assert reading.uncertain["change"]["reason"] == AMBIGUOUS


def test_an_amount_of_0_beside_a_count_that_is_not_is_no_likelier() -> None:
    # 政府集中采购 项目数量 and 总金额 run together: 1845|0 would take a cell of 0, but 1,845 projects cost
    # something; the cut is left to the magnitudes, and every cell that differs stays uncertain
    reading = solve([Run("184510", ("items", "amount"), money=frozenset({"amount"}))])
    assert reading.values["amount"] != 0
    assert 0 in reading.uncertain["amount"]["candidates"]


def test_review_table_run_together() -> None:
    cuts, exhausted = cut_run(Run("10203120001200000", REVIEW), row_sums(REVIEW, 4))
    assert [c.values for c in cuts] == [(1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0)]
    assert not exhausted


def test_column_sums_settle_what_a_row_alone_cannot() -> None:
    # 102202227 alone has three cuts; a second row and the column sums over both leave one
    rows = [Run("102202227", tuple(f"a{i}" for i in range(7))), Run("1|0|2|2|0|22|27", tuple(f"b{i}" for i in range(7)))]
    rels = [*row_sums(rows[0].cells, 6), *row_sums(rows[1].cells, 6),
            *(Relation((f"b{i}",), (f"a{i}",)) for i in range(7))]
    reading = solve(rows, rels)
    assert [reading.values[f"a{i}"] for i in range(7)] == [1, 0, 2, 2, 0, 22, 27]
    assert reading.uncertain == {}


def test_the_text_decides_between_cuts_that_add_up() -> None:
    cells = ("v", "cum")
    reading = solve([Run("294981916", cells)], [Relation(("v",), ("cum",), le=True)],
                    evidence=[Relation(("v",), (), const=-2949)])
    assert (reading.values["v"], reading.values["cum"]) == (2949, 81916)
    assert reading.uncertain == {}


def test_no_cut_that_adds_up_is_possibly_misread_not_an_inconsistency() -> None:
    reading = solve([Run("12345", ("a", "b", "c"))], [Relation(("c",), ("a", "b"))])
    assert set(reading.uncertain) == {"a", "b", "c"}
    assert {u["reason"] for u in reading.uncertain.values()} == {INCONSISTENT}


def test_spaces_are_hints_not_separators() -> None:
    # `40 2 00 0 042`: the spaces sit at some cuts and inside `042`
    cuts, _ = cut_run(Run("40 2 00 0 042", ROW), row_sums(ROW, 6))
    assert [c.values for c in cuts] == [(40, 2, 0, 0, 0, 0, 42)]


def test_signs_notes_units_and_blank_marks() -> None:
    assert [p.chars for p in pieces("2648-18538")] == ["2648", "-18538"]
    [piece] = pieces("5394432.52元")
    assert (piece.chars, piece.unit) == ("5394432.52", "元")
    assert [p.chars for p in pieces("3/ 5—7")] == ["3", "", "5", "", "7"]
    cuts, _ = cut_run(Run("22(其中修订16件)0 0 0 0 0 22", ROW), row_sums(ROW, 6))
    assert [(c.values, c.notes) for c in cuts] == [((22, 0, 0, 0, 0, 0, 22), ((0, "其中修订16件"),))]


def test_a_pathological_run_stops_within_its_budget() -> None:
    cuts, exhausted = cut_run(Run("1" * 60, ROW))
    assert exhausted
    assert len(cuts) < 20_000


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
