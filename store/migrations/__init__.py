"""Alembic migrations shipped inside the package and run programmatically (no alembic.ini needed).

A new revision: `alembic -c store/migrations/alembic.ini revision --autogenerate -m "…"` against a
database at head, then read and edit what it wrote; tests/test_store_migrations.py checks that the
migrations and store/models.py describe the same schema.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

SCRIPT_LOCATION: Final = "store:migrations"


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    cfg.attributes["connection"] = connection
    return cfg


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    if head is None:  # pragma: no cover - the package always ships revisions
        raise RuntimeError("store/migrations has no revisions")
    return head


def is_known(revision: str) -> bool:
    return revision in {script.revision for script in _scripts().walk_revisions()}


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def run_upgrade(connection: Connection, revision: str = "head") -> None:
    """Upgrade inside the caller's transaction: on PostgreSQL the DDL commits or rolls back with it."""
    command.upgrade(config(connection), revision)
