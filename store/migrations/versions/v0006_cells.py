"""Table cells as facts: one `cell` row per cell of every version, filled here for the versions already stored.

Revision ID: 0006_cells
Revises: 0005_web_dashboard
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.cells import cell_rows
from store.terms import CELL_KINDS

revision = "0006_cells"
down_revision = "0005_web_dashboard"
branch_labels = None
depends_on = None

_BATCH = 500  # versions read at a time: memory stays flat on a large archive


def upgrade() -> None:
    kinds = ", ".join(repr(k) for k in CELL_KINDS)
    cell = op.create_table(
        "cell",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("table_key", sa.String(20), nullable=False),
        sa.Column("row_key", sa.String(200), nullable=False),
        sa.Column("col_key", sa.String(40), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("unit", sa.String(10), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("box", sa.String(80), nullable=True),
        sa.Column("certainty", sa.Float(), nullable=True),
        sa.CheckConstraint(f"kind IN ({kinds})", name=op.f("ck_cell_kind")),
        sa.ForeignKeyConstraint(["version_id"], ["report_version.id"], name=op.f("fk_cell_version_id_report_version"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("version_id", "table_key", "row_key", "col_key", name=op.f("pk_cell")),
        sqlite_with_rowid=False,
    )
    assert cell is not None  # create_table returns the Table it made
    conn = op.get_bind()
    versions = sa.table("report_version", sa.column("id", sa.Integer()), sa.column("record", sa.JSON()))
    last = 0
    while True:
        after = sa.select(versions.c.id, versions.c.record).where(versions.c.id > last)
        batch = conn.execute(after.order_by(versions.c.id).limit(_BATCH)).all()
        if not batch:
            break
        rows = [{"version_id": vid, **row} for vid, record in batch for row in cell_rows(record or {})]
        if rows:
            conn.execute(cell.insert(), rows)
        last = batch[-1][0]


def downgrade() -> None:
    op.drop_table("cell")
