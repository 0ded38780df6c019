"""How a number is written in a cell: `0`, `12.5`, `0.00`, `+3`, `1,234`, `４`, `3（到期自动废止）`."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from typing import Final

from extract.schema import Record
from sim.render.model import Number

_FULLWIDTH: Final = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass(frozen=True, slots=True)
class NumberStyle:
    """Per-layout habits. Probabilities apply per number."""

    blanks: tuple[str, ...] = ("",)  # what a blank cell shows (one picked per cell)
    thousands: float = 0.0  # "1,234" for numbers ≥ 1000
    fullwidth: float = 0.0  # "４" instead of "4"
    fixed_money: float = 0.2  # "0.00" / "12.50" instead of "0" / "12.5"


def format_number(number: Number, style: NumberStyle, rng: random.Random) -> str:
    """The cell text for `number` (a blank cell gets one of the style's blank marks)."""
    if number.value is None:
        return rng.choice(style.blanks)
    text = _digits(number, style, rng)
    if rng.random() < style.fullwidth:
        text = text.translate(_FULLWIDTH)
    return f"{text}（{number.note}）" if number.note else text


def _digits(number: Number, style: NumberStyle, rng: random.Random) -> str:
    value = number.value
    assert value is not None
    grouped = abs(value) >= 1000 and rng.random() < style.thousands
    if number.kind == "money":
        text = f"{value:,.2f}" if grouped else f"{value:.2f}"
        return text if rng.random() < style.fixed_money else text.rstrip("0").rstrip(".")
    text = f"{int(value):,}" if grouped else str(int(value))
    if number.kind == "signed" and value > 0 and rng.random() < 0.7:
        return "+" + text
    return text


def derived_rng(record: Record, salt: str) -> random.Random:
    """A generator seeded by the record's content and `salt`: same input, same rendering."""
    blob = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str) + "\x00" + salt
    seed = int.from_bytes(hashlib.sha256(blob.encode()).digest()[:8], "big")
    return random.Random(seed)  # noqa: S311  (reproducible test data, not cryptography)
