"""Shingled Jaccard similarity of two texts, for “copied from last year” (format-spec E4)."""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from typing import Final

# Digits and punctuation say nothing about copying: “2024年” and “2025年” must not lower the score.
_NOISE: Final = re.compile(r"[\W\d_]+")


def shingles(text: str, size: int) -> set[str]:
    """The set of `size`-character windows of the text's letters and CJK characters."""
    bare = _NOISE.sub("", text)
    return {bare[i : i + size] for i in range(len(bare) - size + 1)}


def jaccard(a: AbstractSet[str], b: AbstractSet[str]) -> float:
    if not a or not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)  # the union's size, without building it


def letters(text: str) -> int:
    """How many characters `shingles` reads from the text."""
    return len(_NOISE.sub("", text))
