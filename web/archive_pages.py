"""检索 and 操作记录: searching the archive's text, and the log of every review, correction and verdict."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.responses import Response

from store import search as archive_search
from store.matrix import region_clause
from store.models import Agency, AuditEntry, Finding, Report, ReportVersion
from web.core import Viewer, query_string, render, web

router = APIRouter()
AUDIT_PAGE: Final = 100
LIST_LIMIT: Final = 50


@router.get("/search")
def search_page(request: Request, user: Viewer, q: str = "") -> Response:
    """Agencies by name, reports by their text (trigram index), reports by a finding's rule id."""
    phrase = q.strip()[:200]
    state = web(request)
    agencies: list[Agency] = []
    ruled: list[tuple[int, str, int, str]] = []
    hits: list[archive_search.Hit] = []
    total = 0
    if phrase:
        hits, total = archive_search.search(state.archive, phrase, user.regions, LIST_LIMIT)
        with state.archive.read() as session:
            scope = [] if user.regions is None else [region_clause(Agency.region, user.regions)]
            agencies = list(session.scalars(select(Agency).where(
                Agency.name.contains(phrase, autoescape=True), *scope).order_by(Agency.name).limit(LIST_LIMIT)))
            ruled = [(int(r[0]), str(r[1]), int(r[2]), str(r[3])) for r in session.execute(
                select(Report.id, Agency.name, Report.year, Finding.rule).distinct()
                .join(ReportVersion, Finding.version_id == ReportVersion.id)
                .join(Report, (ReportVersion.report_id == Report.id)
                      & (ReportVersion.number == Report.current_version))
                .join(Agency, Report.agency_id == Agency.id)
                .where(Finding.rule.startswith(phrase, autoescape=True), *scope)
                .order_by(Agency.name, Report.year, Report.id).limit(LIST_LIMIT))]
    return render(request, "search.html.j2", user, q=phrase, agencies=agencies, hits=hits, total=total,
                  ruled=ruled, limit=LIST_LIMIT)


@router.get("/audit")
def audit_page(request: Request, user: Viewer) -> Response:
    page = request.query_params.get("page", "")
    number = max(int(page), 1) if page.isdigit() else 1
    with web(request).archive.read() as session:
        stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        if user.regions is not None:
            stmt = stmt.where(region_clause(AuditEntry.region, user.regions))
        rows = list(session.scalars(stmt.limit(AUDIT_PAGE + 1).offset((number - 1) * AUDIT_PAGE)))
    return render(request, "audit.html.j2", user, entries=rows[:AUDIT_PAGE], more=len(rows) > AUDIT_PAGE,
                  number=number, params={}, qs=query_string)
