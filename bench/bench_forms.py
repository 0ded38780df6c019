"""Real-world forms: how often each is read exactly, how often it is ambiguous at all, and the
digit solver's worst case.

For N random records of every template, each form of `sim.render.FORMS` (page text on one line,
with stray spaces, markdown from a PDF converter, OCR text, annotated cells) is parsed back and
scored: exact; honestly uncertain (the cells it could not settle marked, the true value among
their candidates); or silently wrong. "cells right" is what a cell-by-cell score counts: the value
given equals the truth, whether marked doubtful or not. Where several cuts hold, a cell of 0 counts
for a cut (`extract.splits.ZERO_WEIGHT`; 0 is 87–99 % of the cells of the real reports with gold, 83 %
of the simulator's; an amount of 0 only beside a count of 0): on 200 records × 2 templates, page text
on one line 99.25 → 99.82 % of cells right, with stray spaces 99.36 → 99.64 % (seeds 1000–1079, not
used to choose the weight: 99.12 → 99.70 and 99.36 → 99.60 %), 0 wrong either way.

Then 10,000 random runs go through the cutter: 表三 rows and 表四 runs of random records with their
digits run together (stray spaces now and then), and random digit strings cut into a row of seven —
the worst time is what a pathological run costs.

Run: `.venv/bin/python bench/bench_forms.py [--records 200] [--runs 10000]`. Times are CPU
seconds of this process (one core), so a busy machine does not inflate them.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter

from extract.parse import parse_bytes
from extract.schema import TABLES
from extract.splits import Run, row_sums, solve
from sim.render import FORM_REGISTRY, FORMATS, last_year_of, random_record
from sim.render.forms import annotated, silent_errors

ROW = tuple(f"requests.row.c{i}" for i in range(7))
REVIEW = tuple(f"review.c{i}" for i in range(15))


def forms(records: int, blanks: float) -> None:
    print(f"{'form':<18} {'exact':>7} {'uncertain':>10} {'wrong':>6} {'cells in doubt':>15} {'cells right':>12}"
          f" {'ms/report':>10} {'with last year: uncertain':>26} {'wrong':>6}")
    for form in FORM_REGISTRY:
        tally: Counter[str] = Counter()
        chained: Counter[str] = Counter()  # read with last year's report, as the archive reads it
        doubt = 0
        cells: Counter[str] = Counter()
        spent = 0.0
        for seed in range(records):
            for fmt in FORMATS:
                record = random_record(random.Random(seed), fmt=fmt, blanks=blanks)
                data = form.render(record)
                start = time.process_time()
                got = parse_bytes(data, name=f"r.{form.ext}")
                spent += time.process_time() - start
                want = annotated(record) if form.name == "annotated" else record
                uncertain = got["parse"].get("uncertain_cells") or {}
                doubt += len(uncertain)
                for table in TABLES:  # what a cell-by-cell score counts: the value given, doubtful or not
                    for row, cols in (want.get(table) or {}).items():
                        got_row = (got.get(table) or {}).get(row) or {}
                        cells.update("right" if got_row.get(col, "<absent>") == v else "other"
                                     for col, v in cols.items())
                tally["wrong" if silent_errors(want, got) else "uncertain" if uncertain else "exact"] += 1
                if uncertain:
                    again = parse_bytes(data, name=f"r.{form.ext}", previous=last_year_of(record))
                    chained["wrong" if silent_errors(want, again) else "uncertain" if again["parse"].get(
                        "uncertain_cells") else "exact"] += 1
        n = sum(tally.values())
        print(f"{form.name:<18} {tally['exact'] / n:7.1%} {tally['uncertain'] / n:10.1%} {tally['wrong']:6d}"
              f" {doubt / n:15.2f} {cells['right'] / cells.total():12.2%}"
              f" {spent / n * 1000:10.1f} {chained['uncertain'] / n:26.1%} {chained['wrong']:6d}")


def _run_together(values: list[int], rng: random.Random) -> str:
    return "".join((" " if rng.random() < 0.1 else "") + str(v) for v in values).strip()


def solver(runs: int) -> None:
    rng = random.Random(20_260_101)
    times: list[tuple[float, str, str]] = []
    kinds: Counter[str] = Counter()
    for k in range(runs):
        case = k % 3
        if case == 0:
            record = random_record(random.Random(k), fmt="2021")
            row = rng.choice(list(record["requests"].values()))
            run, rels, kind = Run(_run_together(list(row.values()), rng), ROW), row_sums(ROW, 6), "表三 row"
        elif case == 1:
            record = random_record(random.Random(k), fmt="2021")
            values = [v for group in record["review_litigation"].values() for v in group.values()]
            run, rels, kind = Run(_run_together(values, rng), REVIEW), row_sums(REVIEW, 4), "表四 run"
        else:
            alphabet = "0123456789" if rng.random() < 0.5 else "01"
            digits = "".join(rng.choice(alphabet) for _ in range(rng.randint(5, 40)))
            run, rels, kind = Run(digits, ROW), row_sums(ROW, 6), "random digits"
        start = time.process_time()
        reading = solve([run], rels)
        spent = time.process_time() - start
        times.append((spent, kind, run.text))
        kinds[kind + (" (uncertain)" if reading.uncertain else "")] += 1
    times.sort()
    worst, kind, text = times[-1]
    p99 = times[int(len(times) * 0.99)][0]
    mean = sum(t for t, _, _ in times) / len(times)
    print(f"digit solver over {runs} random runs: mean {mean * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, "
          f"worst {worst * 1000:.1f} ms ({kind}: {text})")
    print("  " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50, help="random records per template")
    parser.add_argument("--runs", type=int, default=10_000, help="random runs for the digit solver")
    parser.add_argument("--blanks", type=float, default=0.0, help="share of cells left blank")
    args = parser.parse_args()
    forms(args.records, args.blanks)
    if args.runs:
        solver(args.runs)


if __name__ == "__main__":
    main()
