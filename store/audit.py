"""The audit log: every review, correction and alert verdict made from the dashboard, with who and when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert, select

from store.models import Agency, AuditEntry, Report


def log(conn: Connection, actor: str, action: str, now: dt.datetime, *, report_id: int | None = None,
        agency_id: int | None = None, detail: dict[str, Any] | None = None) -> None:
    """One entry, in the caller's transaction; its region is the agency's (of the report when given one)."""
    region = None
    if report_id is not None:
        region = conn.scalar(select(Agency.region).join(Report, Report.agency_id == Agency.id)
                             .where(Report.id == report_id))
    elif agency_id is not None:
        region = conn.scalar(select(Agency.region).where(Agency.id == agency_id))
    conn.execute(insert(AuditEntry), {"at": now, "actor": actor, "action": action, "region": region,
                                      "report_id": report_id, "detail": detail or {}})
