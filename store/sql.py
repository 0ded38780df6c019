"""INSERT … ON CONFLICT DO NOTHING on both backends: the unique constraint, not a prior SELECT, decides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session


def insert_ignore(
    session: Session, model: type[DeclarativeBase], values: Mapping[str, Any], keys: Sequence[str]
) -> int:
    """Insert a row unless one with the same `keys` exists (or is being inserted by another process), return its id.

    A SELECT-then-INSERT would let two processes both see nothing and both insert; here the second
    waits for the first to commit and then finds its row.
    """
    table = cast("Table", model.__table__)
    dialect = session.get_bind().dialect.name
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table).values(**values)
    session.execute(stmt.on_conflict_do_nothing(index_elements=list(keys)))
    where = [table.c[k] == values[k] for k in keys]
    row_id: int = session.execute(select(table.c.id).where(*where)).scalar_one()
    return row_id
