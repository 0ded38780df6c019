"""Validator findings on a stored version, and the human review that survives re-validation.

A finding's fingerprint is its report, rule and place (validate.finding.Finding.fingerprint), so the
same problem in a later version, or after the validator is re-run, is recognised as the one a person
already confirmed or dismissed, and their verdict is carried over instead of asking again.

Storing a report refreshes findings through plain rows rather than ORM objects (an import does this
for every document): unchanged findings are compared and left alone, new ones inserted in one batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from catalogue.cli import say
from extract.schema import Record
from store.models import Finding, Report, ReportVersion, utcnow
from store.status import AgencyFacts, deadline_of
from store.terms import REVIEW_STATES
from validate import validate
from validate.finding import Finding as Found

_REVIEW_FIELDS = ("review_state", "reviewed_by", "reviewed_at", "review_note")
_UNREVIEWED = ("open", None, None, None)
_VALUE_FIELDS = ("rule", "severity", "status", "location", "message", "detail")
# rules about when a report appeared rather than what it says
TIMELINESS_RULES = frozenset({"late_publication"})


class Counts(NamedTuple):
    """Findings nobody dismissed: all errors, warnings, and errors about the content alone."""

    errors: int
    warnings: int
    inconsistencies: int


def tally(findings: Iterable[tuple[str, str, str]]) -> Counts:
    """Counts of (rule, severity, review state) triples.

    A late report is not an inconsistent one: the compliance matrix says "late" already, so
    `inconsistencies` counts only errors about what the report says.
    """
    live = [(rule, severity) for rule, severity, state in findings if state != "dismissed"]
    return Counts(
        errors=sum(severity == "error" for _, severity in live),
        warnings=sum(severity == "warning" for _, severity in live),
        inconsistencies=sum(severity == "error" and rule not in TIMELINESS_RULES for rule, severity in live),
    )


@dataclass(frozen=True, slots=True)
class Checked:
    """A stored version to validate, with what the validator needs to know of its report and agency."""

    agency: AgencyFacts
    year: int
    url: str
    published: dt.date | None
    report_id: int
    version_id: int
    number: int
    record: Record
    counts: tuple[int, int]  # the version's stored errors and warnings: rewritten only when they change
    fresh: bool = False  # inserted by this transaction: no findings yet to compare with


def report_key(agency: str, year: int, url: str) -> str:
    """What a fingerprint is made unique with: stable across databases, unlike the row id."""
    return f"{agency}|{year}|{url}"


# Statements built once: every stored document runs them.
_PREVIOUS = (
    select(ReportVersion.record)
    .join(Report, ReportVersion.report_id == Report.id)
    .where(Report.agency_id == bindparam("agency_id"), Report.year == bindparam("year"),
           ReportVersion.number == Report.current_version)
    .order_by(ReportVersion.created_at.desc(), ReportVersion.id.desc())
    .limit(1)
)
_STORED = select(Finding.id, Finding.fingerprint, Finding.review_state, *(getattr(Finding, f) for f in _VALUE_FIELDS)
                 ).where(Finding.version_id == bindparam("version_id"))
_REVIEWED = (
    select(Finding.fingerprint, *(getattr(Finding, f) for f in _REVIEW_FIELDS))
    .join(ReportVersion, Finding.version_id == ReportVersion.id)
    .where(
        ReportVersion.report_id == bindparam("report_id"),
        ReportVersion.number < bindparam("number"),
        Finding.fingerprint.in_(bindparam("fingerprints", expanding=True)),
        Finding.review_state != "open",
    )
    .order_by(ReportVersion.number.desc())
)
_COUNTED = update(ReportVersion).where(ReportVersion.id == bindparam("version_id"))
_ADD = insert(Finding)


def previous_record(conn: Connection, agency_id: int, year: int) -> Record | None:
    """The agency's report on the year before, as its latest version says (for the cross-year rules)."""
    record: Record | None = conn.scalars(_PREVIOUS, {"agency_id": agency_id, "year": year - 1}).first()
    return record


def _meta(checked: Checked) -> dict[str, Any]:
    agency = checked.agency
    meta: dict[str, Any] = {"agency": agency.name, "level": agency.level, "region": agency.region,
                            "year": checked.year}
    if checked.published is not None:
        meta["published"] = checked.published.isoformat()
    meta["deadline"] = deadline_of(agency.level, agency.deadline, checked.year).isoformat()
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


def _carried_reviews(conn: Connection, checked: Checked, fingerprints: set[str]) -> dict[str, tuple[Any, ...]]:
    """The latest human verdict on each fingerprint in the report's earlier versions."""
    if not fingerprints or checked.number == 1:
        return {}
    rows = conn.execute(_REVIEWED, {"report_id": checked.report_id, "number": checked.number,
                                    "fingerprints": list(fingerprints)}).all()
    carried: dict[str, tuple[Any, ...]] = {}
    for fp, *review in rows:
        carried.setdefault(fp, tuple(review))
    return carried


def refresh_findings(conn: Connection, checked: Checked) -> Counts:
    """Validate the version again and bring its findings in line: unchanged ones keep their rows and reviews.

    Stores the version's new error and warning counts and returns its counts for the report.
    """
    found = validate(checked.record, previous=previous_record(conn, checked.agency.id, checked.year),
                     meta=_meta(checked))
    computed = _fingerprinted(found, report_key(checked.agency.name, checked.year, checked.url))
    existing = {} if checked.fresh else {
        row.fingerprint: row for row in conn.execute(_STORED, {"version_id": checked.version_id})
    }
    gone = [row.id for fp, row in existing.items() if fp not in computed]
    if gone:
        conn.execute(delete(Finding).where(Finding.id.in_(gone)))
    carried = _carried_reviews(conn, checked, computed.keys() - existing.keys())
    added: list[dict[str, Any]] = []
    states: list[tuple[str, str, str]] = []
    for fp, item in computed.items():
        values = {
            "rule": item.rule, "severity": item.severity, "status": item.status, "location": item.location,
            "message": item.message, "detail": item.to_dict(),
        }
        row = existing.get(fp)
        if row is None:
            review = dict(zip(_REVIEW_FIELDS, carried.get(fp, _UNREVIEWED), strict=True))
            added.append({"version_id": checked.version_id, "fingerprint": fp, **values, **review})
            states.append((item.rule, item.severity, review["review_state"]))
            continue
        changed = {name: value for name, value in values.items() if getattr(row, name) != value}
        if changed:
            conn.execute(update(Finding).where(Finding.id == row.id).values(changed))
        states.append((item.rule, item.severity, row.review_state))
    if added:
        conn.execute(_ADD, added)
    counts = tally(states)
    if (counts.errors, counts.warnings) != checked.counts:
        conn.execute(_COUNTED, {"version_id": checked.version_id, "errors": counts.errors, "warnings": counts.warnings})
    return counts


def recount(report: Report, version: ReportVersion) -> None:
    """Error and warning counts that a person has not dismissed, on the version and, if current, the report."""
    counts = tally((f.rule, f.severity, f.review_state) for f in version.findings)
    version.errors, version.warnings = counts.errors, counts.warnings
    if version.number == report.current_version:
        report.errors, report.warnings, report.inconsistencies = counts


def review_finding(session: Session, finding_id: int, state: str, by: str, note: str | None = None,
                   at: dt.datetime | None = None) -> Finding:
    """Record a person's verdict on a finding (open / confirmed / dismissed); later versions inherit it."""
    if state not in REVIEW_STATES:
        raise ValueError(f"unknown review state {state!r}; expected one of {', '.join(REVIEW_STATES)}")
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise LookupError(say("review.no_finding", id=finding_id))
    finding.review_state, finding.reviewed_by, finding.review_note = state, by, note
    finding.reviewed_at = at or utcnow()
    version = finding.version
    recount(version.report, version)
    return finding
