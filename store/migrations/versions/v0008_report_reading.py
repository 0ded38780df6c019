"""Whether a report could be read: found is not read (an image awaiting OCR, a file we cannot read).

Two added columns and no constraint: SQLite adds columns in place, where a constraint would rebuild the
table (and a rebuilt `report` would take its dates and versions with it, ON DELETE CASCADE).

Revision ID: 0008_report_reading
Revises: 0007_crawl_faults
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_report_reading"
down_revision = "0007_crawl_faults"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report") as batch:
        batch.add_column(sa.Column("reading", sa.String(20), nullable=False, server_default="read"))
        batch.add_column(sa.Column("reading_note", sa.Text()))


def downgrade() -> None:
    with op.batch_alter_table("report") as batch:
        batch.drop_column("reading_note")
        batch.drop_column("reading")
