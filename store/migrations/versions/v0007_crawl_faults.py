"""What each crawl could not read, so that an absent report is `missing` only after a crawl that read everything;
each portal's last crawl (filled in from the runs already stored).

Revision ID: 0007_crawl_faults
Revises: 0006_cells
Create Date: 2026-11-24
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0007_crawl_faults"
down_revision = "0006_cells"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crawl_fault",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("crawl_run.id", ondelete="CASCADE"), nullable=False),
        sa.Column("portal", sa.String(100), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("list_page", sa.Boolean(), nullable=False),
        sa.Column("agency", sa.String(200)),
        sa.Column("year", sa.Integer()),
        sa.Column("copy", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_crawl_fault_run_id", "crawl_fault", ["run_id"])
    with op.batch_alter_table("portal") as batch:
        batch.add_column(sa.Column("last_run_id", sa.Integer()))
        batch.create_foreign_key("fk_portal_last_run_id_crawl_run", "crawl_run", ["last_run_id"], ["id"],
                                 ondelete="SET NULL")
    _fill_last_runs()


def _fill_last_runs() -> None:
    """Each portal's newest run, from the runs' portal lists (JSON text on SQLite, a list on PostgreSQL)."""
    conn = op.get_bind()
    last: dict[str, int] = {}
    for run_id, portals in conn.execute(sa.text("SELECT id, portals FROM crawl_run ORDER BY id DESC")):
        for key in json.loads(portals) if isinstance(portals, str) else portals:
            last.setdefault(key, run_id)
    if last:
        conn.execute(sa.text("UPDATE portal SET last_run_id = :run WHERE key = :key"),
                     [{"run": run, "key": key} for key, run in last.items()])


def downgrade() -> None:
    with op.batch_alter_table("portal") as batch:
        batch.drop_constraint("fk_portal_last_run_id_crawl_run", type_="foreignkey")
        batch.drop_column("last_run_id")
    op.drop_index("ix_crawl_fault_run_id", "crawl_fault")
    op.drop_table("crawl_fault")
