"""Content-addressed copies of every document's raw bytes, gzip-compressed, under `<root>/ab/cdef….gz`.

The archive outlives the portals, so these files may be the only copy of a report left: gzip because
any tool on any system will still read it in twenty years, the sha256 in the name because it proves
the bytes are the ones fetched. A file appears only complete (temp file + fsync + atomic rename), so
a full disk or a crash never leaves a truncated snapshot under a real name.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import os
import tempfile
from pathlib import Path

from catalogue.cli import say
from store.errors import SnapshotMissingError, StoreError


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class SnapshotStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, digest: str) -> Path:
        return self.root / digest[:2] / f"{digest[2:]}.gz"

    def put(self, data: bytes) -> str:
        """Store `data` (once: the same bytes are never written twice) and return its sha256."""
        digest = sha256(data)
        target = self.path(digest)
        if target.exists():
            return digest
        try:
            self._write(target, data)
        except OSError as exc:
            raise StoreError(self._describe(exc)) from exc
        return digest

    @staticmethod
    def _write(target: Path, data: bytes) -> None:
        try:
            fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        except FileNotFoundError:  # the directory's first snapshot (mkdir on every put costs a system call)
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as tmp:
                # mtime=0, and no file name in the header (a file object on a bare descriptor has
                # none): the same bytes always compress to the same file
                with gzip.GzipFile(fileobj=tmp, mode="wb", compresslevel=6, mtime=0) as gz:
                    gz.write(data)
                tmp.flush()
                os.fsync(fd)
            Path(tmp_name).replace(target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise

    def get(self, digest: str) -> bytes:
        """The bytes stored under `digest`, checked against it."""
        target = self.path(digest)
        try:
            with gzip.open(target, "rb") as gz:
                data = gz.read()
        except FileNotFoundError:
            raise SnapshotMissingError(say("snapshot.missing", digest=digest[:12], root=self.root)) from None
        except (OSError, EOFError) as exc:
            raise StoreError(say("snapshot.unreadable", path=target, reason=exc)) from exc
        if sha256(data) != digest:
            raise StoreError(say("snapshot.corrupt", path=target))
        return data

    def _describe(self, exc: OSError) -> str:
        if exc.errno == errno.ENOSPC:
            return f"no space left for snapshots in {self.root}: nothing was stored"
        if exc.errno in {errno.EACCES, errno.EROFS, errno.EPERM}:
            return f"cannot write snapshots in {self.root} ({exc.strerror}): nothing was stored"
        return f"cannot write a snapshot in {self.root}: {exc.strerror or exc}"
