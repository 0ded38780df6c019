"""What each crawl could not read, so that an absent report is `missing` only after a crawl that read everything.

Revision ID: 0006_crawl_faults
Revises: 0005_web_dashboard
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_crawl_faults"
down_revision = "0005_web_dashboard"
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


def downgrade() -> None:
    op.drop_index("ix_crawl_fault_run_id", "crawl_fault")
    op.drop_table("crawl_fault")
