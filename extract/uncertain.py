"""OCR doubt → the record's `parse` keys: which cells a scan may have misread, and as what.

A number read from a scan is kept exactly as read; never "corrected". Every value cell read by
OCR leaves its score in `Diagnostics.read_scores`; the doubtful ones (below `OCR_THRESHOLD`) go
into `parse.ocr_cells` with the readings a misread glyph would give, so that the validator's
`ocr_uncertain` rule can name them, and when an arithmetic relation fails through such a cell,
offer the candidate that would satisfy it.
"""

from __future__ import annotations

from statistics import fmean
from typing import Any, Final

from extract.cells import parse_value

# Below this score a cell is reported. RapidOCR scores a clean digit 0.95–1.0; a blurred or
# noisy one 0.5–0.9, and most of its misreads sit there.
OCR_THRESHOLD: Final = 0.9
MAX_READINGS: Final = 6
# digits a scan turns into one another (shapes that differ by a stroke or a gap)
_LOOKALIKE: Final[dict[str, str]] = {
    "0": "869", "1": "74", "2": "7", "3": "85", "4": "19", "5": "63", "6": "508", "7": "12", "8": "0369", "9": "804",
}
# letters a recogniser returns for digits (`1O`, `l2`): what they stand for in a number cell
GLYPHS: Final = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "|": "1", "i": "1",
                               "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8", "G": "6", "b": "6", "g": "9",
                               "q": "9", "T": "7"})


def readings(text: str) -> list[int | float]:
    """What a cell's text could stand for if a glyph was misread: the text with letters read as
    the digits they resemble, then each digit swapped for a look-alike (`1O` → 10, 16, 18, 70…)."""
    raw = text.replace(" ", "").translate(GLYPHS)
    out: list[int | float] = []

    def add(candidate: str) -> None:
        value = parse_value(candidate).value
        if value is not None and value not in out and len(out) < MAX_READINGS:
            out.append(value)

    add(raw)
    for k, ch in enumerate(raw):
        for other in _LOOKALIKE.get(ch, ""):
            add(raw[:k] + other + raw[k + 1:])
    return out


def ocr_keys(read_scores: dict[str, tuple[float, str]]) -> dict[str, Any]:
    """`ocr_confidence` (the mean score of the value cells read), `ocr_scores` (each cell's score: the
    archive keeps every reading's certainty) and `ocr_cells` (the doubtful ones), or nothing for a
    born-digital report."""
    if not read_scores:
        return {}
    # The decision is taken on the stored (rounded) score, so that a stored confidence and the
    # threshold never disagree: a raw 0.8996 is stored as 0.9 and is therefore not doubtful.
    stored = {key: (round(score, 3), text) for key, (score, text) in sorted(read_scores.items())}
    doubtful = {
        key: {"confidence": score, "text": text, "candidates": readings(text)}
        for key, (score, text) in stored.items()
        if score < OCR_THRESHOLD
    }
    return {
        "ocr_confidence": round(fmean(s for s, _ in read_scores.values()), 3),
        "ocr_scores": {key: round(score, 3) for key, (score, _) in sorted(read_scores.items())},
        "ocr_cells": doubtful,
    }
