"""How many records `validate` checks per second on one core.

    .venv/bin/python bench/bench_validate.py [--seconds 3]

The mix: the five seed reports as the parser gives them (gold tables + the seeds' real narrative),
the three worked examples (2021, 2019, legacy) with last year's record and metadata, so the
cross-year rules (shingled similarity included) run too. Target: ≥ 2000 records/s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from validate_fixtures import GOLD, parsed  # noqa: E402

from validate import validate  # noqa: E402
from validate.examples import base_case  # noqa: E402

TARGET = 2000


def workload() -> list[tuple[dict, dict | None, dict]]:
    jobs: list[tuple[dict, dict | None, dict]] = [(parsed(p), None, {}) for p in GOLD]
    for base in ("2021", "2019", "legacy"):
        case = base_case(base)
        jobs.append((case.record, case.previous, case.meta))
    return jobs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    jobs = workload()
    for record, previous, meta in jobs:  # warm up caches and imports
        validate(record, previous, meta)
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < args.seconds:
        for record, previous, meta in jobs:
            validate(record, previous, meta)
        done += len(jobs)
    rate = done / elapsed
    print(f"validated {done} records in {elapsed:.2f} s: {rate:.0f} records/s (target ≥ {TARGET})")
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
