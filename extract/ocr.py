"""Images and scanned PDF pages → pages of words with confidences, ready for `pages.assemble`.

RapidOCR (rapidocr-onnxruntime, Apache-2.0) runs offline with its PP-OCR models inside the wheel
and read 98% of characters right on scan-like pages; tesseract with chi_sim is the fallback when
it is not installed. Before recognition a page is straightened (a scan is rarely level, and a
tilted ruling line is not a line to a morphological filter), and the ruling lines of its tables
are found so that tables come out as cells, as in a born-digital PDF. A number that straddles a
ruling line, or a cell that holds ink but no text, is read again from the cell alone.

RapidOCR runs on `ocr_graph`'s rewrites of its models (the same numbers for ~1.3× less CPU), one
thread and one crop at a time: the crawl reads in processes, and a batch of crops pads each to the
widest. A short crop is recognised on its own columns (`ocr_trim`: the decisions of the 320 px the
recogniser pads to, on all but one of 5,608 crops). The found lines are upright boxes in whole
pixels: RapidOCR's crops of them are sliced from the page and their characters' boxes shifted, not
warped through perspective transforms (the same pixels and boxes). `bench/bench_ocr.py` measures
these knobs and the detection size; `bench/bench_ocr_rec.py` measured int8 recognition, which
changes doubt decisions and is not used, and `ocr_trim`'s margins.

RapidOCR turns every crop 1.5 times taller than wide by 90° as vertical text. Reports are written
across the page: such a crop one text line tall is a lone glyph (a `1` or `0` alone in a cell),
which read sideways scored down to 0.63 (a `1`) or 0.89 (a `0`): doubtful. Only a crop more than
1.5 lines tall is a column of vertical text and turned (`_vertical`); a lone glyph is read upright
and its box split across as a line's is (`_word_boxes`): on the bench 7 → 2 doubtful cells, the
same crops and CPU, the other words the same.

Text is looked for (detection) on the page scaled to DET_WIDTH, half of A4 at 200 dpi: a quarter
of the pixels, a fifth of detection's CPU. The ruling lines are found first (only their short pieces
need the words) and whitened for the detector: beside a rule, a narrow `1` or `7` is taken for part
of it, and at half scale not found at all. What it finds is cut apart where a rule ran, or two
cells' text joins into one blob that scores too low to keep. Each box is moved back onto the page's
own ink at full resolution with the margins the full-size detector leaves (`_snapped`), so that
recognition reads the crops it would have read: as found, boxes came back a few px larger and single
digits' scores moved across the doubt threshold. A cell is also read again when it holds a line of
ink as tall as a glyph, though little of the cell is inked (a lone `1` in a cell five lines tall).

The cells a found line runs into from another are read again from their own ink whatever the
page pass read there (a narrow header's two lines touch the next cell): the rules and the found
boxes tell which before recognition, so those lines are not recognised (SKIP_REREAD; ~7% of the
crops, the same words; with RapidOCR's character boxes worked out as a shift, 3.0 → 2.5 CPU-s/page
on the bench). The cells are worked out once for the found lines and again for the words
read only when other short pieces of rule fall inside the text. Reading every table cell from its
ink instead (recognising only what lies outside the tables) saved no crops and left 21 cells
doubtful on the scan-like pages against 6: not done.

Every word keeps the engine's score; `uncertain.py` turns low scores into findings. Glyphs that
are letters in a number cell (`1O`, `l2`) are read as the digits they stand for, but such a cell
is marked doubtful, never silently trusted.
"""

from __future__ import annotations

import functools
import io
import math
import re
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Protocol

from extract.document import Document
from extract.errors import UnreadableInputError
from extract.geometry import Box, Word, cells_of_rules, closing_rules, edge, is_wide, merge_rules
from extract.limits import Deadline, Limits
from extract.long_image import A4_INCHES, needs_cutting, pieces
from extract.page_images import is_page
from extract.pages import Page, assemble
from extract.uncertain import GLYPHS

MAX_SIDE = 4000  # px: beyond 300 dpi on A4 recognition gains nothing and memory grows
DET_WIDTH = 832  # px: a wider page is looked for text on scaled to this width (half of A4 at 200 dpi); 0: as is
REC_BATCH = 1  # crops per recognition call: one at a time costs least on a CPU (a batch pads to its widest)
FUSED = True  # run the rewritten graphs of `ocr_graph` (same numbers, less CPU)
TRIM = True  # recognise a short crop on its own columns (`ocr_trim`; needs FUSED): same decisions, less CPU
UNRULED = True  # look for text on the page with its rules whitened, and cut found text apart at them
SKIP_REREAD = True  # (needs UNRULED) recognise no found line that lies in cells read again from their ink
THREADS = 1  # onnxruntime threads per engine: the crawl reads in processes, one core each
INK_CONTRAST = 60  # grey levels a pixel of ink stands out from the page's background
BLANK_SHARE = 1e-4  # of a page's thumbnail marked: fewer, and the page is blank
SKEW_RANGE = 3.0  # degrees a scan may be tilted; more is a photo, not a scan
RULE_CONTRAST = 30  # grey levels a rule is darker than its surroundings, averaged along it
RULE_OFFSET = 5  # px beside a rule where its background is measured
JOIN_GAP = 30  # px: pieces of one rule broken by noise are joined across this gap
SHORT_RULE_SHARE = 0.8  # a short piece of rule covers this much of the gap between the rules it joins
REACH = 25  # px: a rule ending this close to another still meets it (a faint rule fades at its ends)
INK_SHARE = 0.006  # share of dark pixels that makes a cell "not empty" though no text was read
GLYPH_SHARE = 0.6  # of the page's median detected line height: a line of ink in a cell this tall is a glyph
MIN_INK_LINE = 6  # px: a run of inked rows lower than this is a speck, not a line of text
VERTICAL_LINES = 1.5  # text lines: a tall found line taller than this is a column of vertical text
GLYPH_DOUBT = 0.5  # confidence given to a number read through letter-for-digit substitution
_NUMBERISH = re.compile(r"^[\d,.+\-ODQolI|iZzSsBGbgqT]+$")
_NUMBER = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?$")


@dataclass(frozen=True, slots=True)
class Reading:
    """What an engine read on a page: its words, and the box of each line it detected (a line
    that runs across a ruling line is read again, cell by cell)."""

    words: list[Word]
    lines: list[Box]
    skipped: list[Box] = field(default_factory=list)  # lines found but not recognised (`Look.skip`)


@dataclass(frozen=True, slots=True)
class Look:
    """What text is looked for on: the page with its rules whitened (beside a rule, a narrow glyph
    such as `1` or `7` is taken for part of it), scaled (detection costs by the pixel). Recognition
    reads the page's own pixels at full resolution."""

    page: Any
    scale: float
    rules: Any = None  # the rules whitened, where found text is cut apart
    # which found lines not to recognise (boxes in the page's pixels): their cells are read again anyway
    skip: Callable[[list[Box]], list[bool]] | None = None


class Engine(Protocol):
    name: str

    def page(self, gray: Any, limits: Limits, look: Look | None = None) -> Reading: ...

    def line(self, crop: Any, limits: Limits) -> tuple[str, float]: ...


class _Rapid:
    def __init__(self) -> None:
        from rapidocr_onnxruntime import RapidOCR  # noqa: PLC0415 - heavy: onnxruntime

        # max_side_len: no shrinking before detection (a whole report as one tall image would lose its digits)
        self.ocr = RapidOCR(intra_op_num_threads=THREADS, inter_op_num_threads=1, max_side_len=MAX_SIDE,
                            rec_batch_num=REC_BATCH)
        _normalize_in_float32(self.ocr.text_det)
        self.ocr.text_det = _Scaled(self.ocr.text_det)
        self.ocr.cal_rec_boxes = _word_boxes(self.ocr.cal_rec_boxes)
        self.ocr.get_crop_img_list = _crops(self.ocr.get_crop_img_list)
        if FUSED:
            _fuse(self.ocr)
        self.name = f"rapidocr-{version('rapidocr-onnxruntime')}"

    def page(self, gray: Any, limits: Limits, look: Look | None = None) -> Reading:  # noqa: ARG002 - in-process, bounded per page by the caller
        """Characters (CJK) and runs of digits or Latin letters, each with its box and score."""
        self.ocr.text_det.look, self.ocr.text_det.skipped = look, []
        result, _ = self.ocr(gray, use_cls=False, text_score=0.0, box_thresh=0.5, unclip_ratio=1.6,
                             return_word_box=True)
        skipped = [_box(quad) for quad in self.ocr.text_det.skipped]
        reading = Reading([], list(skipped), skipped)
        for line in result or ():
            quad, text, score = line[0], str(line[1]), float(line[2])
            pieces = list(zip(line[3], line[4], line[5], strict=False)) if len(line) >= 6 else []
            if not pieces or sum(len(str(t)) for _, t, _ in pieces) != len(text.replace(" ", "")):
                pieces = [(quad, text, score)]
            reading.lines.append(_box(quad))
            words: list[Word] = []
            for box, piece, conf in pieces:
                word = Word(str(piece), _box(box), float(conf))
                if words and word.text and _same_word(words[-1], word):  # `2` `0` `2` `5` → `2025`
                    last = words.pop()
                    word = Word(last.text + word.text, last.box.union(word.box), min(float(conf), last.confidence or 1))
                words.append(word)
            reading.words.extend(w for w in words if w.text.strip())
        return reading

    def line(self, crop: Any, limits: Limits) -> tuple[str, float]:  # noqa: ARG002
        result, _ = self.ocr(crop, use_det=False, use_cls=False, use_rec=True)
        if not result:
            return "", 0.0
        text, score = result[0]
        return str(text), float(score)


class _Scaled:
    """RapidOCR's detector on the page as the `Look` given shows it (RapidOCR passes the page it
    reads): scaled, and padded to the detector's 32-px grid with white rather than stretched to it
    (and never enlarged), the boxes returned in page pixels and moved to the page's own ink."""

    def __init__(self, det: Any) -> None:
        self.det = det
        self.look: Look | None = None
        self.skipped: list[Any] = []  # the found lines left to the cells' own reading

    def __getattr__(self, name: str) -> Any:
        return getattr(self.det, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("det", "look", "skipped"):
            object.__setattr__(self, name, value)
        else:
            setattr(self.det, name, value)

    def __call__(self, img: Any) -> tuple[Any, float]:
        import cv2  # noqa: PLC0415
        import numpy as np  # noqa: PLC0415

        if self.look is None:
            return self.det(img)  # type: ignore[no-any-return]
        det, look, h, w = self.det, self.look, img.shape[0], img.shape[1]
        limit = det.limit_side_len
        if look.scale < 1:
            sw, sh = max(1, round(w * look.scale)), max(1, round(h * look.scale))
            # thin strokes (a `1`) widened first: averaged down to grey, the detector misses them
            # (on the grey page, then made BGR: the same pixels as each of its three channels)
            page = cv2.resize(cv2.erode(look.page, np.ones((2, 2), np.uint8)), (sw, sh), interpolation=cv2.INTER_AREA)
            page = cv2.copyMakeBorder(page, 0, -sh % 32, 0, -sw % 32, cv2.BORDER_CONSTANT, value=255)
            page = cv2.cvtColor(page, cv2.COLOR_GRAY2BGR)
            det.limit_side_len = 0  # limit type `min`: a small side is not enlarged
        else:
            sw, sh, page = w, h, cv2.cvtColor(look.page, cv2.COLOR_GRAY2BGR)
        try:
            tensor = det.get_preprocess(max(page.shape[:2]))(page)
        finally:
            det.limit_side_len = limit
        pred = det.infer(tensor)[0]
        if look.rules is not None:  # text on either side of a (whitened) rule is not one line
            ky, kx = pred.shape[2] / page.shape[0], pred.shape[3] / page.shape[1]
            cut = cv2.resize(look.rules, (max(1, round(sw * kx)), max(1, round(sh * ky))),
                             interpolation=cv2.INTER_AREA) > 0
            pred[0, 0, :cut.shape[0], :cut.shape[1]][cut] = 0
        boxes, _ = det.postprocess_op(pred, page.shape[:2])
        boxes = det.filter_tag_det_res(boxes, page.shape[:2])
        if look.scale < 1 and len(boxes):
            boxes = (boxes * [w / sw, h / sh]).astype(np.float32)
            grey = img[:, :, 0]
            ink = (grey < float(np.median(grey)) - SNAP_CONTRAST).astype(np.uint8)
            if look.rules is not None:
                ink[look.rules > 0] = 0
            boxes = _distinct([_snapped(ink, quad) for quad in boxes])
        if look.skip is None or not len(boxes) or (h, w) != look.page.shape[:2]:  # RapidOCR resized the page
            return boxes, 0.0
        skip = np.array(look.skip([_box(quad) for quad in boxes]), bool)
        self.skipped = list(boxes[skip])
        return boxes[~skip], 0.0


SNAP_CONTRAST = 2 * INK_CONTRAST  # grey levels below the background that are surely ink (not a scan's noise)
SNAP_REACH = 4  # px around a box scaled up from detection where its ink is looked for
RULE_REACH = 10  # px beyond that window a rule runs on (a stroke of text does not)
# px the detector leaves around a box's ink at full resolution (left, top, right, bottom), by the
# box's width over height: measured on the bench's pages
SNAP_MARGINS = ((1.5, (3.6, 3.3, 5.2, 5.9)), (4, (4.8, 5.2, 5.3, 5.4)), (15, (2.3, 2.5, 2.9, 4.1)),
                (math.inf, (1.4, 1.0, 1.0, 2.0)))


def _distinct(quads: list[Any]) -> Any:
    """The boxes, each once: two boxes found around one glyph on the scaled page can snap to the
    same ink (one of them a piece cut off by a rule), and the glyph read twice would be `22` for
    `2`. A box that starts where a kept one starts, on the same line, is dropped."""
    import numpy as np  # noqa: PLC0415

    found = np.array(quads, np.float32).reshape(-1, 4, 2)
    b = np.concatenate([found.min(axis=1), found.max(axis=1)], axis=1)  # x0, top, x1, bottom
    kept: list[int] = []
    for i in range(len(b)):
        if not (np.abs(b[kept][:, [0, 1, 3]] - b[i, [0, 1, 3]]) <= 1).all(axis=1).any():
            kept.append(i)
    return found[kept]


def _snapped(ink: Any, quad: Any) -> Any:
    """A box found on the scaled page, moved to its ink at full resolution with the margins the
    detector leaves there. A rule the window reaches into, or a sliver of the line above or
    below, is not ink of the text."""
    import numpy as np  # noqa: PLC0415

    h, w = ink.shape
    x0, y0 = max(0, int(quad[:, 0].min()) - SNAP_REACH), max(0, int(quad[:, 1].min()) - 1)
    x1, y1 = min(w, int(quad[:, 0].max()) + SNAP_REACH + 1), min(h, int(quad[:, 1].max()) + 2)
    # rules that run through the window and on past it (a `1` ends within its box), with their fringe
    ry0, ry1 = max(0, y0 - RULE_REACH), min(h, y1 + RULE_REACH)
    rx0, rx1 = max(0, x0 - RULE_REACH), min(w, x1 + RULE_REACH)
    ruled_cols = np.convolve(ink[ry0:ry1, x0:x1].sum(axis=0) >= 0.9 * (ry1 - ry0), np.ones(5), "same") > 0
    ruled_rows = np.convolve(ink[y0:y1, rx0:rx1].sum(axis=1) >= 0.9 * (rx1 - rx0), np.ones(5), "same") > 0
    win = ink[y0:y1, x0:x1].copy()
    win[:, ruled_cols] = 0
    win[ruled_rows] = 0
    rows = win.sum(axis=1)
    inked = np.flatnonzero(rows)
    if not len(inked):
        return quad
    runs = np.split(inked, np.flatnonzero(np.diff(inked) > 1) + 1)
    keep = [r for r in runs if not ((r[0] == 0 or r[-1] == y1 - y0 - 1) and len(r) < (y1 - y0) / 3)]
    if not keep:
        return quad
    ys = np.concatenate(keep)
    xs = np.flatnonzero(win[ys[0]:ys[-1] + 1].sum(axis=0))
    if not len(xs):
        return quad
    ix0, iy0, ix1, iy1 = x0 + xs[0], y0 + ys[0], x0 + xs[-1] + 1, y0 + ys[-1] + 1
    left, top, right, bottom = next(m for ratio, m in SNAP_MARGINS if (ix1 - ix0) < ratio * (iy1 - iy0))
    bx0, by0 = max(0.0, ix0 - left), max(0.0, iy0 - top)
    bx1, by1 = min(w - 1.0, ix1 + right), min(h - 1.0, iy1 + bottom)
    return np.array([[bx0, by0], [bx1, by0], [bx1, by1], [bx0, by1]], np.float32).round()


def _word_boxes(cal: Any) -> Any:
    """RapidOCR's boxes of each character (each run of Latin letters or digits) of a line read, split
    along the crop as `_crops` handed it over: across an upright crop (a horizontal line, or a lone
    glyph read upright), down a turned one (a vertical column). RapidOCR would take any crop 1.5
    times taller than wide for a turned one, and a lone `1` read upright would get a box lying on
    its side, half of it left of its crop. For the upright boxes in whole pixels found here the way
    back to the page is a shift, worked out directly: RapidOCR maps every corner back through an
    inverted perspective transform (a tenth of a second a page). Any other box goes the general way."""
    import cv2  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    def boxes(imgs: Any, found: Any, read: Any) -> list[Any]:
        out = []
        for img, quad, (text, score, info), turned in zip(imgs, found, read, _vertical(found)[1], strict=True):
            q = np.asarray(quad, np.float32)
            h, w = img.shape[:2]
            chars, places, confs = cal.cal_ocr_word_box(text, np.array([[0, 0], [w, 0], [w, h], [0, h]]), info)
            places = cal.adjust_box_overlap(places)  # the places are its own lists: changed in place
            box = _upright(q)
            if box is None or turned:
                out.append([text, score, cal.reverse_rotate_crop_image(q.copy(), places, "h" if turned else "w"),
                            chars, confs])
                continue
            # RapidOCR's transform (a shift up to float rounding, which its truncation to int keeps)
            left, top, x1, y1 = box
            size = np.array([[0, 0], [x1 - left, 0], [x1 - left, y1 - top], [0, y1 - top]], np.float32)
            _, back = cv2.invert(cv2.getPerspectiveTransform(q - np.array([left, top], np.float32), size))
            pts = np.array([[*pt, 1] for place in places for pt in place], np.float32).reshape(-1, 3)
            xyz = pts @ back.T
            xy = (xyz[:, :2] / xyz[:, 2:] + [left, top]).astype(int).reshape(-1, 4, 2)
            out.append([text, score, xy.tolist(), chars, confs])
        return out

    return boxes


def _vertical(found: Any) -> tuple[list[bool], list[bool]]:
    """Which found lines RapidOCR turns by 90° (1.5 times taller than wide, its sides measured as it
    measures them), and which of them are columns of vertical text, to be read turned: those more
    than 1.5 text lines tall. Reports are written across the page: a crop as tall as one line that
    is that narrow holds one or two glyphs (a lone `1` or `0` in a table cell), which the recogniser
    reads sideways (a `1` at 0.63, a `0` at 0.89); two glyphs stacked down a column make it twice a
    line's height at least, and a column (a vertical label in a merged header cell, seal text) is
    many. The line's height is the median height of the found lines wider than tall: lone glyphs
    and columns are not; on a page with none, every tall line is a column, as RapidOCR has it."""
    import numpy as np  # noqa: PLC0415

    q = np.asarray(found, np.float32).reshape(-1, 4, 2)
    w = np.maximum(np.linalg.norm(q[:, 0] - q[:, 1], axis=1), np.linalg.norm(q[:, 2] - q[:, 3], axis=1)).astype(int)
    h = np.maximum(np.linalg.norm(q[:, 0] - q[:, 3], axis=1), np.linalg.norm(q[:, 1] - q[:, 2], axis=1)).astype(int)
    tall = h >= 1.5 * w
    line = float(np.median(h[w > h])) if (w > h).any() else 0.0
    return tall.tolist(), (tall & (h > VERTICAL_LINES * line)).tolist()


def _upright(quad: Any) -> tuple[int, int, int, int] | None:
    """(x0, top, x1, bottom) of a quad that is an upright box in whole pixels, corners clockwise
    from the top left (as `_snapped` makes them); else None."""
    import numpy as np  # noqa: PLC0415

    q = np.asarray(quad, np.float32)
    x0, y0, x1, y1 = q[:, 0].min(), q[:, 1].min(), q[:, 0].max(), q[:, 1].max()
    if (q == [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]).all() and (q == q.round()).all():
        return int(x0), int(y0), int(x1), int(y1)
    return None


def _crops(cut: Any) -> Any:
    """RapidOCR's crops of the lines found, a lone glyph upright (`_vertical`: RapidOCR turns every
    tall crop), cut out directly for the upright boxes in whole pixels that are found here: its
    bicubic perspective warp of such a box is a shift by whole pixels, which samples the page's own
    pixels. Any other box goes the general way, turned back when RapidOCR turned a lone glyph."""
    import numpy as np  # noqa: PLC0415

    def crops(img: Any, found: Any) -> list[Any]:
        out = []
        for quad, tall, turned in zip(found, *_vertical(found), strict=True):
            box = _upright(quad)
            if box is None or not (0 <= box[0] < box[2] <= img.shape[1] and 0 <= box[1] < box[3] <= img.shape[0]):
                (crop,) = cut(img, [quad])
                out.append(np.rot90(crop, -1) if tall and not turned else crop)
                continue
            x0, y0, x1, y1 = box
            crop = img[y0:y1, x0:x1].copy()  # not a view: the page is let go before recognition
            out.append(np.rot90(crop) if turned else crop)  # a column turned as RapidOCR turns it
        return out

    return crops


def _normalize_in_float32(det: Any) -> None:
    """RapidOCR scales the page for detection in float64 (a tenth of a page's detection time)
    and hands the model float32: scaled in float32 instead, the input moves by float rounding."""
    import numpy as np  # noqa: PLC0415

    made = det.get_preprocess

    def get_preprocess(max_wh: int) -> Any:
        pre = made(max_wh)
        if len(set(pre.mean)) == 1 and len(set(pre.std)) == 1:  # one scale for all channels
            k, c = np.float32(pre.scale / pre.std[0]), np.float32(pre.mean[0] / pre.std[0])

            def normalize(img: Any) -> Any:
                out = img.astype(np.float32)
                out *= k
                out -= c
                return out

            pre.normalize = normalize
        return pre

    det.get_preprocess = get_preprocess


def _fuse(rapid: Any) -> None:
    """Detection and recognition on `ocr_graph`'s rewrites of RapidOCR's models; recognition keeps
    its memory arena (it allocates the same tensors crop after crop)."""
    import onnxruntime as ort  # noqa: PLC0415
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH  # noqa: PLC0415
    from rapidocr_onnxruntime.utils import read_yaml  # noqa: PLC0415

    from extract.ocr_graph import fused  # noqa: PLC0415 - loads onnx
    from extract.ocr_trim import Trimmed, trimmed  # noqa: PLC0415

    config = read_yaml(DEFAULT_CFG_PATH)

    def session(part: str) -> Any:
        options = ort.SessionOptions()
        options.log_severity_level = 4
        options.intra_op_num_threads = THREADS
        options.inter_op_num_threads = 1
        options.enable_cpu_mem_arena = part == "Rec"  # a page's detection tensors are not kept between pages
        model = fused(DEFAULT_CFG_PATH.parent / config[part]["model_path"])
        if part == "Rec" and TRIM:
            return Trimmed(ort.InferenceSession(trimmed(model), sess_options=options,
                                                providers=["CPUExecutionProvider"]))
        return ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])

    rapid.text_det.infer.session = session("Det")
    rapid.text_rec.session.session = session("Rec")


def _box(quad: Any) -> Box:
    xs, ys = [float(pt[0]) for pt in quad], [float(pt[1]) for pt in quad]
    return Box(min(xs), min(ys), max(xs), max(ys))


def _same_word(a: Word, b: Word) -> bool:
    """Digits and Latin letters the recogniser returned one by one, touching on one line."""
    return (bool(a.text) and not is_wide(a.text[-1]) and not is_wide(b.text[0])
            and -1 <= b.box.x0 - a.box.x1 <= 0.3 * b.box.height)


class _Tesseract:
    def __init__(self, exe: str) -> None:
        self.exe = exe
        out = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [exe, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
        m = re.search(r"tesseract (\d+\.\d+\.\d+)", out)
        self.name = f"tesseract-{m.group(1) if m else 'unknown'}"

    def _run(self, gray: Any, psm: int, limits: Limits) -> list[list[str]]:
        import cv2  # noqa: PLC0415

        with tempfile.TemporaryDirectory(prefix="xxgk-ocr-") as tmp:
            src = Path(tmp) / "page.png"
            cv2.imwrite(str(src), gray)
            try:
                proc = subprocess.run(  # noqa: S603 - fixed argv, no shell
                    [self.exe, str(src), "stdout", "-l", "chi_sim", "--psm", str(psm), "tsv"],
                    capture_output=True, text=True, timeout=limits.ocr_page_timeout, check=False,
                )
            except subprocess.TimeoutExpired:
                raise UnreadableInputError("ocr.timeout", medium="image", seconds=limits.ocr_page_timeout) from None
        return [row.split("\t") for row in proc.stdout.splitlines()[1:] if row.count("\t") >= 11]

    def page(self, gray: Any, limits: Limits, look: Look | None = None) -> Reading:  # noqa: ARG002 - reads the page as is
        reading = Reading([], [])
        for f in self._run(gray, 3, limits):
            x, y, w, h = (float(v) for v in f[6:10])
            if f[0] == "4":
                reading.lines.append(Box(x, y, x + w, y + h))
            elif f[0] == "5" and f[11].strip() and float(f[10]) >= 0:
                reading.words.append(Word(f[11], Box(x, y, x + w, y + h), float(f[10]) / 100))
        return reading

    def line(self, crop: Any, limits: Limits) -> tuple[str, float]:
        found = [(f[11], float(f[10]) / 100) for f in self._run(crop, 7, limits) if f[0] == "5" and f[11].strip()]
        if not found:
            return "", 0.0
        return "".join(t for t, _ in found), min(c for _, c in found)


@functools.cache
def engine() -> Engine:
    """RapidOCR when installed, else tesseract; neither is an unreadable file, not a crash."""
    try:
        return _Rapid()
    except (ImportError, PackageNotFoundError):
        exe = shutil.which("tesseract")
        if exe is None:
            raise UnreadableInputError("ocr.engine", medium="image") from None
        return _Tesseract(exe)


# ---------------------------------------------------------------------------- entry points

def image_document(data: bytes, limits: Limits) -> Document:
    return _read_frames(_frames(data, limits), limits)


def pages_document(images: Sequence[bytes], limits: Limits) -> Document:
    """The page images of one report (a 图片版 page shows one per printed page), read in their order as
    one document: its tables run on from page to page as a PDF's do. An image too small or too flat for
    a page (a logo, an icon, a banner) is no page of it; one that cannot be read leaves the whole report
    unread, with its page number, rather than read in part."""
    size = sum(len(data) for data in images)
    if size > limits.max_bytes:
        raise UnreadableInputError("attachment.too_large", medium="image", size=size / 1e6,
                                   limit=limits.max_bytes / 1e6)

    def frames() -> Iterator[Any]:
        for number, data in enumerate(images, 1):
            try:
                yield from (frame for frame in _frames(data, limits) if is_page(frame.shape[1], frame.shape[0]))
            except UnreadableInputError as exc:
                if exc.key.startswith("ocr."):
                    raise
                raise UnreadableInputError("image.page", page=number, reason=str(exc)) from None

    return _read_frames(frames(), limits)


def _read_frames(frames: Iterable[Any], limits: Limits) -> Document:
    deadline = Deadline(limits.extract_timeout, "image")
    ocr = engine()
    pages: list[Page] = []
    for frame in frames:  # decoded one at a time, each read before the next is decoded
        h, w = frame.shape[:2]
        # a long image (长图) that would shrink past reading is read as the pages it would print on
        cut = pieces(frame, round(A4_INCHES * limits.ocr_dpi)) if needs_cutting(w, h, fit(w, h, limits)) else [frame]
        check_ocr_pages("image", len(pages) + len(cut), limits)
        for piece in cut:
            deadline.check()
            pages.append(ocr_image(piece, limits))
    return Document(assemble(pages).blocks, f"image:ocr-{ocr.name}", medium="image")


def fit(width: float, height: float, limits: Limits) -> float:
    """The factor (at most 1) that brings a page within the pixels OCR works on and its longest side."""
    return min(1.0, MAX_SIDE / max(width, height, 1), math.sqrt(limits.ocr_page_pixels / max(width * height, 1)))


def ocr_pdf_pages(pdf: Any, indexes: Sequence[int], limits: Limits, deadline: Deadline) -> tuple[str, list[Page]]:
    """OCR the given pages of an open pdfium document, in PDF points like its text pages. A page
    is rendered at the OCR dpi, or smaller when that would exceed the pixels OCR works on (a page
    of 200 inches would render to gigabytes)."""
    check_ocr_pages("pdf", len(indexes), limits)
    import numpy as np  # noqa: PLC0415

    ocr = engine()
    pages: list[Page] = []
    for n in indexes:
        deadline.check()
        width, height = pdf[n].get_size()
        scale = limits.ocr_dpi / 72
        scale *= fit(width * scale, height * scale, limits)
        bitmap = pdf[n].render(scale=scale, grayscale=True)
        page = ocr_image(np.asarray(bitmap.to_pil().convert("L")), limits)
        pages.append(_scaled(page, 1 / scale))
    return ocr.name, pages


def check_ocr_pages(medium: str, pages: int, limits: Limits) -> None:
    """OCR costs seconds a page: a caller that cannot wait (a crawl) switches it off, and a scan of
    hundreds of pages is a batch job, not a parse."""
    if limits.max_ocr_pages == 0:
        raise UnreadableInputError("ocr.off", medium=medium)
    if pages > limits.max_ocr_pages:
        raise UnreadableInputError("ocr.pages", medium=medium, pages=pages, limit=limits.max_ocr_pages)


def _scaled(page: Page, k: float) -> Page:
    def box(b: Box) -> Box:
        return Box(b.x0 * k, b.top * k, b.x1 * k, b.bottom * k)

    return Page(page.width * k, page.height * k, [Word(w.text, box(w.box), w.confidence) for w in page.words],
                [[box(c) for c in cells] for cells in page.tables])


def _frames(data: bytes, limits: Limits) -> Iterator[Any]:
    """The image's frames (a multi-page TIFF is a scanned report) as grey arrays, one at a time;
    the pixels of all frames together are checked before any is decoded."""
    from PIL import Image, ImageSequence, UnidentifiedImageError  # noqa: PLC0415

    try:
        with warnings.catch_warnings():  # PIL's own bomb warning: our cap below is the stricter one
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
        with img:
            frames = getattr(img, "n_frames", 1)
            check_ocr_pages("image", frames, limits)
            sizes = [frame.size for frame in ImageSequence.Iterator(img)]
            _check_pixels(sizes, limits)
            for frame in ImageSequence.Iterator(img):
                yield _grey(frame)
    except Image.DecompressionBombError:
        raise UnreadableInputError("image.bomb", medium="image", limit=limits.max_pixels / 1e6) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        reason = f"{type(exc).__name__}: {exc}"[:160]
        raise UnreadableInputError("image.corrupt", medium="image", reason=reason) from None


def _check_pixels(sizes: Sequence[tuple[int, int]], limits: Limits) -> None:
    total = sum(w * h for w, h in sizes)
    if total <= limits.max_pixels:
        return
    if len(sizes) == 1:
        (width, height), = sizes
        raise UnreadableInputError("image.pixels", medium="image", width=width, height=height,
                                   limit=limits.max_pixels / 1e6)
    raise UnreadableInputError("image.frames", medium="image", frames=len(sizes), size=total / 1e6,
                               limit=limits.max_pixels / 1e6)


def _grey(frame: Any) -> Any:
    import numpy as np  # noqa: PLC0415

    return np.asarray(frame.convert("L"))


# ---------------------------------------------------------------------------- one page

def ocr_image(gray: Any, limits: Limits) -> Page:
    """A grey page image → Page (pixel coordinates): words with scores, ruled tables as cells."""
    import cv2  # noqa: PLC0415

    h, w = gray.shape[:2]
    k = fit(w, h, limits)
    if k < 1:
        gray = cv2.resize(gray, (max(1, round(w * k)), max(1, round(h * k))), interpolation=cv2.INTER_AREA)
    if blank(gray):
        return Page(float(gray.shape[1]), float(gray.shape[0]), [], [])
    ink = _ink(gray)
    level = _deskew(gray, ink)
    if level is not gray:  # turned: its own ink
        gray, ink = level, _ink(level)
    ocr = engine()
    top, bottom, left, right = _inked(ink)
    rules = _Rules(gray)
    table_rules = _TableRules(rules)
    scale = DET_WIDTH / gray.shape[1] if gray.shape[1] > DET_WIDTH > 0 else 1.0

    def skip(found: list[Box]) -> list[bool]:
        lines = [Box(b.x0 + left, b.top + top, b.x1 + left, b.bottom + top) for b in found]
        return _reread_anyway(ink, lines, table_rules.tables(lines))

    look = None
    if UNRULED:
        lines = rules.lines()[top:bottom, left:right]
        seen = gray[top:bottom, left:right].copy()
        seen[lines > 0] = 255
        look = Look(seen, scale, lines, skip if SKIP_REREAD else None)
    elif scale < 1:
        look = Look(gray[top:bottom, left:right], scale)
    reading = _moved(ocr.page(gray[top:bottom, left:right], limits, look), left, top)
    tables = table_rules.tables([w.box for w in reading.words] + reading.skipped)
    words = _reread_cells(gray, ink, reading, tables, ocr, limits)
    return Page(float(gray.shape[1]), float(gray.shape[0]), [_digit_glyphs(w) for w in words], tables)


def _inked(ink: Any) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the page's ink with a margin, on detection's 32-px grid.

    Detection costs by the pixel, and the margins of a page are a fifth of it. A side that is a
    multiple of 32 is also what the detector takes without stretching the page (1653 px → 1664):
    the unstretched page left fewer cells doubtful on the bench, not more.
    """
    import numpy as np  # noqa: PLC0415

    h, w = ink.shape[:2]
    rows = np.nonzero(np.count_nonzero(ink, axis=1) >= 3)[0]
    cols = np.nonzero(np.count_nonzero(ink, axis=0) >= 3)[0]
    if not rows.size:
        return 0, h, 0, w

    def span(lo: int, hi: int, size: int) -> tuple[int, int]:
        start = max(0, lo - 64) // 32 * 32
        end = min(size, start + -(-(hi + 64 - start) // 32) * 32)
        return start, end

    return (*span(int(rows[0]), int(rows[-1]), h), *span(int(cols[0]), int(cols[-1]), w))


def _moved(reading: Reading, dx: int, dy: int) -> Reading:
    def box(b: Box) -> Box:
        return Box(b.x0 + dx, b.top + dy, b.x1 + dx, b.bottom + dy)

    return Reading([Word(w.text, box(w.box), w.confidence) for w in reading.words], [box(b) for b in reading.lines],
                   [box(b) for b in reading.skipped])


def blank(gray: Any) -> bool:
    """A page without ink: next to no pixel of its 1000-px thumbnail stands out from the page's
    background (a blank scan's grey noise does not). Such a page is not sent to the detector, which
    spends seconds and gigabytes finding nothing on a large one."""
    import cv2  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    h, w = gray.shape[:2]
    k = min(1.0, 1000 / max(h, w, 1))
    small = cv2.resize(gray, (max(1, round(w * k)), max(1, round(h * k))), interpolation=cv2.INTER_AREA)
    background = float(np.median(small))
    marked = np.count_nonzero(np.abs(small.astype(np.int16) - background) > INK_CONTRAST)
    return bool(marked < BLANK_SHARE * small.size)


def _ink(gray: Any) -> Any:
    """Dark pixels (255) on white (0): Otsu's threshold, which leaves a scan's grey noise white
    and keeps a one-pixel stroke (a `1` in a bilevel scan) that a median filter would erase."""
    import cv2  # noqa: PLC0415

    _, bw = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return bw


def _deskew(gray: Any, ink: Any) -> Any:
    """The page rotated level (`gray` itself when it is level): the angle whose row profile of its
    `ink` is sharpest (text lines and ruling lines line up with pixel rows)."""
    import cv2  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    h, w = gray.shape[:2]
    k = 1000 / max(h, w)
    small = cv2.resize(ink, (max(1, round(w * k)), max(1, round(h * k))), interpolation=cv2.INTER_AREA)
    centre = (small.shape[1] / 2, small.shape[0] / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rotated = cv2.warpAffine(small, m, (small.shape[1], small.shape[0]), flags=cv2.INTER_NEAREST)
        rows = cv2.reduce(rotated, 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S)[:, 0]  # whole numbers: exact, as numpy's sums
        return float(np.var(rows.astype(np.float64)))

    best = max(np.arange(-SKEW_RANGE, SKEW_RANGE + 1e-9, 0.25), key=sharpness)
    best = max(np.arange(best - 0.25, best + 0.25 + 1e-9, 0.05), key=sharpness)
    if abs(best) < 0.05:
        return gray
    m = cv2.getRotationMatrix2D((w / 2, h / 2), float(best), 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


class _Rules:
    """The pixels of a page that may lie on a ruling line, and those on runs long enough to be
    rules: a 25th of the page's width across, a 60th of its height down."""

    def __init__(self, gray: Any) -> None:
        h, w = gray.shape[:2]
        self.long_h, self.long_v = max(25, w // 25), max(25, h // 60)
        self.masks = _rule_masks(gray, self.long_h, self.long_v)
        self.long = _runs(self.masks, self.long_h, self.long_v)

    def lines(self) -> Any:
        """The long rules with their grey fringe (255), for detection to whiten: beside a rule, a
        narrow glyph (`1`, `7`) is taken for part of it, and on a scaled page not found at all."""
        import cv2  # noqa: PLC0415
        import numpy as np  # noqa: PLC0415

        return cv2.dilate(self.long[0] | self.long[1], np.ones((3, 3), np.uint8))


class _TableRules:
    """Ruling lines → cells, with the same edge algebra pdfplumber applies to a PDF's lines.

    A scanned rule is thin, faint and broken by noise. A pixel is on a rule when it is dark and the
    average along a long horizontal (vertical) window through it is clearly darker than the same
    window a few pixels to either side: noise averages out along the window, a rule does not, and
    a stroke of text is shorter than the window. pdfplumber joins the pieces across small gaps; a
    table whose top or bottom rule is missing gets one where its vertical rules begin and end. A
    piece shorter than the window (a narrow column's border, cut where another rule crosses) is
    kept when it runs between two rules and is not a stroke inside a text's box. The rules are
    found once; the cells for a set of text boxes (the lines found, then the words read) are
    worked out again only when other short pieces fall inside the text.
    """

    def __init__(self, rules: _Rules) -> None:
        edges = _rule_edges(rules.long)
        if edges:
            edges = merge_rules(edges, 4, JOIN_GAP)
            edges += closing_rules(e for e in edges if e["orientation"] == "v")
            short = _runs(rules.masks, rules.long_h // 3, rules.long_v // 3)
            pieces = _rule_edges(short)
            self.short = [e for e, held in zip(pieces, _held(pieces, edges), strict=True) if held]
        self.edges = edges
        self.made: dict[tuple[int, ...], list[list[Box]]] = {}

    def tables(self, text: Sequence[Box]) -> list[list[Box]]:
        import numpy as np  # noqa: PLC0415

        if not self.edges:
            return []
        b = _boxes(text)
        at = np.array([((e["x0"] + e["x1"]) / 2, (e["top"] + e["bottom"]) / 2) for e in self.short], float)
        x, y = at.reshape(-1, 2)[:, :1], at.reshape(-1, 2)[:, 1:]
        inside = ((b[:, 0] <= x) & (x <= b[:, 2]) & (b[:, 1] <= y) & (y <= b[:, 3])).any(axis=1)
        kept = tuple(np.flatnonzero(~inside).tolist())
        if kept not in self.made:
            edges = merge_rules(self.edges + [self.short[i] for i in kept], 4, 0)
            self.made[kept] = [table for table in cells_of_rules(edges, REACH) if len(table) >= 4]
        return self.made[kept]


def _rule_masks(gray: Any, long_h: int, long_v: int) -> tuple[Any, Any]:
    """Pixels that may lie on a horizontal and on a vertical rule (1), from the sums of integer grey
    levels over each window: exact, and a third of the CPU of float means."""
    import cv2  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    # darker than the 15×15 mean around it by RULE_CONTRAST / 2: 225·grey + 225·15 < the window's sum
    sums = cv2.boxFilter(gray, cv2.CV_16U, (15, 15), normalize=False)  # at most 225·255: fits
    dark = sums > gray.astype(np.uint16) * np.uint16(225) + np.uint16(225 * RULE_CONTRAST // 2)
    out = []
    for axis, window in ((0, (long_h, 1)), (1, (1, long_v))):
        n = max(window)
        along = cv2.boxFilter(gray, cv2.CV_32S, window, normalize=False)
        # the background, the same window RULE_OFFSET px to either side, lighter by RULE_CONTRAST on average
        side = _beside(along, RULE_OFFSET, axis)
        side -= 2 * along
        mask = side > 2 * n * RULE_CONTRAST
        mask &= dark
        out.append(mask.view(np.uint8))
    return out[0], out[1]


def _beside(a: Any, k: int, axis: int) -> Any:
    """`np.roll(a, k, axis) + np.roll(a, -k, axis)` (the same sums), without the two rolled copies."""
    import numpy as np  # noqa: PLC0415

    if a.shape[axis] <= 2 * k:
        return np.roll(a, k, axis) + np.roll(a, -k, axis)
    b = np.moveaxis(a, axis, 0)
    out = np.empty_like(b)
    np.add(b[:-2 * k], b[2 * k:], out=out[k:-k])
    np.add(b[-k:], b[k:2 * k], out=out[:k])
    np.add(b[-2 * k:-k], b[:k], out=out[-k:])
    return np.moveaxis(out, 0, axis)


def _runs(masks: tuple[Any, Any], length_h: int, length_v: int) -> tuple[Any, Any]:
    """The rule pixels that lie on a horizontal (vertical) run at least this long."""
    import cv2  # noqa: PLC0415

    return tuple(cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, size))
                 for mask, size in ((masks[0], (length_h, 1)), (masks[1], (1, length_v))))  # type: ignore[return-value]


def _rule_edges(runs: tuple[Any, Any]) -> list[dict[str, Any]]:
    """Runs of rule pixels as pdfplumber edges: the box of each 8-connected piece, in the order
    of its first pixel (as connected components would give them; the outer contours find the
    same boxes in a tenth of the time)."""
    import cv2  # noqa: PLC0415

    edges = []
    for orientation, mask in (("h", runs[0]), ("v", runs[1])):
        contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
        outer = [c for c, link in zip(contours, hierarchy[0] if contours else (), strict=True) if link[3] < 0]
        outer.sort(key=lambda c: (int(c[0, 0, 1]), int(c[0, 0, 0])))
        for contour in outer:
            x, y, bw, bh = (float(v) for v in cv2.boundingRect(contour))
            if orientation == "h":
                edges.append(edge("h", x, x + bw, y + bh / 2, y + bh / 2))
            else:
                edges.append(edge("v", x + bw / 2, x + bw / 2, y, y + bh))
    return edges


def _held(pieces: Sequence[dict[str, Any]], edges: Sequence[dict[str, Any]]) -> list[bool]:
    """Which short pieces of rule run (nearly) all the way between two long rules of the other
    direction: a narrow cell's border. A stroke of text inside a cell stops well short of both."""
    import numpy as np  # noqa: PLC0415

    def array(items: Iterable[dict[str, Any]], keys: tuple[str, ...]) -> Any:
        return np.array([[e[k] for k in keys] for e in items], float).reshape(-1, len(keys))

    out = np.zeros(len(pieces), bool)
    for o, span, across in (("h", ("x0", "x1", "top"), ("top", "bottom", "x0")),
                            ("v", ("top", "bottom", "x0"), ("x0", "x1", "top"))):
        mine = [k for k, e in enumerate(pieces) if e["orientation"] == o]
        p, e = array((pieces[k] for k in mine), span), array((e for e in edges if e["orientation"] != o), across)
        lo, hi, at = p[:, :1], p[:, 1:2], p[:, 2:]
        meets = (e[:, 0] - REACH <= at) & (at <= e[:, 1] + REACH)  # (pieces, rules across) whose band holds it
        c = e[:, 2]
        start, end = meets & (np.abs(c - lo) <= REACH), meets & (np.abs(c - hi) <= REACH)
        first = np.where(start, c, np.inf).min(axis=1, initial=np.inf)
        last = np.where(end, c, -np.inf).max(axis=1, initial=-np.inf)
        out[mine] = start.any(axis=1) & end.any(axis=1) & (hi[:, 0] - lo[:, 0] >= SHORT_RULE_SHARE * (last - first))
    return out.tolist()


def _digit_glyphs(word: Word) -> Word:
    """`1O` → `10` in a number, with the doubt recorded; text that is not a number is left alone."""
    text = word.text.replace(" ", "")
    if _NUMBER.match(text) or not _NUMBERISH.match(text) or not any(ch.isdigit() for ch in text):
        return word
    fixed = text.translate(GLYPHS)
    if not _NUMBER.match(fixed):
        return word
    return Word(fixed, word.box, min(word.confidence or 0.0, GLYPH_DOUBT))


def _reread_cells(
    gray: Any, ink: Any, reading: Reading, tables: Sequence[Sequence[Box]], ocr: Engine, limits: Limits
) -> list[Word]:
    """Read a cell again from its own pixels, line by line, when a detected line runs across its
    ruling line (the page pass then places characters by estimate, or runs `0 0` together), or
    when it holds ink but no word (a digit the detector missed: a lone `1` beside a rule in a cell
    five lines tall is a fraction of its pixels, so a line of ink as tall as a glyph counts too)."""
    import numpy as np  # noqa: PLC0415

    keep = list(reading.words)
    lines = _boxes(reading.lines)
    glyph = _glyph(lines)
    for cells in tables:
        c = _boxes(cells)
        redo = _crossed(lines, c)
        words = _boxes([w.box for w in keep])
        if len(words):
            cx, cy = ((words[:, 0] + words[:, 2]) / 2)[:, None], ((words[:, 1] + words[:, 3]) / 2)[:, None]
            redo |= ~((c[:, 0] <= cx) & (cx <= c[:, 2]) & (c[:, 1] <= cy) & (cy <= c[:, 3])).any(axis=0)
        else:
            redo[:] = True
        for k in np.flatnonzero(redo).tolist():
            cell = cells[k]
            inked = _ink_lines(ink, cell, glyph)
            if not inked:
                continue
            keep = [w for w in keep if not cell.holds(w.box.cx, w.box.cy)]
            for box in inked:
                crop = gray[max(0, int(box.top) - 4):int(box.bottom) + 4, max(0, int(box.x0) - 4):int(box.x1) + 4]
                text, score = ocr.line(crop, limits)
                keep.append(Word(text.strip(), box, score if text.strip() else 0.0))
    return keep


def _glyph(lines: Any) -> float:
    """The height a glyph is at least (a lone `1` in a tall cell is too little of its ink to count)."""
    import numpy as np  # noqa: PLC0415

    return GLYPH_SHARE * float(np.median(lines[:, 3] - lines[:, 1])) if len(lines) else math.inf


def _crossed(lines: Any, cells: Any) -> Any:
    """The cells (an (n, 4) array) a found line runs into from another: it overlaps each of them
    by 0.3 of its height, on the cell's band."""
    import numpy as np  # noqa: PLC0415

    if not len(lines):
        return np.zeros(len(cells), bool)
    height = (lines[:, 3] - lines[:, 1])[:, None]
    band = np.minimum(lines[:, 3:4], cells[:, 3]) - np.maximum(lines[:, 1:2], cells[:, 1]) > 0.5 * height
    across = np.minimum(lines[:, 2:3], cells[:, 2]) - np.maximum(lines[:, 0:1], cells[:, 0]) > 0.3 * height
    touched = band & across
    return touched[touched.sum(axis=1) > 1].any(axis=0)


def _reread_anyway(ink: Any, found: Sequence[Box], tables: Sequence[Sequence[Box]]) -> list[bool]:
    """The found lines `_reread_cells` will drop, all their words: those that lie across cells
    read again from their own ink (a line that runs into another cell), at their middle height.
    Recognising them would be wasted (a narrow two-line header cell's lines touch the next cell)."""
    import numpy as np  # noqa: PLC0415

    lines = _boxes(found)
    glyph = _glyph(lines)
    spans: list[tuple[float, float, float, float]] = []  # x0, top, x1, bottom of the cells read again
    for cells in tables:
        for k in np.flatnonzero(_crossed(lines, _boxes(cells))).tolist():
            if _ink_lines(ink, cells[k], glyph):
                spans.append((cells[k].x0, cells[k].top, cells[k].x1, cells[k].bottom))
    out = []
    for b in found:
        y = (b.top + b.bottom) / 2
        covered = sorted((x0, x1) for x0, top, x1, bottom in spans if top <= y <= bottom)
        reach = b.x0
        for x0, x1 in covered:
            if x0 <= reach:
                reach = max(reach, x1)
        out.append(reach >= b.x1)
    return out


def _boxes(boxes: Sequence[Box]) -> Any:
    """Boxes as an (n, 4) array of x0, top, x1, bottom."""
    import numpy as np  # noqa: PLC0415

    return np.array([(b.x0, b.top, b.x1, b.bottom) for b in boxes], float).reshape(-1, 4)


def _ink_lines(ink: Any, cell: Box, glyph: float) -> list[Box]:
    """The lines of ink inside a cell (its rules left out): runs of inked pixel rows, top to
    bottom; none when the cell is empty: too little of it inked, and no line as tall as a glyph."""
    import numpy as np  # noqa: PLC0415

    top, x0 = int(cell.top) + 5, int(cell.x0) + 5
    inner = ink[top:int(cell.bottom) - 4, x0:int(cell.x1) - 4]
    if not inner.size:
        return []
    rows = inner.max(axis=1) > 0
    lines: list[Box] = []
    start: int | None = None
    for y, inked in enumerate([*rows, False]):
        if inked and start is None:
            start = y
        elif not inked and start is not None:
            band = inner[start:y]
            cols = np.nonzero(band.max(axis=0))[0]
            if y - start >= MIN_INK_LINE:
                lines.append(Box(float(x0 + cols[0]), float(top + start), float(x0 + cols[-1] + 1), float(top + y)))
            start = None
    if float(inner.mean()) / 255 <= INK_SHARE and not any(b.height >= glyph for b in lines):
        return []
    return lines
