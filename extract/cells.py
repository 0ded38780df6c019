"""What a table cell holds: a number (with an optional note), a blank, or a label."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extract.normalize import SHORT

# A number, optionally signed, with thousands separators or decimals, optionally a unit,
# optionally followed by a note in brackets: `3(到期自动废止)`, `22(其中修订16件)`, `1,234`, `+3`.
_VALUE = re.compile(
    r"^(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(?P<unit>万元|元|件|条|个|人次|人|次|篇|项)?"
    r"\s*(?:[(\[【](?P<note>[^)\]】]*)[)\]】]?)?$"
)
BLANK_MARKERS = frozenset({"", "/", "-", "—", "——", "–", "无", "N/A", "n/a", "\\", "×"})


@dataclass(frozen=True, slots=True)
class CellValue:
    value: int | float | None
    note: str | None = None


def is_blank(text: str) -> bool:
    return text.strip() in BLANK_MARKERS


def _number(text: str) -> bool:
    return _VALUE.match(text.strip().replace(" ", "")) is not None


_cached_number = lru_cache(maxsize=8192)(_number)  # the same labels and counts are asked about row after row


def is_number(text: str) -> bool:
    """Whether a cell holds a number (a long line is answered, not kept in the cache)."""
    return _cached_number(text) if len(text) <= SHORT else _number(text)


def is_value(text: str) -> bool:
    """A cell that belongs in a value column: a number or a blank marker."""
    return is_blank(text) or is_number(text)


@lru_cache(maxsize=8192)
def parse_value(text: str, *, money: bool = False) -> CellValue:
    """`3(到期自动废止)` → 3 with note; `1,234` → 1234; `251000元` in a 万元 cell → 25.1; blank → None."""
    raw = text.strip().replace(" ", "")
    if raw in BLANK_MARKERS:
        return CellValue(None)
    m = _VALUE.match(raw)
    if m is None:
        return CellValue(None, note=raw or None)
    num = m.group("num").replace(",", "")
    note = (m.group("note") or "").strip() or None
    value: int | float
    if "." in num:
        value = float(num)
        if value.is_integer() and not money:
            value = int(value)
    else:
        value = int(num)
    if money and m.group("unit") == "元":
        value = round(value / 10000, 6)
        note = note or f"{num}元"
    if money and isinstance(value, float) and value.is_integer():
        value = int(value)
    return CellValue(value, note)
