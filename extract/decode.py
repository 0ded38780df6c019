"""Bytes → str with the charset rules real portals need (BOM, header, meta, UTF-8, GB18030)."""

from __future__ import annotations

import codecs
import re
import zlib

from extract.errors import UnreadableInputError

MAX_BYTES = 20 * 1024 * 1024  # no annual report is this large as text; bigger input is refused, not chewed

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_GB_LABELS = frozenset({"gbk", "gb2312", "gb_2312", "gb-2312", "gb18030", "x-gbk", "cp936", "euc-cn"})


def normalise_charset(label: str) -> str | None:
    """Map a declared charset to the codec we decode with: every GBK family label → gb18030."""
    label = label.strip().strip("\"'").lower()
    if label in _GB_LABELS:
        return "gb18030"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def ungzip(data: bytes) -> bytes:
    """Some servers send gzip bytes without Content-Encoding; undo that, tolerating truncation and
    refusing a gzip bomb (more than MAX_BYTES inflated) without inflating it further."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(data, MAX_BYTES + 1)
    except zlib.error as exc:
        raise UnreadableInputError(f"corrupt gzip data: {exc}") from None
    if len(out) > MAX_BYTES:
        raise UnreadableInputError(f"gzip data inflates to more than {MAX_BYTES >> 20} MiB")
    return out


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control bytes in the first KiB: not a text or HTML report."""
    head = data[:1024]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) // 20


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return (text, codec). Order: BOM → declared (HTTP header) → <meta> → strict UTF-8 → GB18030."""
    if len(data) > MAX_BYTES:
        raise UnreadableInputError(
            f"input too large: {len(data) / 1e6:.1f} MB (limit {MAX_BYTES / 1e6:.0f} MB)"
        )
    data = ungzip(data)
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), codec
    if looks_binary(data):
        raise UnreadableInputError("binary data, not a text or HTML report")
    candidates: list[str] = []
    if declared and (c := normalise_charset(declared)):
        candidates.append(c)
    if m := _META_CHARSET.search(data[:4096]):
        c = normalise_charset(m.group(1).decode("ascii", "ignore"))
        if c:
            candidates.append(c)
    candidates += ["utf-8", "gb18030"]
    for codec in candidates:
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    return data.decode("gb18030", errors="replace"), "gb18030"
