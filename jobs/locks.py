"""PostgreSQL advisory locks: one crawl at a time per host across every worker, one scheduler per archive.

Session locks on a connection of their own (autocommit: no transaction stays open for an hour): the
server releases them when the connection ends, so a worker or scheduler that dies, even by SIGKILL or
with its machine, never leaves a lock behind.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Final

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

NAMESPACE: Final = 0x7867  # "xg": the first key of every lock of ours (the second is the host's or SCHEDULER)
SCHEDULER: Final = 0
_TRY = text("SELECT pg_try_advisory_lock(:ns, :key)")
_UNLOCK_ALL = text("SELECT pg_advisory_unlock_all()")


def host_key(host: str) -> int:
    """A host as a lock key (two hosts that collide only take turns: politeness holds either way)."""
    key = zlib.crc32(host.lower().encode()) & 0x7FFF_FFFF
    return key or 1  # 0 is the scheduler's


def _connect(engine: Engine) -> Connection:
    return engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def _release(conn: Connection) -> None:
    """Unlock before the connection goes back to the pool, where a session lock would outlive us."""
    try:
        conn.execute(_UNLOCK_ALL)
    except SQLAlchemyError:
        conn.invalidate()  # a broken connection: the server has ended the session and its locks
    conn.close()


@contextmanager
def hosts_locked(engine: Engine, hosts: Iterable[str]) -> Iterator[bool]:
    """Hold every host's lock for the block and yield True, or yield False holding none (another worker
    crawls one of them). Taken in a fixed order, so two jobs never wait on each other."""
    keys = sorted({host_key(h) for h in hosts})
    conn = _connect(engine)
    try:
        got = all(conn.execute(_TRY, {"ns": NAMESPACE, "key": key}).scalar_one() for key in keys)
        # on False the locks already taken are released below
        yield got
    finally:
        _release(conn)


class Leadership:
    """The scheduler's lock: whoever holds it enqueues; another scheduler started by mistake waits."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.conn: Connection | None = None

    def try_acquire(self) -> bool:
        conn = _connect(self.engine)
        if conn.execute(_TRY, {"ns": NAMESPACE, "key": SCHEDULER}).scalar_one():
            self.conn = conn
            return True
        _release(conn)
        return False

    def release(self) -> None:
        if self.conn is not None:
            _release(self.conn)
            self.conn = None

    @staticmethod
    def name() -> str:
        return f"({NAMESPACE}, {SCHEDULER})"
