"""Bytes → str by evidence: the encoding that reads the whole input best, not the first that does
not fail.

Portals declare charsets wrongly (GBK pages served as UTF-8, UTF-8 pages as ISO-8859-1) and a
file may carry a few bad bytes (a flipped byte, a cut multi-byte character). A decoder that takes
the first codec decoding strictly turns one bad byte of a UTF-8 report into a GB18030 jumble. So
every candidate — the BOM's, the declared and `<meta>` charsets, UTF-8, GB18030, and UTF-16 when
there are NUL bytes — decodes the whole input with replacement characters, and is scored by the
bytes it could not decode plus the characters no Chinese report contains (controls, private use,
surrogates, rare planes, Latin-1 letters). The lowest score wins, ties going to what was declared;
what was replaced is counted and noted in the record. An input no candidate reads as text is binary.
"""

from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass
from typing import Final

from extract.errors import UnreadableInputError
from extract.limits import LIMITS, Limits

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_GB_LABELS = frozenset({"gbk", "gb2312", "gb_2312", "gb-2312", "gb18030", "x-gbk", "cp936", "euc-cn"})
# the text encodings a portal may declare (codecs' names); anything else (`hex`, `idna`, `zlib`) is ignored
_WEB_CODECS: Final = frozenset({
    "utf-8", "gb18030", "big5", "big5hkscs", "utf-16", "utf-16-le", "utf-16-be", "iso8859-1", "cp1252",
    "euc_jp", "shift_jis", "euc_kr", "ascii",
})
_BOMS: Final = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# characters a Chinese report is written in: everything else counts against the encoding that produced it
_ODD: Final = re.compile(
    "[^\t\n\r\f\x20-\x7e\xa0\xa7\xa9\xae\xb0-\xb3\xb7\xb9\xd7\xf7\u0391-\u03c9\u0401-\u0451"
    "\u2000-\u206f\u2100-\u218f\u2190-\u23ff\u2460-\u27bf\u3000-\u33ff\u4e00-\u9fff\ufe30-\ufe4f"
    "\uff00-\uffef\ufffd]"
)
# what no layout reads and lxml refuses in a string: C0 controls (and DEL), the non-characters U+FFFE/U+FFFF;
# a form feed or vertical tab (pdftotext's page break) ends a line instead
_CONTROLS: Final = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff]")
BINARY_SHARE: Final = 0.1  # of the characters undecodable or odd in the best reading: not text


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    codec: str
    replaced: int  # byte sequences (and control characters) replaced by U+FFFD


def normalise_charset(label: str) -> str | None:
    """Map a declared charset to the codec we decode with: every GBK family label → gb18030."""
    label = label.strip().strip("\"'").lower()
    if label in _GB_LABELS:
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return name if name in _WEB_CODECS else None


def ungzip(data: bytes, limits: Limits = LIMITS) -> bytes:
    """Some servers send gzip bytes without Content-Encoding; undo that, tolerating truncation and
    refusing a gzip bomb (more than the text limit inflated) without inflating it further."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    most = limits.max_text_bytes
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(data, most + 1)
    except zlib.error as exc:
        raise UnreadableInputError("gzip.corrupt", reason=str(exc)) from None
    if len(out) > most:
        raise UnreadableInputError("gzip.too_large", limit=most >> 20)
    return out


def _candidates(data: bytes, declared: str | None) -> list[str]:
    out: list[str] = []
    if declared and (c := normalise_charset(declared)):
        out.append(c)
    if m := _META_CHARSET.search(data[:4096]):
        c = normalise_charset(m.group(1).decode("ascii", "ignore"))
        if c:
            out.append(c)
    out += ["utf-8", "gb18030"]
    if b"\x00" in data:
        out += ["utf-16-le", "utf-16-be"]
    return list(dict.fromkeys(out))


def _decoded(data: bytes, codec: str) -> tuple[str, int]:
    """`data` decoded by `codec` with replacement, and the byte sequences it replaced (a codec that cannot
    decode it at all replaces every byte, and one more: any reading is likelier)."""
    try:
        text = data.decode(codec, errors="replace")
    except (UnicodeError, LookupError):
        return "", len(data) + 1
    found = text.count("\ufffd")
    return text, max(0, found - _genuine(data, codec)) if found else 0


def _cleaned(text: str, codec: str, bad: int, *, odd: int) -> Decoded:
    """Page breaks end lines, controls become U+FFFD; every control is odd (`_ODD`), so a reading with no
    odd character has none to look for (a scan of the whole text saved)."""
    text = text.replace("\f", "\n").replace("\v", "\n")
    controls = 0
    if odd:
        text, controls = _CONTROLS.subn("\ufffd", text)
    return Decoded(text, codec, bad + controls)


def _genuine(data: bytes, codec: str) -> int:
    """Replacement characters the input itself holds, written in `codec`."""
    try:
        return data.count("\ufffd".encode(codec))
    except UnicodeError:
        return 0


def decode_text(data: bytes, declared: str | None = None, limits: Limits = LIMITS) -> Decoded:
    """The reading of `data` the evidence favours (see above); binary input is refused."""
    if len(data) > limits.max_text_bytes:
        raise UnreadableInputError("text.too_large", size=len(data) / 1e6, limit=limits.max_text_bytes / 1e6)
    data = ungzip(data, limits)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text, bad = _decoded(data[len(bom):], codec)
            return _cleaned(text, codec, bad, odd=_odd(text))
    # the likeliest reading, ties going to the earlier candidate. One that replaced bytes is put off until
    # no reading without any has scored 0, and scored only if it can still win, its score being at least
    # what it replaced: a UTF-8 page declared GBK is not searched for odd characters as GB18030
    best: tuple[int, int, str, int, int] | None = None  # score, rank, text, replaced, odd
    later: list[tuple[int, str, int]] = []  # rank, codec and bytes replaced of the readings put off
    candidates = _candidates(data, declared)
    for rank, codec in enumerate(candidates):
        text, bad = _decoded(data, codec)
        if bad:
            later.append((rank, codec, bad))
            continue
        odd = _odd(text)
        if best is None or odd < best[0]:
            best = (odd, rank, text, 0, odd)
        if not odd:  # nothing replaced or odd: no later reading can be likelier
            break
    else:
        for rank, codec, bad in later:
            if best is None or (bad, rank) < best[:2]:
                text, _ = _decoded(data, codec)
                odd = _odd(text)
                if best is None or (bad + odd, rank) < best[:2]:
                    best = (bad + odd, rank, text, bad, odd)
    assert best is not None  # there is always a candidate (UTF-8)
    score, rank, text, bad, odd = best
    if score > BINARY_SHARE * max(1, len(text)):
        raise UnreadableInputError("input.binary")
    return _cleaned(text, candidates[rank], bad, odd=odd)


def _odd(text: str) -> int:
    """Characters no Chinese report is written in."""
    return _ODD.subn("", text)[1]


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """(text, codec) of `decode_text`, for callers that need no more."""
    reading = decode_text(data, declared)
    return reading.text, reading.codec
