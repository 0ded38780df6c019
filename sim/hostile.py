"""Hostile inputs made on the fly: what an attacker, or a badly broken portal, hands the parser.

The files behind each case of the hostile-input benchmark and tests (a span bomb, a zip whose
directory under-declares its sizes, a blank page of 49 Mpx, nesting thousands deep), and the
mutations the fuzz family applies to real reports: byte flips, truncation, spliced bombs, other
encodings. Every maker is a pure function of its arguments, so a failing input is reproduced
from its seed.
"""

from __future__ import annotations

import io
import json
import random
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Final

from PIL import Image

_STORED, _DEFLATED = 0, 8


# ---------------------------------------------------------------------------- whole files

def span_bomb(rows: int = 200, per_row: int = 5, span: int = 200) -> bytes:
    """About 40 KB of HTML table whose every cell spans `span` rows and `span` columns: each row
    is pushed right by all the cells hanging down from the rows above it."""
    cell = f'<td colspan="{span}" rowspan="{span}">1</td>'
    row = "<tr>" + cell * per_row + "</tr>"
    return ("<html><body><table>" + row * rows + "</table></body></html>").encode()


def deep_nesting(depth: int, tag: str = "div", inner: bytes = b"<p>2024\xe5\xb9\xb4</p>") -> bytes:
    """An element nested `depth` deep (`div`, or `table` as table/tr/td) around `inner`."""
    if tag == "table":
        opening, closing = b"<table><tr><td>" * depth, b"</td></tr></table>" * depth
    else:
        opening, closing = f"<{tag}>".encode() * depth, f"</{tag}>".encode() * depth
    return b"<html><body>" + opening + inner + closing + b"</body></html>"


def blank_png(side: int = 7000) -> bytes:
    """A white page of side x side pixels: a few tens of KB on disk, `side`² bytes decoded."""
    buf = io.BytesIO()
    Image.new("L", (side, side), 255).save(buf, format="PNG")
    return buf.getvalue()


def _deflated_zeros(size: int) -> bytes:
    """Raw deflate data that inflates to `size` zero bytes (a whole number of MiB), made without
    compressing them: one MiB, flushed so that the next MiB compresses to the same bytes, repeated."""
    mib = 1 << 20
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(mib)) + c.flush(zlib.Z_FULL_FLUSH)
    return block * (size // mib) + zlib.compressobj(9, zlib.DEFLATED, -15).flush()


def _zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip written field by field from (name, data as stored, method, crc, declared size), so
    that the declared size may lie."""
    out, directory = bytearray(), bytearray()
    for name, data, method, crc, declared in members:
        raw = name.encode()
        offset = len(out)
        out += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(data), declared, len(raw), 0)
        out += raw + data
        directory += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, len(data), declared,
                                 len(raw), 0, 0, 0, 0, 0, offset)
        directory += raw
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), len(out), 0)
    return bytes(out + directory + end)


def underdeclared(template: bytes, member: str, inflated: int = 2 << 30, declared: int = 4096) -> bytes:
    """`template` (a DOCX, XLSX or ODT) with `member` replaced by `inflated` bytes of zeros whose
    local header and central directory both declare `declared` bytes, with the CRC of that many
    zeros: a reader that trusts the directory inflates it all before it finds out."""
    import zipfile  # noqa: PLC0415

    members = []
    with zipfile.ZipFile(io.BytesIO(template)) as zf:
        for info in zf.infolist():
            if info.filename == member:
                members.append((member, _deflated_zeros(inflated), _DEFLATED, zlib.crc32(bytes(declared)), declared))
            else:
                data = zf.read(info)
                members.append((info.filename, data, _STORED, zlib.crc32(data), len(data)))
    return _zip(members)


def odt(body: str, kind: str = "text") -> bytes:
    """A minimal OpenDocument file (`kind` text or spreadsheet, the content is paragraphs either way):
    its mimetype first and stored, a manifest, the content."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    paragraphs = "".join(f"<text:p>{line}</text:p>" for line in body.splitlines())
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               f"<office:body><office:text>{paragraphs}</office:text></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                f'manifest:media-type="application/vnd.oasis.opendocument.{kind}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    parts = [("mimetype", f"application/vnd.oasis.opendocument.{kind}".encode()), ("content.xml", content.encode()),
             ("META-INF/manifest.xml", manifest.encode())]
    return _zip([(name, data, _STORED, zlib.crc32(data), len(data)) for name, data in parts])


# ---------------------------------------------------------------------------- mutations

def flip(data: bytes, at: int, value: int) -> bytes:
    """`data` with the byte at `at` (taken modulo its length) replaced by `value`."""
    if not data:
        return data
    at %= len(data)
    return data[:at] + bytes([value & 0xFF]) + data[at + 1:]


def _flips(data: bytes, rng: random.Random) -> bytes:
    for _ in range(rng.choice((1, 1, 1, 2, 5, 20))):
        data = flip(data, rng.randrange(1 << 30), rng.randrange(256))
    return data


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _splice(data: bytes, rng: random.Random, piece: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + piece + data[at:]


def _span_bomb(data: bytes, rng: random.Random) -> bytes:
    span = rng.choice((2, 50, 200, 1000, 10**9))
    cell = f'<td colspan="{span}" rowspan="{span}">1</td>'.encode()
    return _splice(data, rng, b"<table>" + (b"<tr>" + cell * rng.randrange(1, 6) + b"</tr>") * rng.randrange(1, 80)
                   + b"</table>")


def _nesting(data: bytes, rng: random.Random) -> bytes:
    tag = rng.choice((b"div", b"span", b"table", b"b"))
    depth = rng.choice((100, 300, 1000, 5000))
    if tag == b"table":
        return b"<table><tr><td>" * depth + data + b"</td></tr></table>" * depth
    return (b"<" + tag + b">") * depth + data + (b"</" + tag + b">") * depth


def _encoding(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", errors="replace")
    codec = rng.choice(("gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "big5", "latin-1"))
    return text.encode(codec, errors="replace")


def _bytes_of_junk(data: bytes, rng: random.Random) -> bytes:
    junk = rng.choice((b"\x00", b"\xff", b"\x80", b"\xef\xbf\xbd", b"\x1b[2J", b"\r", b"&#0;", b"&#xD800;"))
    return _splice(data, rng, junk * rng.randrange(1, 200))


def _duplicate(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    a = rng.randrange(len(data))
    b = min(len(data), a + rng.randrange(1, 4096))
    return data[:b] + data[a:b] * rng.randrange(1, 50) + data[b:]


# each mutation: (bytes of a report, a seeded generator) → bytes; the fuzz family draws from these
MUTATIONS: Final[dict[str, Callable[[bytes, random.Random], bytes]]] = {
    "flips": _flips,
    "truncate": _truncate,
    "span_bomb": _span_bomb,
    "nesting": _nesting,
    "encoding": _encoding,
    "junk": _bytes_of_junk,
    "duplicate": _duplicate,
}


def mutate(data: bytes, seed: int) -> tuple[str, bytes]:
    """One to three mutations of `data`, chosen by `seed`; their names and the result."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible input, not a secret
    names = [rng.choice(sorted(MUTATIONS)) for _ in range(rng.choice((1, 1, 2, 3)))]
    for name in names:
        data = MUTATIONS[name](data, rng)
    return "+".join(names), data


# ---------------------------------------------------------------------------- the corpus mutated

CORPUS_LAYOUTS: Final = ("html_word", "html_portal", "html_gbk", "txt_tabs", "markdown")


def corpus(root: Path) -> list[tuple[str, bytes]]:
    """What the fuzz family mutates: the seed reports of `root`'s tests, the gold records rendered in
    a few layouts, every real-world form and as a DOCX, and the real reports beside the repository
    (`../shared/real`, when it is there)."""
    from extract.schema import SPEC_KEYS  # noqa: PLC0415
    from sim.media import docx_bytes  # noqa: PLC0415
    from sim.render import EXTENSIONS, FORMS, LAYOUTS  # noqa: PLC0415

    fixtures = root / "tests" / "fixtures"
    out = [(p.name, p.read_bytes()) for p in sorted((fixtures / "seeds").glob("*.txt"))]
    out += [(p.name, p.read_bytes()) for p in sorted((fixtures / "html").glob("*.html"))]
    for gold in sorted((fixtures / "gold").glob("*.json")):
        record = {k: v for k, v in json.loads(gold.read_text(encoding="utf-8")).items() if k in SPEC_KEYS}
        out += [(f"{gold.stem[:3]}.{name}.{EXTENSIONS[name]}", LAYOUTS[name](record)) for name in CORPUS_LAYOUTS]
        out += [(f"{gold.stem[:3]}.{name}.txt", render(record)) for name, render in FORMS.items()]
        out.append((f"{gold.stem[:3]}.docx", docx_bytes(record)))
    real = root.resolve().parent / "shared" / "real" / "reports"
    out += [(p.name, p.read_bytes()) for p in sorted(real.glob("*")) if p.is_file()]
    return out


def rewrite_member(container: bytes, member: str, old: bytes, new: bytes) -> bytes:
    """`container` (a zip) with `old` replaced by `new` in one member, every size declared truly:
    a hostile value inside a well-formed DOCX or XLSX (a span of 10⁸ columns, a merge over a sheet)."""
    import zipfile  # noqa: PLC0415

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(container)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        for info in src.infolist():
            data = src.read(info)
            dest.writestr(info.filename, data.replace(old, new) if info.filename == member else data)
    return out.getvalue()
