"""The dashboard: accounts, the audit log, corrections as versions, alert verdicts stored as such.

Revision 0004 stored an acknowledged or dismissed alert as state `cancelled` with the verdict, who
and why in its payload; those become the states `acknowledged` / `dismissed` with `closed_by`,
`closed_at` and `close_reason`. Existing versions get their kind: the first of a report `first`,
one read from the same document as the version before it `reparsed`, any other `revised`.

Revision ID: 0005_web_dashboard
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005_web_dashboard"
down_revision = "0004"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
OLD_STATES = ("queued", "sent", "failed", "cancelled")
NEW_STATES = ("queued", "sent", "failed", "acknowledged", "dismissed")
ROLES = ("viewer", "editor", "admin")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _when(name: str, *, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _closed_at(raw: object) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(str(raw))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _verdicts(conn: sa.Connection) -> None:
    """Each cancelled alert becomes the verdict its payload recorded (dismissed when it says none)."""
    alert = sa.table("alert", sa.column("id", sa.Integer), sa.column("payload", JSON), sa.column("state", sa.String),
                     sa.column("closed_by", sa.String), sa.column("closed_at", sa.DateTime(timezone=True)),
                     sa.column("close_reason", sa.Text))
    for alert_id, payload in conn.execute(sa.select(alert.c.id, alert.c.payload).where(alert.c.state == "cancelled")):
        data = payload if isinstance(payload, dict) else json.loads(payload or "{}")
        closed = data.get("closed") or {}
        how = closed.get("how") if closed.get("how") in {"acknowledged", "dismissed"} else "dismissed"
        when = _closed_at(closed.get("at"))
        if when is not None and conn.dialect.name == "sqlite":
            when = when.astimezone(dt.UTC).replace(tzinfo=None)
        conn.execute(alert.update().where(alert.c.id == alert_id).values(
            state=how, closed_by=closed.get("by"), closed_at=when, close_reason=closed.get("why")))


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("regions", JSON, nullable=False),
        _when("created_at", nullable=False),
        _when("password_changed_at", nullable=False),
        sa.CheckConstraint(_one_of("role", ROLES), name="role"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        _when("at", nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("region", sa.String(12)),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("report.id", ondelete="SET NULL")),
        sa.Column("detail", JSON, nullable=False),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_region", "audit_log", ["region"])
    op.create_index("ix_audit_log_report_id", "audit_log", ["report_id"])

    # plain ALTERs: a batch (copy) of report or report_version on SQLite would cascade-delete their children
    op.add_column("report", sa.Column("correction_stale", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("report_version", sa.Column("kind", sa.String(20), nullable=False, server_default="first"))
    op.add_column("report_version", sa.Column("author", sa.String(200)))
    op.add_column("report_version", sa.Column("reason", sa.Text()))
    op.add_column("report_version", sa.Column("corrections", JSON))
    op.execute(
        "UPDATE report_version SET kind = CASE WHEN number = 1 THEN 'first' "
        "WHEN document_id = (SELECT p.document_id FROM report_version p WHERE p.report_id = report_version.report_id "
        "AND p.number = report_version.number - 1) THEN 'reparsed' ELSE 'revised' END"
    )

    with op.batch_alter_table("alert") as batch:
        batch.drop_constraint(op.f("ck_alert_state"), type_="check")
        batch.add_column(sa.Column("closed_by", sa.String(200)))
        batch.add_column(_when("closed_at"))
        batch.add_column(sa.Column("close_reason", sa.Text()))
    _verdicts(op.get_bind())
    with op.batch_alter_table("alert") as batch:
        batch.create_check_constraint("state", _one_of("state", NEW_STATES))


def downgrade() -> None:
    with op.batch_alter_table("alert") as batch:
        batch.drop_constraint(op.f("ck_alert_state"), type_="check")
    op.execute("UPDATE alert SET state = 'cancelled' WHERE state IN ('acknowledged', 'dismissed')")
    with op.batch_alter_table("alert") as batch:
        batch.drop_column("close_reason")
        batch.drop_column("closed_at")
        batch.drop_column("closed_by")
        batch.create_check_constraint("state", _one_of("state", OLD_STATES))
    for column in ("corrections", "reason", "author", "kind"):
        op.drop_column("report_version", column)
    op.drop_column("report", "correction_stale")
    op.drop_table("audit_log")
    op.drop_table("account")
