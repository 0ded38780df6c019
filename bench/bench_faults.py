"""Precision of `missing` on faulty portals: how many agency-years are called `missing` that did publish.

    .venv/bin/python bench/bench_faults.py [--portals 40] [--seeds 23,24] [--rates 0.2,0.5,each] [--ocr]
                                           [--json FILE]

For each seed and fault rate it serves a simulated world (`xxgk sim serve --faults RATE`: that share of
the portals has one fault, drawn from every kind sim/faults.py knows; `each`: every kind on one portal
of its own, the rest healthy), crawls it into a fresh SQLite
archive, runs `xxgk status --json` as an operator would, and compares every row with the simulator's
truth. A false `missing` is a row `missing` for an agency-year the truth lists a report of; the target
is none. Each one is put down to a cause, from what the archive holds of that report: never fetched, the
fault of its portal (`not_found` on a healthy one) — the faults' false alarms, what the crawl's evidence
must prevent; `fetched_not_read` (a file fetched and not read); `filed_elsewhere` (read, and filed under
another year or another agency: the clean world's false alarms, bench_precision.py's); `image_unread`
(without `--ocr` page images are archived, not read: the `unread` state's).
Recall is the share of the truly absent agency-years (past their deadline) that are `missing`; the
rest are `unconfirmed` or `unreachable`, the price of never accusing on a faulty crawl (`reachable`:
the share among those whose portal answered at all).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.run import crawl
from sim.running import running_sim
from sim.world import FAULT_KINDS

AS_OF = dt.date(2026, 6, 1)
EACH = "each"
# loopback is fast; the crawl keeps the spider's own retries and backoff
SETTINGS = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_TIMEOUT": 15, "XXGK_RETRY_BACKOFF": 0.2,
            "XXGK_ALLOW_LOOPBACK": True}  # the simulator's portals are on loopback


def status_rows(registry: Path, db: Path) -> list[dict[str, Any]]:
    out = subprocess.run(
        [sys.executable, "-m", "xxgk.cli", "status", "--json", "--registry", str(registry), "--db", f"sqlite:///{db}",
         "--as-of", AS_OF.isoformat()],
        capture_output=True, text=True, check=True,
    )
    rows: list[dict[str, Any]] = json.loads(out.stdout)
    return rows


def archived(db: Path) -> tuple[set[str], set[str]]:
    """(URLs of the reports the archive holds, URLs of every document it keeps)."""
    with sqlite3.connect(db) as conn:
        reports = {url for (url,) in conn.execute("SELECT url FROM report")}
        documents = {url for (url,) in conn.execute("SELECT url FROM document")}
    return reports, documents


def cause(report: dict[str, Any], reports: set[str], documents: set[str], fault: str | None) -> str:
    urls = {report["url"], report.get("attachment") or report["url"]}
    if urls & reports:
        return "filed_elsewhere"
    if urls & documents:
        return "image_unread" if report["medium"] == "image" else "fetched_not_read"
    return fault or "not_found"


def score(truth: dict[str, Any], rows: list[dict[str, Any]], db: Path) -> dict[str, Any]:
    """False `missing` (with causes), recall of the truly absent, and what the other rows say."""
    published = {(r["agency"], r["year"]): r for r in truth["reports"]}
    portal_of = {a["name"]: a["portal"] for a in truth["agencies"]}
    fault_of = {f["portal"]: f["kind"] for f in truth["faults"]}
    reports, documents = archived(db)
    causes: Counter[str] = Counter()
    absent: Counter[str] = Counter()
    unconfirmed_published = 0
    for row in rows:
        key = (row["agency"], row["year"])
        report = published.get(key)
        if row["status"] == "missing" and report is not None:
            causes[cause(report, reports, documents, fault_of.get(portal_of.get(row["agency"], "")))] += 1
        elif report is None and row["status"] not in ("not_due", "on_time", "late"):
            absent[row["status"]] += 1
        elif report is not None and row["status"] == "unconfirmed":
            unconfirmed_published += 1
    truly_absent = sum(absent.values())
    elsewhere = ("filed_elsewhere", "image_unread")
    return {
        "false_missing_faults": sum(n for c, n in causes.items() if c not in elsewhere),
        "false_missing_filed_elsewhere": causes["filed_elsewhere"],
        "false_missing_image_unread": causes["image_unread"],
        "causes": dict(causes),
        "missing": sum(r["status"] == "missing" for r in rows),
        "truly_absent": truly_absent,
        "recall": round(absent["missing"] / truly_absent, 3) if truly_absent else None,
        "recall_reachable": round(absent["missing"] / reachable, 3) if (reachable := truly_absent
                                                                         - absent["unreachable"]) else None,
        "absent_as": dict(absent),
        "unconfirmed_published": unconfirmed_published,
        "faults": dict(Counter(fault_of.values())),
    }


def run_world(portals: int, seed: int, rate: str, *, ocr: bool) -> dict[str, Any]:
    faults: dict[str, Any] = (
        {"fault_plan": dict(enumerate(FAULT_KINDS))} if rate == EACH else {"faults": float(rate)})
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-faults-") as tmp, \
            running_sim(portals=max(portals, len(FAULT_KINDS)), seed=seed, as_of=AS_OF, rate_limit=50, **faults) as sim:
        db, folder = Path(tmp) / "xxgk.sqlite3", Path(tmp)
        began = time.perf_counter()
        with (folder / "crawl.log").open("w") as log:
            crawl(str(sim.registry_path), as_of=AS_OF.isoformat(), db=f"sqlite:///{db}",
                  settings={**SETTINGS, "XXGK_OCR": ocr}, timeout=3600, log=log)
        seconds = time.perf_counter() - began
        result = score(sim.truth, status_rows(sim.registry_path, db), db)
    return {"seed": seed, "rate": rate, "portals": portals, "crawl_s": round(seconds, 1), **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portals", type=int, default=40)
    parser.add_argument("--seeds", default="23,24")
    parser.add_argument("--rates", default=f"0.2,0.5,{EACH}")
    parser.add_argument("--ocr", action="store_true", help="read page images (slow: tens of seconds each)")
    parser.add_argument("--json", metavar="FILE", help="also write the results here")
    args = parser.parse_args()
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)  # the simulator's writes to sockets crawlers closed
    results = []
    print("seed  rate  missing  false: faults  filed elsewhere  image unread  truly absent  recall (reachable)  "
          "unconfirmed (published/absent)  faults drawn")
    for seed in (int(s) for s in args.seeds.split(",")):
        for rate in args.rates.split(","):
            r = run_world(args.portals, seed, rate, ocr=args.ocr)
            results.append(r)
            unconfirmed = f"{r['unconfirmed_published']}/{r['absent_as'].get('unconfirmed', 0)}"
            print(f"{seed:>4}  {rate:>4}  {r['missing']:>7}  {r['false_missing_faults']:>13}  "
                  f"{r['false_missing_filed_elsewhere']:>15}  {r['false_missing_image_unread']:>12}  "
                  f"{r['truly_absent']:>12}  {r['recall']!s:>6} ({r['recall_reachable']!s:>5})  {unconfirmed:>30}  "
                  f"{r['faults']}", flush=True)
    print(f"false missing over {len(results)} worlds: {sum(r['false_missing_faults'] for r in results)} from "
          f"faults (target 0), {sum(r['false_missing_filed_elsewhere'] for r in results)} filed elsewhere, "
          f"{sum(r['false_missing_image_unread'] for r in results)} image reports unread")
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
