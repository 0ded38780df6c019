"""OCR of scanned A4 pages: CPU seconds per page on one core (detection, recognition, the rest),
peak memory, and cells read wrong or left doubtful, per configuration of `extract.ocr`.

Each configuration runs in its own child with one inference thread: random 2021-format reports
are drawn as PDFs by `sim.media`, rendered at 200 dpi like a scan, read page by page by
`extract.ocr.ocr_image`, and parsed. A cell is wrong when it differs from the record, doubtful when
it is right but marked in `parse.ocr_cells` (a person must look at it). CPU time is the child's own
(`time.process_time`), so a loaded machine slows the run more than the figure.

A configuration is `det_width:rec_batch:fused:trim[:unruled[:skip]]` (the knobs DET_WIDTH, REC_BATCH, FUSED,
TRIM, UNRULED, SKIP_REREAD of `extract.ocr`; "rest" is the page's CPU outside the two models; "crops" the
recogniser's runs a page, page pass and cells read again). Measured with
4 reports (12 pages, 800 cells) on the shared 2-core machine, loaded by
other sessions' tests (load 3–6): CPU figures vary by ~10% from run to run, more under such load.

    det width  rec batch  fused  trim  s/page   det   rec  wrong  doubtful  peak RSS
            0          6     no    no    8.4   1.8   6.0      1        17    1.4 GB
            0          1    yes    no    4.2   1.2   2.4      1        17    1.4 GB   before trimming
            0          1    yes    no    4.0   1.1   2.4      1        17    1.3 GB   rest made cheaper (below)
            0          1    yes   yes    3.9   1.3   2.1      1        17    1.3 GB
            0          1    yes   yes    3.3   1.0   1.8      1        17    1.4 GB   the same, another day (below)
            0          1    yes   yes    3.2   1.0   1.7      1        17    1.3 GB   shifts as convs: then the defaults
         1024          1    yes    no    3.8   0.8   2.4      3        45    1.0 GB   see below

Before these knobs (detection on the whole page stretched from 1653 to 1664 px, batches of 6, the
graphs as shipped) the same reports took 7.7 s/page with 28 cells wrong or doubtful.

Recognition is most of the time: a table page has ~115 crops, and the recogniser pads each to
320×48 (~16 ms of CPU). `ocr_trim` runs a short crop on its own columns with a stand-in for the
padding: on 1041 crops of 9 pages every crop kept its text and its doubt decision against width
320, scores within 0.0011; in one process, page by page in alternation, it took 0.5 s/page off
(4.35 → 3.83 s, same words and decisions on 12 pages). It cannot go further: a sixth of the crops
are text lines wider than 320, which carry ~40% of recognition's columns. Plain narrower padding,
or several crops in one input, moved scores across the doubt threshold (a `10` read as a confident
`0`). Dynamic int8 quantisation: of the MatMuls, 10% less recognition time; of the convolutions
(~77% of it), slower (ConvInteger). Static int8 convolutions (`bench_ocr_rec.py`) change the text
of more than half the crops when all are quantised, and with only the 8 deep 1×1 ones (15% less
recognition time) still 25 of 1043 doubt decisions: not used. Crops of one width run as one batch
took longer than one by one (same numbers). `ocr_graph` writes a shift before a padded convolution
as a 1×1 convolution instead of a scalar Add, so that onnxruntime keeps its blocked layout: the
same outputs to the bit, ~9% less model time on the crops alone; in the bench, before and after
alternated three times under changing load: recognition 1.75/1.83/2.13 → 1.72/1.68/1.84 s/page,
detection 1.02/0.97/1.20 → 1.03/1.04/1.12, 3.25/3.29/3.90 → 3.24/3.24/3.53 s/page, wrong and
doubtful unchanged. Flushing
denormals, a 1×1 convolution for the output layer, or 80 px of edge in `ocr_trim` gave nothing
measurable over the load's noise. The rest (~0.6 → ~0.45 s/page): detection's input is scaled in float32, not
float64, and the cells to read again are found with arrays instead of cells × words loops.

The 1024 row did not detect at 1024 px: RapidOCR ignores the side given with limit type `max`
and caps the longest side at 2000 px (960, 1500 below those sizes), so detection ran at ~0.9 of
the page, stretched, and its boxes were used as found: 3 cells wrong and 45 doubtful (1152 and
1280 gave the same; see below for why).
Two inference threads cost more CPU per page than one. The target of ≤ 2 s/page is not reached
(below: ~2.6–3.2 s/page by the load, recognition ~1.9–2.3 of it).

Detection and the rest, reworked (a default run before: 3.94 s, det 1.40, rec 1.98, rest 0.56,
1 wrong, 17 doubtful, 1.4 GB). One run at load ~1, then one at load 3–4 with the configurations
alternating (the first two rows, then the next four):

    det width  unruled  s/page   det   rec  rest  wrong  doubtful  peak RSS
            0       no    3.39  1.10  1.85  0.44      0        17   1.3 GB   detection as before
          832      yes    2.59  0.22  1.91  0.47      0         7   0.8 GB   the defaults (*)
          832      yes    3.23  0.26  2.35  0.61      0         7   0.7 GB   the defaults
            0       no    4.04  1.24  2.21  0.58      0        17   1.4 GB
          832      yes    2.91  0.23  2.16  0.52      0         7   0.7 GB   the defaults
            0      yes    4.19  1.30  2.28  0.60      0         6   1.5 GB
          832       no    2.97  0.26  2.16  0.56      3        13   0.7 GB   (an earlier run)

After merging main's recognition rewrite, alternating, load ~2:

    det width  unruled  s/page   det   rec  rest  wrong  doubtful  peak RSS
          832      yes    3.08  0.25  2.25  0.58      0         7   0.7 GB   the defaults
            0       no    3.66  1.19  1.96  0.51      0        17   1.3 GB   detection as before
          832      yes    3.25  0.26  2.35  0.65      0         7   0.6 GB   the defaults

Recognition costs ~0.3 s/page more at half scale: on one report (3 pages) 376 crops against 348,
20 of them cells read again against 1 (narrow two-line header cells whose found lines touch the
next cell, read once from the page and again from the cell). The rest gains ~0.1 s/page (snapping,
whitening, the scaled copy), less what the contours saved.

(*) the same pages and code read by a script in one process, not by this bench.
On the scan-like pages of tests/test_extract_ocr.py (two reports, tilted, blurred, grey noise;
400 cells) the defaults leave 0 wrong and 6 doubtful against 0 and 25 with detection as before.

What each part does (each measured on both sets of pages):
- DET_WIDTH works now: the inked part of the page (`_inked`) is scaled by DET_WIDTH / page width,
  padded white to the 32-px grid rather than stretched, and never enlarged. RapidOCR's own
  `limit_type='max'` ignored the size asked (above).
- Boxes snapped to the ink (`_snapped`): as found at half scale they came back 2–3 px larger a side
  (the postprocess dilates by one px of the scaled map) and single digits' boxes off by several px;
  that, not the scale, made the 45 doubtful cells of the 1024 row. The ink is "120 grey levels
  below the page's median": Otsu's threshold takes a noisy scan's grain for ink (on the scan-like
  pages it left 16 wrong). The page's rules are not ink of a box (else `[0`).
- Rules whitened for the detector: without, a `1` or `7` beside a rule disappears at half scale
  (3 wrong above). Whitened but not cut, text on both sides of a rule at half scale joins into a
  blob that scores below `box_thresh` and both lines are lost (18 wrong, 14 unflagged, on the
  scan-like pages). Cutting the probability map along the rules keeps them apart.
- Boxes that start where another starts, on the same line, are dropped: a piece the cut leaves
  beside a rule snaps onto the glyph next to it, read twice (`22` for `2`). Dropping boxes merely
  inside others lost label lines (3 wrong).
- A cell is read again when a line of ink in it is as tall as a glyph (0.6 of the page's median
  line), though less than INK_SHARE of it is inked: the one wrong cell before was a lone `1` beside
  a rule in a cell five lines tall, missed by detection.
- Rule pieces are boxed from their outer contours instead of connected components (the same boxes
  in the same order, ~25 ms less for each of four passes on a tall page); the long runs are opened
  once, for the tables and for whitening.
The rest was ~0.5 s/page: deskew ~0.05, rule masks ~0.07, tables ~0.06, RapidOCR's word boxes ~0.1,
snapping ~0.03, whitening ~0.02 (cProfile, 6 pages); the word boxes and the masks are cheaper now
(below).

Cells read again known before recognition (SKIP_REREAD), RapidOCR's character boxes worked out as
a shift for upright boxes, the rule masks without rolled copies. Main and this code alternating
(main's bench, then this one), load 1.5–3:

                           s/page   det   rec  rest  wrong  doubtful  crops  peak RSS
    main (before)            3.30  0.27  2.39  0.63      0         7    126    722 MB
    this                     2.59  0.23  1.89  0.46      0         7    117    680 MB
    main (before)            2.68  0.23  1.96  0.49      0         7    126    692 MB
    this                     2.31  0.21  1.70  0.40      0         7    117    670 MB
    main (before)            3.03  0.26  2.20  0.57      0         7    126    647 MB
    this                     2.64  0.22  1.97  0.45      0         7    117    635 MB
    (mean of three)   main 3.00 / 0.25 / 2.18 / 0.56, this 2.51 / 0.22 / 1.85 / 0.44 s/page

Main's bench does not count crops: 126 is this bench with SKIP_REREAD off (832:1:1:1:1:0), which
alternated with it on: 2.76/3.32 against 2.74/2.30 s/page, 0 wrong and 7 doubtful each.

The same words on all 16 pages (these 12 and the 4 scan-like ones) with SKIP_REREAD on and off
(one table's cell edges move by a quarter pixel where a short piece of rule merges differently),
229 of 2318 crops fewer; the direct character boxes equal RapidOCR's on all 1885 lines. On the
scan-like pages: 0 wrong, 6 doubtful, as before. The ~9 crops a page left out are short (header
cells' lines), so recognition gains less than their share. Reading every table cell from its ink
lines instead, recognising only what lies outside the tables: 116 crops a page (no fewer), 0 wrong
and 0 doubtful here but 21 doubtful on the scan-like pages (6 before): not used.

`rejected_petition.commercial` is doubtful in three of the four reports because it is one glyph:
the 2021 template puts the same `0` at the same pixels of page 2 in each of them (records 0, 2 and 3),
and the recogniser gives that crop 0.891, under the threshold; the crop is like its neighbours'
(ink 4 px from the left of the box, the rule 8 px away and whitened out of the snapping, same
margins), which score 0.98–0.99; the same glyph cut with 2 px more margin reads 0.98, with 4 px
0.94, with 6 px 0.65. Not a narrow column or a header: the crop was read sideways (below: lone
glyphs read upright).

Recognition with 64 px of edge in `ocr_trim` (was 96; `bench_ocr_rec.py --margins`), the page work
outside the models with the same output (rule masks from integer window sums, the detector's page
scaled grey before it is made BGR, the level page's ink reused, RapidOCR's line crops sliced rather
than warped, narrow rules tested as arrays, deskew's row sums by cv2.reduce) and the detector's
transposed convolutions taking in their bias and normalisation. The same words and boxes on the 12
pages and the 4 scan-like ones (scores move by float rounding, and where EDGE moved them: 7 words
by more than 0.01, all doubtful either way); scan-like pages 0 wrong, 6 doubtful as before. Before
(main) and this alternating, the first pair at load 3–4, then load 6–9:

                           s/page   det   rec  rest  wrong  doubtful  crops  peak RSS
    main (before)            1.84  0.17  1.37  0.31      0         7    117    735 MB
    this (*)                 1.65  0.17  1.23  0.25      0         7    117    718 MB
    main (before)            1.86  0.17  1.37  0.32      0         7    117    679 MB
    this (*)                 1.70  0.17  1.26  0.27      0         7    117    704 MB
    main (before)            1.95  0.18  1.43  0.34      0         7    117    682 MB
    this (*)                 1.81  0.18  1.35  0.29      0         7    117    745 MB
    main (before)            2.08  0.23  1.50  0.35      0         7    117    686 MB
    this (*)                 1.95  0.22  1.42  0.31      0         7    117    736 MB
    main (before)            2.02  0.20  1.49  0.33      0         7    117    707 MB
    this (*)                 1.88  0.20  1.39  0.30      0         7    117    733 MB
    main (before)            1.94  0.19  1.41  0.34      0         7    117    684 MB
    this                     1.89  0.21  1.38  0.30      0         7    117    728 MB
    main (before)            1.89  0.18  1.38  0.32      0         7    117    727 MB
    this                     1.82  0.19  1.35  0.28      0         7    117    742 MB
    (mean of seven)   main 1.94 / 0.19 / 1.42 / 0.33, this 1.81 / 0.19 / 1.34 / 0.29 s/page

(*) without deskew's cv2.reduce (~9 ms a page less). Recognition alone, one process, the runs in
turn: 14.2 ms a crop on the whole width, 12.5 trimmed with EDGE 96, 11.3 with EDGE 64. The rest,
measured alone on the 16 pages: rule masks 60 → 35–45 ms a page, the detector's page ~9 ms less,
the narrow-rule test and the crops ~5–10 ms each (cProfile); the folded head ~3% of detection (156 → 152 ms on
one page's input). Every level page is still turned by −0.05°: on the 1000-px thumbnail −0.05, 0
and 0.05 are the same picture and the first of them wins. Taking 0 instead (no interpolation of a
level page) left 2 cells wrong and 0 doubtful on the bench, 20 doubtful on the scan-like pages: the
margins and thresholds were measured on the interpolated pages; not done.

Lone glyphs read upright (`extract.ocr._vertical`): a crop 1.5 times taller than wide is turned
as vertical text only when it is more than 1.5 text lines tall (the median height of the page's
found lines wider than tall). On these pages 190 lone digits (of 8554 words) kept their text and
changed box and score: `1` 0.631–0.996 → 0.999–1.0, `0` 0.892–0.989 → 0.989–0.995 (the template's
`0` of `rejected_petition.commercial` 0.892 → 0.992), each box inside its cell and one line high
(the crop's height, as for a line; sideways they were cut short). 10 fragments of a CJK glyph found
as boxes of their own, read `Q`, `中`, `书`, `山` at 0.12–0.32, are now `又` at 0.41 (4) or nothing
(6). The scan-like pages read the same words: 0 wrong, 6 doubtful. Main (before) and this
alternating, load 2–3.4:

                           s/page   det   rec  rest  wrong  doubtful  crops  peak RSS
    main (before)            1.52  0.17  1.11  0.24      0         7    117    722 MB
    this                     1.51  0.17  1.11  0.23      0         2    117    734 MB
    main (before)            1.59  0.17  1.19  0.24      0         7    117    727 MB
    this                     1.59  0.18  1.15  0.26      0         2    117    722 MB
    main (before)            1.61  0.18  1.18  0.25      0         7    117    714 MB
    this                     1.51  0.17  1.09  0.24      0         2    117    744 MB
    (mean of three)   main 1.57 / 0.17 / 1.16 / 0.24, this 1.54 / 0.17 / 1.12 / 0.24 s/page

The two left doubtful are `rejected_duplicate.natural_person` and `.total` of record 0 (0.809 and
0.645), not lone glyphs.

Run: `.venv/bin/python bench/bench_ocr.py [--records 4] [--configs 832:1:1:1:1,0:1:1:1:0]` (minutes: OCR costs
seconds a page).
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
from extract import ocr
from extract.document import Document
from extract.limits import LIMITS
from extract.pages import assemble
from extract.parse import parse_document
from extract.schema import TABLES
from sim.media import pdf_bytes
from sim.render import random_record

ocr.DET_WIDTH, ocr.REC_BATCH, ocr.FUSED = int(sys.argv[1]), int(sys.argv[2]), bool(int(sys.argv[3]))
ocr.TRIM, ocr.UNRULED, ocr.SKIP_REREAD = bool(int(sys.argv[4])), bool(int(sys.argv[5])), bool(int(sys.argv[6]))
ocr.THREADS, records = 1, int(sys.argv[7])
engine = ocr.engine()
spent = {"det": 0.0, "rec": 0.0}
crops = 0


def timed(part, run):
    def wrapper(*args, **kwargs):
        global crops
        crops += part == "rec"
        start = time.process_time()
        try:
            return run(*args, **kwargs)
        finally:
            spent[part] += time.process_time() - start
    return wrapper


det, rec = engine.ocr.text_det.infer.session, engine.ocr.text_rec.session.session
det.run, rec.run = timed("det", det.run), timed("rec", rec.run)
pages = wrong = doubtful = cells = 0
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
    marked = got["parse"].get("ocr_cells") or {}
    for table in TABLES:
        for row, cols in record[table].items():
            for col, value in cols.items():
                cells += 1
                if ((got.get(table) or {}).get(row) or {}).get(col, "<absent>") != value:
                    wrong += 1
                else:
                    doubtful += f"{table}.{row}.{col}" in marked
print(json.dumps({"pages": pages, "seconds_per_page": cpu / pages, "det": spent["det"] / pages,
                  "rec": spent["rec"] / pages, "wrong": wrong, "doubtful": doubtful, "cells": cells,
                  "crops": crops / pages,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=4, help="random reports per configuration (3 pages each)")
    parser.add_argument("--configs", default="832:1:1:1:1:1,832:1:1:1:1:0,0:1:1:1:0",
                        help="detection width (px, 0: the page as is) : recognition batch : fused graphs (1/0)"
                             " : trimmed recognition (1/0) : detection on the page without its rules (1/0)"
                             " : found lines in cells read again left unrecognised (1/0)")
    args = parser.parse_args()
    print(f"{'det width':>9} {'rec batch':>9} {'fused':>5} {'trim':>4} {'unruled':>7} {'skip':>4}"
          f" {'s/page':>7} {'det':>5} {'rec':>5} {'rest':>5} {'wrong':>6} {'doubtful':>8} {'of cells':>8} {'crops':>6}"
          f" {'peak RSS':>9}")
    for config in args.configs.split(","):
        width, batch, fused, trim, unruled, skip = [*config.split(":"), "0", "0"][:6]
        out = subprocess.run([sys.executable, "-c", CHILD, width, batch, fused, trim, unruled, skip, str(args.records)],
                             capture_output=True, text=True, check=True, cwd=ROOT, timeout=3600).stdout
        stats = json.loads(out.strip().splitlines()[-1])
        rest = stats["seconds_per_page"] - stats["det"] - stats["rec"]
        print(f"{width:>9} {batch:>9} {'yes' if fused == '1' else 'no':>5} {'yes' if trim == '1' else 'no':>4}"
              f" {'yes' if unruled == '1' else 'no':>7} {'yes' if skip == '1' else 'no':>4}"
              f" {stats['seconds_per_page']:7.2f} {stats['det']:5.2f}"
              f" {stats['rec']:5.2f} {rest:5.2f} {stats['wrong']:6d} {stats['doubtful']:8d} {stats['cells']:8d}"
              f" {stats['crops']:6.0f} {stats['rss_mb']:6.0f} MB")


if __name__ == "__main__":
    main()
