"""Publication-date candidates: keep every date a source claims, choose the effective one by source rank.

Revision 0001 kept one `report.published` date. Existing dates become `page` candidates (they came
from the report page or from the operator), and `report.published_source` says where the effective
date came from.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SOURCES = ("cli", "page", "meta", "list", "url", "first_seen")


def upgrade() -> None:
    op.create_table(
        "publication_date",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("report.id", ondelete="CASCADE"), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("value", sa.Date(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"source IN ({', '.join(repr(s) for s in SOURCES)})", name="source"),
        sa.UniqueConstraint("report_id", "source"),
    )
    with op.batch_alter_table("report") as batch:
        batch.add_column(sa.Column("published_source", sa.String(20)))
    op.execute(
        "INSERT INTO publication_date (report_id, source, value, seen_at) "
        "SELECT id, 'page', published, first_seen_at FROM report WHERE published IS NOT NULL"
    )
    op.execute("UPDATE report SET published_source = 'page' WHERE published IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("report") as batch:
        batch.drop_column("published_source")
    op.drop_table("publication_date")
