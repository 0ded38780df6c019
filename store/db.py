"""Opening the archive: an engine from a URL, sessions with clean failure, and the schema at head.

Every database error leaves here as a one-line `StoreError` (the CLI's exit 1), never a traceback.
Write transactions on SQLite start with BEGIN IMMEDIATE: two writers then queue on the busy timeout
instead of deadlocking when both try to upgrade a read lock, which SQLite resolves by failing one.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Self

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session

from catalogue.cli import say
from store.errors import StoreError, WrongArchiveError
from store.snapshots import IN_DATABASE, DatabaseSnapshots, Snapshots, SnapshotStore

_WRITE: Final = "xxgk_write"
# Any constant will do; it only has to be the same for every xxgk process migrating one database.
_MIGRATION_LOCK: Final = 0x7867_6B00
_CONNECT_TIMEOUT_S: Final = 10
_NOT_DURABLE: Final = text("SET LOCAL synchronous_commit = off")  # PostgreSQL: see Archive.write


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    return lines[0] if lines else type(orig).__name__


def _where(url: URL) -> str:
    """The database named for a person: a SQLite file's path, a server's URL without its password."""
    if url.get_backend_name() == "sqlite":
        return url.database or ""
    return url.render_as_string(hide_password=True)


def describe(exc: SQLAlchemyError, url: URL) -> str:
    """A database error as one line a user can act on, naming the database but never its password."""
    where = _where(url)
    reason = _first_line(exc)
    low = reason.lower()
    if "readonly database" in low or "read-only" in low:
        return say("archive.read_only", where=where)
    if "database is locked" in low:
        return say("archive.locked", where=where)
    if "unable to open database" in low:
        return say("archive.cannot_open", where=where)
    if (isinstance(exc, DBAPIError) and exc.connection_invalidated) or "connect" in low:
        return say("archive.cannot_connect", where=where, reason=reason)
    return say("archive.error", where=where, reason=reason)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take over transaction control from the sqlite3 module so that BEGIN can be IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL: `status` can read while an import writes, and a commit costs one sync instead of three.
    # NORMAL sync in WAL mode may lose the last commits on power loss, never consistency; the
    # snapshot files are synced before their rows commit, so no row can outlive its bytes.
    with contextlib.suppress(sqlite3.OperationalError):  # read-only or locked: keep whatever mode it has
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _on_sqlite_begin(connection: Any) -> None:
    write = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url_text: str) -> Engine:
    try:
        url = make_url(url_text)
    except ArgumentError:
        raise WrongArchiveError(say("archive.bad_url", url=repr(url_text))) from None
    kwargs: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        kwargs["connect_args"] = {"connect_timeout": _CONNECT_TIMEOUT_S}
    try:
        engine = create_engine(url, **kwargs)
    except (NoSuchModuleError, ArgumentError, ImportError) as exc:
        raise WrongArchiveError(say("archive.cannot_use", url=_where(url), reason=exc)) from None
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _require_sqlite_file(url_text: str) -> None:
    """A SQLite URL naming a file that does not exist: refused before connecting would create it."""
    try:
        url = make_url(url_text)
    except ArgumentError:
        return  # make_engine says what is wrong with it
    database = (url.database or "").removeprefix("file:").split("?", 1)[0]
    if url.get_backend_name() == "sqlite" and database and database != ":memory:" and not Path(database).exists():
        raise WrongArchiveError(say("archive.no_file", where=database))


def snapshot_store(engine: Engine, env: dict[str, str] | os._Environ[str] = os.environ) -> Snapshots:
    """The database itself with `XXGK_SNAPSHOTS=database`, else the folder `snapshot_root` names."""
    if env.get("XXGK_SNAPSHOTS") == IN_DATABASE:
        return DatabaseSnapshots(engine)
    return SnapshotStore(snapshot_root(engine.url, env))


def snapshot_root(url: URL, env: dict[str, str] | os._Environ[str] = os.environ) -> Path:
    """`XXGK_SNAPSHOTS`, else `snapshots/` beside a SQLite file, else `./snapshots`."""
    if env.get("XXGK_SNAPSHOTS"):
        return Path(env["XXGK_SNAPSHOTS"])
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database and database != ":memory:":
        path = database.removeprefix("file:").split("?", 1)[0]
        return Path(path).resolve().parent / "snapshots"
    return Path("snapshots")


@dataclass
class Archive:
    """An open archive: the database and the snapshot store beside it."""

    engine: Engine
    snapshots: Snapshots
    # report name → the agency it was found to mean, when that agency bears another name (store.agencies)
    agency_names: dict[str, str] = field(default_factory=dict, repr=False)
    # the engine whose transactions begin as writes: made once, as every stored document opens one
    _writer: Engine = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._writer = self.engine.execution_options(**{_WRITE: True})

    @classmethod
    def open(cls, url_text: str, *, migrate: bool = True, create: bool = True) -> Archive:
        """Connect; with `migrate`, create the schema in an empty database and refuse an outdated one.

        Without `create` a database that holds no archive is refused (WrongArchiveError) and a
        SQLite file that does not exist is not made: reading commands say where to point instead.
        """
        if not create:
            _require_sqlite_file(url_text)
        engine = make_engine(url_text)
        archive = cls(engine, snapshot_store(engine))
        if not create and archive.revisions()[0] is None:
            archive.close()
            raise WrongArchiveError(say("archive.empty", where=_where(engine.url)))
        if migrate:
            archive.ensure_schema()
        return archive

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def translate(self) -> Iterator[None]:
        """Turn any database error raised inside into a one-line StoreError."""
        try:
            yield
        except SQLAlchemyError as exc:
            raise StoreError(describe(exc, self.engine.url)) from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.translate(), Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def write(self, *, durable: bool = True) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back whole if anything in it fails.

        Not `durable`: on PostgreSQL the commit does not wait for its WAL to reach the disk (2 ms or
        more per document) and a crash may lose the last commits, never consistency: the same bargain
        as SQLite's NORMAL sync, for storing what the next crawl would fetch again anyway.
        """
        with self.translate(), Session(self._writer, expire_on_commit=False) as session, session.begin():
            if not durable and self.engine.dialect.name == "postgresql":
                session.execute(_NOT_DURABLE)
            yield session

    @contextmanager
    def write_rows(self, *, durable: bool = True) -> Iterator[Connection]:
        """`write` on a plain Connection, for code that writes rows rather than ORM objects: it costs half
        as much as a Session's transaction, and every stored document is one."""
        with self.translate(), self._writer.begin() as conn:
            if not durable and self.engine.dialect.name == "postgresql":
                conn.execute(_NOT_DURABLE)
            yield conn

    # ---- schema -----------------------------------------------------------------

    def revisions(self) -> tuple[str | None, str]:
        """(the database's schema revision or None when empty, the head this code needs)."""
        from store.migrations import current_revision, head_revision  # noqa: PLC0415

        with self.translate(), self.engine.connect() as conn:
            return current_revision(conn), head_revision()

    def ensure_schema(self) -> None:
        """Migrate an empty database; an older or unknown revision is the operator's call (`xxgk db upgrade`)."""
        current, head = self.revisions()
        if current == head:
            return
        if current is not None:
            from store.migrations import is_known  # noqa: PLC0415

            if is_known(current):
                raise StoreError(say("archive.outdated", current=current, head=head))
            raise StoreError(say("archive.unknown_revision", current=current))
        self.upgrade(only_if_empty=True)

    def upgrade(self, *, only_if_empty: bool = False) -> tuple[str | None, str]:
        """Bring the schema to head under a lock, so that concurrent first runs migrate once."""
        from store.migrations import current_revision, head_revision, run_upgrade  # noqa: PLC0415

        with self.translate(), self.engine.execution_options(**{_WRITE: True}).begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            before = current_revision(conn)
            if before is None and inspect(conn).get_table_names():
                raise StoreError(say("archive.foreign_tables"))
            if before is None or not only_if_empty:
                run_upgrade(conn)
            return before, head_revision()
