"""The page that linked a file, so that a re-crawl can ask after the file when the page has not changed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("page_url", sa.String(2000)))


def downgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.drop_column("page_url")
