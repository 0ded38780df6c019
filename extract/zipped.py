"""Zip containers (DOCX, XLSX, ODT, ODS) opened without trusting what their directory declares.

`zipfile` stops a member at the size its central directory declares, but only after inflating
every compressed byte it was handed: `read()` of a member that declares 4 KB and inflates to
2 GiB holds 2 GiB before the CRC says no. So no reader gets the file as it came: every member is
inflated here in chunks, with a running count of the bytes that come out whatever the directory
says, refused as soon as it outgrows its declared size or the limits, and written into a fresh
container (stored, sizes true) that python-docx, openpyxl and LibreOffice then read.
"""

from __future__ import annotations

import copy
import io
import zipfile
import zlib
from typing import Final

from extract.errors import UnreadableInputError
from extract.limits import Limits

CHUNK: Final = 1 << 16
_DIRECTORY_ENTRY: Final = b"PK\x01\x02"
# what zipfile (and zlib under it) raises on a broken container
ZIP_ERRORS: Final = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, ValueError,
                     NotImplementedError, RuntimeError, KeyError, IndexError, UnicodeDecodeError)


def open_zip(data: bytes, medium: str, limits: Limits) -> zipfile.ZipFile:
    """The container, its directory read only once the number of entries is known to be sane
    (`zipfile` builds an object per entry: a few MB of entries would cost GBs)."""
    entries = data.count(_DIRECTORY_ENTRY)
    if entries > limits.max_zip_members:
        raise UnreadableInputError("zip.members", medium=medium, n=entries, limit=limits.max_zip_members)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS as exc:
        raise UnreadableInputError("zip.corrupt", medium=medium, reason=_reason(exc)) from None
    return zf


def check_directory(infos: list[zipfile.ZipInfo], medium: str, limits: Limits) -> None:
    """Refuse at once what the directory itself promises: too many members or too many bytes."""
    if len(infos) > limits.max_zip_members:
        raise UnreadableInputError("zip.members", medium=medium, n=len(infos), limit=limits.max_zip_members)
    total = sum(i.file_size for i in infos)
    if total > limits.max_unzipped_bytes:
        raise UnreadableInputError("zip.bomb", medium=medium, size=total >> 20, limit=limits.max_unzipped_bytes >> 20)


def read_member(zf: zipfile.ZipFile, name: str, most: int) -> bytes:
    """At most `most` bytes of a member, inflated no further than that."""
    with zf.open(name) as fh:
        return fh.read(most)


def repack(data: bytes, medium: str, limits: Limits) -> bytes:
    """The container rewritten member by member from what each truly inflates to (see above)."""
    out = io.BytesIO()
    with open_zip(data, medium, limits) as zf, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dest:
        infos = zf.infolist()
        check_directory(infos, medium, limits)
        budget = limits.max_unzipped_bytes
        # a name listed twice is read as its last entry, as zipfile's readers would
        for info in {i.filename: i for i in infos if not i.is_dir()}.values():
            budget -= _copy(zf, info, dest, medium, budget, limits)
    return out.getvalue()


def _copy(zf: zipfile.ZipFile, info: zipfile.ZipInfo, dest: zipfile.ZipFile, medium: str, budget: int,
          limits: Limits) -> int:
    """Inflate one member into `dest` in chunks; the bytes it inflated to."""
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise UnreadableInputError("zip.unsupported", medium=medium, member=info.filename[:80])
    # zipfile cuts a member at its declared size: a copy declaring more than any member may hold
    # lets the count below see what the data inflates to, and the CRC is checked at its true end
    probe = copy.copy(info)
    probe.file_size = limits.max_unzipped_bytes + 1
    ratio_cap = max(1_000_000, int(limits.max_zip_ratio * max(1, info.compress_size)))
    written = 0
    try:
        with zf.open(probe) as src, dest.open(_entry(info), "w") as sink:
            while chunk := src.read(CHUNK):
                written += len(chunk)
                if written > info.file_size:
                    raise UnreadableInputError("zip.underdeclared", medium=medium, member=info.filename[:80],
                                               declared=info.file_size)
                if written > budget:
                    size = (limits.max_unzipped_bytes - budget + written) >> 20
                    raise UnreadableInputError("zip.bomb", medium=medium, size=size,
                                               limit=limits.max_unzipped_bytes >> 20)
                if written > ratio_cap:
                    raise UnreadableInputError("zip.ratio", medium=medium, member=info.filename[:80],
                                               ratio=written / max(1, info.compress_size), limit=limits.max_zip_ratio)
                sink.write(chunk)
    except ZIP_ERRORS as exc:
        raise UnreadableInputError("zip.corrupt", medium=medium, reason=_reason(exc)) from None
    if written != info.file_size:
        reason = f"{info.filename[:80]}: {written} != {info.file_size}"
        raise UnreadableInputError("zip.corrupt", medium=medium, reason=reason)
    return written


def _entry(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
    entry.compress_type = zipfile.ZIP_STORED
    return entry


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:160]
