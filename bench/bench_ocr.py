"""OCR of scanned A4 pages: CPU seconds per page on one core, peak memory and cells read wrong, for
RapidOCR's detection input size and recognition batch (the knobs that trade speed for accuracy).

Each configuration runs in its own child: random 2021-format reports are drawn as PDFs by
`sim.media`, rendered at 200 dpi like a scan, read page by page by `extract.ocr.ocr_image` with one
inference thread, and parsed; the cells that differ from the record are counted (a doubtful cell
the record marks in `parse.ocr_cells` counts as wrong too: a person must look at it). Target: ≤ 2
s/page at the accuracy of the default configuration.

Run: `.venv/bin/python bench/bench_ocr.py [--records 2] [--configs 4000:6,2400:6,1600:6,4000:16]`
(several minutes: OCR costs seconds a page).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, random, resource, sys, time
import numpy as np
import pypdfium2 as pdfium
from rapidocr_onnxruntime import RapidOCR
from extract import ocr
from extract.document import Document
from extract.limits import LIMITS
from extract.pages import assemble
from extract.parse import parse_document
from extract.schema import TABLES
from sim.media import pdf_bytes
from sim.render import random_record

side, batch, records = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])


class Engine(ocr._Rapid):
    def __init__(self):
        self.ocr = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, max_side_len=side, rec_batch_num=batch)
        self.name = f"rapidocr-{side}-{batch}"


engine = Engine()
ocr.engine = lambda: engine
pages = wrong = cells = 0
cpu = 0.0
for seed in range(records):
    record = random_record(random.Random(100 + seed), fmt="2021")
    pdf = pdfium.PdfDocument(pdf_bytes(record))
    scans = [np.asarray(pdf[n].render(scale=200 / 72, grayscale=True).to_pil().convert("L")) for n in range(len(pdf))]
    read = []
    for scan in scans:
        start = time.process_time()
        read.append(ocr.ocr_image(scan, LIMITS))
        cpu += time.process_time() - start
        pages += 1
    got = parse_document(Document(assemble(read).blocks, engine.name, medium="image"))
    doubtful = got["parse"].get("ocr_cells") or {}
    for table in TABLES:
        for row, cols in record[table].items():
            for col, value in cols.items():
                cells += 1
                key = f"{table}.{row}.{col}"
                wrong += key in doubtful or ((got.get(table) or {}).get(row) or {}).get(col, "<absent>") != value
print(json.dumps({"pages": pages, "seconds_per_page": cpu / pages, "wrong": wrong, "cells": cells,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1, help="random reports per configuration")
    parser.add_argument("--configs", default="4000:6,2400:6,1600:6",
                        help="detection max side (px) : recognition batch, comma-separated")
    args = parser.parse_args()
    print(f"{'det side':>8} {'rec batch':>9} {'s/page':>7} {'cells wrong':>12} {'peak RSS':>9}")
    for config in args.configs.split(","):
        side, batch = config.split(":")
        out = subprocess.run([sys.executable, "-c", CHILD, side, batch, str(args.records)], capture_output=True,
                             text=True, check=True, cwd=ROOT, timeout=3600).stdout
        stats = json.loads(out.strip().splitlines()[-1])
        print(f"{side:>8} {batch:>9} {stats['seconds_per_page']:7.1f} {stats['wrong']:5d} / {stats['cells']:<5d}"
              f" {stats['rss_mb']:6.0f} MB")


if __name__ == "__main__":
    main()
