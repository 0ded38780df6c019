"""INSERT … ON CONFLICT on both backends: the unique constraint, not a prior SELECT, decides.

A SELECT-then-INSERT would let two processes both see nothing and both insert; here the second
waits for the first to commit and then finds (or updates) its row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Connection, Row, Select, bindparam, case, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.sql.dml import ReturningInsert

Model = TypeVar("Model", bound=DeclarativeBase)


def dialect_insert(dialect: str, model: type[DeclarativeBase]) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can say ON CONFLICT (both dialects spell it the same way)."""
    return postgresql.insert(model) if dialect == "postgresql" else sqlite.insert(model)


def insert_ignore(session: Session, model: type[Model], values: Mapping[str, Any], keys: Sequence[str]) -> Model:
    """Insert a row unless one with the same `keys` exists (or is being inserted by another process); return it."""
    stmt = dialect_insert(session.get_bind().dialect.name, model).values(**values)
    session.execute(stmt.on_conflict_do_nothing(index_elements=list(keys)))
    where = [getattr(model, k) == values[k] for k in keys]
    return session.scalars(select(model).where(*where)).one()


def upsert(
    conn: Connection,
    model: type[DeclarativeBase],
    values: Mapping[str, Any],
    keys: tuple[str, ...],
    returning: tuple[str, ...],
    *,
    replace: tuple[str, ...] = (),
    latest: tuple[str, ...] = (),
) -> Row[Any]:
    """Insert a row unless one with the same `keys` exists; else set its `replace` columns to the new
    values and its `latest` ones to the later of old and new. The row's `returning` columns, in one
    round trip unless there was nothing to update.
    """
    row = conn.execute(_upsert(conn.dialect.name, model, keys, returning, replace, latest), values).first()
    if row is None:  # there already, and nothing to change: RETURNING gives no row
        row = conn.execute(_find(model, keys, returning), {k: values[k] for k in keys}).one()
    return row


# Statements built once: building one costs more than an indexed lookup in SQLite.


@cache
def _upsert(dialect: str, model: type[DeclarativeBase], keys: tuple[str, ...], returning: tuple[str, ...],
            replace: tuple[str, ...], latest: tuple[str, ...]) -> ReturningInsert[Any]:
    stmt = dialect_insert(dialect, model)
    table, new = model.__table__.c, stmt.excluded
    changes = {c: new[c] for c in replace} | {c: case((new[c] > table[c], new[c]), else_=table[c]) for c in latest}
    if changes:
        upserting = stmt.on_conflict_do_update(index_elements=list(keys), set_=changes)
    else:
        upserting = stmt.on_conflict_do_nothing(index_elements=list(keys))
    return upserting.returning(*(getattr(model, c) for c in returning))


@cache
def _find(model: type[DeclarativeBase], keys: tuple[str, ...], returning: tuple[str, ...]) -> Select[Any]:
    return select(*(getattr(model, c) for c in returning)).where(*(getattr(model, k) == bindparam(k) for k in keys))
