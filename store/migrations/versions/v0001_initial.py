"""Initial schema: agencies, portals, crawl runs, documents, reports, versions, findings, alerts.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _when(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "crawl_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        _when("started_at"),
        _when("finished_at", nullable=True),
        sa.Column("portals", JSON, nullable=False),
        sa.Column("counts", JSON, nullable=False),
        sa.Column("errors", JSON, nullable=False),
    )
    op.create_table(
        "portal",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(100), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("base_url", sa.String(2000), nullable=False),
        sa.Column("columns", JSON, nullable=False),
        sa.Column("cms", sa.String(40)),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        _when("created_at"),
    )
    op.create_table(
        "agency",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("region", sa.String(12), index=True),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("agency.id", ondelete="SET NULL")),
        sa.Column("portal_id", sa.Integer(), sa.ForeignKey("portal.id", ondelete="SET NULL")),
        sa.Column("deadline", sa.String(5)),
        sa.Column("supervisors", JSON, nullable=False),
        _when("created_at"),
        sa.CheckConstraint(_one_of("level", ("province", "city", "county", "township", "department")), name="level"),
    )
    op.create_index("ix_agency_level_region", "agency", ["level", "region"])
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("http_status", sa.Integer()),
        sa.Column("content_type", sa.String(200)),
        sa.Column("encoding", sa.String(40)),
        _when("fetched_at"),
        _when("last_seen_at"),
        sa.Column("crawl_run_id", sa.Integer(), sa.ForeignKey("crawl_run.id", ondelete="SET NULL")),
        sa.UniqueConstraint("url", "sha256"),
    )
    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agency.id", ondelete="CASCADE"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("title", sa.Text()),
        sa.Column("published", sa.Date()),
        _when("first_seen_at"),
        _when("last_seen_at"),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("inconsistencies", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        _when("revised_at", nullable=True),
        sa.UniqueConstraint("agency_id", "year", "url"),
    )
    op.create_index("ix_report_year_agency", "report", ["year", "agency_id"])
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("dedupe_key", sa.String(300), nullable=False, unique=True),
        sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agency.id", ondelete="SET NULL")),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("report.id", ondelete="SET NULL")),
        sa.Column("recipients", JSON, nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text()),
        _when("created_at"),
        _when("sent_at", nullable=True),
        sa.CheckConstraint(_one_of("state", ("queued", "sent", "failed", "cancelled")), name="state"),
    )
    op.create_table(
        "report_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("report.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "document_id", sa.Integer(), sa.ForeignKey("document.id", ondelete="RESTRICT"), nullable=False, index=True
        ),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("record", JSON, nullable=False),
        sa.Column("parser_version", sa.String(40), nullable=False),
        sa.Column("extractor", sa.String(40)),
        sa.Column("diff", JSON),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        _when("created_at"),
        sa.UniqueConstraint("report_id", "number"),
    )
    op.create_table(
        "finding",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "version_id", sa.Integer(), sa.ForeignKey("report_version.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("rule", sa.String(60), nullable=False, index=True),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.Column("review_state", sa.String(10), nullable=False),
        sa.Column("reviewed_by", sa.String(200)),
        _when("reviewed_at", nullable=True),
        sa.Column("review_note", sa.Text()),
        sa.CheckConstraint(_one_of("severity", ("error", "warning", "info")), name="severity"),
        sa.CheckConstraint(_one_of("review_state", ("open", "confirmed", "dismissed")), name="review_state"),
        sa.UniqueConstraint("version_id", "fingerprint"),
    )


def downgrade() -> None:
    for table in ("finding", "report_version", "alert", "report", "document", "agency", "portal", "crawl_run"):
        op.drop_table(table)
