"""Cells cut from run-together digits, as the validator sees them: a cut the relations leave open
or cannot satisfy is named once per row, with its candidates; a sum through such a cell is never
reported as a confident inconsistency (the digits may have been read wrong)."""

from __future__ import annotations

import random

from extract.parse import parse_bytes
from sim.render import FORMS, random_record
from validate import validate


def _page_text(record: dict) -> str:
    return FORMS["page_text"](record).decode()


def test_a_row_no_cut_can_make_add_up_is_possibly_misread() -> None:
    record = random_record(random.Random(3), fmt="2021")
    text = _page_text(record)
    row = "".join(str(v) for v in record["requests"]["granted"].values())
    broken = row[:-1] + str((int(row[-1]) + 1) % 10)  # one digit of the total misread
    assert text.count(row) >= 1
    got = parse_bytes(text.replace("（一）予以公开" + row, "（一）予以公开" + broken, 1).encode(), name="x.txt")
    doubtful = {k for k in got["parse"]["uncertain_cells"] if k.startswith("requests.granted.")}
    assert doubtful
    assert {got["parse"]["uncertain_cells"][k]["reason"] for k in doubtful} == {"inconsistent"}
    findings = validate(got)
    [split] = [f for f in findings if f.rule == "ambiguous_split" and f.row == "granted"]
    assert "可能有数字读错" in split.message
    assert not [f for f in findings if f.rule == "requests.row_total" and f.row == "granted"]
    assert not [f for f in findings if f.rule.startswith("requests.") and f.status == "fail"
                and f.col in {k.rsplit(".", 1)[1] for k in doubtful}]


def test_a_cut_the_sums_leave_open_is_ambiguous_and_the_sums_hold() -> None:
    for seed in range(40):
        record = random_record(random.Random(seed), fmt="2021")
        got = parse_bytes(_page_text(record).encode(), name="x.txt")
        if got["parse"]["uncertain_cells"]:
            break
    findings = validate(got)
    assert [f for f in findings if f.rule == "ambiguous_split"]
    assert not [f for f in findings if f.rule in {"requests.row_total", "requests.results_total",
                                                 "requests.balance", "review_litigation.total"}]
