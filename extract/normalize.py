"""Text normalisation shared by every layout: NFKC, spaces, page numbers."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")
_PAGE_NUMBER = re.compile(r"^[-—–]\s*\d{1,3}\s*[-—–]$|^第\s*\d{1,3}\s*页(?:\s*共\s*\d+\s*页)?$")
_NO_SPACE = re.compile(r"\s+")
_LONG = 4096  # shorter texts are folded in one call: splitting them costs more than it saves
SHORT = 512  # characters of a text worth caching: a label, a cell, a line


def nfkc(text: str) -> str:
    """NFKC folds full-width digits, brackets and colons (（一） → (一), ０ → 0).

    A long text is folded line by line, with the same result (nothing composes across a newline):
    the C quick check passes already-normal lines (an HTML page's markup) through untouched, where
    one call over the whole page decomposes and recomposes every character (2-3× the CPU).
    """
    if len(text) < _LONG:
        return unicodedata.normalize("NFKC", text)
    return "\n".join([unicodedata.normalize("NFKC", line) for line in text.split("\n")])


def clean_line(text: str) -> str:
    """One line of (already NFKC-normalised) report text: runs of spaces folded, trimmed."""
    return _SPACES.sub(" ", text).strip()


def is_page_number(line: str) -> bool:
    """`- 4 -` and `第4页` lines are page furniture from PDF/Word exports."""
    return bool(_PAGE_NUMBER.match(line))


def _unspaced(text: str) -> str:
    return _NO_SPACE.sub("", text)


_cached_unspaced = lru_cache(maxsize=16384)(_unspaced)


def squash(text: str) -> str:
    """Remove all white space: CJK labels are compared without it (`自 然 人` == `自然人`).

    Labels are squashed again and again and are cached; a long text (a document's whole prose) is
    not: a long-lived process would keep thousands of documents in the cache."""
    return _cached_unspaced(text) if len(text) <= SHORT else _unspaced(text)
