"""Recognition of a short crop on the columns that hold it, with the same numbers as on 320.

RapidOCR pads every crop to 48×320, and most crops on a table page are one number 40–100 px
wide: the recogniser spends most of its time on padding. Its convolutions are local, so padding
far from the text and far from the right edge gives identical columns; only two kinds of node
look at the whole width: the squeeze-and-excitation means and the attention of the sequence
neck. `trimmed` rewrites those to take weights: a mean counts one stand-in padding column as
many, and attention adds log(many) to that column's key. `Trimmed` runs a crop on its text,
CONTEXT px of padding (where the text's influence fades), the stand-in column and EDGE px (what
the right edge looks like), then writes the output back out to the full width, so that
decoding and word boxes do not change.

Measured against the whole padded width (`bench/bench_ocr_rec.py --margins`) on 5,608 crops: those
of 10 simulated reports (seeds 8000–8009), of the bench's 12 pages and of the 4 scan-like pages of
the tests. With CONTEXT 64 and EDGE 64 every crop keeps its text, and every one but one its doubt
decisions: a rule's corner read as `1`, 0.993 on the whole width, 0.63 trimmed (0.57 with EDGE 96,
right again only with CONTEXT 128 or EDGE 160). 14 scores move by more than 0.01 (9 with EDGE 96),
the others all of lines doubtful either way (by up to 0.21). Narrower margins flip more decisions besides that
one: EDGE 56 9, EDGE 48 36 (and a text), CONTEXT 56 8. A crop costs 14.2 ms of CPU on the whole
width, 12.5 trimmed with EDGE 96, 11.3 with EDGE 64 (one process, the runs in turn, load ~4).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper

CONTEXT = 64  # px of padding after the text before a column stands in for the padding
EDGE = 64  # px of padding kept before the right edge (the edge's own columns differ)
_STRIDE = 8  # input px per output step; the means look at columns of 4 px
WEIGHT, BIAS = "column_weight", "key_bias"


def trimmed(data: bytes) -> bytes:
    """The recognition graph with its global means and attention weighted per column: inputs
    `column_weight` (multiplies each column of a mean; [1,1,1,1] of 1: the plain mean) and
    `key_bias` (added to the attention logits per key; [1,1,1,1] of 0: plain attention)."""
    model = onnx.load_from_string(data)
    graph = model.graph
    graph.input.extend([helper.make_tensor_value_info(WEIGHT, TensorProto.FLOAT, [1, 1, 1, None]),
                        helper.make_tensor_value_info(BIAS, TensorProto.FLOAT, [1, 1, 1, None])])
    nodes = []
    for node in graph.node:
        if node.op_type == "GlobalAveragePool":
            x, y = node.input[0], node.output[0]
            nodes += [helper.make_node("Mul", [x, WEIGHT], [f"{y}.weighted"]),
                      helper.make_node("ReduceMean", [f"{y}.weighted"], [y], axes=[2, 3], keepdims=1)]
            continue
        if node.op_type == "Softmax" and any(a.name == "axis" and a.i == 3 for a in node.attribute):
            logits = node.input[0]
            nodes.append(helper.make_node("Add", [logits, BIAS], [f"{logits}.biased"]))
            node.input[0] = f"{logits}.biased"
        nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    return bytes(model.SerializeToString())


class Trimmed:
    """An onnxruntime session of a `trimmed` graph that looks like one of the graph as it was."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.image = session.get_inputs()[0].name

    def get_inputs(self) -> list[Any]:
        return [i for i in self.session.get_inputs() if i.name == self.image]

    def get_outputs(self) -> list[Any]:
        return list(self.session.get_outputs())

    def get_modelmeta(self) -> Any:
        return self.session.get_modelmeta()

    def run(self, names: Any, feed: dict[str, Any]) -> list[Any]:
        x = feed[self.image]
        plain = {self.image: x, WEIGHT: np.ones((1, 1, 1, 1), np.float32), BIAS: np.zeros((1, 1, 1, 1), np.float32)}
        width = x.shape[3]
        inked = np.flatnonzero(x[0].any(axis=(0, 1))) if x.shape[0] == 1 else np.array([width - 1])
        stand_in = -(-(int(inked[-1]) + 1 + CONTEXT) // _STRIDE) * _STRIDE if inked.size else _STRIDE
        kept = stand_in + EDGE
        if width % _STRIDE or kept >= width:
            return list(self.session.run(names, plain))
        # means over columns of 4 px, attention over steps of 8: the stand-in column counts for
        # every padding column that was cut
        cols, cols_kept, col = width // 4, kept // 4, stand_in // 4
        weight = np.full((1, 1, 1, cols_kept), cols_kept / cols, np.float32)
        weight[..., col] *= cols - cols_kept + 1
        steps, steps_kept, step = width // _STRIDE, kept // _STRIDE, stand_in // _STRIDE
        bias = np.zeros((1, 1, 1, steps_kept), np.float32)
        bias[..., step] = math.log(steps - steps_kept + 1)
        out = self.session.run(names, {self.image: np.ascontiguousarray(x[..., :kept]), WEIGHT: weight, BIAS: bias})
        return [_widened(o, step, steps - steps_kept + 1) for o in out]


def _widened(o: Any, step: int, n: int) -> Any:
    """Output steps (axis 1) with the one at `step` repeated `n` times, in one copy."""
    full = np.empty((o.shape[0], o.shape[1] + n - 1, *o.shape[2:]), o.dtype)
    full[:, :step] = o[:, :step]
    full[:, step:step + n] = o[:, step:step + 1]
    full[:, step + n:] = o[:, step + 1:]
    return full
