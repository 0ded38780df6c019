"""Text normalisation shared by every layout: NFKC, spaces, page numbers."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")
_PAGE_NUMBER = re.compile(r"^[-—–]\s*\d{1,3}\s*[-—–]$|^第\s*\d{1,3}\s*页(?:\s*共\s*\d+\s*页)?$")
_NO_SPACE = re.compile(r"\s+")
_LONG = 4096  # shorter texts are folded in one call: splitting them costs more than it saves
_PIECE = 256  # characters of a long text folded in one call (`nfkc`)
_ASCII = re.compile("[\x00-\x7f]")
SHORT = 512  # characters of a text worth caching: a label, a cell, a line


def nfkc(text: str) -> str:
    """NFKC folds full-width digits, brackets and colons (（一） → (一), ０ → 0).

    A long text is folded in pieces of about `_PIECE` characters, each cut before an ASCII character,
    with the same result: an ASCII character is its own NFKC form, never composes with what precedes
    it and stops the reordering of combining marks, so nothing on one side of it changes the other.
    The C quick check passes an already-normal piece (an HTML page's markup and menus) through
    untouched, where one call over a whole page decomposes and recomposes every character (4× the CPU).
    """
    if len(text) < _LONG:
        return unicodedata.normalize("NFKC", text)
    pieces, start = [], 0
    while (cut := _ASCII.search(text, start + _PIECE)) is not None:
        pieces.append(unicodedata.normalize("NFKC", text[start:cut.start()]))
        start = cut.start()
    pieces.append(unicodedata.normalize("NFKC", text[start:]))
    return "".join(pieces)


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
