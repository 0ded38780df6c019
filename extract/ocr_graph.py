"""RapidOCR's PP-OCR graphs rewritten to compute the same numbers with less CPU.

The exported graphs follow every convolution with a learnable scale and shift, a hard-swish spelled
out as four element-wise nodes, and another scale and shift before the next convolution. onnxruntime
fuses none of them, and on one core they cost about a third of detection and of recognition. Here a
scale and shift after a convolution goes into its weights and bias; a scale before one goes into its
weights, and the shift into its bias where it has no padding (the padded zeros would not be shifted);
and hard-swish becomes x·HardSigmoid(x), which onnxruntime fuses into the convolution. The detector's
head adds a bias and a batch normalisation after each transposed convolution, full passes over its
largest maps: they go into its weights and bias (~3% of detection). Outputs move by float rounding
(~1e-6); both graphs take ~1.3× less CPU. A graph without these patterns comes back unchanged.

A shift before a padded convolution stays a node of its own, but as a 1×1 convolution per channel
(weight 1, bias the shift: the same sums to the bit) rather than an Add of a scalar: onnxruntime
runs convolutions in a blocked channel layout, and a scalar Add made it convert the tensor back and
forth around each depthwise convolution (13 in the recogniser: ~9% of its time; 10 in the
detector: ~4%).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
from onnx import NodeProto, helper, numpy_helper

_Rule = Callable[["_Graph", NodeProto], bool]


class _Graph:
    """The nodes of a graph with its constants as arrays, rewritten in place."""

    def __init__(self, model: onnx.ModelProto) -> None:
        self.const = {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}
        self.nodes: list[NodeProto] = []
        for node in model.graph.node:
            if node.op_type == "Constant" and [a.name for a in node.attribute] == ["value"]:
                self.const[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
            else:
                self.nodes.append(node)
        self.outputs = {o.name for o in model.graph.output}
        self.dead: set[int] = set()
        self.dirty: set[str] = set()  # tensors whose readers changed since `index`
        self.readers: dict[str, list[NodeProto]] = {}

    def index(self) -> None:
        self.nodes = [n for n in self.nodes if id(n) not in self.dead]
        self.dead.clear()
        self.dirty.clear()
        readers: defaultdict[str, list[NodeProto]] = defaultdict(list)
        for node in self.nodes:
            for name in node.input:
                readers[name].append(node)
        self.readers = readers

    def touch(self, *nodes: NodeProto) -> None:
        """Called before and after a rewrite changes these nodes: their tensors wait for `index`."""
        for node in nodes:
            self.dirty.update(node.input, node.output)

    def clean(self, node: NodeProto) -> bool:
        return id(node) not in self.dead and not self.dirty.intersection([*node.input, *node.output])

    def only_reader(self, name: str, op_type: str) -> NodeProto | None:
        """The node that alone reads `name`, if it is a live `op_type` and `name` is not a graph output."""
        found = self.readers.get(name, [])
        if len(found) != 1 or name in self.outputs or found[0].op_type != op_type or not self.clean(found[0]):
            return None
        return found[0]

    def scalar(self, name: str) -> float | None:
        value = self.const.get(name)
        return None if value is None or value.size != 1 else float(value.reshape(()))

    def operand(self, node: NodeProto) -> tuple[str, float] | None:
        """(tensor, constant) of a binary node with one scalar constant operand."""
        for k in (0, 1):
            c = self.scalar(node.input[k])
            if c is not None and node.input[1 - k] not in self.const:
                return node.input[1 - k], c
        return None

    def weights(self, conv: NodeProto) -> tuple[np.ndarray, np.ndarray] | None:
        if conv.input[1] not in self.const:
            return None
        w = self.const[conv.input[1]].astype(np.float32)
        b = self.const[conv.input[2]].astype(np.float32) if len(conv.input) > 2 else np.zeros(w.shape[0], np.float32)
        return w, b

    def set_weights(self, conv: NodeProto, x: str, w: np.ndarray, b: np.ndarray) -> None:
        name = f"{conv.output[0]}.{len(self.const)}"
        self.const[f"{name}.w"], self.const[f"{name}.b"] = w, b
        conv.input[:] = [x, f"{name}.w", f"{name}.b"]

    def absorb(self, conv: NodeProto, after: NodeProto, w: np.ndarray, b: np.ndarray) -> None:
        """`conv` with these weights and bias computes what `after` computed, which goes."""
        self.touch(conv, after)
        self.set_weights(conv, conv.input[0], w, b)
        conv.output[0] = after.output[0]
        self.dead.add(id(after))
        self.touch(conv)

    def save(self, model: onnx.ModelProto) -> bytes:
        self.index()
        used = {name for node in self.nodes for name in node.input}
        del model.graph.node[:]
        model.graph.node.extend(self.nodes)
        del model.graph.initializer[:]
        model.graph.initializer.extend(numpy_helper.from_array(v, k) for k, v in self.const.items() if k in used)
        return bytes(model.SerializeToString())


def _conv_then_affine(g: _Graph, conv: NodeProto) -> bool:
    """conv(x)·a + b → conv with weights·a, bias·a + b (one scalar at a time)."""
    if conv.op_type != "Conv" or not g.clean(conv) or (wb := g.weights(conv)) is None:
        return False
    after = g.only_reader(conv.output[0], "Mul") or g.only_reader(conv.output[0], "Add")
    operand = g.operand(after) if after is not None else None
    if after is None or operand is None or operand[0] != conv.output[0]:
        return False
    w, b = wb
    c = np.float32(operand[1])
    g.absorb(conv, after, *((w * c, b * c) if after.op_type == "Mul" else (w, b + c)))
    return True


def _hard_swish(g: _Graph, add: NodeProto) -> bool:
    """x · clip(x + 3, 0, 6) / 6 → x · HardSigmoid(x) (alpha 1/6, beta 1/2)."""
    operand = g.operand(add) if add.op_type == "Add" and g.clean(add) else None
    if operand is None or operand[1] != 3.0:
        return False
    x = operand[0]
    clip = g.only_reader(add.output[0], "Clip")
    if clip is None or len(clip.input) != 3 or (g.scalar(clip.input[1]), g.scalar(clip.input[2])) != (0.0, 6.0):
        return False
    mul = g.only_reader(clip.output[0], "Mul")
    if mul is None or sorted(mul.input) != sorted([x, clip.output[0]]):
        return False
    div = g.only_reader(mul.output[0], "Div")
    if div is None or div.input[0] != mul.output[0] or g.scalar(div.input[1]) != 6.0:
        return False
    g.touch(add, clip, mul, div)
    add.op_type = "HardSigmoid"
    add.input[:] = [x]
    add.attribute.extend([helper.make_attribute("alpha", 1 / 6), helper.make_attribute("beta", 0.5)])
    mul.input[:] = [x, add.output[0]]
    mul.output[0] = div.output[0]
    g.dead.update({id(clip), id(div)})
    g.touch(add, mul)
    return True


def _affine_then_conv(g: _Graph, mul: NodeProto) -> bool:
    """conv(x·a + b) → conv'(x) when the convolution has no padding, else conv'(x + b/a), with
    conv' = conv with weights·a (and bias + b·Σweights)."""
    operand = g.operand(mul) if mul.op_type == "Mul" and g.clean(mul) else None
    if operand is None or operand[1] == 0.0:
        return False
    x, a = operand
    add = g.only_reader(mul.output[0], "Add")
    shift = g.operand(add) if add is not None else None
    conv = g.only_reader(add.output[0], "Conv") if add is not None else None
    if add is None or shift is None or shift[0] != mul.output[0] or conv is None or conv.input[0] != add.output[0]:
        return False
    if (wb := g.weights(conv)) is None:
        return False
    w, b = wb
    b_shift = shift[1]
    g.touch(mul, add, conv)
    pads = next((list(at.ints) for at in conv.attribute if at.name == "pads"), [])
    auto = next((at.s for at in conv.attribute if at.name == "auto_pad"), b"NOTSET")
    if not any(pads) and auto in (b"NOTSET", b"VALID"):
        g.set_weights(conv, x, w * np.float32(a), b + np.float32(b_shift) * w.sum(axis=(1, 2, 3)))
        g.dead.update({id(mul), id(add)})
    else:  # the shift as a 1×1 convolution per channel: an Add of a scalar would leave the blocked layout
        group = next((at.i for at in conv.attribute if at.name == "group"), 1)
        channels, name = w.shape[1] * group, f"{add.output[0]}.shift"
        g.const[f"{name}.w"] = np.ones((channels, 1, 1, 1), np.float32)
        g.const[f"{name}.b"] = np.full(channels, b_shift / a, np.float32)
        add.op_type = "Conv"
        add.input[:] = [x, f"{name}.w", f"{name}.b"]
        add.attribute.extend([helper.make_attribute("group", channels)])
        g.set_weights(conv, add.output[0], w * np.float32(a), b)
        g.dead.add(id(mul))
    g.touch(add, conv)
    return True


def _deconv_then_affine(g: _Graph, deconv: NodeProto) -> bool:
    """convtranspose(x) + b per channel, or then a batch normalisation → convtranspose with its
    weights scaled per output channel and a bias (the detector's head: two passes over its largest
    maps)."""
    group = next((at.i for at in deconv.attribute if at.name == "group"), 1)
    if (deconv.op_type != "ConvTranspose" or group != 1 or not g.clean(deconv)
            or any(name not in g.const for name in deconv.input[1:])):
        return False
    w = g.const[deconv.input[1]].astype(np.float32)  # (in, out, kh, kw)
    b = g.const[deconv.input[2]].astype(np.float32) if len(deconv.input) > 2 else np.zeros(w.shape[1], np.float32)
    after = g.only_reader(deconv.output[0], "Add") or g.only_reader(deconv.output[0], "BatchNormalization")
    if after is None:
        return False
    if after.op_type == "Add":
        other = after.input[1] if after.input[0] == deconv.output[0] else after.input[0]
        shift = g.const.get(other)
        per_channel = shift is not None and shift.ndim >= 3 and shift.shape[-3] == shift.size == w.shape[1]
        if shift is None or not (shift.size == 1 or per_channel):
            return False
        b = b + shift.astype(np.float32).reshape(-1)
    else:
        if any(name not in g.const for name in after.input[1:5]) or len(after.output) != 1:
            return False
        scale, beta, mean, var = (g.const[name].astype(np.float64) for name in after.input[1:5])
        eps = next((at.f for at in after.attribute if at.name == "epsilon"), 1e-5)
        k = scale / np.sqrt(var + eps)
        w = (w * k[None, :, None, None]).astype(np.float32)
        b = ((b - mean) * k + beta).astype(np.float32)
    g.absorb(deconv, after, w, b)
    return True


_RULES: tuple[_Rule, ...] = (_conv_then_affine, _hard_swish, _affine_then_conv, _deconv_then_affine)


def fused(path: Path) -> bytes:
    """The model at `path`, rewritten, as bytes for `onnxruntime.InferenceSession`."""
    model = onnx.load(str(path))
    graph = _Graph(model)
    changed = True
    while changed:
        graph.index()
        changed = False
        for node in graph.nodes:
            if any(rule(graph, node) for rule in _RULES):
                changed = True
    return graph.save(model)
