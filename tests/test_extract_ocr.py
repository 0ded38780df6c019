"""Scans → record: LibreOffice's pages of two corpus records, rasterised at 200 dpi and made to
look scanned (tilted up to 1°, blurred, noisy), read back by OCR — one as a scanned PDF, one as a
multi-page TIFF (an "图片版" report). At least 99% of the cells come back identical, and every
cell that does not is flagged: by `ocr_uncertain`, or by a failing sum on its row or column.
"""

from __future__ import annotations

import functools
import io
import itertools
import sys
from collections import Counter
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from media_corpus import RECORDS, scanned
from PIL import Image, ImageDraw, ImageFont

from extract import ocr
from extract.geometry import Box, Word
from extract.limits import LIMITS
from extract.ocr import _digit_glyphs
from extract.parse import parse_bytes
from extract.schema import table_cells
from extract.uncertain import OCR_THRESHOLD, ocr_keys, readings
from validate import validate

ENGINE = f"rapidocr-{version('rapidocr-onnxruntime')}"
FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # Debian fonts-wqy-microhei
ARITHMETIC = {"requests.row_total", "requests.results_total", "requests.balance", "review_litigation.total"}


@functools.cache
def scanned_pdf(name: str) -> dict[str, Any]:
    pages = [Image.open(p) for p in scanned(name)]
    buf = io.BytesIO()
    pages[0].save(buf, format="PDF", save_all=True, append_images=pages[1:], resolution=200)
    return parse_bytes(buf.getvalue(), name="scan.pdf")


@functools.cache
def scanned_tiff(name: str) -> dict[str, Any]:
    pages = [Image.open(p) for p in scanned(name)]
    buf = io.BytesIO()
    pages[0].save(buf, format="TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    return parse_bytes(buf.getvalue(), name="report.tif")


def _cells(record: dict[str, Any]) -> dict[tuple[str, str, str], Any]:
    out = {(t, r, c): v for t in ("active", "requests", "review_litigation") for (r, c), v in table_cells(record, t).items()}
    for entry in record.get("legacy_stats") or ():
        out["legacy_stats", entry["label"], "value"] = entry["value"]
    return out


def _flagged(record: dict[str, Any], key: tuple[str, str, str]) -> bool:
    table, row, col = key
    for f in validate(record):
        if f.rule == "ocr_uncertain" and f.table == table and col in (f.col, None) and row in (f.row, f.group):
            return True
        if f.rule in ARITHMETIC and f.table == table and (f.row in (row, None) or f.group == row) and f.col in (col, None):
            return True
    return False


def _check_scan(record: dict[str, Any], truth: dict[str, Any]) -> None:
    """What must hold on any CPU (OCR scores and, rarely, a glyph differ between onnxruntime builds):
    no wrong value goes unflagged, and the stored doubt agrees with the decision taken on it."""
    want, got = _cells(truth), _cells(record)
    wrong = [k for k, v in want.items() if got.get(k, "<absent>") != v]
    assert len(wrong) <= 0.05 * len(want), wrong  # a clean scan: a few misreads at most (accuracy: bench)
    assert [k for k in wrong if not _flagged(record, k)] == []
    assert record["format"] == truth["format"]
    assert record["year"] == truth["year"]
    assert 0 <= record["parse"]["ocr_confidence"] <= 1
    for info in record["parse"]["ocr_cells"].values():
        assert info["confidence"] < OCR_THRESHOLD


def test_scanned_pdf() -> None:
    record = scanned_pdf("gold-000.html_clean.pdf")
    assert (record["source"]["medium"], record["source"]["extractor"]) == ("pdf", f"pdf:ocr-{ENGINE}")
    _check_scan(record, RECORDS["gold-000"])


def test_scanned_images() -> None:
    record = scanned_tiff("gold-003.html_clean.pdf")
    assert (record["source"]["medium"], record["source"]["extractor"]) == ("image", f"image:ocr-{ENGINE}")
    _check_scan(record, RECORDS["gold-003"])


# ---------------------------------------------------------------------------- doubt, not correction

def test_letters_in_a_number_are_read_as_digits_and_marked_doubtful() -> None:
    word = _digit_glyphs(Word("1O", Box(0, 0, 10, 10), 0.97))
    assert (word.text, word.confidence) == ("10", 0.5)
    assert _digit_glyphs(Word("规章", Box(0, 0, 10, 10), 0.97)).text == "规章"


def test_doubtful_cells_carry_their_readings() -> None:
    assert readings("1O")[:3] == [10, 70, 40]
    assert readings("") == []
    keys = ocr_keys({"requests.new.total": (0.62, "16"), "requests.new.natural_person": (0.99, "4")})
    assert keys["ocr_confidence"] == pytest.approx(0.805)
    assert list(keys["ocr_cells"]) == ["requests.new.total"]
    assert keys["ocr_cells"]["requests.new.total"]["candidates"][0] == 16


def test_an_unread_inked_cell_stays_blank_and_doubtful() -> None:
    """A cell with ink that OCR could not read is blank in the record (never guessed) and is
    reported with confidence 0; the failing sum suggests the value that would make it hold."""
    record = {**RECORDS["gold-000"], "requests": {r: dict(c) for r, c in RECORDS["gold-000"]["requests"].items()}}
    record["requests"]["new"]["total"] = None
    record["parse"] = ocr_keys({"requests.new.total": (0.0, "")})
    (finding,) = [f for f in validate(record) if f.rule == "ocr_uncertain"]
    assert finding.to_dict()["candidates"] == [4]


# ---------------------------------------------------------------------------- the engine

def _exported_and_rewritten() -> tuple[Any, Any]:
    """Two RapidOCR engines: on the models as shipped and on `ocr_graph`'s rewrites."""
    shipped = ocr._Rapid.__new__(ocr._Rapid)  # the engine without the rewrite
    from rapidocr_onnxruntime import RapidOCR  # noqa: PLC0415

    shipped.ocr = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, max_side_len=ocr.MAX_SIDE, rec_batch_num=1)
    shipped.name = "shipped"
    return shipped, ocr._Rapid()


def _written(height: int, texts: list[tuple[tuple[int, int], str]]) -> Any:
    """A white strip 1400 px wide with these texts written at 36 px, as a grey page."""
    image = Image.new("L", (1400, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 36)
    for at, text in texts:
        draw.text(at, text, fill=0, font=font)
    return np.asarray(image)


def test_the_rewritten_models_read_what_the_shipped_ones_read() -> None:
    """Same lines, same words, same characters (the decisions; scores differ by float rounding)."""
    gray = _written(260, [((30, 30), "三、收到和处理政府信息公开申请情况"), ((30, 110), "自然人  128   0   37   2,045"),
                          ((30, 190), "（本列数据的勾稽关系为：第一项加第二项之和）")])
    shipped, rewritten = (engine.page(gray, LIMITS) for engine in _exported_and_rewritten())
    assert [w.text for w in rewritten.words] == [w.text for w in shipped.words]
    assert rewritten.lines == shipped.lines
    assert {"128", "37", "2,045"} <= {w.text for w in rewritten.words}


def test_the_word_boxes_worked_out_directly_are_rapidocrs() -> None:
    """Boxes snapped to the ink are upright and in whole pixels: their characters' boxes are a shift
    of the crop's, to the pixel what RapidOCR's inverse perspective transform gives (a lone glyph's
    crop, read upright, split across as a line is)."""
    gray = _written(180, [((30, 30), "三、收到和处理政府信息公开申请情况"),
                          ((30, 110), "自然人  128   0   37   2,045  法人或其他组织"), ((1300, 30), "1")])
    engine = ocr._Rapid()
    direct = engine.page(gray, LIMITS, ocr.Look(gray, 0.5))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ocr, "_upright", lambda quad: None)  # every box the general way
        general = engine.page(gray, LIMITS, ocr.Look(gray, 0.5))
    assert direct.words == general.words
    assert len(direct.words) > 20
    assert any(b.height >= 1.5 * (b.x1 - b.x0) for b in direct.lines)  # the lone `1`


def test_the_crops_cut_directly_are_rapidocrs() -> None:
    """The lines found are upright boxes in whole pixels: slicing them out gives, to the pixel, the
    crops RapidOCR's bicubic perspective warp gives (a lone glyph's turned back upright)."""
    gray = np.asarray(Image.open(scanned("gold-000.html_clean.pdf")[1]).convert("L"))
    engine = ocr._Rapid()
    rapid = engine.ocr
    seen: list[Any] = []
    cut = rapid.get_crop_img_list

    def kept(img: Any, found: Any) -> Any:
        seen.append(cut(img, found))
        return seen[-1]

    rapid.get_crop_img_list = kept
    engine.page(gray, LIMITS, ocr.Look(gray, 0.5))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ocr, "_upright", lambda quad: None)  # every box through RapidOCR's warp
        engine.page(gray, LIMITS, ocr.Look(gray, 0.5))
    direct, general = seen
    assert len(direct) > 50
    assert any(crop.shape[0] >= 1.5 * crop.shape[1] for crop in direct)  # lone glyphs, upright
    assert all(a.shape == b.shape and (a == b).all() for a, b in zip(direct, general, strict=True))


def _table_with_a_vertical_label() -> Any:
    """A ruled table, its rows labelled, its values lone digits in cells two lines tall, and down
    its first column one merged cell with 申请人情况 written top to bottom."""
    image = Image.new("L", (760, 420), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 30)
    xs, ys = [20, 90, 330, 450, 570, 690], [20, 80, 140, 200, 260, 320, 380]
    for x in xs:
        draw.line([(x, ys[0]), (x, ys[-1])], fill=0, width=2)
    for k, y in enumerate(ys):
        draw.line([(xs[0] if k in (0, len(ys) - 1) else xs[1], y), (xs[-1], y)], fill=0, width=2)
    for k, ch in enumerate("申请人情况"):
        draw.text((40, 120 + 33 * k), ch, fill=0, font=font)
    rows = [("自然人", "107"), ("商业企业", "310"), ("科研机构", "071"), ("社会公益组织", "610"),
            ("法律服务机构", "101"), ("其他", "291")]
    for (label, values), y in zip(rows, ys, strict=False):
        draw.text((100, y + 14), label, fill=0, font=font)
        for x, value in zip(xs[2:], values, strict=False):
            draw.text((x + 20, y + 14), value, fill=0, font=font)
    return np.asarray(image)


@pytest.mark.parametrize("scaled", [False, True], ids=["found-as-is", "found-scaled-and-snapped"])
def test_a_lone_digit_is_read_upright_and_a_vertical_label_turned(scaled: bool) -> None:
    """A lone digit's crop is 1.5 times taller than wide, which RapidOCR takes for vertical text:
    read upright, it is confident and its box is its line's, one line high. A label written down a
    merged cell is many lines tall: still read turned, its characters one below the other."""
    gray = _table_with_a_vertical_label()
    reading = ocr.engine().page(gray, LIMITS, ocr.Look(gray, 0.5) if scaled else None)
    digits = [w for w in reading.words if len(w.text) == 1 and w.text.isdigit() and w.box.x0 > 330]
    assert sorted(w.text for w in digits) == sorted("107310071610101291")
    tall = 0
    for word in digits:
        (line,) = [b for b in reading.lines if b.holds(word.box.cx, word.box.cy)]
        tall += line.height >= 1.5 * (line.x1 - line.x0)  # RapidOCR's vertical text: the `1`s
        assert (word.box.top, word.box.bottom) == (line.top, line.bottom)
        assert line.x0 <= word.box.x0 < word.box.x1 <= line.x1
        assert (word.confidence or 0) >= OCR_THRESHOLD
    assert tall >= 5
    columns = [b for b in reading.lines if b.x1 < 90 and b.height >= 1.5 * (b.x1 - b.x0)]  # down the merged cell
    label = sorted((w for w in reading.words if any(b.holds(w.box.cx, w.box.cy) for b in columns)),
                   key=lambda w: w.box.top)
    assert len(label) >= 3  # at full scale the detector leaves 申 and 况 out of the column
    assert "".join(w.text for w in label) in "申请人情况"
    assert all(a.box.cy < b.box.top and b.box.x0 < a.box.x1 for a, b in itertools.pairwise(label))


def test_rule_pixels_are_those_whose_window_means_pass_exactly() -> None:
    """The rule masks from integer window sums: a pixel darker than its 15×15 mean by half of
    RULE_CONTRAST, on a window along the rule darker than the same window RULE_OFFSET px to either
    side by RULE_CONTRAST, each decided on the exact means (a faint, noisy scan's rule)."""
    rng = np.random.default_rng(3)
    gray = np.clip(rng.normal(235, 12, (120, 160)), 0, 255).astype(np.uint8)
    gray[60, 10:150] = 180  # a faint rule
    gray[20:100, 80] = 150
    gray[30:40, 30:34] = 40  # a stroke
    long_h, long_v = 25, 25
    masks = ocr._rule_masks(gray, long_h, long_v)

    def sums(size: tuple[int, int]) -> Any:  # over each window, borders reflected as OpenCV does
        ry, rx = size[0] // 2, size[1] // 2
        padded = np.pad(gray.astype(np.int64), ((ry, size[0] - 1 - ry), (rx, size[1] - 1 - rx)), mode="reflect")
        return np.lib.stride_tricks.sliding_window_view(padded, size).sum(axis=(2, 3))

    # the means compared in whole numbers: mean − grey > c  ⇔  sum − n·grey > n·c
    dark = sums((15, 15)) - 225 * gray.astype(np.int64) > 225 * ocr.RULE_CONTRAST / 2
    for axis, size, mask in ((0, (1, long_h), masks[0]), (1, (long_v, 1), masks[1])):
        along, n = sums(size), max(size)
        side = np.roll(along, ocr.RULE_OFFSET, axis) + np.roll(along, -ocr.RULE_OFFSET, axis) - 2 * along
        assert (mask == ((side > 2 * n * ocr.RULE_CONTRAST) & dark)).all()
    assert masks[0][60, 20:140].all()
    assert masks[1][30:90, 80].all()
    assert not masks[0][30:40, 30:34].any()


def test_lines_in_cells_read_again_are_not_recognised_and_the_page_reads_the_same() -> None:
    """A found line that runs into the next cell (a narrow header's two lines) is dropped with its cell's
    words, and the cell read from its own ink: recognising it first changes nothing on the page."""
    gray = np.asarray(Image.open(scanned("gold-000.html_clean.pdf")[1]).convert("L"))
    rec = ocr.engine().ocr.text_rec
    crops: list[int] = []
    run = rec.__class__.__call__

    def counted(self: Any, imgs: Any, *args: Any) -> Any:
        crops.append(len(imgs))
        return run(self, imgs, *args)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rec.__class__, "__call__", counted)
        mp.setattr(ocr, "SKIP_REREAD", False)
        every = ocr.ocr_image(gray, LIMITS)
        read_every = sum(crops)
        crops.clear()
        mp.setattr(ocr, "SKIP_REREAD", True)
        kept = ocr.ocr_image(gray, LIMITS)
    assert sorted(map(repr, kept.words)) == sorted(map(repr, every.words))
    assert sum(crops) < read_every


def test_the_rewrite_removes_the_element_wise_nodes_around_convolutions() -> None:
    import onnx  # noqa: PLC0415
    from onnx import numpy_helper  # noqa: PLC0415
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH  # noqa: PLC0415
    from rapidocr_onnxruntime.utils import read_yaml  # noqa: PLC0415

    from extract.ocr_graph import fused  # noqa: PLC0415

    config = read_yaml(DEFAULT_CFG_PATH)
    for part in ("Det", "Rec"):
        path = DEFAULT_CFG_PATH.parent / config[part]["model_path"]
        before = Counter(n.op_type for n in onnx.load(str(path)).graph.node)
        graph = onnx.load_from_string(fused(path)).graph
        nodes, after = graph.node, Counter(n.op_type for n in graph.node)
        scalars = {i.name for i in graph.initializer if np.prod(i.dims) == 1}
        shifted = {n.output[0] for n in nodes if n.op_type == "Add" and scalars.intersection(n.input)}
        ones = {i.name for i in graph.initializer if list(i.dims[1:]) == [1, 1, 1] and (numpy_helper.to_array(i) == 1).all()}
        shifts = [n for n in nodes if n.op_type == "Conv" and n.input[1] in ones]  # x·1 + shift, per channel
        assert after["Conv"] == before["Conv"] + len(shifts)
        assert (after["Clip"], after["HardSigmoid"]) == (0, before["HardSigmoid"] + before["Clip"])
        assert after["Mul"] + after["Add"] < (before["Mul"] + before["Add"]) / 2
        # a shift before a padded convolution is a convolution itself (in the detector, three shifts
        # that two convolutions read stay Adds)
        padded = [n for n in nodes if n.op_type == "Conv" and any(a.name == "pads" and any(a.ints) for a in n.attribute)]
        assert shifts
        assert len([n for n in padded if n.input[0] in shifted]) == (3 if part == "Det" else 0)
        # the detector's head: its transposed convolutions take their bias and normalisation in
        deconvolved = {n.output[0] for n in nodes if n.op_type == "ConvTranspose"}
        assert len(deconvolved) == before["ConvTranspose"]
        assert not [n for n in nodes if n.op_type in ("Add", "BatchNormalization") and deconvolved.intersection(n.input)]


def test_tesseract_reads_when_rapidocr_is_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # `import` raises ImportError
    ocr.engine.cache_clear()
    try:
        engine = ocr.engine()
        image = Image.new("L", (900, 120), 255)
        ImageDraw.Draw(image).text((20, 30), "收到申请数 128 件", fill=0, font=ImageFont.truetype(str(FONT), 48))
        words = engine.page(np.asarray(image), LIMITS).words
    finally:
        ocr.engine.cache_clear()
    assert engine.name.startswith("tesseract-")
    assert "128" in "".join(w.text for w in words)
    assert all(w.confidence is not None and 0 <= w.confidence <= 1 for w in words)


def test_a_score_is_doubtful_exactly_when_its_stored_value_is_below_the_threshold() -> None:
    """The decision is taken on the rounded score: a raw 0.8996 is stored as 0.9 and not reported."""
    keys = ocr_keys({"a.b.c": (0.8996, "5"), "a.b.d": (0.8994, "6")})
    assert list(keys["ocr_cells"]) == ["a.b.d"]
    assert keys["ocr_cells"]["a.b.d"]["confidence"] == 0.899


def test_a_short_crop_is_read_on_its_own_columns_with_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """`ocr_trim`: a number far narrower than the recogniser's 320 px runs on fewer columns, and
    reads as on the padded width (same text; the score moves by float rounding and the cut)."""
    monkeypatch.setattr(ocr, "TRIM", False)
    padded = ocr._Rapid()
    monkeypatch.setattr(ocr, "TRIM", True)
    trimmed = ocr._Rapid()
    session = trimmed.ocr.text_rec.session.session
    widths: list[int] = []
    run = session.session.run
    monkeypatch.setattr(session.session, "run", lambda names, feed: widths.append(feed["x"].shape[3]) or run(names, feed))
    font = ImageFont.truetype(str(FONT), 30)
    for text in ("128", "10", "2,045", "自然人"):
        image = Image.new("L", (40 + 18 * len(text) * (2 if ord(text[0]) > 127 else 1), 44), 255)
        ImageDraw.Draw(image).text((10, 5), text, fill=0, font=font)
        crop = np.asarray(image)
        (want, want_score), (got, got_score) = padded.line(crop, LIMITS), trimmed.line(crop, LIMITS)
        assert got == want == text
        assert abs(got_score - want_score) < 0.01
    assert len(widths) == 4
    assert max(widths[:3]) < 320  # the numbers; the wider label may need every column


def test_the_crops_of_a_scanned_page_read_on_their_own_columns_as_on_the_full_width() -> None:
    """`ocr_trim` on every crop a scan-like page hands the recogniser: the same characters as the
    run on the padded width, and no line read with confidence there is doubtful trimmed."""
    def decisions(probs: Any) -> tuple[Any, float]:  # RapidOCR's CTC decoding: characters, line score
        best = probs.argmax(1)
        kept = (best != 0) & np.r_[True, best[1:] != best[:-1]]
        return best[kept], float(probs.max(1)[kept].mean()) if kept.any() else 0.0

    gray = np.asarray(Image.open(scanned("gold-000.html_clean.pdf")[1]).convert("L"))
    session = ocr.engine().ocr.text_rec.session.session
    fed: list[Any] = []
    run = session.run
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(session, "run", lambda names, feed: fed.append(feed["x"]) or run(names, feed))
        ocr.ocr_image(gray, LIMITS)
    ones, zeros = np.ones((1, 1, 1, 1), np.float32), np.zeros((1, 1, 1, 1), np.float32)
    trimmed = 0
    for x in fed:
        full = session.session.run(None, {"x": x, "column_weight": ones, "key_bias": zeros})[0][0]
        got = session.run(None, {"x": x})[0][0]
        (want_text, want_score), (text, score) = decisions(full), decisions(got)
        assert (text == want_text).all()
        assert score >= OCR_THRESHOLD or want_score < 0.95
        trimmed += bool((full != got).any())
    assert trimmed > len(fed) / 2


def test_a_crop_that_fills_the_width_is_read_whole() -> None:
    """A line wider than 320 px has no padding to cut: the trimmed graph runs it as it is."""
    engine = ocr._Rapid()
    session = engine.ocr.text_rec.session.session
    x = np.random.default_rng(1).uniform(-1, 1, (1, 3, 48, 400)).astype(np.float32)
    (out,) = session.run(None, {"x": x})
    assert out.shape[1] == 50


# ---------------------------------------------------------------------------- a report as one long image

def test_a_long_image_is_read_as_the_pages_it_would_print_on() -> None:
    """A report exported as one picture four A4 pages long (its two pages with two blank ones between) would
    be shrunk to a quarter of its width and its digits lost (185 of 200 cells wrong when read whole)."""
    import pypdfium2 as pdfium  # noqa: PLC0415
    from media_corpus import corpus  # noqa: PLC0415

    pdf = pdfium.PdfDocument(str(corpus() / "pdf" / "gold-000.html_clean.pdf"))
    pages = [np.asarray(pdf[n].render(scale=200 / 72, grayscale=True).to_pil().convert("L")) for n in range(len(pdf))]
    long = np.vstack([pages[0], np.full_like(pages[0], 255), np.full_like(pages[0], 255), *pages[1:]])
    buf = io.BytesIO()
    Image.fromarray(long).save(buf, format="PNG")
    record = parse_bytes(buf.getvalue(), name="report.png")
    assert record["source"]["medium"] == "image"
    _check_scan(record, RECORDS["gold-000"])
