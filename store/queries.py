"""What a supervisor asks the archive: reports with filters, and everything about one report."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from catalogue.terms import name
from store.diff import summary
from store.evidence import crawl_evidence
from store.models import Agency, Finding, Report, ReportVersion
from store.status import EVERYTHING, Filters, StatusRow, agency_facts, compliance, make_row, report_facts

if TYPE_CHECKING:
    from collections.abc import Collection

# statuses only an agency-year without a report can have: answered from the compliance matrix
ABSENT_STATUSES: Final = frozenset({"missing", "not_due", "unreachable", "unconfirmed"})


def _matches(row: StatusRow, status: str) -> bool:
    if status == "inconsistent":
        return row.inconsistent
    if status == "changed":
        return row.changed
    return row.status == status


def query(session: Session, as_of: dt.date, filters: Filters = EVERYTHING, *, status: str | None = None,
          rule: str | None = None, unreachable: Collection[int] = (), first_year: int | None = None) -> list[StatusRow]:
    """Report rows (one per stored report), or compliance rows when asking for reports that are not there
    (`unreachable` and `first_year` as `compliance` takes them)."""
    if status in ABSENT_STATUSES:
        rows = compliance(session, as_of, filters, unreachable=unreachable, first_year=first_year)
        return [] if rule else [r for r in rows if r.status == status]
    clauses = filters.agency_clauses()
    agencies = {a.id: a for a in agency_facts(session, *clauses)}
    if filters.year is not None:
        clauses.append(Report.year == filters.year)
    if rule:
        clauses.append(exists(
            select(Finding.id)
            .join(ReportVersion, Finding.version_id == ReportVersion.id)
            .where(ReportVersion.report_id == Report.id, ReportVersion.number == Report.current_version,
                   Finding.rule == rule)
        ))
    rows = [make_row(agencies[r.agency_id], r.year, r, as_of) for r in report_facts(session, *clauses)]
    if status is not None:
        rows = [r for r in rows if _matches(r, status)]
    rows.sort(key=lambda r: (r.year, r.region or "", r.agency, r.url or ""))
    return rows


def find_reports(session: Session, agency: str, year: int) -> list[int]:
    """Ids of the reports of the agency named exactly `agency`, else of the agencies whose name contains it."""
    for clause in (Agency.name == agency, Agency.name.contains(agency, autoescape=True)):
        ids = list(session.scalars(
            select(Report.id).join(Agency, Report.agency_id == Agency.id)
            .where(clause, Report.year == year).order_by(Report.published.is_(None), Report.published, Report.id)
        ))
        if ids:
            return ids
    return []


def absent_row(session: Session, agency: str, year: int, as_of: dt.date, *, unreachable: Collection[int] = (),
               first_year: int | None = None) -> StatusRow | None:
    """The status row of an agency-year the archive holds no report of, with the evidence it rests on
    (`xxgk show AGENCY YEAR`), as `compliance` has it; the agency named exactly, else by part of its name.
    None when the matrix has no such row (no such agency, or a year it is not expected to report on)."""
    rows = [r for r in compliance(session, as_of, Filters(agency=agency, year=year), unreachable=unreachable,
                                  first_year=first_year) if r.report_id is None]
    return next((r for r in rows if r.agency == agency), rows[0] if rows else None)


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id, **f.detail, "location": f.location, "fingerprint": f.fingerprint,
        "review": {"state": f.review_state, "by": f.reviewed_by,
                   "at": f.reviewed_at.isoformat() if f.reviewed_at else None, "note": f.review_note},
    }


def report_detail(session: Session, report_id: int, as_of: dt.date) -> dict[str, Any] | None:
    """One report for `xxgk show`: metadata, status, date candidates, the current record, findings, versions."""
    report = session.scalars(
        select(Report).where(Report.id == report_id)
        .options(selectinload(Report.versions).selectinload(ReportVersion.document), selectinload(Report.dates))
    ).one_or_none()
    if report is None:
        return None
    agency = report.agency
    [agency_row] = agency_facts(session, Agency.id == agency.id)
    [report_row] = report_facts(session, Report.id == report.id)
    row = make_row(agency_row, report.year, report_row, as_of, evidence=crawl_evidence(session).get(agency.id))
    current = next(v for v in report.versions if v.number == report.current_version)
    return {
        **row.to_dict(),
        "parent": agency.parent.name if agency.parent else None,
        "first_seen": report.first_seen_at.isoformat(),
        "last_seen": report.last_seen_at.isoformat(),
        "revised_at": report.revised_at.isoformat() if report.revised_at else None,
        "dates": [{"source": d.source, "value": d.value.isoformat()} for d in report.dates],
        "record": current.record,
        "findings": [_finding(f) for f in current.findings],
        "versions": [
            {
                "number": v.number, "created_at": v.created_at.isoformat(), "sha256": v.document.sha256,
                "document_url": v.document.url or None, "size": v.document.size,
                "parser": v.parser_version, "extractor": v.extractor, "errors": v.errors, "warnings": v.warnings,
                "change": summary(v.diff) if v.diff is not None else name("version_kind", "first"), "diff": v.diff,
            }
            for v in report.versions
        ],
    }
