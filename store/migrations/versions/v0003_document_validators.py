"""HTTP validators of a document (ETag, Last-Modified), so that a re-crawl asks "changed?" instead of downloading.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("etag", sa.String(200)))
        batch.add_column(sa.Column("last_modified", sa.String(100)))
    op.create_index("ix_document_url", "document", ["url"])


def downgrade() -> None:
    op.drop_index("ix_document_url", table_name="document")
    with op.batch_alter_table("document") as batch:
        batch.drop_column("last_modified")
        batch.drop_column("etag")
