"""Validator findings on a stored version, and the human review that survives re-validation.

A finding's fingerprint is its report, rule and place (validate.finding.Finding.fingerprint), so the
same problem in a later version, or after the validator is re-run, is recognised as the one a person
already confirmed or dismissed, and their verdict is carried over instead of asking again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from extract.schema import Record
from store.models import Finding, Report, ReportVersion, utcnow
from store.status import deadline_of
from store.terms import REVIEW_STATES
from validate import validate
from validate.finding import Finding as Found

_REVIEW_FIELDS = ("review_state", "reviewed_by", "reviewed_at", "review_note")
# rules about when a report appeared rather than what it says
TIMELINESS_RULES = frozenset({"late_publication"})


def report_key(report: Report) -> str:
    """What a fingerprint is made unique with: stable across databases, unlike the row id."""
    return f"{report.agency.name}|{report.year}|{report.url}"


def previous_record(session: Session, agency_id: int, year: int) -> Record | None:
    """The agency's report on the year before, as its latest version says (for the cross-year rules)."""
    record: Record | None = session.scalars(
        select(ReportVersion.record)
        .join(Report, ReportVersion.report_id == Report.id)
        .where(Report.agency_id == agency_id, Report.year == year - 1, ReportVersion.number == Report.current_version)
        .order_by(ReportVersion.created_at.desc(), ReportVersion.id.desc())
        .limit(1)
    ).first()
    return record


def _meta(report: Report) -> dict[str, Any]:
    agency = report.agency
    meta: dict[str, Any] = {"agency": agency.name, "level": agency.level, "region": agency.region}
    if report.published is not None:
        meta["published"] = report.published.isoformat()
    meta["deadline"] = deadline_of(agency.level, agency.deadline, report.year).isoformat()
    return meta


def _fingerprinted(found: Sequence[Found], key: str) -> dict[str, Found]:
    """Fingerprint → finding; a second finding at the same place gets `#2` so that none is lost."""
    out: dict[str, Found] = {}
    for item in found:
        base = item.fingerprint(key)
        fp, n = base, 1
        while fp in out:
            n += 1
            fp = f"{base}#{n}"
        out[fp] = item
    return out


def _carried_reviews(session: Session, version: ReportVersion, fingerprints: set[str]) -> dict[str, tuple[Any, ...]]:
    """The latest human verdict on each fingerprint in the report's earlier versions."""
    if not fingerprints:
        return {}
    rows = session.execute(
        select(Finding.fingerprint, *(getattr(Finding, f) for f in _REVIEW_FIELDS))
        .join(ReportVersion, Finding.version_id == ReportVersion.id)
        .where(
            ReportVersion.report_id == version.report_id,
            ReportVersion.number < version.number,
            Finding.fingerprint.in_(fingerprints),
            Finding.review_state != "open",
        )
        .order_by(ReportVersion.number.desc())
    ).all()
    carried: dict[str, tuple[Any, ...]] = {}
    for fp, *review in rows:
        carried.setdefault(fp, tuple(review))
    return carried


def refresh_findings(session: Session, report: Report, version: ReportVersion) -> None:
    """Validate the version again and bring its findings in line: unchanged ones keep their rows and reviews."""
    found = validate(version.record, previous=previous_record(session, report.agency_id, report.year),
                     meta=_meta(report))
    computed = _fingerprinted(found, report_key(report))
    existing = {f.fingerprint: f for f in version.findings}
    for fp in existing.keys() - computed.keys():
        version.findings.remove(existing[fp])
    carried = _carried_reviews(session, version, computed.keys() - existing.keys())
    for fp, item in computed.items():
        values = {
            "rule": item.rule, "severity": item.severity, "status": item.status, "location": item.location,
            "message": item.message, "detail": item.to_dict(),
        }
        row = existing.get(fp)
        if row is None:
            review = dict(zip(_REVIEW_FIELDS, carried[fp], strict=True)) if fp in carried else {"review_state": "open"}
            row = Finding(fingerprint=fp, **values, **review)
            version.findings.append(row)
        else:
            for name, value in values.items():
                if getattr(row, name) != value:
                    setattr(row, name, value)
    recount(report, version)


def recount(report: Report, version: ReportVersion) -> None:
    """Error and warning counts that a person has not dismissed, on the version and, if current, the report.

    A late report is not an inconsistent one: the compliance matrix says "late" already, so the
    `inconsistent` flag counts only errors about what the report says.
    """
    live = [f for f in version.findings if f.review_state != "dismissed"]
    version.errors = sum(f.severity == "error" for f in live)
    version.warnings = sum(f.severity == "warning" for f in live)
    if version.number == report.current_version:
        report.errors, report.warnings = version.errors, version.warnings
        report.inconsistencies = sum(f.severity == "error" and f.rule not in TIMELINESS_RULES for f in live)


def review_finding(session: Session, finding_id: int, state: str, by: str, note: str | None = None,
                   at: dt.datetime | None = None) -> Finding:
    """Record a person's verdict on a finding (open / confirmed / dismissed); later versions inherit it."""
    if state not in REVIEW_STATES:
        raise ValueError(f"unknown review state {state!r}; expected one of {', '.join(REVIEW_STATES)}")
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise LookupError(f"no finding #{finding_id} in the archive")
    finding.review_state, finding.reviewed_by, finding.review_note = state, by, note
    finding.reviewed_at = at or utcnow()
    version = finding.version
    recount(version.report, version)
    return finding
