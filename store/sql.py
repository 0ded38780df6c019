"""INSERT … ON CONFLICT DO NOTHING on both backends: the unique constraint, not a prior SELECT, decides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session

Model = TypeVar("Model", bound=DeclarativeBase)


def insert_ignore(session: Session, model: type[Model], values: Mapping[str, Any], keys: Sequence[str]) -> Model:
    """Insert a row unless one with the same `keys` exists (or is being inserted by another process); return it.

    A SELECT-then-INSERT would let two processes both see nothing and both insert; here the second
    waits for the first to commit and then finds its row.
    """
    dialect = session.get_bind().dialect.name
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model).values(**values)
    session.execute(stmt.on_conflict_do_nothing(index_elements=list(keys)))
    where = [getattr(model, k) == values[k] for k in keys]
    return session.scalars(select(model).where(*where)).one()
