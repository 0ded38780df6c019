"""A report file read from disk: a regular file, and never more of it than the limit plus one byte.

`Path.read_bytes()` reads whatever the path gives: /dev/zero until memory runs out, a FIFO
nobody writes to forever, a 1 GB file whole before its size is looked at. Here the path is
opened without blocking (a FIFO's open would wait for a writer), what it is decided by `fstat`
on the open descriptor (so it cannot be swapped in between), and only a regular file is read,
in chunks, stopping one byte past the limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Final

from extract.errors import UnreadableInputError
from extract.limits import LIMITS

CHUNK: Final = 1 << 20


def read_file(path: Path, limit: int = LIMITS.max_bytes) -> bytes:
    """The bytes of the regular file at `path`, refused with a one-line reason when it is anything
    else or larger than `limit`."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise UnreadableInputError("file.cannot_read", reason=exc.strerror or exc) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableInputError(_kind(info.st_mode))
        if info.st_size > limit:
            raise UnreadableInputError("file.too_large", size=info.st_size / 1e6, limit=limit / 1e6)
        return _read(fd, limit)
    except OSError as exc:
        raise UnreadableInputError("file.cannot_read", reason=exc.strerror or exc) from None
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "file.directory"
    if stat.S_ISFIFO(mode):
        return "file.fifo"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "file.device"
    return "file.special"


def _read(fd: int, limit: int) -> bytes:
    """At most `limit` + 1 bytes (a file may grow after fstat): one more than the limit is refused."""
    chunks: list[bytes] = []
    size = 0
    while chunk := os.read(fd, min(CHUNK, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise UnreadableInputError("file.too_large", size=size / 1e6, limit=limit / 1e6)
    return b"".join(chunks)
