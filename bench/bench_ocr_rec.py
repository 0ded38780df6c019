"""OCR recognition alone: CPU ms per crop, and how far a variant of the recogniser drifts from the
float graphs `extract.ocr` runs (`ocr_graph` + `ocr_trim`), on the crops of simulated scans.

The crops are what `ocr_image` hands the recogniser on random 2021-format reports drawn by
`sim.media` and rendered at 200 dpi (as `bench_ocr.py` does): seeds 7000–7002 calibrate int8
ranges, seeds 8000–8002 (~1040 crops) are the drift corpus. A crop keeps its decisions when its
text is the same, its score is on the same side of `OCR_THRESHOLD` (rounded as `uncertain.py`
stores it) and so is every character's (a word's score is its characters' lowest).

Static int8 convolutions (onnxruntime.quantization, u8 activations, s8 weights per channel, min–max
ranges from 300 calibration crops, opset 13). Measured on the shared 2-core machine (load 3–5):

    variant                      ms/crop  same text  same line decision  same char decisions  max score delta
    float (as run)                  15.5       1043                1043                 1043  0
    int8 all convs, QOperator       16.6        454                 395                  367  0.73
    int8 all convs, QDQ             15.0        454                 395                  367  0.73
    int8 deep 1×1 convs (8)         12.6       1039                1018                 1014  0.30

(max score delta: over the crops whose text stayed the same.)
Int8 is not used. Quantised alone (on 150 crops), each of the first convolutions changed the
text of up to half the crops (per-tensor u8 ranges of ±15–50 at their outputs), and each deep 1×1
convolution still moved a score by 0.008–0.04 and flipped 0–2 doubt decisions: on this corpus 6
lines score within 0.01 of the threshold and 31 within 0.03. Quantising every convolution saves
little or nothing: the Q/DQ around the float nodes between them (hard-swish, SE means, the trimmed
graph's weights) costs about what the int8 kernels save. Percentile calibration ran out of memory
on 300 crops.

`--margins` runs `ocr_trim` with other CONTEXT:EDGE margins against the whole padded width instead.
On 5,608 crops (seeds 8000–8009, 3,516; with those of `bench_ocr.py`'s 12 pages, 1,404, and of the 4
scan-like pages of tests/test_extract_ocr.py, 688, collected the same way), one process, load ~4:

    context  edge  ms/crop  same text  same line decision  same char decisions  max score delta  moved > 0.01
    whole width       14.2
         64    96     12.5       5608                5607                 5607           0.4271             9
         64    64     11.3       5608                5607                 5607           0.3617            14
         64    56     11.3       5608                5598                 5598           0.3499            41
         56    64     11.2       5608                5599                 5599           0.3066            19
         64    48     11.3       5607                5571                 5570           0.4901            53

The one decision 64:96 and 64:64 change is the same crop (a rule's corner read as `1`: 0.993 on the
whole width); it makes the max score delta. With 64:64 the 13 other crops that move by more than
0.01 are lines doubtful either way (0.56–0.89), moved by up to 0.21. Mean delta 0.0002 (96), 0.0005
(64). `extract.ocr_trim` keeps 64:64.

Run: `.venv/bin/python bench/bench_ocr_rec.py [--margins 64:96,64:64] [--seeds 3]` (a few minutes).
"""

from __future__ import annotations

import logging
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CALIBRATION, DRIFT = (7000, 7001, 7002), (8000, 8001, 8002)
CALIBRATION_CROPS = 300


def crops(seeds: tuple[int, ...]) -> list[Any]:
    """The recogniser's inputs (1×3×48×W, before trimming) on the pages of these reports."""
    import pypdfium2 as pdfium  # noqa: PLC0415

    from extract import ocr  # noqa: PLC0415
    from extract.limits import LIMITS  # noqa: PLC0415
    from sim.media import pdf_bytes  # noqa: PLC0415
    from sim.render import random_record  # noqa: PLC0415

    session = ocr.engine().ocr.text_rec.session.session
    seen: list[Any] = []
    run = session.run

    def kept(names: Any, feed: dict[str, Any]) -> Any:
        seen.append(feed["x"].copy())
        return run(names, feed)

    session.run = kept
    try:
        for seed in seeds:
            pdf = pdfium.PdfDocument(pdf_bytes(random_record(random.Random(seed), fmt="2021")))
            for n in range(len(pdf)):
                ocr.ocr_image(np.asarray(pdf[n].render(scale=200 / 72, grayscale=True).to_pil().convert("L")), LIMITS)
    finally:
        session.run = run
    return seen


def session(model: bytes) -> Any:
    import onnxruntime as ort  # noqa: PLC0415

    from extract.ocr_trim import Trimmed  # noqa: PLC0415

    options = ort.SessionOptions()
    options.log_severity_level = 4
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    return Trimmed(ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"]))


def int8(model: bytes, calibration: list[Any], fmt: str, convs: list[str] | None = None) -> bytes:
    """Static int8 of the convolutions (all, or those named), ranges from the calibration crops."""
    import onnx  # noqa: PLC0415
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static  # noqa: PLC0415

    graph = onnx.load_from_string(model).graph
    excluded = [n.name for n in graph.node if n.op_type == "Conv" and convs is not None and n.name not in convs]

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.left = iter(calibration)

        def get_next(self) -> dict[str, Any] | None:
            x = next(self.left, None)
            return None if x is None else {"x": x, "column_weight": np.ones((1, 1, 1, 1), np.float32),
                                           "key_bias": np.zeros((1, 1, 1, 1), np.float32)}

    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp, "float.onnx"), Path(tmp, "int8.onnx")
        source.write_bytes(model)
        quantize_static(source, target, Reader(), quant_format=QuantFormat[fmt], per_channel=True,
                        op_types_to_quantize=["Conv"], activation_type=QuantType.QUInt8,
                        weight_type=QuantType.QInt8, nodes_to_exclude=excluded)
        return target.read_bytes()


def decisions(probs: Any) -> tuple[Any, float, Any]:
    """(characters, line score, character scores) as RapidOCR's CTC decoding reads them."""
    from extract.uncertain import OCR_THRESHOLD  # noqa: PLC0415

    best, score = probs.argmax(1), probs.max(1)
    kept = np.ones(len(best), bool)
    kept[1:] = best[1:] != best[:-1]
    kept &= best != 0
    line = float(score[kept].mean()) if kept.any() else 0.0
    return best[kept], line, np.round(score[kept], 3) < OCR_THRESHOLD


def drift(want: list[Any], got: list[Any]) -> tuple[int, int, int, float]:
    from extract.uncertain import OCR_THRESHOLD  # noqa: PLC0415

    text = line = chars = 0
    delta = 0.0
    for a, b in zip(want, got, strict=True):
        (ta, sa, ca), (tb, sb, cb) = decisions(a), decisions(b)
        same = bool(np.array_equal(ta, tb))
        text += same
        line += (round(sa, 3) < OCR_THRESHOLD) == (round(sb, 3) < OCR_THRESHOLD)
        chars += same and bool(np.array_equal(ca, cb))
        delta = max(delta, abs(sa - sb)) if same else delta
    return text, line, chars, delta


def margins(model: bytes, corpus: list[Any], pairs: list[tuple[int, int]]) -> None:
    """`ocr_trim` with other CONTEXT and EDGE margins against the run on the whole padded width."""
    from extract import ocr_trim  # noqa: PLC0415

    run = session(model)
    plain = {"column_weight": np.ones((1, 1, 1, 1), np.float32), "key_bias": np.zeros((1, 1, 1, 1), np.float32)}
    start = time.process_time()
    want = [run.session.run(None, {"x": x, **plain})[0][0] for x in corpus]
    print(f"{len(corpus)} crops\n{'context':>7} {'edge':>4} {'ms/crop':>7} {'same text':>9} {'same line decision':>18}"
          f" {'same char decisions':>19} {'max score delta':>15} {'moved > 0.01':>12}\n{'whole width':>12}"
          f" {(time.process_time() - start) / len(corpus) * 1000:7.1f}", flush=True)
    kept = ocr_trim.CONTEXT, ocr_trim.EDGE
    try:
        for ocr_trim.CONTEXT, ocr_trim.EDGE in pairs:
            start = time.process_time()
            got = [run.run(None, {"x": x})[0][0] for x in corpus]
            ms = (time.process_time() - start) / len(corpus) * 1000
            text, line, chars, delta = drift(want, got)
            moved = sum(abs(decisions(a)[1] - decisions(b)[1]) > 0.01 for a, b in zip(want, got, strict=True))
            print(f"{ocr_trim.CONTEXT:7d} {ocr_trim.EDGE:4d} {ms:7.1f} {text:9d} {line:18d} {chars:19d} {delta:15.4f}"
                  f" {moved:12d}", flush=True)
    finally:
        ocr_trim.CONTEXT, ocr_trim.EDGE = kept


def main() -> None:
    import argparse  # noqa: PLC0415

    import onnx  # noqa: PLC0415
    from onnx import version_converter  # noqa: PLC0415
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH  # noqa: PLC0415
    from rapidocr_onnxruntime.utils import read_yaml  # noqa: PLC0415

    from extract.ocr_graph import fused  # noqa: PLC0415
    from extract.ocr_trim import trimmed  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--margins", help="instead of int8: `ocr_trim`'s CONTEXT:EDGE pairs, e.g. 64:96,64:64")
    parser.add_argument("--seeds", type=int, default=len(DRIFT), help="reports of the drift corpus (from 8000)")
    args = parser.parse_args()
    logging.getLogger().setLevel(logging.ERROR)  # the quantiser's advice on pre-processing, once per call
    path = DEFAULT_CFG_PATH.parent / read_yaml(DEFAULT_CFG_PATH)["Rec"]["model_path"]
    if args.margins:
        pairs = [(int(c), int(e)) for c, e in (pair.split(":") for pair in args.margins.split(","))]
        margins(trimmed(fused(path)), crops(tuple(range(DRIFT[0], DRIFT[0] + args.seeds))), pairs)
        return
    model = version_converter.convert_version(onnx.load_from_string(trimmed(fused(path))), 13).SerializeToString()
    calibration, corpus = crops(CALIBRATION)[:CALIBRATION_CROPS], crops(DRIFT)
    graph = onnx.load_from_string(model).graph
    weights = {i.name: list(i.dims) for i in graph.initializer}
    deep = [n.name for n in graph.node if n.op_type == "Conv" and weights[n.input[1]][2:] == [1, 1]
            and min(weights[n.input[1]][:2]) >= 240]
    variants = {"float (as run)": model, "int8 all convs, QOperator": int8(model, calibration, "QOperator"),
                "int8 all convs, QDQ": int8(model, calibration, "QDQ"),
                f"int8 deep 1×1 convs ({len(deep)})": int8(model, calibration, "QOperator", deep)}
    print(f"{len(corpus)} crops\n{'variant':28} {'ms/crop':>7} {'same text':>9} {'same line decision':>18}"
          f" {'same char decisions':>19} {'max score delta':>15}")
    want: list[Any] = []
    for name, graph_bytes in variants.items():
        run = session(graph_bytes)
        start = time.process_time()
        got = [run.run(None, {"x": x})[0][0] for x in corpus]
        ms = (time.process_time() - start) / len(corpus) * 1000
        want = want or got
        text, line, chars, delta = drift(want, got)
        print(f"{name:28} {ms:7.1f} {text:9d} {line:18d} {chars:19d} {delta:15.4f}", flush=True)


if __name__ == "__main__":
    main()
