"""单位: one agency — every year's report with its status and findings, its portal and last crawl, and the
trend of its key figures.

`AGENCY_PANELS` is where other parts of xxgk add their own sections to this page (benchmarks among
peers, generated profiles): a panel is a function of (session, agency id, as-of date) returning HTML
(Markup, escaped by its maker) or None, shown below the trends in the order registered. Panels are
fetched by the page after it is shown (`/agency/{id}/panel/{n}`): a benchmark among thousands of
peers costs more than the rest of the page, and the supervisor reads the agency's own rows first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Final

from fastapi import APIRouter, Request
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, Response

from alerts import health
from catalogue.web import t
from store.matrix import Cell, MatrixQuery, cells, years
from store.models import Agency, Finding, Report, ReportVersion
from web import charts
from web.accounts import User
from web.core import Viewer, not_found, render, web

router = APIRouter()
Panel = Callable[[Session, int, dt.date], Markup | None]
AGENCY_PANELS: Final[list[Panel]] = []


def _cell(record: dict[str, Any], table: str, row: str, col: str) -> float | None:
    value = ((record.get(table) or {}).get(row) or {}).get(col)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _share(part: float | None, whole: float | None) -> float | None:
    """A percentage; none when the whole is zero or unknown (never 0 % or 100 % by default)."""
    if part is None or not whole:
        return None
    return round(100 * part / whole, 1)


def _sum(*values: float | None) -> float | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


TRENDS: Final[dict[str, Callable[[dict[str, Any]], float | None]]] = {
    "trend.new": lambda r: _cell(r, "requests", "new", "total"),
    "trend.granted": lambda r: _share(_cell(r, "requests", "granted", "total"), _cell(r, "requests", "total", "total")),
    "trend.review": lambda r: _cell(r, "review_litigation", "review", "total"),
    "trend.review_corrected": lambda r: _share(_cell(r, "review_litigation", "review", "corrected"),
                                               _cell(r, "review_litigation", "review", "total")),
    "trend.litigation": lambda r: _sum(_cell(r, "review_litigation", "litigation_direct", "total"),
                                       _cell(r, "review_litigation", "litigation_after_review", "total")),
    "trend.litigation_corrected": lambda r: _share(
        _sum(_cell(r, "review_litigation", "litigation_direct", "corrected"),
             _cell(r, "review_litigation", "litigation_after_review", "corrected")),
        _sum(_cell(r, "review_litigation", "litigation_direct", "total"),
             _cell(r, "review_litigation", "litigation_after_review", "total"))),
    "trend.normative": lambda r: _cell(r, "active", "normative_documents", "in_force"),
}


def visible_agency(session: Session, user: User, agency_id: int) -> Agency:
    agency = session.get(Agency, agency_id)
    if agency is None or not user.sees(agency.region):
        raise not_found()
    return agency


@router.get("/agency/{agency_id}")
def agency_page(request: Request, user: Viewer, agency_id: int) -> Response:
    state = web(request)
    with state.archive.read() as session:
        agency = visible_agency(session, user, agency_id)
        query = MatrixQuery(state.as_of, scope=user.regions, unreachable=state.unreachable,
                            first_year=state.first_year)
        columns = years(session, query)
        rows = [Cell._make(r) for r in session.execute(cells(session, query, columns, agency_ids=[agency_id]))]
        rows.sort(key=lambda c: -c.year)
        current = session.execute(
            select(Report.id, Report.year, ReportVersion.record)
            .join(ReportVersion, (ReportVersion.report_id == Report.id)
                  & (ReportVersion.number == Report.current_version))
            .where(Report.agency_id == agency_id)
        ).all()
        findings: dict[int, list[Finding]] = {}
        for finding, report_id in session.execute(
            select(Finding, Report.id).join(ReportVersion, Finding.version_id == ReportVersion.id)
            .join(Report, (ReportVersion.report_id == Report.id) & (ReportVersion.number == Report.current_version))
            .where(Report.agency_id == agency_id).order_by(Finding.id)
        ):
            findings.setdefault(report_id, []).append(finding)
        portal = agency.portal
        last_run = None
        if portal is not None:
            runs = health.history(session).get(portal.key) or []
            last_run = runs[-1] if runs else None
    by_year = {year: record for _, year, record in sorted(current, key=lambda r: r[0])}
    trend_years = sorted(by_year)
    trends = [(key, charts.line(t(key), [(y, fn(by_year[y])) for y in trend_years]))
              for key, fn in TRENDS.items() if any(fn(by_year[y]) is not None for y in trend_years)]
    return render(request, "agency.html.j2", user, agency=agency, rows=rows, findings=findings, portal=portal,
                  last_run=last_run, trends=trends, panels=range(len(AGENCY_PANELS)))


@router.get("/agency/{agency_id}/panel/{number}")
def agency_panel(request: Request, user: Viewer, agency_id: int, number: int) -> Response:
    """One panel of the agency page, on its own (empty when the panel has nothing to say)."""
    if not 0 <= number < len(AGENCY_PANELS):
        raise not_found()
    state = web(request)
    with state.archive.read() as session:
        visible_agency(session, user, agency_id)
        html = AGENCY_PANELS[number](session, agency_id, state.as_of)
    return HTMLResponse(html or "")
