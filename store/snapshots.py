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
import threading
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from catalogue.cli import say
from store.errors import SnapshotMissingError, StoreError

IN_DATABASE = "database"  # XXGK_SNAPSHOTS=database: the bytes live in the archive's own database
REMEMBERED = 4096  # digests a database store remembers as stored


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Snapshots(Protocol):
    """Where documents' bytes are kept: a folder, or the database (several machines share it, not a folder)."""

    def put(self, data: bytes) -> str: ...

    def get(self, digest: str) -> bytes: ...


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


class DatabaseSnapshots:
    """The same content-addressed, gzip-compressed bytes in the `snapshot` table. A put is its own committed
    transaction before the document's row is written, as a file is synced before it: no row outlives its bytes.

    Rows are never deleted, so bytes this process has stored or read are not compressed and sent again: a
    distributed parse job reads the bytes the crawl stored, then stores the document, which puts them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._stored: dict[str, None] = {}  # digests known to be in the table, oldest first
        self._lock = threading.Lock()  # a crawl's dispatch threads share one store

    def _remember(self, digest: str) -> None:
        with self._lock:
            self._stored[digest] = None
            if len(self._stored) > REMEMBERED:
                del self._stored[next(iter(self._stored))]

    def put(self, data: bytes) -> str:
        from store.models import Snapshot  # noqa: PLC0415 - the models import this module's neighbours
        from store.sql import dialect_insert  # noqa: PLC0415

        digest = sha256(data)
        if digest in self._stored:
            return digest
        packed = gzip.compress(data, compresslevel=6, mtime=0)
        stmt = dialect_insert(self.engine.dialect.name, Snapshot).values(sha256=digest, data=packed)
        try:
            with self.engine.begin() as conn:
                conn.execute(stmt.on_conflict_do_nothing(index_elements=["sha256"]))
        except SQLAlchemyError as exc:
            raise StoreError(say("snapshot.db_failed", reason=_first_line(exc))) from exc
        self._remember(digest)
        return digest

    def get(self, digest: str) -> bytes:
        from store.models import Snapshot  # noqa: PLC0415

        try:
            with self.engine.connect() as conn:
                packed = conn.scalar(select(Snapshot.data).where(Snapshot.sha256 == digest))
        except SQLAlchemyError as exc:
            raise StoreError(say("snapshot.db_failed", reason=_first_line(exc))) from exc
        if packed is None:
            raise SnapshotMissingError(say("snapshot.missing", digest=digest[:12], root=IN_DATABASE))
        data = gzip.decompress(packed)
        if sha256(data) != digest:
            raise StoreError(say("snapshot.corrupt", path=f"{IN_DATABASE}:{digest[:12]}"))
        self._remember(digest)
        return data


def _first_line(exc: SQLAlchemyError) -> str:
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
