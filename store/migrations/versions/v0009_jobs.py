"""Distributed mode: the jobs handed to the workers, documents' bytes kept in the database, and how many
files a report page linked (a crawl killed part way must not leave them unasked for).

Revision ID: 0009_jobs
Revises: 0008_report_reading
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision = "0009_jobs"
down_revision = "0008_report_reading"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("subject", JSON, nullable=False),
        sa.Column("root", sa.String(64)),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(255)),
        sa.Column("error", sa.Text()),
        sa.Column("enqueued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_job_state", "job", ["state"])
    op.create_index("ix_job_root", "job", ["root"])
    op.create_index("ix_job_enqueued_at", "job", ["enqueued_at"])
    op.create_table(
        "snapshot",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )
    op.add_column("document", sa.Column("attachments", sa.Integer()))


def downgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.drop_column("attachments")
    op.drop_table("snapshot")
    op.drop_index("ix_job_enqueued_at", "job")
    op.drop_index("ix_job_root", "job")
    op.drop_index("ix_job_state", "job")
    op.drop_table("job")
